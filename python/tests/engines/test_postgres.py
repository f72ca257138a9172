"""The PostgreSQL lane: the same project, loaded by `shopdw load`, built on a PostgreSQL 15
cluster of its own (127.0.0.1, a free port), and compared table by table with DuckDB's build
of the same landing zone, after a full build and after an incremental day."""

from __future__ import annotations

import pytest

from testsupport.pgcluster import PostgresCluster
from testsupport.testing import Warehouse, engine_differences

SCHEMAS = ("staging", "intermediate", "snapshots", "marts", "ml", "audit", "quality")
# the test-result history depends on how many runs each warehouse has seen, not on the data
RUN_HISTORY = {"audit.dq_test_results", "audit.tested_ingestions", "quality.dq_test_results_daily"}


@pytest.fixture(scope="module")
def cluster():
    with PostgresCluster() as running:
        yield running


@pytest.fixture(scope="module")
def pair(cluster: PostgresCluster, tmp_path_factory):
    """A small landing zone built by DuckDB, and a PostgreSQL warehouse loaded from the same
    landing zone and built by `dbt build --target postgres`."""
    root = tmp_path_factory.mktemp("engines")
    duck = Warehouse(root / "duckdb")
    duck.generate()
    # DuckDB's data tests are proven elsewhere: here it only gives the tables to compare
    duck.build(tests=False)
    # the same landing path, so the file names the rows carry are equal too
    pg = Warehouse(root / "postgres",
                   extra_env={"DBT_TARGET": "postgres", "SHOP_LANDING_DIR": str(duck.landing), **cluster.env()})
    loaded = pg.shopdw("load")
    assert loaded.ok, loaded.output
    result = pg.dbt("build")
    assert result.ok, result.output[-6000:]
    return duck, pg, result


def differences(duck: Warehouse, pg: Warehouse) -> dict[str, str]:
    found = engine_differences(duck.path, pg.env(), schemas=SCHEMAS)
    return {name: text for name, text in found.items() if name not in RUN_HISTORY}


def test_full_build_on_postgres_is_green_and_equals_duckdb(pair):
    duck, pg, result = pair
    assert result.ok and result.failing() == set(), result.output[-3000:]
    assert differences(duck, pg) == {}


def test_a_daily_incremental_run_on_postgres_equals_duckdb(pair):
    """Next day's loads, reloaded, and an incremental build on both engines: still the same tables."""
    duck, pg, _ = pair
    duck.next_day()
    duck.build(tests=False)
    loaded = pg.shopdw("load")
    assert loaded.ok, loaded.output
    result = pg.dbt("build")
    assert result.ok, result.output[-6000:]
    assert differences(duck, pg) == {}


def test_the_comparison_sees_a_changed_row(pair, cluster):
    """engine_differences is not blind: one changed value on PostgreSQL is reported."""
    duck, pg, _ = pair
    from shopdw.engines.load import postgres_connection

    with postgres_connection(pg.env()) as conn, conn.cursor() as cur:
        cur.execute("update marts.fct_orders set order_total_usd = order_total_usd + 0.01 "
                    "where order_id = (select min(order_id) from marts.fct_orders)")
    found = differences(duck, pg)
    assert set(found) == {"marts.fct_orders"} and "1 only on DuckDB, 1 only on PostgreSQL" in found["marts.fct_orders"]


# --- access per audience -------------------------------------------------------------------

READABLE = {
    "bi_reader": ["marts.fct_orders", "marts.dim_customers", "marts.obt_order_items", "quality.dq_test_results_daily",
                  "audit.audit_quarantine", "audit.audit_row_accounting", "reference.countries"],
    "ml_reader": ["ml.ml_churn_training_set", "ml.ml_customer_features_online", "reference.countries"],
    "data_engineer": ["marts.fct_orders", "ml.ml_churn_training_set", "staging.stg_shop__customer_changes",
                      "shop.customers_cdc", "audit_restricted.audit_quarantine_unmasked", "audit.dq_test_results",
                      "test_failures.fct_orders__order_id__unique", "snapshots.snp_shop__products"],
}
REFUSED = {
    "bi_reader": ["ml.ml_churn_training_set", "staging.stg_shop__customer_changes",
                  "intermediate.int_shop__customer_history",
                  "shop.customers_cdc", "audit_restricted.audit_quarantine_unmasked", "snapshots.snp_shop__products",
                  "test_failures.fct_orders__order_id__unique", "audit.dq_test_results"],
    "ml_reader": ["marts.fct_orders", "marts.dim_customers", "staging.stg_shop__customer_changes", "shop.customers_cdc",
                  "audit_restricted.audit_quarantine_unmasked", "audit.audit_quarantine"],
}


@pytest.fixture(scope="module")
def logins(pair, cluster) -> dict[str, dict[str, str]]:
    """One person per audience, logging in with a password (SCRAM) as a member of the group
    role the project's grants name; the passwords live only in this process's environment."""
    import secrets

    found = {}
    for role in READABLE:
        user, password = f"{role.split('_')[0]}_person", secrets.token_urlsafe(16)
        cluster.create_login(user, password, member_of=role)
        found[role] = {**cluster.env(), "SHOP_PG_USER": user, "SHOP_PG_PASSWORD": password}
    return found


@pytest.mark.parametrize("role", sorted(READABLE))
def test_each_audience_reads_what_it_may_and_is_refused_the_rest(logins, role):
    import psycopg2

    from shopdw.engines.load import postgres_connection

    conn = postgres_connection(logins[role])
    conn.autocommit = True  # each statement alone: a refused one does not abort the next
    try:
        with conn.cursor() as cur:
            cur.execute("select current_user")
            assert cur.fetchone()[0] == f"{role.split('_')[0]}_person"
            for table in READABLE[role]:
                cur.execute(f"select count(*) from {table}")
                assert cur.fetchone()[0] >= 0, table
            for table in REFUSED.get(role, []):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
                    cur.execute(f"select count(*) from {table}")
    finally:
        conn.close()


def test_a_wrong_password_is_refused(logins):
    import psycopg2

    from shopdw.engines.load import postgres_connection

    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        postgres_connection({**logins["bi_reader"], "SHOP_PG_PASSWORD": "not-the-password"}).close()


def test_no_credential_is_written_to_target_or_logs(pair, logins):
    """The build's password (and the readers') come from the environment only: none of them
    is in dbt's artifacts or logs."""
    _, pg, _ = pair
    secrets_used = [pg.env()["SHOP_PG_PASSWORD"]] + [env["SHOP_PG_PASSWORD"] for env in logins.values()]
    assert all(len(secret) >= 16 for secret in secrets_used)
    folders = [pg.target, pg.root / "logs"]
    scanned = 0
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                scanned += 1
                for secret in secrets_used:
                    assert secret.encode() not in content, f"a password is written in {path}"
    assert scanned > 5
