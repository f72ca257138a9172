"""The landing sources as the project's YAML declares them: which files, which format, which columns.

A source table with ``config.meta.landing`` in a ``_<source>__sources.yml`` file is fed from
landing files: ``files`` is a glob below the landing root, ``format`` is csv or json, and a CSV
source says whether a row with more fields than the contract is an error (``strict``), and a
source whose files are full extracts (``delivery: full_extract``: every file holds the whole
table) says so, because an empty one would retire every row instead of adding none. Its
columns are the YAML's columns, in order, less the two the ingestion adds itself. The YAML
stays the one contract: the ingestion, the loaders of the other engines and the landing
contract tests all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from shopdw.paths import PROJECT_DIR

# columns of every raw table that no landing file carries: the ingestion writes them
ADDED_COLUMNS = ("filename", "_ingestion_id")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class LandingTable:
    source_name: str
    name: str
    files: str            # glob below the landing root, e.g. web/events/*.jsonl
    format: str           # csv or json
    strict: bool          # csv: a row with more fields than the contract is an error
    columns: tuple[str, ...]
    full_extract: bool = False  # every file holds the whole table (not only the day's changes)

    @property
    def relation(self) -> str:
        return f'"{self.source_name}"."{self.name}"'

    def reader(self, paths_sql: str, filename: bool = False) -> str:
        """The DuckDB table function reading files of this table (a path or a list of paths),
        every column as text; with filename, the column `filename` says which file a row is from."""
        columns = "{" + ", ".join(f"{_sql_string(c)}: 'VARCHAR'" for c in self.columns) + "}"
        options = f"columns = {columns}" + (", filename = true" if filename else "")
        if self.format == "json":
            return f"read_json({paths_sql}, format = 'newline_delimited', {options})"
        return (f"read_csv({paths_sql}, header = true, auto_detect = false, delim = ',', quote = '\"', "
                f"escape = '\"', strict_mode = {str(self.strict).lower()}, {options})")


def landing_tables(project_dir: Path | None = None) -> list[LandingTable]:
    """Every source table of the project that is fed from landing files."""
    found = []
    for path in sorted((project_dir or PROJECT_DIR).glob("models/**/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text()).get("sources", []):
            for table in source.get("tables", []):
                landing = table.get("config", {}).get("meta", {}).get("landing")
                if not landing:
                    continue
                if landing.get("format") not in ("csv", "json"):
                    raise ValueError(f"{path}: source {source['name']}.{table['name']}: landing format must be "
                                     f"csv or json, got {landing.get('format')!r}")
                columns = tuple(c["name"] for c in table.get("columns", []) if c["name"] not in ADDED_COLUMNS)
                if landing.get("delivery", "changes") not in ("changes", "full_extract"):
                    raise ValueError(f"{path}: source {source['name']}.{table['name']}: landing delivery must be "
                                     f"changes or full_extract, got {landing.get('delivery')!r}")
                found.append(LandingTable(source["name"], table["name"], landing["files"], landing["format"],
                                          bool(landing.get("strict", True)), columns,
                                          landing.get("delivery") == "full_extract"))
    if not found:
        raise ValueError("no source with meta.landing in the project's sources")
    return found
