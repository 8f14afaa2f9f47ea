# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The synchronous forms (`fetch_run`, `download_artifacts`) run their own event loop, which cannot be done where
one is already running (a Jupyter notebook, an async web app). `require_no_running_loop` says so in one line,
before any coroutine is created, so there is no "coroutine was never awaited" warning either."""

from __future__ import annotations

import asyncio


def require_no_running_loop(call: str, instead: str) -> None:
    """Raise `RuntimeError` naming the async form to await when an event loop runs in this thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{call} cannot run inside a running event loop (a notebook, an async app): use `{instead}`")
