"""Where the project and the environment's commands are."""

from __future__ import annotations

import sys
from pathlib import Path

# the dbt project: python/shopdw/paths.py is two folders below it
PROJECT_DIR = Path(__file__).resolve().parents[2]


def venv_executable(name: str) -> str:
    """A console script of the running interpreter's environment (dbt, mf, shopdw)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def dbt_executable() -> str:
    return venv_executable("dbt")
