"""Export the churn training set and the online features to Parquet, for training and serving code.

Next to the training set goes a manifest: the fingerprint row of the warehouse (size, label
rate, splits, the vars that shaped it, a content hash), the feature names and types, and the
warehouse it came from. A model that records the manifest's content hash records exactly the
data it was trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

EXPORTS = {
    "churn_training_set": ("ml.ml_churn_training_set", "as_of_date, customer_id"),
    "customer_features_online": ("ml.ml_customer_features_online", "customer_id"),
}


def export_features(warehouse: Path, out: Path) -> dict:
    """Write <name>.parquet for each export and churn_training_set.manifest.json; return the manifest."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it first (make build)")
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = {}
        for name, (table, order_by) in EXPORTS.items():
            path = out / f"{name}.parquet"
            con.execute(f"copy (select * from {table} order by {order_by}) to '{path}' (format parquet)")
            files[name] = {"path": path.name, "rows": con.execute(f"select count(*) from {table}").fetchone()[0]}
        fingerprint = con.execute("select * from ml.ml_churn_training_set_fingerprint").fetchone()
        names = [d[0] for d in con.description]
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'ml' and table_name = 'ml_churn_training_set' order by ordinal_position"
        ).fetchall()
    finally:
        con.close()
    manifest = {
        "warehouse": str(warehouse),
        "files": files,
        "fingerprint": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(names, fingerprint)},
        "columns": [{"name": n, "type": t} for n, t in columns],
    }
    (out / "churn_training_set.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
