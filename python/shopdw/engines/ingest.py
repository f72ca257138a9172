"""Ingestion: every landing file is read once into the raw layer, and a ledger says which.

The raw layer is one table per landing source, ``<source>.<table>`` in the warehouse (the
same names the sources resolve to on every engine), every contract column as text, plus the
file the row came from (``filename``) and the ingestion that brought it (``_ingestion_id``).
Typing and rejection stay in staging: a value is never judged here, only copied (a NUL byte,
which PostgreSQL cannot store, is copied as the control character SUB, so staging still
quarantines it as invalid_text).

The ledger ``landing.ingested_files`` has one row per ingested file: its path, load date,
size, modification time, SHA-256, row count, CSV header, ingestion id and time, and how often
it was delivered again unchanged. Every run compares the landing zone with it:

- a file in the ledger with the same size and modification time: nothing to do (no reading);
- the same path with another size or time but the same checksum: delivered again, unchanged:
  skipped, and counted (``redeliveries``) with a line in ``landing.ingestion_log``;
- a new path whose checksum equals an ingested file of the same table: a copy of it, skipped,
  counted on the original the same way and remembered (``landing.redelivered_copies``) so that
  it is counted once;
- a file whose content changed after it was ingested: the run stops before it ingests
  anything, naming every such file (a correction must arrive as a new file);
- a file whose load date (its name) is after the run's date: held back, logged, and taken by
  the first run on or after its day; never half-published;
- a file that is not UTF-8 (a Latin-1 export), or starts with a byte-order mark: the run stops
  before it ingests anything, naming the file, the line and the bytes;
- any other file is new, late or not: read and committed together with its ledger row, in one
  transaction per load date, so a run killed midway leaves whole files (whole days) only and the
  rerun takes the rest;
- a file without a row (0 bytes, or a CSV header only): of a full extract (products), the run
  stops naming it, since it would say that every product was discontinued; of a change feed, it
  is ingested with its ledger row (row_count 0), logged and reported as a warning naming it, and
  the source test ``landing_file_has_rows`` warns on it.

A file whose load date is older than the newest already ingested arrived late. Its ledger row
gets ``late_arrival_at``, the warehouse's data clock when it came (the newest load time of the
files ingested before it), and staging takes that as the rows' load time when it is later than
the one they claim: the point-in-time features then see the rows from when the warehouse had
them, never from before, and a full refresh from the raw layer builds what the incremental runs
built.

Ingestion ids increase with every file in the order files are taken (load date, then path),
so "rows newer than what a model has seen" is one comparison, however late a file is.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from shopdw.generator.landing_sources import LandingTable, landing_tables

LEDGER_SCHEMA = "landing"
LEDGER = f"{LEDGER_SCHEMA}.ingested_files"
HEADERS = f"{LEDGER_SCHEMA}.csv_headers"
LOG = f"{LEDGER_SCHEMA}.ingestion_log"
COPIES = f"{LEDGER_SCHEMA}.redelivered_copies"


class IngestionError(Exception):
    """A landing file that cannot be ingested; the message names the file and the problem."""


@dataclass(frozen=True)
class LandingFile:
    table: LandingTable
    path: Path
    load_date: date
    size: int
    modified_ns: int

    @property
    def name(self) -> str:
        return str(self.path)


def has_no_rows(file: LandingFile) -> bool:
    """True for a file without a data row (0 bytes, blank lines, or a CSV header alone). Two
    such files are alike whatever their days, so one is never taken as a copy of another."""
    if file.size > 65_536:  # no header is that long
        return False
    lines = [line for line in file.path.read_text(errors="replace").splitlines() if line.strip()]
    return len(lines) <= (1 if file.table.format == "csv" else 0)


@dataclass
class IngestionResult:
    ingested: dict[str, int] = field(default_factory=dict)     # file -> rows
    unchanged: int = 0
    redelivered: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)              # ingested without a row
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.ingested.values())

    def report(self) -> str:
        lines = [f"ingested {len(self.ingested)} files ({self.rows:,} rows) in {self.seconds:.1f} s; "
                 f"{self.unchanged} already ingested and unchanged; {len(self.redelivered)} delivered again "
                 f"unchanged (skipped, counted in {LEDGER}); {len(self.held_back)} held back"]
        lines += [f"  delivered again, skipped: {name}" for name in self.redelivered]
        lines += [f"  held back until its load date: {name}" for name in self.held_back]
        lines += [f"  WARNING: no rows (ingested, counted as 0 in {LEDGER}): {name}" for name in self.empty]
        return "\n".join(lines)


def encoding_problem(path: Path) -> str | None:
    """What keeps the file from being the UTF-8 the landing contract asks for, or None: a
    byte-order mark (invisible in every message after it), or bytes that are not UTF-8, with
    the line (from 1) and the bytes themselves."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if offset == 0 and block.startswith(codecs.BOM_UTF8):
                return "starts with a UTF-8 byte-order mark (EF BB BF): export it without one"
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                bad = block[err.start:err.start + 4]
                at_line = line + block.count(b"\n", 0, err.start)
                return (f"line {at_line}: bytes {bad.hex(' ').upper()} at byte "
                        f"{offset + err.start:,} are not UTF-8 ({err.reason}); export the file as UTF-8 "
                        "(a byte such as E9 alone is Latin-1 or Windows-1252)")
            line += block.count(b"\n")
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"ends inside a UTF-8 character (line {line}): the file is cut short or not UTF-8"
    return None


