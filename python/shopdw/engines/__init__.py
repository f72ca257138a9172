"""Loading the landing zone into an engine.

The DuckDB raw layer (ingest) and the raw tables of PostgreSQL and Spark (load).
"""
