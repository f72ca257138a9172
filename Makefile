# The two commands of the README: `make run` (install, generate, build, test, docs) and
# `make test` (lint, then pytest). Everything else is a step of those two.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SCALE ?= 1
SEED ?= 42
DAYS ?= 365

export SHOP_LANDING_DIR ?= $(CURDIR)/data/landing
export SHOP_WAREHOUSE_PATH ?= $(CURDIR)/data/warehouse.duckdb
export SHOP_DUCKDB_TEMP_DIR ?= $(CURDIR)/data/tmp
# what BI tools and analysts open (read-only): a copy of the marts, published after each green build
export SHOP_PUBLISHED_PATH ?= $(CURDIR)/data/published/warehouse.duckdb
DOCS_PORT ?= 8080
# the Feast feature store (offline Parquet, registry, SQLite online store) and its HTTP server
export SHOP_FEATURE_STORE_DIR ?= $(CURDIR)/data/feature_store
FEATURE_SERVER_PORT ?= 6566
ONLINE_STORE ?= sqlite
SCALES ?= 1 10
REPEATS ?= 1
export DBT_PROFILES_DIR ?= $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
DBT := $(BIN)/dbt

.PHONY: help install run generate next-day daily verify build ingest full-refresh publish features serve freshness export docs-generate docs docs-coverage metrics bench test lint pytest lock clean install-spark lock-spark load test-spark

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e python
	touch $@

install: $(VENV)/.installed ## create .venv and install the pinned dependencies

run: install generate build freshness export docs-generate ## the main job: install, generate SCALE (default 1), build + test, publish, export, docs
	@echo
	@echo "Warehouse: $(SHOP_PUBLISHED_PATH)   (read-only for BI tools; dbt builds in $(SHOP_WAREHOUSE_PATH))"
	@echo "Docs:      $(CURDIR)/target/static_index.html   (or: make docs, on http://localhost:$(DOCS_PORT))"
	@echo "Metrics:   $(BIN)/mf query --saved-query revenue_by_month   (or: make metrics)"
	@echo "Quarantine and row accounting: tables audit.audit_quarantine, audit.audit_row_accounting"
	@echo "ML: schema ml (features, labels, training set); Parquet exports in $(CURDIR)/data/exports"
	@echo "Features: Feast feature store in $(SHOP_FEATURE_STORE_DIR); make serve, then POST http://127.0.0.1:$(FEATURE_SERVER_PORT)/get-online-features (docs/features.md)"

generate: install ## write SCALE/SEED/DAYS of raw loads into the landing zone (replaces it)
	$(BIN)/shopdw generate --scale $(SCALE) --seed $(SEED) --days $(DAYS) --out $(SHOP_LANDING_DIR) --force

next-day: install ## add the next day's loads to the landing zone
	$(BIN)/shopdw next-day --out $(SHOP_LANDING_DIR)

daily: install ## the nightly job: next day's loads, ingestion, then snapshot + incremental build + tests, publish
	$(BIN)/shopdw next-day --out $(SHOP_LANDING_DIR)
	@mkdir -p $(dir $(SHOP_WAREHOUSE_PATH)) $(SHOP_DUCKDB_TEMP_DIR)
	$(BIN)/shopdw ingest
	$(DBT) build --vars '{test_scope: daily}'
	$(BIN)/shopdw publish
	$(BIN)/shopdw feature-store sync

verify: install ## every data test on the whole warehouse (what make daily scopes to the day's rows included)
	$(DBT) test

build: install ## ingest the new landing files, dbt build (seeds, models, snapshots, tests), publish if all is green, sync the feature store
	@mkdir -p $(dir $(SHOP_WAREHOUSE_PATH)) $(SHOP_DUCKDB_TEMP_DIR)
	$(BIN)/shopdw feature-repo
	$(BIN)/shopdw ingest
	$(DBT) build
	$(BIN)/shopdw publish
	$(BIN)/shopdw feature-store sync