def _first_bad_json_line(path: Path) -> str | None:
    """The first line of a JSON-lines file that is not one JSON object, as 'line N: problem'."""
    import json

    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as err:
                return f"line {number}, column {err.pos + 1}: {err.msg}"
            if not isinstance(value, dict):
                return f"line {number}: a JSON {type(value).__name__}, not an object"
    return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_date(table: LandingTable, path: Path) -> date:
    try:
        return date.fromisoformat(path.stem)
    except ValueError:
        raise IngestionError(f"{path}: a landing file of {table.source_name}.{table.name} must be named "
                             f"<load date YYYY-MM-DD>{path.suffix}, got {path.name!r}") from None


def discover(root: Path, tables: Iterable[LandingTable]) -> list[LandingFile]:
    """Every landing file of the tables, in the order they are ingested: load date, then path."""
    found = []
    for table in tables:
        for path in sorted(Path(root).glob(table.files)):
            stat = path.stat()
            found.append(LandingFile(table, path, _load_date(table, path), stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda f: (f.load_date, f.table.source_name, f.table.name, f.name))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_raw_layer(con: duckdb.DuckDBPyConnection, tables: Iterable[LandingTable]) -> None:
    con.execute(f"create schema if not exists {LEDGER_SCHEMA}")
    con.execute(f"""
        create table if not exists {LEDGER} (
            ingestion_id bigint primary key,
            source_name varchar not null,
            source_table varchar not null,
            file_path varchar not null unique,
            load_date date not null,
            size_bytes bigint not null,
            modified_ns bigint not null,
            sha256 varchar not null,
            row_count bigint not null,
            max_loaded_at timestamp,
            late_arrival_at timestamp,
            ingested_at timestamp with time zone not null,
            redeliveries integer not null default 0
        )""")
    con.execute(f"""
        create table if not exists {HEADERS} (
            source_name varchar, source_table varchar, source_file varchar, header varchar[]
        )""")
    con.execute(f"""
        create table if not exists {COPIES} (
            file_path varchar primary key, size_bytes bigint, modified_ns bigint, copy_of varchar
        )""")
    con.execute(f"""
        create table if not exists {LOG} (
            logged_at timestamp with time zone, file_path varchar, outcome varchar, detail varchar
        )""")
    for table in tables:
        con.execute(f"create schema if not exists {_quote(table.source_name)}")
        columns = [f"{_quote(c)} varchar" for c in table.columns] + ['"filename" varchar', '"_ingestion_id" bigint']
        con.execute(f"create table if not exists {table.relation} ({', '.join(columns)})")


def _read_header(path: Path) -> list[str]:
    import csv

    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        header = next(csv.reader([handle.readline()]), [])
    return [name.strip() for name in header]


class _UnreadableBatch(Exception):
    def __init__(self, table: LandingTable, files: list[LandingFile], error: duckdb.Error):
        super().__init__(str(error))
        self.table, self.files, self.error = table, files, error


def _insert_files(con: duckdb.DuckDBPyConnection, table: LandingTable, files: list[tuple[LandingFile, int]]) -> None:
    """The rows of several files of one table, each with its ingestion id, in one statement (the
    reader reads the files in parallel)."""
    columns = ", ".join(_quote(c) for c in table.columns)
    # a NUL byte is kept as SUB (U+001A), the control character for one that cannot be stored:
    # PostgreSQL's text cannot hold NUL, and the raw layer is the same on every engine
    values = ", ".join(f"replace(r.{_quote(c)}, chr(0), chr(26))" for c in table.columns)
    select = (f"select {values}, r.filename, ids.ingestion_id "
              f"from {table.reader('?', filename=True)} as r "
              "inner join (select unnest(?) as path, unnest(?) as ingestion_id) as ids on r.filename = ids.path")
    paths, ids = [f.name for f, _ in files], [i for _, i in files]
    try:
        con.execute(f"insert into {table.relation} ({columns}, filename, _ingestion_id) {select}", [paths, paths, ids])
    except duckdb.Error as err:
        raise _UnreadableBatch(table, [f for f, _ in files], err) from None


def _unreadable_file(con: duckdb.DuckDBPyConnection, failed: _UnreadableBatch) -> IngestionError:
    """Which file of a batch the reader cannot read (each read alone), as an error naming it."""
    table = failed.table
    for file in failed.files:
        try:
            con.execute(f"select count(*) from {table.reader('?')}", [file.name]).fetchone()
        except duckdb.Error as err:
            where = _first_bad_json_line(file.path) if table.format == "json" else None
            # DuckDB's own line number of a JSON error can be the line after the bad one
            detail = f"{where} (reader: {str(err).strip()})" if where else str(err).strip()
            return IngestionError(f"{file.name}: cannot be read as {table.format.upper()} of "
                                  f"{table.source_name}.{table.name}: {detail}")
    names = ", ".join(file.name for file in failed.files)
    return IngestionError(f"{names}: cannot be read together as {table.format.upper()} of "
                          f"{table.source_name}.{table.name}: {str(failed.error).strip()}")


def _ingest_batch(con: duckdb.DuckDBPyConnection, files: list[tuple[LandingFile, str]],
                  now: datetime) -> dict[str, int]:
    """New files (in load-date order) into their raw tables, headers and ledger rows, in one
    transaction: a run killed midway leaves whole files (whole days) and nothing else."""
    con.execute("begin transaction")
    try:
        first_id, newest_load_date, clock = con.execute(
            f"select coalesce(max(ingestion_id), 0) + 1, max(load_date), max(max_loaded_at) from {LEDGER}").fetchone()
        ids = {file.name: first_id + offset for offset, (file, _) in enumerate(files)}
        by_table: dict[LandingTable, list[tuple[LandingFile, int]]] = {}
        for file, _ in files:
            by_table.setdefault(file.table, []).append((file, ids[file.name]))
        counts: dict[str, tuple[int, datetime | None]] = {}
        for table, table_files in by_table.items():
            _insert_files(con, table, table_files)
            loaded_at = ("max(try_cast(trim(_loaded_at) as timestamptz) at time zone 'UTC')"
                         if "_loaded_at" in table.columns else "null")
            counts.update({name: (rows, newest) for name, rows, newest in con.execute(
                f"select filename, count(*), {loaded_at} from {table.relation} "
                "where _ingestion_id between ? and ? group by filename",
                [min(i for _, i in table_files), max(i for _, i in table_files)]).fetchall()})
        empty_extracts = [file.name for file, _ in files if file.table.full_extract and file.name not in counts]
        if empty_extracts:
            raise IngestionError(
                "full extracts without a row; taken as they are, they would retire the whole table "
                "(every product discontinued). Nothing of this load date was ingested; deliver the "
                "extracts again:\n  " + "\n  ".join(empty_extracts))
        headers, ledger = [], []
        for file, checksum in files:
            rows, max_loaded_at = counts.get(file.name, (0, None))
            if rows == 0:
                con.execute(f"insert into {LOG} values (?, ?, 'empty', ?)",
                            [now, file.name, "no rows: ingested with row_count 0"])
            # a file older than the newest load date already ingested arrived late: the
            # warehouse learns its rows now, at its data clock (the newest load time ingested
            # before this batch), not at the load time the file claims
            late = newest_load_date is not None and file.load_date < newest_load_date
            ledger.append([ids[file.name], file.table.source_name, file.table.name, file.name, file.load_date,
                           file.size, file.modified_ns, checksum, rows, max_loaded_at, clock if late else None, now])
            if file.table.format == "csv":
                headers.append([file.table.source_name, file.table.name, file.name, _read_header(file.path)])
        _insert_rows(con, LEDGER, ledger, extra="0")
        _insert_rows(con, HEADERS, headers)
        con.execute("commit")
    except _UnreadableBatch as failed:
        con.execute("rollback")
        raise _unreadable_file(con, failed) from None
    except BaseException:
        con.execute("rollback")
        raise
    return {name: rows for name, (rows, _) in counts.items()} | {
        file.name: 0 for file, _ in files if file.name not in counts}


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list], extra: str | None = None) -> None:
    """Rows into a small table in one statement (executemany costs a statement per row)."""
    if not rows:
        return
    one = "(" + ", ".join("?" for _ in rows[0]) + (f", {extra}" if extra else "") + ")"
    con.execute(f"insert into {table} values {', '.join(one for _ in rows)}", [v for row in rows for v in row])


