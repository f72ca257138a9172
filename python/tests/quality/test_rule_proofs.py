"""Every rule names its proof (meta.proof), and the proof exists and is about that rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from testsupport.proofs import problems, rules
from testsupport.testing import Warehouse

TESTS_DIR = Path(__file__).resolve().parents[1]


def _manifest(built: Warehouse) -> dict:
    return json.loads((built.target / "manifest.json").read_text())


def test_every_rule_names_a_proof_that_breaks_it(built: Warehouse):
    manifest = _manifest(built)
    found = rules(manifest)
    assert sum(r["kind"] == "singular test" for r in found.values()) >= 15
    assert sum(r["kind"] == "generic test" for r in found.values()) >= 15
    assert problems(manifest, TESTS_DIR) == []


def test_a_rule_without_a_proof_is_reported(built: Warehouse):
    manifest = copy.deepcopy(_manifest(built))
    node = next(n for n in manifest["nodes"].values() if n["name"] == "assert_labels_look_only_forward")
    del node["config"]["meta"]["proof"]
    macro = manifest["macros"]["macro.shop_warehouse.test_scd2_windows_are_valid"]
    del macro["meta"]["proof"]
    assert problems(manifest, TESTS_DIR) == [
        "singular test assert_labels_look_only_forward names no proof (meta.proof: <file>::<test>)",
        "generic test scd2_windows_are_valid names no proof (meta.proof: <file>::<test>)",
    ]


def test_a_proof_that_does_not_exist_or_is_about_another_rule_is_reported(built: Warehouse):
    manifest = copy.deepcopy(_manifest(built))
    nodes = {n["name"]: n for n in manifest["nodes"].values()}
    nodes["assert_labels_look_only_forward"]["config"]["meta"]["proof"] = "marts/ml/test_ml_features.py::test_nope"
    nodes["assert_refunds_never_exceed_payments"]["config"]["meta"]["proof"] = "nowhere.py::test_x"
    # a real test, but one about another rule
    nodes["assert_no_order_before_customer_signup"]["config"]["meta"]["proof"] = (
        "marts/ml/test_ml_features.py::test_injected_drift_is_caught")
    assert problems(manifest, TESTS_DIR) == [
        "singular test assert_labels_look_only_forward: marts/ml/test_ml_features.py has no test test_nope",
        "singular test assert_no_order_before_customer_signup: marts/ml/test_ml_features.py::"
        "test_injected_drift_is_caught never names the rule or a test built from it",
        "singular test assert_refunds_never_exceed_payments: proof 'nowhere.py::test_x' is not "
        "<file under tests>::<test>",
    ]
