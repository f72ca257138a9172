"""Ingestion once per file (`shopdw ingest`): the ledger, re-deliveries, changed, late, future,
unreadable files and a run killed midway. No dbt here: the raw layer itself is checked, against
the files read independently (Python's csv and json)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from shopdw.engines.ingest import LEDGER, IngestionError, ingest, retract, sha256
from shopdw.generator.generate import generate_history
from shopdw.generator.landing_sources import landing_tables
from testsupport.testing import PROJECT_DIR, venv_executable

END = date(2026, 6, 30)
RUN_DATE = date(2026, 7, 1)


@pytest.fixture(scope="module")
def landing_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ingestion_landing")
    generate_history(root, scale=0.05, days=12, end_date=END, force=True, progress=False)
    return root


@pytest.fixture
def landing(landing_template: Path, tmp_path: Path) -> Path:
    """A landing zone of its own for each test (copied with the files' times)."""
    return Path(shutil.copytree(landing_template, tmp_path / "landing"))


def rows_in_file(path: Path) -> int:
    """The records of a landing file read by Python, not by the ingestion's reader."""
    if path.suffix == ".csv":
        with path.open(newline="") as handle:
            return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def raw_state(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows and the ledger (without the wall-clock column), sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        state = {table.relation: sorted(con.execute(f"select * from {table.relation}").fetchall(), key=repr)
                 for table in landing_tables()}
        state[LEDGER] = con.execute(
            f"select * exclude (ingested_at) from {LEDGER} order by ingestion_id").fetchall()
    return state


def test_every_file_is_ingested_once_with_its_ledger_row(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    result = ingest(landing, warehouse, run_date=RUN_DATE)
    files = [p for t in landing_tables() for p in sorted(landing.glob(t.files))]
    assert len(result.ingested) == len(files) > 6 * 10
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = {row[0]: row[1:] for row in con.execute(
            f"select file_path, size_bytes, sha256, row_count, ingestion_id from {LEDGER}").fetchall()}
        for table in landing_tables():
            per_file = dict(con.execute(f"select filename, count(*) from {table.relation} group by 1").fetchall())
            for path in sorted(landing.glob(table.files)):
                size, checksum, rows, _ = ledger[str(path)]
                assert (size, checksum) == (path.stat().st_size, sha256(path))
                assert rows == rows_in_file(path) == per_file.get(str(path), 0), path
        ids = [row[3] for row in sorted(ledger.values(), key=lambda r: r[3])]
        assert ids == list(range(1, len(files) + 1))
    # ingestion ids follow the load dates: a day's files come before the next day's
    order = sorted(ledger.items(), key=lambda item: item[1][3])
    dates = [Path(path).stem for path, _ in order]
    assert dates == sorted(dates)
    before = raw_state(warehouse)
    again = ingest(landing, warehouse, run_date=RUN_DATE)
    assert again.ingested == {} and again.unchanged == len(files) and raw_state(warehouse) == before


def test_an_unchanged_redelivery_is_skipped_and_counted(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    events = sorted((landing / "web" / "events").glob("*.jsonl"))
    # the same file delivered again under its own name (new modification time) ...
    os.utime(events[3], ns=(events[3].stat().st_atime_ns, events[3].stat().st_mtime_ns + 10**9))
    # ... and a copy under another (older) load date
    copy = events[0].with_name(f"{date.fromisoformat(events[0].stem) - timedelta(days=5)}.jsonl")
    shutil.copy(events[5], copy)
    result = ingest(landing, warehouse, run_date=RUN_DATE)
    assert result.ingested == {} and sorted(result.redelivered) == sorted([str(events[3]), str(copy)])
    after = raw_state(warehouse)
    assert {k: v for k, v in after.items() if k != LEDGER} == {k: v for k, v in before.items() if k != LEDGER}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = dict(con.execute(f"select file_path, redeliveries from {LEDGER} where redeliveries > 0").fetchall())
        # (the generator's quiet CDC export is logged 'empty' by the first ingestion)
        log = con.execute("select file_path, outcome from landing.ingestion_log "
                          "where outcome != 'empty' order by 1").fetchall()
    assert counts == {str(events[3]): 1, str(events[5]): 1}
    assert sorted(log) == sorted([(str(events[3]), "redelivered"), (str(copy), "redelivered")])
    # seen once, counted once: the next run finds nothing new
    assert ingest(landing, warehouse, run_date=RUN_DATE).redelivered == []


def test_a_changed_file_stops_the_run_naming_it_and_nothing_is_ingested(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    orders = sorted((landing / "shop" / "orders").glob("*.csv"))
    with orders[2].open("a") as handle:
        handle.write("999999,1,paid,USD,1.00,0.00,0.00,1.00,2026-06-20T10:00:00Z,,,,,,2026-06-20T10:00:00Z,"
                     "2026-06-21T02:00:00Z\n")
    # a new day's file in the same run is not taken either: the run stops before it ingests
    shutil.copy(orders[-1], orders[-1].with_name(f"{RUN_DATE}.csv"))
    with pytest.raises(IngestionError) as caught:
        ingest(landing, warehouse, run_date=RUN_DATE)
    assert str(orders[2]) in str(caught.value) and "changed after it was ingested" in str(caught.value)
    assert raw_state(warehouse) == before
    # the command line says the same, on stderr, with exit code 1
    proc = subprocess.run([venv_executable("shopdw"), "ingest", "--landing", str(landing), "--warehouse",
                           str(warehouse), "--run-date", str(RUN_DATE)], capture_output=True, text=True, check=False,
                          cwd=PROJECT_DIR)
    assert proc.returncode == 1 and str(orders[2]) in proc.stderr
    assert raw_state(warehouse) == before


def test_a_future_dated_file_is_held_back_until_its_day(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    events = sorted((landing / "web" / "events").glob("*.jsonl"))
    future = events[-1].with_name(f"{RUN_DATE + timedelta(days=3)}.jsonl")
    lines = [json.loads(line) for line in events[-1].read_text().splitlines()]
    future.write_text("".join(json.dumps({**line, "event_id": f"future-{line['event_id']}"}) + "\n"
                              for line in lines))
    result = ingest(landing, warehouse, run_date=RUN_DATE)
    assert result.held_back == [str(future)] and str(future) not in result.ingested
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from web.events where filename = ?", [str(future)]).fetchone()[0] == 0
        assert con.execute("select outcome from landing.ingestion_log where file_path = ?",
                           [str(future)]).fetchall() == [("held_back",)]
    # still held back the next day; taken on its day
    assert ingest(landing, warehouse, run_date=RUN_DATE + timedelta(days=1)).held_back == [str(future)]
    taken = ingest(landing, warehouse, run_date=RUN_DATE + timedelta(days=3))
    assert list(taken.ingested) == [str(future)] and taken.ingested[str(future)] == rows_in_file(future)


def test_an_unreadable_file_is_named_and_none_of_it_is_kept(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    bad = landing / "web" / "events" / f"{RUN_DATE}.jsonl"
    bad.write_text('{"event_id": "x1", "event_type": "page_view"}\n{"event_id": "x2", "event_ty\n')
    # a good file of the same table in the same transaction: read with the bad one, then alone
    good = landing / "web" / "events" / f"{END - timedelta(days=20)}.jsonl"
    good.write_text('{"event_id": "g1", "event_type": "page_view"}\n')
    with pytest.raises(IngestionError) as caught:
        ingest(landing, warehouse, run_date=RUN_DATE)
    assert str(bad) in str(caught.value) and "JSON" in str(caught.value) and str(good) not in str(caught.value)
    assert raw_state(warehouse) == before
    good.unlink()
    # a file that is not named by its load date
    bad.unlink()
    (landing / "shop" / "payments" / "latest.csv").write_text("payment_id\n")
    with pytest.raises(IngestionError, match="latest.csv.*must be named <load date YYYY-MM-DD>.csv"):
        ingest(landing, warehouse, run_date=RUN_DATE)


def test_a_late_file_is_known_from_its_arrival(landing: Path, tmp_path: Path):
    """A file 10 days older than the newest ingested one is taken, and the ledger records the
    warehouse's data clock at its arrival, which staging takes as its rows' load time."""
    warehouse = tmp_path / "w.duckdb"
    late = sorted((landing / "web" / "events").glob("*.jsonl"))[1]
    stash = tmp_path / late.name
    shutil.move(late, stash)
    ingest(landing, warehouse, run_date=RUN_DATE)
    shutil.move(stash, late)
    result = ingest(landing, warehouse, run_date=RUN_DATE)
    assert list(result.ingested) == [str(late)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        clock = con.execute(f"select max(max_loaded_at) from {LEDGER} where file_path != ?", [str(late)]).fetchone()[0]
        arrival, own = con.execute(f"select late_arrival_at, max_loaded_at from {LEDGER} where file_path = ?",
                                   [str(late)]).fetchone()
        on_time = con.execute(f"select count(*) from {LEDGER} where late_arrival_at is not null").fetchone()[0]
    assert arrival == clock and own < clock and on_time == 1


def test_a_killed_ingestion_leaves_whole_files_and_the_rerun_completes_it(landing: Path, tmp_path: Path):
    clean = tmp_path / "clean.duckdb"
    ingest(landing, clean, run_date=RUN_DATE)
    killed = tmp_path / "killed.duckdb"
    command = [venv_executable("shopdw"), "ingest", "--verbose", "--days-per-transaction", "1", "--landing",
               str(landing), "--warehouse", str(killed), "--run-date", str(RUN_DATE)]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True, start_new_session=True)
    committed = 0
    for line in process.stdout:
        committed += line.startswith("ingested ")
        if committed == 7:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and committed == 7
    with duckdb.connect(str(killed), read_only=True) as con:
        files = con.execute(f"select count(*) from {LEDGER}").fetchone()[0]
        # every file in the ledger has all its rows, and no row is without its ledger row
        for table in landing_tables():
            orphans = con.execute(
                f"select count(*) from {table.relation} where _ingestion_id not in (select ingestion_id from {LEDGER})"
            ).fetchone()[0]
            assert orphans == 0, table
    assert 7 <= files < len(raw_state(clean)[LEDGER])
    assert subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, check=False).returncode == 0
    assert raw_state(killed) == raw_state(clean)


def test_ledger_and_raw_rows_agree_with_the_files_after_json_edge_cases(tmp_path: Path):
    """Values stay text, as delivered: numbers, nulls, quotes and unicode in JSON lines."""
    landing = tmp_path / "landing"
    folder = landing / "web" / "events"
    folder.mkdir(parents=True)
    lines = [
        {"event_id": "a'1", "event_type": "page_view", "occurred_at": "2026-06-01T10:00:00+02:00",
         "received_at": "2026-06-01T08:00:01Z", "anonymous_id": "v\u00e9", "customer_id": None,
         "page_url": "/p?q=\"x\"", "product_id": 12, "order_id": None, "user_agent": "ua",
         "_loaded_at": "2026-06-02T02:00:00Z"},
    ]
    (folder / "2026-06-01.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    tables = [t for t in landing_tables() if t.name == "events"]
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE, tables=tables)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select event_id, anonymous_id, customer_id, page_url, product_id from web.events").fetchone()
    assert row == ("a'1", "v\u00e9", None, '/p?q="x"', "12")


def test_a_refused_file_can_be_retracted_and_its_correction_ingested(landing: Path, tmp_path: Path):
    """A file the landing contract refuses (its columns swapped) is in the raw layer and cannot
    be changed in place; `shopdw ingest --retract` takes it out, and the corrected file is then
    ingested as new."""
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    path = sorted((landing / "shop" / "payments").glob("*.csv"))[-1]
    original = path.read_bytes()
    rows = [line.split(",") for line in original.decode().splitlines()]
    swapped = "\n".join(",".join([r[0], r[1], r[3], r[2], *r[4:]]) for r in rows) + "\n"
    path.write_text(swapped)
    with pytest.raises(IngestionError, match="changed after it was ingested"):
        ingest(landing, warehouse, run_date=RUN_DATE)
    proc = subprocess.run([venv_executable("shopdw"), "ingest", "--warehouse", str(warehouse), "--retract", str(path)],
                          capture_output=True, text=True, check=False, cwd=PROJECT_DIR)
    assert proc.returncode == 0 and f"retracted {path}" in proc.stdout, proc.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from shop.payments where filename = ?", [str(path)]).fetchone()[0] == 0
        assert con.execute("select outcome from landing.ingestion_log where file_path = ?",
                           [str(path)]).fetchall() == [("retracted",)]
    path.write_bytes(original)
    again = ingest(landing, warehouse, run_date=RUN_DATE)
    assert list(again.ingested) == [str(path)]
    after = raw_state(warehouse)
    # the same rows as before, under a new ingestion id (the last column)
    payments = '"shop"."payments"'
    assert sorted((r[:-1] for r in after[payments]), key=repr) == sorted((r[:-1] for r in before[payments]), key=repr)
    with pytest.raises(IngestionError, match="not in the ingestion ledger"):
        retract(warehouse, str(tmp_path / "nowhere.csv"))


def test_an_empty_full_extract_stops_the_run_naming_it_and_nothing_of_its_day_is_kept(landing: Path, tmp_path: Path):
    """A products extract is the whole catalogue: one without a row would say every product was
    discontinued. Header only or 0 bytes, it is refused, and the day it belongs to is not taken."""
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    products = sorted((landing / "shop" / "products").glob("*.csv"))
    header_only = products[-1].with_name(f"{RUN_DATE}.csv")
    header_only.write_text(products[-1].read_text().splitlines()[0] + "\n")
    events = sorted((landing / "web" / "events").glob("*.jsonl"))
    same_day = events[-1].with_name(f"{RUN_DATE}.jsonl")
    same_day.write_text("".join(json.dumps({**json.loads(line), "event_id": f"new-{n}"}) + "\n"
                                for n, line in enumerate(events[-1].read_text().splitlines())))
    for content in (header_only.read_text(), ""):
        header_only.write_text(content)
        with pytest.raises(IngestionError) as caught:
            ingest(landing, warehouse, run_date=RUN_DATE)
        assert str(header_only) in str(caught.value) and "without a row" in str(caught.value)
        assert raw_state(warehouse) == before


def test_an_empty_change_file_is_ingested_and_reported_by_name(landing: Path, tmp_path: Path):
    """A change feed may have a quiet day: its empty file is taken (row_count 0 in the ledger),
    logged and reported as a warning naming it, never silently. The feed sent an empty file
    before (the generator's quiet export): two files without a row are not copies of each other."""
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select count(*) from {LEDGER} where row_count = 0").fetchone()[0] == 1
    empty = landing / "shop" / "customers_cdc" / f"{RUN_DATE}.jsonl"
    empty.write_text("")
    result = ingest(landing, warehouse, run_date=RUN_DATE)
    assert result.ingested == {str(empty): 0} and result.empty == [str(empty)]
    assert f"WARNING: no rows (ingested, counted as 0 in {LEDGER}): {empty}" in result.report()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select row_count from {LEDGER} where file_path = ?", [str(empty)]).fetchall() == [(0,)]
        assert con.execute("select outcome from landing.ingestion_log where file_path = ?",
                           [str(empty)]).fetchall() == [("empty",)]


def test_a_file_that_is_not_utf8_stops_the_run_naming_file_line_and_bytes(landing: Path, tmp_path: Path):
    """A Latin-1 export and a UTF-8 file with a byte-order mark: the run stops before it ingests
    anything, with the file, the line and the bytes (a BOM is invisible in any later message)."""
    warehouse = tmp_path / "w.duckdb"
    ingest(landing, warehouse, run_date=RUN_DATE)
    before = raw_state(warehouse)
    products = sorted((landing / "shop" / "products").glob("*.csv"))
    lines = products[-1].read_text().splitlines()
    latin1 = products[-1].with_name(f"{RUN_DATE}.csv")
    text = "\n".join([lines[0], lines[1], lines[2].replace("Item", "Café Item")]) + "\n"
    latin1.write_bytes(text.encode("latin-1"))
    orders = sorted((landing / "shop" / "orders").glob("*.csv"))
    bom = orders[-1].with_name(f"{RUN_DATE}.csv")
    bom.write_bytes(b"\xef\xbb\xbf" + orders[-1].read_bytes())
    with pytest.raises(IngestionError) as caught:
        ingest(landing, warehouse, run_date=RUN_DATE)
    message = str(caught.value)
    assert f"{latin1}: line 3: bytes E9" in message and "not UTF-8" in message
    assert f"{bom}: starts with a UTF-8 byte-order mark" in message
    assert raw_state(warehouse) == before


def test_malformed_json_is_reported_at_its_own_line(landing: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    events = sorted((landing / "web" / "events").glob("*.jsonl"))
    lines = events[-1].read_text().splitlines()
    broken = events[-1].with_name(f"{RUN_DATE}.jsonl")
    broken.write_text("\n".join([lines[0], lines[1][:-1], *lines[2:5]]) + "\n")
    ingest(landing, warehouse, run_date=RUN_DATE - timedelta(days=1))
    with pytest.raises(IngestionError) as caught:
        ingest(landing, warehouse, run_date=RUN_DATE)
    assert f"{broken}: cannot be read as JSON of web.events: line 2," in str(caught.value)