def _batches(files: list[tuple[LandingFile, str]], days: int) -> list[list[tuple[LandingFile, str]]]:
    """The new files in groups of at most `days` load dates, in load-date order."""
    dates = sorted({file.load_date for file, _ in files})
    groups = [set(dates[i:i + days]) for i in range(0, len(dates), days)]
    return [[(file, checksum) for file, checksum in files if file.load_date in group] for group in groups]


def ingest(root: Path, warehouse: Path, run_date: date | None = None, project_dir: Path | None = None,
           tables: list[LandingTable] | None = None, progress=None, days_per_transaction: int = 31) -> IngestionResult:
    """Bring every new landing file of `root` into the raw layer of the DuckDB file `warehouse`.

    progress, when given, is called with a line for every transaction once it is committed: up to
    `days_per_transaction` load dates each (a nightly run has one; a backfill, a month each).
    """
    started = time.perf_counter()
    now = datetime.now(UTC)
    run_date = run_date or now.date()
    tables = tables if tables is not None else landing_tables(project_dir)
    if not Path(root).is_dir():
        raise IngestionError(f"{root}: no landing zone here (shopdw generate writes one)")
    files = discover(root, tables)
    result = IngestionResult()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        # a checkpoint rewrites the tables' newest row groups: one at the end (or per GB of
        # log), not at every day's commit (that was 60 % of the time); the log is durable
        # at each commit all the same
        con.execute("set checkpoint_threshold = '1GB'")
        create_raw_layer(con, tables)
        ledger = {path: (size, modified, checksum, ingestion_id) for path, size, modified, checksum, ingestion_id in
                  con.execute(f"select file_path, size_bytes, modified_ns, sha256, ingestion_id from {LEDGER}")
                  .fetchall()}
        by_checksum = {(source_name, source_table, checksum): path for source_name, source_table, checksum, path in
                       con.execute(f"select source_name, source_table, sha256, file_path from {LEDGER}").fetchall()}
        copies = {path: (size, modified) for path, size, modified in
                  con.execute(f"select file_path, size_bytes, modified_ns from {COPIES}").fetchall()}
        changed, redelivered, new, unreadable = [], [], [], []
        for file in files:
            if copies.get(file.name) == (file.size, file.modified_ns):
                result.unchanged += 1
                continue
            known = ledger.get(file.name)
            if known is not None:
                size, modified, checksum, _ = known
                if (file.size, file.modified_ns) == (size, modified):
                    result.unchanged += 1
                    continue
                now_checksum = sha256(file.path)
                if now_checksum == checksum:
                    redelivered.append((file, file.name))
                else:
                    changed.append(f"{file.name}: changed after it was ingested (size {size:,} -> {file.size:,} "
                                   f"bytes, sha256 {checksum[:12]}.. -> {now_checksum[:12]}..)")
                continue
            if file.load_date > run_date:
                result.held_back.append(file.name)
                continue
            problem = encoding_problem(file.path)
            if problem is not None:
                unreadable.append(f"{file.name}: {problem}")
                continue
            checksum = sha256(file.path)
            original = by_checksum.get((file.table.source_name, file.table.name, checksum))
            if original is not None and not has_no_rows(file):
                redelivered.append((file, original))
                continue
            by_checksum[(file.table.source_name, file.table.name, checksum)] = file.name
            if file.name in copies:
                con.execute(f"delete from {COPIES} where file_path = ?", [file.name])
            new.append((file, checksum))
        if unreadable:
            raise IngestionError(
                "landing files that are not UTF-8 text; nothing was ingested by this run. Deliver them "
                "again as UTF-8 without a byte-order mark:\n  " + "\n  ".join(unreadable))
        if changed:
            raise IngestionError(
                "landing files changed after they were ingested; nothing was ingested by this run. "
                "A correction must arrive as a new file (the next load day's); restore these files:\n  "
                + "\n  ".join(changed))
        con.execute("begin transaction")
        for file, original in redelivered:
            con.execute(f"update {LEDGER} set redeliveries = redeliveries + 1 where file_path = ?", [original])
            if original == file.name:
                con.execute(f"update {LEDGER} set modified_ns = ? where file_path = ?", [file.modified_ns, file.name])
            else:
                con.execute(f"insert or replace into {COPIES} values (?, ?, ?, ?)",
                            [file.name, file.size, file.modified_ns, original])
            con.execute(f"insert into {LOG} values (?, ?, 'redelivered', ?)",
                        [now, file.name, f"same content as {original}: skipped"])
            result.redelivered.append(file.name)
        for name in result.held_back:
            con.execute(f"insert into {LOG} values (?, ?, 'held_back', ?)",
                        [now, name, f"load date after the run date {run_date}: taken on or after its day"])
        con.execute("commit")
        for batch in _batches(new, days_per_transaction):
            counts = _ingest_batch(con, batch, now)
            result.ingested.update(counts)
            result.empty += [name for name, rows in counts.items() if rows == 0]
            if progress is not None:
                first, last = batch[0][0].load_date, batch[-1][0].load_date
                progress(f"ingested {first}..{last}: {len(counts)} files ({sum(counts.values()):,} rows)")
        con.execute("checkpoint")
    result.seconds = time.perf_counter() - started
    return result


