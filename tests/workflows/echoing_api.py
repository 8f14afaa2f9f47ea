"""An ASGI wrapper that makes any API echo the caller's Authorization header into its JSON bodies.

Some servers echo what they were sent; the contract checks must keep the key out of their reports even
then. Wrapped around the mock, every JSON object body gets an `echoedAuthorization` field (under `data`
when there is one) holding the request's Authorization header, and its content-length is fixed.
"""

from __future__ import annotations

import json

from contract_tests.mock_api.asgi import ASGIApp, Message, Receive, Scope, Send


def echo_into(body: bytes, authorization: str) -> bytes:
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    target = document["data"] if isinstance(document.get("data"), dict) else document
    target["echoedAuthorization"] = authorization
    return json.dumps(document).encode()


class EchoingApi:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        start: Message = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = echo_into(b"".join(chunks), authorization)
            response_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*response_headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
