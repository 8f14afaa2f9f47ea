"""Let pages served from loopback call the mock from a browser: the docs site's "Try it out".

Scope: `allow_loopback_pages(app)` wraps the mock in Starlette's `CORSMiddleware`, which answers a browser's
preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) itself, before authentication, and adds
the CORS headers to every answer for an origin on a loopback address (`127.0.0.1`, `localhost` or `[::1]`, any
port). A page served from anywhere else gets no CORS headers, so its browser refuses to show it the mock's
answers. Requests without an `Origin` header (curl, the client, schemathesis) are untouched.

Limits: `make mock` uses it; the tests' mocks (`create_app`) do not, so their 405s and 401s stay exactly as the
spec's checks expect.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware

from contract_tests.mock_api.asgi import ASGIApp

LOOPBACK_ORIGINS = r"https?://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?"


def allow_loopback_pages(app: ASGIApp) -> CORSMiddleware:
    """`app`, answering browsers on pages served from loopback (see the module's docstring)."""
    return CORSMiddleware(
        app,
        allow_origin_regex=LOOPBACK_ORIGINS,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
