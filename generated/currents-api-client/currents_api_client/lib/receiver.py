# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""An ASGI app that receives Currents' webhook deliveries: `receiver(on_event, secret=..., secret_header=...)`.

Mount it in any ASGI server or framework (uvicorn, Starlette, FastAPI's `app.mount`). For each POST it:

- reads the body (at most `max_body` bytes, else 413) and runs `webhooks.unwrap` on it and the headers;
- answers 202 at once when the delivery passes, and then calls `on_event(event)` (a plain or an `async`
  function) after the answer is sent, so a slow callback never makes Currents wait or retry;
- answers 401 when the secret header is missing or wrong, 400 for a stale, future or malformed timestamp or a
  body that is none of the events, with the one-line reason as plain text (never the secret), and calls
  `on_refused(error)` when given. The callback is not called.

Any other method gets 405. An exception in `on_event` is the ASGI server's to log: the delivery was already
acknowledged. Needs the `[webhooks]` extra (Starlette).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..errors import WebhookVerificationError
from .webhooks import DEFAULT_TOLERANCE, WebhookEvent, unwrap

MAX_BODY = 1024 * 1024
"""The largest body the receiver reads (a delivery is a run summary: a few kilobytes)."""

OnEvent = Callable[[WebhookEvent], Awaitable[None] | None]
OnRefused = Callable[[WebhookVerificationError], Awaitable[None] | None]


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise _TooLarge
    return bytes(chunks)


def receiver(
    on_event: OnEvent,
    *,
    secret: str | None,
    secret_header: str | None,
    tolerance: float = DEFAULT_TOLERANCE,
    path: str = "/",
    on_refused: OnRefused | None = None,
    max_body: int = MAX_BODY,
) -> Starlette:
    """The ASGI app: deliveries are POSTed to `path`. `secret`, `secret_header` and `tolerance` are `unwrap`'s."""
    if secret is not None and not (secret and secret_header):
        raise ValueError("receiver: a secret needs a secret_header, and may not be empty (secret=None skips it)")

    async def deliver(request: Request) -> Response:
        try:
            body = await _body(request, max_body)
        except _TooLarge:
            return PlainTextResponse(f"the body is larger than {max_body} bytes", status_code=413)
        try:
            event = unwrap(body, request.headers, secret=secret, secret_header=secret_header, tolerance=tolerance)
        except WebhookVerificationError as error:
            refused = BackgroundTask(on_refused, error) if on_refused is not None else None
            return PlainTextResponse(str(error), status_code=error.status_code, background=refused)
        return PlainTextResponse("accepted", status_code=202, background=BackgroundTask(on_event, event))

    return Starlette(routes=[Route(path, deliver, methods=["POST"])])


__all__ = ["MAX_BODY", "OnEvent", "OnRefused", "receiver"]