ingest: install ## read every new landing file once into the warehouse's raw layer (ledger: landing.ingested_files)
	@mkdir -p $(dir $(SHOP_WAREHOUSE_PATH))
	$(BIN)/shopdw ingest

full-refresh: install ## rebuild every table from the raw layer (dbt build --full-refresh), then publish
	@mkdir -p $(dir $(SHOP_WAREHOUSE_PATH)) $(SHOP_DUCKDB_TEMP_DIR)
	$(BIN)/shopdw ingest
	$(DBT) build --full-refresh
	$(BIN)/shopdw publish
	$(BIN)/shopdw feature-store sync --full

publish: install ## publish the reader-facing schemas of the last build to SHOP_PUBLISHED_PATH (atomic swap)
	$(BIN)/shopdw publish

features: install ## sync the Feast feature store with the published build (new as-of dates, online store)
	$(BIN)/shopdw feature-store sync

serve: install ## Feast's feature server on http://127.0.0.1:$(FEATURE_SERVER_PORT) (ONLINE_STORE=sqlite, or redis: a Redis of its own)
	$(BIN)/shopdw feature-store serve --port $(FEATURE_SERVER_PORT) --online-store $(ONLINE_STORE)

freshness: install ## dbt source freshness of the landing zone
	$(DBT) source freshness

export: install ## export the churn training set and online features to Parquet (data/exports)
	$(BIN)/shopdw export-features --out $(CURDIR)/data/exports

docs-generate: install ## generate the docs site (target/index.html and the single-file static_index.html)
	$(DBT) docs generate --static
	$(BIN)/shopdw docs-coverage --fail-under 100

docs: docs-generate ## generate the docs and serve them on http://localhost:8080 (DOCS_PORT)
	$(DBT) docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

metrics: install ## the semantic layer: validate the metrics and run the saved query revenue_by_month
	$(BIN)/mf validate-configs
	$(BIN)/mf query --saved-query revenue_by_month --order metric_time__month

bench: install ## time full/daily builds, raw SQL and pandas at SCALES (default "1 10"), REPEATS; writes BENCHMARKS.md
	$(BIN)/shopdw bench --scales $(SCALES) --repeats $(REPEATS)

test: install lint pytest ## make lint (sqlfluff, ruff, yamllint: 0 findings), then pytest

lint: install ## sqlfluff (SQL, dbt templater), ruff (Python) and yamllint (YAML): 0 findings each
	@mkdir -p target
	SHOP_WAREHOUSE_PATH=$(CURDIR)/target/sqlfluff.duckdb $(BIN)/sqlfluff lint --processes 2 models analyses snapshots tests
	cd python && ../$(BIN)/ruff check .
	$(BIN)/yamllint --strict .

pytest: install ## the pytest suite (throwaway warehouses from small generated data), one file per core
	$(BIN)/pytest python/tests --durations=15 -n 2 --dist loadfile

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-spark.lock
	touch $@

install-spark: $(VENV)/.installed-spark ## add the Spark lane's packages (dbt-spark, pyspark) to .venv

test-spark: install-spark ## the Spark lane: a local Spark build (full, then a daily run) compared with DuckDB's, row for row
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/pytest python/tests_spark --durations=10

load: install ## load the landing zone into DBT_TARGET (postgres or spark) as raw source tables
	$(BIN)/shopdw load

lock: ## re-pin requirements.lock from requirements.in
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	( echo "# Generated by 'make lock' from requirements.in: the full, pinned dependency tree."; \
	  .venv-lock/bin/pip freeze ) > requirements.lock
	rm -rf .venv-lock

lock-spark: ## re-pin requirements-spark.lock (the Spark lane's packages on top of requirements.lock)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.lock -r requirements-spark.in
	( echo "# Generated by 'make lock-spark': the Spark lane's packages on top of requirements.lock."; \
	  .venv-lock/bin/pip freeze | grep -v -x -F -f <(grep -v '^#' requirements.lock) ) > requirements-spark.lock
	rm -rf .venv-lock

clean: ## remove generated data, the warehouse and dbt's target/ and logs/
	rm -rf data target logs
