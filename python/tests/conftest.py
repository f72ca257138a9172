from __future__ import annotations

import shutil

import pytest

from testsupport.testing import Warehouse


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Warehouse:
    """One small warehouse, generated and built once, shared by the read-only tests."""
    warehouse = Warehouse(tmp_path_factory.mktemp("built"), persist_docs=True)
    warehouse.generate()
    warehouse.build()
    # the full build's artifacts, before later commands overwrite them (the benchmark's raw SQL)
    artifacts = warehouse.root / "full_build"
    artifacts.mkdir()
    for name in ("run_results.json", "manifest.json"):
        shutil.copy(warehouse.target / name, artifacts / name)
    return warehouse


@pytest.fixture
def tampered(built: Warehouse, tmp_path) -> Warehouse:
    """A private copy of the shared built warehouse, for a test that breaks it on purpose."""
    return built.copy_to(tmp_path)


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    """A fresh, empty warehouse folder for a test that changes things."""
    return Warehouse(tmp_path)
