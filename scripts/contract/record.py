"""Record a live instance as a new fixture (`make record INSTANCE_ID=... [NAME=...]`).

Scope: fetches `GET /instances/{INSTANCE_ID}` with the generated client from the API at
`CURRENTS_API_URL` (default production) with the key in `CURRENTS_API_KEY`, redacts it, saves it as
`contract_tests/fixtures/<NAME>.json` (NAME defaults to `<variant>-<instance id>`), and lists it in the
fixture manifest with its variant and its drift, so that `make check-spec` validates it and the contract
tests replay it.

Redaction, before anything is written or printed:
- the API key, wherever the server echoes it (a body field, an error body), becomes `REDACTED`;
- Slack and Discord webhook URLs, anywhere in a string (with or without `https://`), become
  `https://hooks.slack.com/services/REDACTED` and `https://discord.com/api/webhooks/REDACTED`;
- credentials in URLs (`scheme://user:token@host`) become `scheme://REDACTED@host`;
- the signatures and tokens of signed URLs become `REDACTED`: the query values of `Signature`,
  `X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`, `Key-Pair-Id`, `X-Goog-Signature`,
  `X-Goog-Credential`, Azure's `sig`, and of any parameter whose name contains `token`;
- e-mail addresses, anywhere, become `redacted@example.com`;
- author names (`authorName`, and GitHub sender URLs) become `Redacted Author`;
- commit messages (`message` of a commit, `prTitle`) become `Redacted commit message`.

Limits: one instance a run; it never overwrites a fixture (choose another NAME), and it refuses an
instance id the corpus already serves (a fixture's or a seed example's): the mock keys instances by id.
Other personal data a test title or an error message may carry is not recognised: read the file before
you commit it.

Exit status: 0 when the fixture is saved (its drift, if any, is printed); 1 when the API's response is
not an instance the spec describes (nothing is saved); 2 for unusable input (no key, no id, a refused
key, an existing NAME, an instance id the corpus holds already), as one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from kit._cli import EXIT_FAILED, EXIT_OK, UserError, display_path, run
from kit.fixtures import FIXTURES_DIR, MANIFEST
from kit.scrub import Scrubber
from scripts.contract.drift import Documents, inspect

REDACTED = "REDACTED"
SIGNED_QUERY_KEYS = {
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "key-pair-id",
    "x-goog-signature",
    "x-goog-credential",
    "sig",  # Azure shared access signatures
}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s\"'<>]+@")  # to the last @ of the authority
WEBHOOKS = (
    (
        re.compile(r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[\w/-]+", re.IGNORECASE),
        "https://hooks.slack.com/services/REDACTED",
    ),
    (
        re.compile(
            r"(?:https?://)?(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?/webhooks/[\w/-]+", re.IGNORECASE
        ),
        "https://discord.com/api/webhooks/REDACTED",
    ),
)
AUTHOR_KEYS = {"authorName": "Redacted Author", "senderHtmlUrl": "https://github.com/redacted"}
MESSAGE_KEYS = {"message", "prTitle"}
COMMIT_KEYS = {"commit", "replacedCommitData", "ghaEventData"}
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")
MAX_BODY_SHOWN = 200


def secret_query_key(name: str) -> bool:
    lowered = name.lower()
    return lowered in SIGNED_QUERY_KEYS or "token" in lowered


def redact_emails(text: str) -> str:
    return EMAIL.sub("redacted@example.com", text)


def redact_url(url: str) -> str:
    """The URL without credentials in its authority, secret query values or e-mail addresses after the host."""
    url = USERINFO.sub(rf"\1{REDACTED}@", url)
    parts = urlsplit(url)
    if parts.query:
        query = [(k, REDACTED if secret_query_key(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(query, safe="~"))
    return urlunsplit(parts._replace(path=redact_emails(parts.path), query=redact_emails(parts.query)))


def redact_text(text: str) -> str:
    for pattern, replacement in WEBHOOKS:
        text = pattern.sub(replacement, text)
    pieces, end = [], 0
    for match in URL.finditer(text):  # a URL whole (its authority is no e-mail address), the rest for e-mails
        pieces += [redact_emails(text[end : match.start()]), redact_url(match.group(0))]
        end = match.end()
    return "".join([*pieces, redact_emails(text[end:])])


def redact(value: Any, in_commit: bool = False) -> Any:
    """A copy of `value` with webhooks, URL credentials, signatures, e-mail addresses, author names and
    commit messages redacted (the API key is scrubbed before, by `kit.scrub`)."""
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


def corpus_ids() -> dict[str, str]:
    """The instance ids the mock serves already, each with where it comes from."""
    from contract_tests.mock_api.corpus import load_instances

    return {instance.instance_id: instance.source for instance in load_instances().values()}


def refuse_known_id(instance_id: str, known: dict[str, str]) -> None:
    if instance_id in known:
        raise UserError(
            f"instance {instance_id!r} is in the corpus already ({known[instance_id]}): "
            "the mock serves one instance per id; record another instance"
        )


def fetch(instance_id: str) -> Any:
    """The parsed 200 body of the instance, with the API key scrubbed from every string in it."""
    from currents_api_client import AuthenticatedClient, errors
    from currents_api_client.api.instances import get_instance

    scrubber = Scrubber(os.environ.get("CURRENTS_API_KEY", "").strip())
    try:
        client = AuthenticatedClient.from_env()
    except errors.MissingAPIKeyError as error:
        raise UserError(f"{error}; recording reads a live instance with your API key") from None
    except (TypeError, ValueError) as error:  # a key the client refuses (too short, control characters)
        raise UserError(scrubber.text(f"CURRENTS_API_KEY or CURRENTS_API_URL cannot be used: {error}")) from None
    base_url = str(client.get_httpx_client().base_url).rstrip("/")
    with client:
        try:
            response = get_instance.sync_detailed(instance_id, client=client)
        except errors.APIConnectionError as error:
            raise UserError(scrubber.text(f"cannot reach the API: {error}")) from None
    if response.status_code != 200:
        shown = repr(scrubber.bytes(response.content))[:MAX_BODY_SHOWN]  # scrubbed, then cut
        raise UserError(f"{base_url} answered {int(response.status_code)} for instance {instance_id!r}: {shown}")
    try:
        return scrubber.data(json.loads(response.content))
    except ValueError:
        raise UserError(f"{base_url} answered 200 with a body that is not JSON") from None


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

    known = corpus_ids()
    refuse_known_id(args.instance_id, known)
    body = redact(fetch(args.instance_id))
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and isinstance(data.get("instanceId"), str):
        refuse_known_id(data["instanceId"], known)  # the API may name it differently from the request
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
