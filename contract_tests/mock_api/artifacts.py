"""Pre-signed artifact URLs for the mock: its instances point at itself, and it enforces signature and expiry.

Scope: `ArtifactSigner` signs and verifies URLs of the form
`{base}/artifacts/{instanceId}/{n}/{file}?X-Expires={epoch seconds}&X-Signature={hex}`, with an
HMAC-SHA256 over the path and the expiry, so a URL cannot be altered or extended. `serve_artifacts(app,
signer)` wraps any ASGI mock application (it knows nothing of its inner structure):
- a 200 answer to `GET /v1/instances/{id}` gets every artifact URL of `data.results` (screenshots,
  videos, traces, attachments, stdout) rewritten to a freshly signed URL on the host the request
  named; the original file name is kept, so extensions survive;
- `GET` or `HEAD` `/artifacts/...` answers without a key, as a pre-signed URL does: 200 with the
  file, streamed in 64 KiB chunks; 403 `Request has expired` (the S3/R2 wording) once the expiry is
  past; 403 `SignatureDoesNotMatch` for a wrong or missing signature; 404 for another path.

A file's bytes are a function of its path (the same URL always gives the same bytes), and its size
is `file_bytes` when set, else 1 to 64 KiB chosen by the path. `ttl_seconds` is the lifetime of the
URLs handed out (Currents: 2 hours); `stale_first_issue` makes the URLs of the first answer for each
instance already expired, which is what a client that fetched an instance long ago holds.

Limits: a test double. No range requests; the secret is random per signer unless given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from contract_tests.mock_api.asgi import ASGIApp, Message, Receive, Scope, Send

URL_KEYS = frozenset({"screenshotURL", "videoUrl", "traceURL", "readUrl"})
CHUNK = 64 * 1024
Verdict = Literal["ok", "expired", "bad-signature"]


class ArtifactSigner:
    """Signs artifact paths with an expiry, and checks them."""

    def __init__(
        self,
        ttl_seconds: float = 7200,
        *,
        secret: bytes | None = None,
        file_bytes: int | None = None,
        stale_first_issue: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.file_bytes = file_bytes
        self.stale_first_issue = stale_first_issue
        self.clock = clock
        self._secret = secret or secrets.token_bytes(32)
        self._issued: set[str] = set()
        self._lock = threading.Lock()
        self.downloads = 0  # files served in full, for tests
        self.requests_with_authorization = 0  # a pre-signed URL needs no key: a client must not send one

    def signature(self, path: str, expires: int) -> str:
        return hmac.new(self._secret, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, base: str, path: str, expires: int) -> str:
        return f"{base}{path}?X-Expires={expires}&X-Signature={self.signature(path, expires)}"

    def expiry_for(self, instance_id: str) -> int:
        """The expiry of the URLs handed out now for `instance_id`."""
        with self._lock:
            first = instance_id not in self._issued
            self._issued.add(instance_id)
        if first and self.stale_first_issue:
            return int(self.clock()) - 1
        return int(self.clock() + self.ttl_seconds)

    def verify(self, path: str, query: str) -> Verdict:
        fields = parse_qs(query)
        expires_text = (fields.get("X-Expires") or [""])[0]
        given = (fields.get("X-Signature") or [""])[0]
        if not expires_text.isdigit() or not hmac.compare_digest(given, self.signature(path, int(expires_text))):
            return "bad-signature"
        if int(expires_text) < self.clock():
            return "expired"
        return "ok"

    def size_of(self, path: str) -> int:
        if self.file_bytes is not None:
            return self.file_bytes
        return 1024 + int.from_bytes(hashlib.sha256(path.encode()).digest()[:2], "big") % (63 * 1024)

    def chunks(self, path: str) -> Iterator[bytes]:
        """The file's bytes, in chunks of at most 64 KiB."""
        block = hashlib.sha256(path.encode()).digest() * (CHUNK // 32)
        left = self.size_of(path)
        while left > 0:
            yield block[: min(left, CHUNK)]
            left -= CHUNK


def rewrite_instance_body(body: bytes, base: str, signer: ArtifactSigner) -> bytes:
    """`body` (a 200 instance response) with every artifact URL under `data.results` signed for `base`."""
    document = json.loads(body)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("instanceId"), str):
        return body
    instance_id = data["instanceId"]
    expires = signer.expiry_for(instance_id)
    counter = iter(range(1_000_000))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in URL_KEYS and isinstance(value, str) and value.startswith(("http://", "https://")):
                    name = unquote(urlsplit(value).path.rsplit("/", 1)[-1]) or "file"
                    path = f"/artifacts/{quote(instance_id, safe='')}/{next(counter)}/{quote(name, safe='')}"
                    node[key] = signer.url(base, path, expires)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data.get("results"))
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value)
    return None


def _base_url(scope: Scope) -> str:
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}".encode()
    return f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}"


def _xml_error(code: str, message: str) -> bytes:
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return f"<?xml version='1.0' encoding='UTF-8'?>{body}".encode()


async def _send_simple(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _serve_file(scope: Scope, send: Send, signer: ArtifactSigner) -> None:
    path = scope.get("path", "")
    if _header(scope, b"authorization") is not None:
        signer.requests_with_authorization += 1
    if scope.get("method") not in ("GET", "HEAD") or path.count("/") != 4:
        await _send_simple(send, 404, _xml_error("NoSuchKey", "The specified key does not exist."), b"application/xml")
        return
    verdict = signer.verify(path, scope.get("query_string", b"").decode("latin-1"))
    if verdict == "expired":
        await _send_simple(send, 403, _xml_error("AccessDenied", "Request has expired"), b"application/xml")
        return
    if verdict == "bad-signature":
        body = _xml_error("SignatureDoesNotMatch", "The request signature we calculated does not match.")
        await _send_simple(send, 403, body, b"application/xml")
        return
    size = signer.size_of(path)
    headers = [(b"content-type", b"application/octet-stream"), (b"content-length", str(size).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    if scope.get("method") == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        return
    for chunk in signer.chunks(path):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    signer.downloads += 1


def serve_artifacts(app: ASGIApp, signer: ArtifactSigner) -> ASGIApp:
    """`app` with signed artifact URLs in its instances, and the files they point to (see the module docstring)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if path.startswith("/artifacts/"):
            await _serve_file(scope, send, signer)
            return
        if not path.startswith("/v1/instances/"):
            await app(scope, receive, send)
            return
        start: Message = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(parts)
                    if start.get("status") == 200:
                        body = rewrite_instance_body(body, _base_url(scope), signer)
                    headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({**start, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await app(scope, receive, capture)

    return wrapped
