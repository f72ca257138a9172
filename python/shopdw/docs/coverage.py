"""Documentation coverage of the dbt project, read from dbt's own artifacts.

``dbt docs generate`` writes ``manifest.json`` (what the project declares: nodes, sources,
macros, exposures, semantic layer, with their descriptions) and ``catalog.json`` (what the
warehouse really holds: every relation and column). Coverage compares the two, so a column
that a model produces but its YAML forgets is counted as undescribed, not silently skipped.

What is counted:

- models, seeds, snapshots, sources, exposures, semantic models, metrics, saved queries:
  the description of each;
- columns: every column the catalog finds in a model, seed, snapshot or source relation
  must carry a description in the manifest (so a column added in SQL but not in YAML fails);
- singular tests: the description from ``tests/*.yml``;
- generic tests: every test definition (``{% test %}``) must be described with all of its
  arguments; its instances (``not_null_...``) are described by their definition;
- macros of the project: description and every argument.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "shop_warehouse"

# Arguments every generic test receives from dbt itself; they need no description of ours.
IMPLICIT_TEST_ARGUMENTS = {"model", "column_name"}


@dataclass
class Coverage:
    """Counts of described things per kind, with the names of the undescribed ones."""

    described: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)

    def count(self, kind: str, name: str, description: str | None) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        if description and description.strip():
            self.described[kind] = self.described.get(kind, 0) + 1
        else:
            self.missing.setdefault(kind, []).append(name)

    def share(self, kind: str) -> float:
        total = self.total.get(kind, 0)
        return 1.0 if total == 0 else self.described.get(kind, 0) / total

    @property
    def complete(self) -> bool:
        return not any(self.missing.values())

    def report(self) -> str:
        lines = [f"{'kind':<22}{'described':>10}{'total':>8}{'share':>9}"]
        for kind in sorted(self.total):
            lines.append(f"{kind:<22}{self.described.get(kind, 0):>10}{self.total[kind]:>8}"
                         f"{self.share(kind):>9.1%}")
        for kind in sorted(self.missing):
            for name in self.missing[kind]:
                lines.append(f"undescribed {kind}: {name}")
        return "\n".join(lines)


def _load(target_dir: Path, name: str) -> dict:
    path = target_dir / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `dbt docs generate` first")
    return json.loads(path.read_text())


def coverage(target_dir: Path) -> Coverage:
    """Coverage of the project's docs from ``manifest.json`` and ``catalog.json`` in target_dir."""
    manifest = _load(target_dir, "manifest.json")
    catalog = _load(target_dir, "catalog.json")
    cov = Coverage()
    catalog_columns = {uid: entry["columns"] for part in ("nodes", "sources")
                       for uid, entry in catalog.get(part, {}).items()}

    def columns(uid: str, node: dict) -> None:
        declared = {name.lower(): col.get("description") for name, col in node.get("columns", {}).items()}
        if uid in catalog_columns:
            present = [name.lower() for name in catalog_columns[uid]]
        else:
            raise ValueError(f"{uid} is not in catalog.json: build the project before `dbt docs generate`")
        for name in present:
            cov.count("column", f"{node['name']}.{name}", declared.get(name))

    for uid, node in manifest["nodes"].items():
        if node["package_name"] != PROJECT:
            continue
        kind = node["resource_type"]
        if kind in ("model", "seed", "snapshot"):
            cov.count(kind, node["name"], node.get("description"))
            if node.get("config", {}).get("enabled", True):
                columns(uid, node)
        elif kind == "test" and "test_metadata" not in node:
            cov.count("singular test", node["name"], node.get("description"))
    for node in manifest.get("unit_tests", {}).values():
        if node["package_name"] == PROJECT:
            cov.count("unit test", node["name"], node.get("description"))
    for uid, source in manifest["sources"].items():
        if source["package_name"] != PROJECT:
            continue
        name = f"{source['source_name']}.{source['name']}"
        cov.count("source", name, source.get("description"))
        columns(uid, {**source, "name": name})
    for part, kind in (("exposures", "exposure"), ("semantic_models", "semantic model"),
                       ("metrics", "metric"), ("saved_queries", "saved query")):
        for node in manifest.get(part, {}).values():
            if node["package_name"] == PROJECT:
                cov.count(kind, node["name"], node.get("description"))
    for macro in manifest["macros"].values():
        if macro["package_name"] != PROJECT:
            continue
        is_test = macro["name"].startswith("test_")
        kind = "generic test" if is_test else "macro"
        name = macro["name"][len("test_"):] if is_test else macro["name"]
        cov.count(kind, name, macro.get("description"))
        documented = {arg["name"]: arg.get("description") for arg in macro.get("arguments", [])}
        signature = _macro_arguments(macro)
        for arg in documented:
            if arg not in signature:
                # a documented argument the macro does not take (renamed or removed):
                # the docs describe a different macro than the code
                cov.count(f"{kind} argument", f"{name}({arg}) is documented but not in the signature", None)
        for arg in signature:
            if is_test and arg in IMPLICIT_TEST_ARGUMENTS:
                continue
            cov.count(f"{kind} argument", f"{name}({arg})", documented.get(arg))
    return cov


def _macro_arguments(macro: dict) -> list[str]:
    """The argument names of a macro, read from the signature in its SQL.

    The signature `name(a, b='x, y', c=none)` is parsed as a Python parameter list (Jinja's
    defaults are Python-like literals), so commas and brackets inside defaults are no
    separators. A materialization has no arguments.
    """
    import ast

    sql = macro["macro_sql"]
    head = sql[: sql.index("%}")]
    if "(" not in head:  # a materialization: `{% materialization snapshot, adapter='spark' %}`
        return []
    start = head.index("(")
    depth, quote, end = 0, None, start
    for end in range(start, len(head)):
        ch = head[end]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        else:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                break
    definition = ast.parse(f"def signature({head[start + 1:end]}): pass").body[0]
    return [arg.arg for arg in definition.args.args]
