"""Record a live instance as a new fixture (`make record INSTANCE_ID=... [NAME=...]`).

Scope: fetches `GET /instances/{INSTANCE_ID}` with the generated client from the API at
`CURRENTS_API_URL` (default production) with the key in `CURRENTS_API_KEY`, redacts it, saves it as
`contract_tests/fixtures/<NAME>.json` (NAME defaults to `<variant>-<instance id>`), and lists it in the
fixture manifest with its variant and its drift, so that `make check-spec` validates it and the contract
tests replay it.

Redaction, before anything is written:
- the signatures of pre-signed URLs (`Signature`, `X-Amz-Signature`, `X-Amz-Credential`,
  `X-Amz-Security-Token`, `Key-Pair-Id` query values) become `REDACTED`;
- e-mail addresses, anywhere, become `redacted@example.com`;
- author names (`authorName`, and GitHub sender URLs) become `Redacted Author`;
- commit messages (`message` of a commit, `prTitle`) become `Redacted commit message`.

Limits: one instance a run; it never overwrites a fixture (choose another NAME). Other personal data a
test title or an error message may carry is not recognised: read the file before you commit it.

Exit status: 0 when the fixture is saved (its drift, if any, is printed); 1 when the API's response is
not an instance the spec describes (nothing is saved); 2 for unusable input (no key, no id, a refused
key, an existing NAME), as one line.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from scripts._cli import EXIT_FAILED, EXIT_OK, UserError, display_path, run
from scripts.drift import Documents, inspect
from scripts.fixtures import FIXTURES_DIR, MANIFEST

REDACTED = "REDACTED"
SIGNED_QUERY_KEYS = {"signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "key-pair-id"}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
URL = re.compile(r"https?://[^\s\"']+")
AUTHOR_KEYS = {"authorName": "Redacted Author", "senderHtmlUrl": "https://github.com/redacted"}
MESSAGE_KEYS = {"message", "prTitle"}
COMMIT_KEYS = {"commit", "replacedCommitData", "ghaEventData"}
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, REDACTED if k.lower() in SIGNED_QUERY_KEYS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="~")))


def redact_text(text: str) -> str:
    text = URL.sub(lambda match: redact_url(match.group(0)), text)
    return EMAIL.sub("redacted@example.com", text)


def redact(value: Any, in_commit: bool = False) -> Any:
    """A copy of `value` with signatures, e-mail addresses, author names and commit messages redacted."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(item, str) and key in AUTHOR_KEYS:
                out[key] = AUTHOR_KEYS[key]
            elif isinstance(item, str) and in_commit and key in MESSAGE_KEYS:
                out[key] = "Redacted commit message"
            else:
                out[key] = redact(item, in_commit or key in COMMIT_KEYS)
        return out
    if isinstance(value, list):
        return [redact(item, in_commit) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def fetch(instance_id: str) -> dict[str, Any]:
    from currents_api_client import AuthenticatedClient, errors
    from currents_api_client.api.instances import get_instance

    try:
        client = AuthenticatedClient.from_env()
    except errors.MissingAPIKeyError as error:
        raise UserError(f"{error}; recording reads a live instance with your API key") from None
    base_url = str(client.get_httpx_client().base_url).rstrip("/")
    with client:
        try:
            response = get_instance.sync_detailed(instance_id, client=client)
        except errors.APIConnectionError as error:
            raise UserError(f"cannot reach the API: {error}") from None
    if response.status_code != 200:
        raise UserError(
            f"{base_url} answered {int(response.status_code)} for instance {instance_id!r}: {response.content[:200]!r}"
        )
    try:
        body: dict[str, Any] = json.loads(response.content)
    except ValueError:
        raise UserError(f"{base_url} answered 200 with a body that is not JSON") from None
    return body


def add_to_manifest(file: str, variant: str, about: str, unknown: list[str]) -> None:
    """Append an entry to the manifest, keeping its comments and its other entries as they are."""
    entry = yaml.safe_dump(
        [{"file": file, "variant": variant, "about": about, "unknown_fields": unknown}], sort_keys=False, width=120
    )
    text = MANIFEST.read_text(encoding="utf-8")
    MANIFEST.write_text(
        text.rstrip("\n") + "\n" + "\n".join("  " + line for line in entry.splitlines()) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance_id", nargs="?")
    parser.add_argument("--name")
    args = parser.parse_args(argv)
    if not args.instance_id:
        raise UserError("no instance id: run `make record INSTANCE_ID=... [NAME=...]`")
    if args.name and not NAME.fullmatch(args.name):
        raise UserError(f"NAME {args.name!r}: use lowercase letters, digits and dashes")

    body = redact(fetch(args.instance_id))
    finding = inspect(Documents.load(), args.instance_id, body)
    if finding.variant is None:
        for line in finding.violations:
            print(f"record: {line}")
        print(f"record: instance {args.instance_id} matches no Instance variant of the spec; nothing was saved")
        return EXIT_FAILED
    name = args.name or f"{finding.variant.removesuffix('Instance').lower()}-{args.instance_id}".lower()
    name = re.sub(r"[^a-z0-9-]+", "-", name)
    path = FIXTURES_DIR / f"{name}.json"
    if path.exists():
        raise UserError(f"{display_path(path)} exists already: choose another NAME")
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    about = f"Recorded from the API on {datetime.now(UTC):%Y-%m-%d}, redacted."
    add_to_manifest(path.name, finding.variant, about, sorted(finding.unknown))
    print(f"record: saved {display_path(path)}, a {finding.variant}; listed in {display_path(MANIFEST)}")
    for field_path in sorted(finding.unknown):
        print(f"record: drift: {field_path} is not in the spec")
    return EXIT_OK


if __name__ == "__main__":
    run(main)
