"""No macro of the project changes what an installed package computes, and no package changes
what the project's macros compute.

dbt's adapter.dispatch looks for `<adapter>__<name>` and `default__<name>` in the root project
before the package's own namespace, so a root macro named like a package's dispatched
implementation silently replaces it (a root `default__generate_surrogate_key` would answer
every call of dbt_utils.generate_surrogate_key). The project therefore dispatches only names
of its own (`shop_*`), which the first test checks on the source and the second proves with a
package installed beside the project.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from testsupport.testing import PROJECT_DIR, copy_project, dbt_executable

ADAPTERS = ("default", "duckdb", "postgres", "spark", "snowflake", "bigquery", "redshift", "databricks", "trino")
# the project's overrides of the adapters' own macros (macros/engines/spark_adapter.sql; the
# grants of macros/engines/grants.sql, which DuckDB and a local Spark cannot apply): replacing
# those is their purpose
ADAPTER_OVERRIDES = {"spark__get_empty_schema_sql", "spark__load_csv_rows", "duckdb__apply_grants",
                     "spark__apply_grants"}
DEFINITION = re.compile(r"{%-?\s*macro\s+([a-z0-9_]+)\s*\(")
DISPATCH = re.compile(r"adapter\.dispatch\(\s*'([a-z0-9_]+)'\s*,\s*'([a-z0-9_]+)'\s*\)")


def _macro_sources() -> dict[Path, str]:
    return {path: path.read_text() for path in sorted((PROJECT_DIR / "macros").rglob("*.sql"))}


def test_the_project_dispatches_only_names_of_its_own():
    defined, dispatched = set(), set()
    for path, text in _macro_sources().items():
        defined |= set(DEFINITION.findall(text))
        for name, namespace in DISPATCH.findall(text):
            assert namespace == "shop_warehouse", f"{path.name}: dispatch of {name} in {namespace}"
            dispatched.add(name)
    assert dispatched and all(name.startswith("shop_") for name in dispatched), sorted(dispatched)
    implementations = {name for name in defined if name.split("__", 1)[0] in ADAPTERS and "__" in name}
    foreign = {name for name in implementations - ADAPTER_OVERRIDES if not name.split("__", 1)[1].startswith("shop_")}
    assert not foreign, f"root macros that would answer a package's dispatch: {sorted(foreign)}"
    # every implementation belongs to a dispatch of the project
    orphans = {name for name in implementations - ADAPTER_OVERRIDES if name.split("__", 1)[1] not in dispatched}
    assert not orphans, sorted(orphans)


def _public_names() -> list[str]:
    """The project's dispatched macros by the name a package would give them (shop_x -> x)."""
    names = set()
    for text in _macro_sources().values():
        names |= {name.removeprefix("shop_") for name, _ in DISPATCH.findall(text)}
    return sorted(names)


def _probe_package(root: Path, names: list[str]) -> Path:
    """A local package that dispatches each name to its own default__<name>."""
    (root / "macros").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: probe\nversion: '1.0.0'\nconfig-version: 2\nmacro-paths: [macros]\n")
    macros = []
    for name in names:
        macros.append(
            f"{{% macro {name}() %}}{{{{ return(adapter.dispatch('{name}', 'probe')()) }}}}{{% endmacro %}}\n"
            f"{{% macro default__{name}() %}}'probe:{name}'{{% endmacro %}}\n"
            # the name the project dispatches to, which a package may define too
            f"{{% macro default__shop_{name}() %}}'probe:shop_{name}'{{% endmacro %}}\n"
        )
    (root / "macros" / "probe.sql").write_text("".join(macros))
    return root


def test_an_installed_package_and_the_project_each_keep_their_own(tmp_path):
    names = _public_names()
    assert {"generate_surrogate_key", "get_column_values", "date_part"} <= set(names)
    project = copy_project(tmp_path / "project")
    probe = _probe_package(tmp_path / "probe", names)
    (project / "packages.yml").write_text(f"packages:\n  - local: {probe}\n")
    env = {**os.environ, "DBT_PROFILES_DIR": str(project), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "SHOP_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"), "SHOP_DUCKDB_TEMP_DIR": str(tmp_path / "tmp")}
    deps = subprocess.run([dbt_executable(), "deps"], cwd=project, env=env, capture_output=True, text=True)
    assert deps.returncode == 0, deps.stdout[-2000:]

    package_calls = ", ".join(f"{{{{ probe.{name}() }}}} as p_{name}" for name in names)
    project_calls = (
        "{{ generate_surrogate_key(['a', 'b']) }} as key, "
        "{{ date_part('year', 'd') }} as year, "
        "{{ array_size('x') }} as size, "
        "{{ type_double() }} as double_type"
    )
    compiled = subprocess.run(
        [dbt_executable(), "compile", "--quiet", "--inline", f"select {package_calls}, {project_calls}"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    sql = compiled.stdout
    for name in names:
        assert f"'probe:{name}' as p_{name}" in sql, f"the project answered the package's {name}"
    assert "probe:shop_" not in sql, "the package answered one of the project's macros"
    assert "md5(" in sql and "_dbt_utils_surrogate_key_null_" in sql
    assert "extract(year from d)" in sql
