"""Every data test keeps its failing rows in a table named after what it checks
(test_failures.<model>__<column>__<test>, or the test's own name), so a red build says where to
look: dbt prints `select * from test_failures.<name>` beside each failure."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

from testsupport.testing import copy_project, dbt_executable

HASHED = re.compile(r"[0-9a-f]{32}")


def _parse(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBT_PROFILES_DIR": str(project), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "SHOP_WAREHOUSE_PATH": str(project / "warehouse.duckdb")}
    return subprocess.run([dbt_executable(), "parse", "--no-partial-parse"], cwd=project, env=env,
                          capture_output=True, text=True)


def test_every_data_test_stores_its_failures_under_a_readable_unique_name(tmp_path):
    project = copy_project(tmp_path / "project")
    result = _parse(project)
    assert result.returncode == 0, result.stdout[-3000:]
    tests = [node for node in json.loads((project / "target" / "manifest.json").read_text())["nodes"].values()
             if node["resource_type"] == "test"]
    assert len(tests) > 300
    assert {node["schema"] for node in tests} == {"test_failures"}
    assert all(node["config"]["store_failures"] for node in tests)
    aliases = Counter(node["alias"] for node in tests)
    assert [alias for alias, count in aliases.items() if count > 1] == []
    assert [alias for alias in aliases if len(alias) > 63 or HASHED.search(alias)] == []
    # generic tests: <model>__<column>__<test>, short names for the long expectation tests
    for expected in ("fct_orders__order_id__unique", "audit_quarantine__source_table__accepted",
                     "fct_orders__customer_key__relationships_valid_at",
                     "ml_customer_features_daily__cart_abandonment_rate_30d__range",
                     "dim_customers__compound_unique"):
        assert expected in aliases, expected
    # named and singular tests keep their names
    assert "row_accounting_balances__orders" in aliases
    assert "assert_order_total_equals_items_minus_discounts_plus_shipping" in aliases


def test_a_failures_table_name_too_long_for_postgres_stops_the_parse_with_advice(tmp_path):
    project = copy_project(tmp_path / "project")
    yml = project / "models" / "marts" / "ml" / "ml_customer_features_daily.yml"
    text = yml.read_text()
    anchor = ("  - name: cart_abandonment_rate_30d\n"
              "    description: '{{ doc(''feature__cart_abandonment_rate_30d'') }}'\n"
              "    data_type: double precision\n    data_tests:\n")
    assert anchor in text
    yml.write_text(text.replace(anchor, anchor + (
        "    - relationships_valid_at:\n        arguments:\n          to: ref('dim_customers')\n"
        "          field: customer_key\n          natural_key: customer_id\n          event_at: as_of_date\n")))
    result = _parse(project)
    assert result.returncode != 0
    assert ("would be named ml_customer_features_daily__cart_abandonment_rate_30d__relationships_valid_at "
            "(77 characters); PostgreSQL keeps 63. Give the test a shorter `name:`") in result.stdout
