# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The test history (the package's `history` extra, duckdb): projects synced from the API into one DuckDB file,
and what is read out of it.

- `store`: the file and its schema (`schema.sql`, version `store.SCHEMA_VERSION`): `open_store(path)` creates,
  migrates or refuses it; `check_path(path)` says why a path cannot be a store, creating nothing.
- `sync`: `await sync_projects(connection, client, project_ids)`, incremental and resumable, GET requests only.
- `rows`: the rows of each table, from the client's models.
- `metrics`: the flakiness metrics of `currents-api flaky`, defined once in `flaky_metrics.sql`, and the
  executions it and the trend charts count in `flaky_executions.sql`.
- `dataset`: the store as a hive-partitioned Parquet dataset (`currents-api dataset`).
- `quarantine`: one quarantine Action per flaky test (`currents-api flaky --quarantine`).
- `report_html`: the self-contained HTML page of `flaky --format html`.

Imports duckdb: import it only where the `history` extra is installed (the commands check first).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for type checkers; at run time they come from __getattr__ below
    from .store import SCHEMA_VERSION, StoreError, StoreLocked, StoreUnusable, check_path, open_store
    from .sync import SyncProgress, SyncSummary, resolve_projects, sync_projects

# Names of `store` and `sync`, imported when first read (PEP 562): importing this package imports no duckdb, so
# `currents-api flaky` without the extra can say which extra to install, in one line.
_LAZY = {
    "SCHEMA_VERSION": "store",
    "StoreError": "store",
    "StoreLocked": "store",
    "StoreUnusable": "store",
    "check_path": "store",
    "open_store": "store",
    "SyncProgress": "sync",
    "SyncSummary": "sync",
    "resolve_projects": "sync",
    "sync_projects": "sync",
}

__all__ = (
    "SCHEMA_VERSION",
    "StoreError",
    "StoreLocked",
    "StoreUnusable",
    "SyncProgress",
    "SyncSummary",
    "check_path",
    "open_store",
    "resolve_projects",
    "sync_projects",
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
