"""The history store's checks: the flaky metrics' SQL on Spark against DuckDB (`make spark-check`), and the
made-up project that the check, the bench and the tests add to a store."""
