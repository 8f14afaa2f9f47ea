# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""What the commands of the history store (`sync`, `flaky`, `dataset`) share: where the store is by default
(`--db`, `add_store_option`), and the check that the `history` extra is installed (`require_history_extra`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli import UsageError

DEFAULT_DB = "currents-history.duckdb"
HISTORY_EXTRA = "pip install 'currents-api-client[cli,history]'"


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """`--db PATH`, the history store, a `Path` (default `DEFAULT_DB` in the working folder)."""
    parser.add_argument(
        "--db", type=Path, default=Path(DEFAULT_DB), metavar="PATH", help=f"the history store (default {DEFAULT_DB})"
    )


def require_history_extra(command: str) -> None:
    """Raises `UsageError` (one line, exit 2) saying what to install when the `history` extra (duckdb) is missing;
    `command` is the subcommand that needs it, as the line names it."""
    try:
        import duckdb  # noqa: F401  (the history extra)
    except ImportError as missing:
        raise UsageError(
            f"currents-api {command} needs the history extra ({missing.name} is missing): {HISTORY_EXTRA}"
        ) from None
