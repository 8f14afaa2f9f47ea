# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The request bodies `currents-api actions create` and `webhooks create` read from a file, JSON or YAML.

A file named `.json` is read as JSON, any other as YAML (PyYAML's safe loader, so no tag builds an object; JSON
is YAML too). Its top level must be a mapping, which the request model decodes. Every problem (a file that
cannot be read, is neither, or does not have the body's shape) is a `UsageError` naming the file, raised
before any request. No message quotes the file's text: a webhook's headers carry secrets. YAML's
date-times (`expiresAfter: 2026-04-30T00:00:00Z`) are sent as the ISO 8601 text they were.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..errors import DECODE_ERRORS, describe
from .cli import UsageError

T = TypeVar("T")


def _as_text(value: Any) -> Any:
    """`value` with YAML's dates and date-times written back as ISO 8601, as a JSON file gives them."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value


def _parsed(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:  # its message names the place, never the text
            raise UsageError(f"{path}: not JSON ({error})") from None
    try:
        return _as_text(yaml.safe_load(text))
    except yaml.YAMLError as error:  # its str() quotes the line: only the problem and the place
        problem = getattr(error, "problem", None) or "cannot be parsed"
        mark = getattr(error, "problem_mark", None)
        where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        raise UsageError(f"{path}: not JSON or YAML ({problem}{where})") from None


def read_mapping(path: Path) -> dict[str, Any]:
    """The mapping at the top of the JSON or YAML file `path`; a `UsageError` naming it otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read it ({error.strerror or type(error).__name__})") from None
    body = _parsed(path, text)
    if not isinstance(body, dict):
        raise UsageError(f"{path}: expected a mapping of the body's fields at the top, got {_kind(body)}")
    return body


def decode(path: Path, body: dict[str, Any], from_dict: Callable[[dict[str, Any]], T]) -> T:
    """`body` as a request model, or a `UsageError` naming `path` and what does not fit."""
    try:
        return from_dict(body)
    except (*DECODE_ERRORS, TypeError) as error:
        raise UsageError(f"{path}: {describe(error)}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return "a list" if isinstance(value, list) else "a string" if isinstance(value, str) else type(value).__name__
