"""Reading the landing zone's files themselves (not their rows): the CSV header lines."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CsvHeader:
    source_name: str     # <root>/<source_name>/<source_table>/<load date>.csv
    source_table: str
    source_file: str
    header: list[str]    # the column names of the first line, trimmed


def read_csv_headers(root: Path) -> Iterator[CsvHeader]:
    """The header line of every CSV file of the landing zone, one readline per file.

    Reading only the first line keeps the landing contract check independent of the files'
    size (reading them whole took minutes at SF10).
    """
    for path in sorted(Path(root).glob("*/*/*.csv")):
        with path.open(newline="") as handle:
            header = next(csv.reader([handle.readline()]), [])
        yield CsvHeader(path.parent.parent.name, path.parent.name, str(path), [name.strip() for name in header])
