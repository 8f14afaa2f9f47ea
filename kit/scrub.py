"""Scrub a secret (the API key) from text, in every form a server's echo of it may take once printed.

Scope: a server may echo the key back (in an error message, a field of a body, a header). Whatever the kit
then prints or saves passes through `Scrubber.text` (or `Scrubber.data` for parsed JSON), which replaces the
key with `REDACTED` as written raw, JSON-escaped, HTML- or XML-escaped (and both), percent-encoded and in a
Python bytes repr, the forms in which a body reaches a terminal line, `reports/junit.xml`, the HTML report,
`reports/drift.json` or a fixture.

Limits: it finds the key itself, not a transformed one (base64, hashed, split across lines, reversed).
Callers scrub before they truncate, so that no cut leaves a prefix of the key behind. An empty secret
scrubs nothing.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

REDACTED = "REDACTED"


def forms(secret: str) -> list[str]:
    """Every form of `secret` to look for, longest first (so that no shorter form splits a longer one)."""
    if not secret:
        return []
    json_forms = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    found = {secret, *json_forms, quote(secret, safe="")}
    found |= {repr(text.encode("utf-8", "replace"))[2:-1] for text in [secret, *json_forms]}
    for text in [secret, *json_forms]:
        found |= {
            html.escape(text, quote=True),
            html.escape(text, quote=False),
            xml_escape(text, {'"': "&quot;", "'": "&apos;"}),
            xml_escape(text, {'"': "&#34;", "'": "&#39;"}),
        }
    return sorted(found, key=len, reverse=True)


class Scrubber:
    """Replaces every form of one secret with `REDACTED`."""

    def __init__(self, secret: str) -> None:
        self.forms = forms(secret)

    def text(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def bytes(self, data: bytes) -> bytes:
        """`data` scrubbed, every other byte kept as it was (invalid UTF-8 included)."""
        return self.text(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def data(self, value: Any) -> Any:
        """A copy of parsed JSON with the secret scrubbed from every string, keys included."""
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value