def retract(warehouse: Path, file_path: str) -> int:
    """Take an ingested file back out of the raw layer: its rows, its CSV header and its ledger
    row, in one transaction, logged. For a file that should never have been delivered (one the
    landing contract refused): the corrected file is then ingested as new. Models that already
    took its rows keep them until `make full-refresh`. Returns the rows removed."""
    with duckdb.connect(str(warehouse)) as con:
        found = con.execute(f"select source_name, source_table, row_count from {LEDGER} where file_path = ?",
                            [file_path]).fetchone()
        if found is None:
            raise IngestionError(f"{file_path}: not in the ingestion ledger {LEDGER}; nothing to retract")
        source_name, source_table, rows = found
        con.execute("begin transaction")
        con.execute(f'delete from "{source_name}"."{source_table}" where filename = ?', [file_path])
        con.execute(f"delete from {HEADERS} where source_file = ?", [file_path])
        con.execute(f"delete from {LEDGER} where file_path = ?", [file_path])
        con.execute(f"delete from {COPIES} where copy_of = ?", [file_path])
        con.execute(f"insert into {LOG} values (?, ?, 'retracted', ?)",
                    [datetime.now(UTC), file_path, f"{rows} rows taken out of {source_name}.{source_table}"])
        con.execute("commit")
    return rows
