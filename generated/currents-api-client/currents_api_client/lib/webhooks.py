# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Verify a webhook delivery of Currents and decode it: `unwrap(body, headers, secret=..., secret_header=...)`.

Currents signs nothing. A delivery carries an `x-timestamp` header (the epoch time, against replays) and the
custom headers the webhook was configured with, so a team puts a shared secret in one of them. `unwrap`
checks exactly that, in this order, and raises `errors.WebhookVerificationError` at the first refusal:

1. the secret header (any case of its name) is present once and equals `secret`, compared in constant time
   (`hmac.compare_digest`); `secret=None` skips this check, a choice the caller makes explicitly. Refusals
   here carry `status_code` 401, the others 400;
2. `x-timestamp` is present, a number, and at most `tolerance` seconds from now, in either direction.
   Currents' docs do not say whether it is in seconds or milliseconds: a value of 10**11 or more is read as
   milliseconds (10**11 seconds is the year 5138; 10**11 milliseconds is March 1973), a smaller one as seconds;
3. the body, as received (bytes), is a JSON object that is one of the events: `RunStartEvent`,
   `RunFinishEvent`, `RunTimeoutEvent` or `RunCanceledEvent` (`WebhookEvent`), told apart by `event`.

No message, repr or log line holds the secret, nor the value the delivery sent in the secret header.
"""

from __future__ import annotations

import hmac
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from ..errors import DECODE_ERRORS, WebhookVerificationError, describe
from ..models.run_canceled_event import RunCanceledEvent
from ..models.run_finish_event import RunFinishEvent
from ..models.run_start_event import RunStartEvent
from ..models.run_timeout_event import RunTimeoutEvent
from .text import visible

WebhookEvent: TypeAlias = RunStartEvent | RunFinishEvent | RunTimeoutEvent | RunCanceledEvent
"""What `unwrap` returns: one class per event Currents sends."""

EVENT_CLASSES: dict[str, type[WebhookEvent]] = {
    "RUN_START": RunStartEvent,
    "RUN_FINISH": RunFinishEvent,
    "RUN_TIMEOUT": RunTimeoutEvent,
    "RUN_CANCELED": RunCanceledEvent,
}
TIMESTAMP_HEADER = "x-timestamp"
MILLISECONDS_FROM = 10**11
"""An `x-timestamp` of this value or more is in milliseconds; a smaller one is in seconds."""
DEFAULT_TOLERANCE = 300

_NUMBER = re.compile(r"[0-9]{1,20}(\.[0-9]{1,9})?")
_COUNTS = ("overall", "passes", "failures", "pending", "skipped", "retries", "flaky")
_COMMIT_TEXTS = ("sha", "branch", "authorName", "authorEmail", "message", "remoteOrigin", "defaultBranch")

Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]


def unwrap(
    body: bytes | str,
    headers: Headers,
    *,
    secret: str | None,
    secret_header: str | None,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """The delivered event, once the secret header, the timestamp and the body pass (see the module docstring).

    `headers` is any mapping (httpx's, Starlette's, a dict) or a list of `(name, value)` pairs; names match in
    any case. `now` is the current epoch time in seconds (default `time.time()`), for tests and replays of
    recorded deliveries. Raises `WebhookVerificationError` on any refusal, and `ValueError` for a call that
    cannot check anything: a secret without its `secret_header`, or an empty secret (pass `secret=None`).
    """
    received = _lower_case(headers)
    if secret is not None:
        _check_secret(received, secret, secret_header)
    _check_timestamp(received.get(TIMESTAMP_HEADER), tolerance, time.time() if now is None else now)
    return decode_event(body)


def _lower_case(headers: Headers) -> dict[str, list[str]]:
    """Every value of every header, by lower-case name. A repeated header keeps its values apart (httpx's
    `multi_items`; Starlette's `items` already lists each)."""
    multi_items = getattr(headers, "multi_items", None)
    pairs: Iterable[tuple[str, str]]
    if callable(multi_items):
        pairs = multi_items()
    elif isinstance(headers, Mapping):
        pairs = headers.items()
    else:
        pairs = headers
    received: dict[str, list[str]] = {}
    for name, value in pairs:
        received.setdefault(name.lower(), []).append(value)
    return received


def _check_secret(received: dict[str, list[str]], secret: str, secret_header: str | None) -> None:
    if not secret_header:
        raise ValueError("unwrap: a secret needs its secret_header (the header it is sent in)")
    if not secret:
        raise ValueError("unwrap: the secret is empty; pass secret=None to skip the check explicitly")
    name = visible(secret_header)
    values = received.get(secret_header.lower(), [])
    if not values:
        raise WebhookVerificationError(f"the secret header {name} is missing", status_code=401)
    if len(values) > 1:
        raise WebhookVerificationError(f"the secret header {name} is sent {len(values)} times", status_code=401)
    if not hmac.compare_digest(values[0].encode("utf-8", "surrogatepass"), secret.encode("utf-8", "surrogatepass")):
        raise WebhookVerificationError(f"the secret header {name} does not match the secret", status_code=401)


def parse_timestamp(value: str) -> float:
    """Epoch seconds of an `x-timestamp` value, in seconds or milliseconds (told apart by magnitude).
    ValueError if it is not a non-negative decimal number."""
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError("not a number")
    seconds = float(text)
    return seconds / 1000 if seconds >= MILLISECONDS_FROM else seconds


def _check_timestamp(values: list[str] | None, tolerance: float, now: float) -> None:
    if not values:
        raise WebhookVerificationError(f"the {TIMESTAMP_HEADER} header is missing")
    if len(values) > 1:
        raise WebhookVerificationError(f"the {TIMESTAMP_HEADER} header is sent {len(values)} times")
    try:
        sent = parse_timestamp(values[0])
    except ValueError:
        shown = visible(values[0][:40])
        raise WebhookVerificationError(f"the {TIMESTAMP_HEADER} header {shown!r} is not an epoch time") from None
    skew = now - sent
    if not math.isfinite(skew) or abs(skew) > tolerance:
        when = "in the past" if skew > 0 else "in the future"
        raise WebhookVerificationError(
            f"the {TIMESTAMP_HEADER} header is {abs(skew):.0f} seconds {when}; at most {tolerance:g} are allowed"
        )


def decode_event(body: bytes | str) -> WebhookEvent:
    """The event a delivery's body holds, without any header check. WebhookVerificationError if it is none."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise WebhookVerificationError("the body nests too deeply to decode") from None
    except ValueError as exc:
        raise WebhookVerificationError(f"the body is not JSON: {describe(exc)}") from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError(f"the body is JSON {type(payload).__name__}, not an object")
    event = payload.get("event")
    cls = EVENT_CLASSES.get(event) if isinstance(event, str) else None
    if cls is None:
        shown = "missing" if event is None else repr(visible(str(event))[:40])
        raise WebhookVerificationError(f"the body's event is {shown}; expected one of {', '.join(EVENT_CLASSES)}")
    problem = _shape_problem(payload)
    if problem:
        raise WebhookVerificationError(f"the body is not a {cls.__name__}: {problem}")
    try:
        return cls.from_dict(payload)
    except DECODE_ERRORS as exc:
        raise WebhookVerificationError(f"the body is not a {cls.__name__}: {visible(describe(exc))}") from None


def _shape_problem(payload: dict[str, Any]) -> str | None:
    """What the event models do not check themselves: the types of the scalars (they trust them)."""
    for name in ("runUrl", "buildId"):
        if not isinstance(payload.get(name), str):
            return f"{name} must be a string"
    if "groupId" in payload and not isinstance(payload["groupId"], str | None):
        return "groupId must be a string"
    tags = payload.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        return "tags must be a list of strings"
    for name in _COUNTS:
        value = payload.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{name} must be a count (an integer of 0 or more)"
    commit = payload.get("commit")
    if not isinstance(commit, dict):
        return "commit must be an object"
    for name in _COMMIT_TEXTS:
        if not isinstance(commit.get(name), str | None):
            return f"commit.{name} must be a string or null"
    return None


__all__ = ["EVENT_CLASSES", "WebhookEvent", "decode_event", "parse_timestamp", "unwrap"]
