# Hand-written, not generated: edit generator/lib/history/__init__.py; `make generate` copies it unchanged.
"""The test history (the package's `history` extra, duckdb): a DuckDB store of every run, instance and test.

- `metrics`: the flakiness metrics of `currents-api flaky`, defined once in `flaky_metrics.sql`.
- `dataset`: the store as a hive-partitioned Parquet dataset (`currents-api dataset`).
- `quarantine`: one quarantine Action per flaky test (`currents-api flaky --quarantine`).
- `report_html`: the self-contained HTML page of `flaky --format html`.
"""
