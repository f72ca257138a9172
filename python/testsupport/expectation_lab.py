"""A small dbt project that runs generic tests on fixture tables and reports each test's result.

The table-driven semantics tests (test_expectation_semantics.py) build one lab with the
project's own generic tests (its `macros/` and `tests/generic/`), run every case in one
`dbt build`, and read status and failure count of each case from run_results.json.

Given the folder of the real packages (SHOP_EXPECTATIONS_PACKAGES=<dir> holding
dbt_expectations, dbt_date and dbt_utils), the same cases also run against them: that is how
the expected results of the table were obtained, and how anyone can check them again. The
packages are never part of the project or of CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from testsupport.testing import PROJECT_DIR, dbt_executable

PACKAGE_OF = {"expression_is_true": "dbt_utils"}  # every other case's test is dbt_expectations'


@dataclass(frozen=True)
class Case:
    """One generic test on one fixture table, with the result dbt-expectations gives there.

    expect: 'pass', 'fail', 'error' (when the test runs) or 'parse error' (dbt stops while it
    reads the project, naming the test); failures: rows the test returns; package: what the
    package does here, when it is not what this project does (a deliberate difference).
    """

    id: str
    test: str
    model: str
    args: dict
    expect: str
    failures: int = 0
    column: str | None = None
    where: str | None = None
    package: str | None = None
    note: str = ""
    project_only: bool = False

    def test_entry(self, package: str | None) -> dict:
        name = self.test if package is None else f"{package}.{self.test}"
        entry: dict = {"name": self.id, "arguments": self.args}
        if self.where:
            entry["config"] = {"where": self.where}
        return {name: entry}


@dataclass
class Lab:
    root: Path
    packages_dir: Path | None = None
    results: dict[str, dict] = field(default_factory=dict, repr=False)

    def write(self, models: dict[str, str], cases: list[Case]) -> None:
        (self.root / "models").mkdir(parents=True)
        project = {
            "name": "shop_warehouse",  # the project's macros dispatch in this namespace
            "version": "1.0.0",
            "config-version": 2,
            "profile": "lab",
            "model-paths": ["models"],
            "macro-paths": ["macros"],
            "test-paths": ["tests"],
            "models": {"shop_warehouse": {"+materialized": "table"}},
            "flags": {"send_anonymous_usage_stats": False},
            # dbt_date's now() needs it (there is no default); not UTC, to show its effect
            "vars": {"dbt_date:time_zone": "America/Los_Angeles"},
        }
        if self.packages_dir is None:
            shutil.copytree(PROJECT_DIR / "macros", self.root / "macros")
            shutil.copytree(PROJECT_DIR / "tests" / "generic", self.root / "tests" / "generic")
        else:
            # installed as `dbt deps` would leave them (deps itself would ask the hub for
            # dbt_expectations' own dependency, dbt_date)
            (self.root / "macros").mkdir()
            for name in ("dbt_expectations", "dbt_date", "dbt_utils"):
                shutil.copytree(self.packages_dir / name, self.root / "dbt_packages" / name)
        (self.root / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
        profile = {"lab": {"target": "lab", "outputs": {"lab": {
            "type": "duckdb", "path": str(self.root / "lab.duckdb"), "threads": 2,
            # the fixtures and dbt_date's now() read the session's time zone
            "settings": {"TimeZone": "UTC"},
        }}}}
        (self.root / "profiles.yml").write_text(yaml.safe_dump(profile))
        for name, sql in models.items():
            (self.root / "models" / f"{name}.sql").write_text(sql.strip() + "\n")
        (self.root / "models" / "_cases.yml").write_text(yaml.safe_dump(self._schema(cases), sort_keys=False))

    def _schema(self, cases: list[Case]) -> dict:
        by_model: dict[str, dict] = {}
        for case in cases:
            if self.packages_dir is not None and case.project_only:
                continue
            package = None if self.packages_dir is None else PACKAGE_OF.get(case.test, "dbt_expectations")
            model = by_model.setdefault(case.model, {"name": case.model, "data_tests": [], "columns": {}})
            if case.column is None:
                model["data_tests"].append(case.test_entry(package))
            else:
                column = model["columns"].setdefault(case.column, {"name": case.column, "data_tests": []})
                column["data_tests"].append(case.test_entry(package))
        models = []
        for model in by_model.values():
            model["columns"] = list(model["columns"].values())
            models.append(model)
        return {"version": 2, "models": models}

    def parse(self) -> subprocess.CompletedProcess:
        return self._dbt("parse")

    def _dbt(self, command: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DBT_PROFILES_DIR": str(self.root), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        return subprocess.run([dbt_executable(), command], cwd=self.root, env=env, capture_output=True, text=True)

    def run(self) -> subprocess.CompletedProcess:
        # run, then test: a build would skip the tables downstream of a failing case
        built = self._dbt("run")
        assert built.returncode == 0, built.stdout[-3000:]
        done = self._dbt("test")
        results_file = self.root / "target" / "run_results.json"
        assert results_file.exists(), done.stdout[-3000:]
        run_results = json.loads(results_file.read_text())
        for result in run_results["results"]:
            if result["unique_id"].startswith("test."):
                self.results[result["unique_id"].split(".")[2]] = result
        return done

    def outcome(self, case: Case) -> tuple[str, int]:
        result = self.results[case.id]
        status = result["status"]
        return status, (result["failures"] or 0) if status in ("pass", "fail") else 0
