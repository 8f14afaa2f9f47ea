"""The mock's API keys: the projects each key may reach, and what it may do there.

Scope: reads `keys.yaml` next to this module (mock-only demo keys, committed on purpose) and
answers one question: which known key, if any, is this presented Bearer token. Each key has
`projects` (`["*"]` or project ids: any other project's resources answer 403) and `scopes`
(`read`, and `write` for cancel, reset and delete: a key without it gets 403 on every write). The lookup
compares SHA-256 digests with `hmac.compare_digest` against every known key, with no early exit,
so its timing does not depend on which key matched or on how long a prefix of one did.

Limits: a key is visible ASCII without spaces (what fits in `Authorization: Bearer <key>`); a
project list is `["*"]` (every project) or project ids. Keys are not secrets: the file is public.

Errors: `KeysError`, one line naming the file (or the extra key) and what is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kit._cli import UserError, display_path
from kit.yaml_files import load_yaml

KEYS_FILE = Path(__file__).resolve().parent / "keys.yaml"
ALL_PROJECTS = "*"
READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
EXTRA_KEY_NAME = "extra (MOCK_API_KEY)"
_KEY_SHAPE = re.compile(r"[!-~]+")  # visible ASCII, no spaces


class KeysError(UserError):
    """The keys file, or the extra key, cannot be used."""


@dataclass(frozen=True)
class ApiKey:
    """One known key: a label, its value, the projects it may reach and its scopes."""

    name: str
    value: str = field(repr=False)
    projects: frozenset[str]
    scopes: frozenset[str] = frozenset(SCOPES)

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.value.encode("ascii")).digest()

    def may_read(self, project_id: str) -> bool:
        return READ in self.scopes and (ALL_PROJECTS in self.projects or project_id in self.projects)

    def may_write(self, project_id: str) -> bool:
        return WRITE in self.scopes and self.may_read(project_id)


class KeyRing:
    """The known keys, looked up in constant time."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self.keys = tuple(keys)
        self._digests = tuple((key.digest, key) for key in self.keys)

    def find(self, presented: bytes) -> ApiKey | None:
        """The known key equal to `presented`, else None. Compares against every key, no early exit."""
        digest = hashlib.sha256(presented).digest()
        found: ApiKey | None = None
        for known_digest, key in self._digests:
            if hmac.compare_digest(digest, known_digest):
                found = key
        return found

    def first_with_every_project(self) -> ApiKey | None:
        return next((key for key in self.keys if ALL_PROJECTS in key.projects), None)


def check_key_shape(value: str, where: str) -> None:
    if not _KEY_SHAPE.fullmatch(value):
        raise KeysError(f"{where}: a key must be non-empty visible ASCII without spaces")


def load_keys(path: Path = KEYS_FILE, extra_key: str | None = None) -> KeyRing:
    """The keys of `path`, plus `extra_key` (which may read and write every project) when given.

    An extra key equal to a key of the file replaces that entry, so it reads every project.
    """
    where = display_path(path)
    document = load_yaml(path, KeysError)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise KeysError(f"{where}: expected a mapping with a non-empty `keys` list")
    keys: dict[str, ApiKey] = {}
    for index, entry in enumerate(entries):
        at = f"{where}: keys[{index}]"
        if not isinstance(entry, dict):
            raise KeysError(f"{at}: expected a mapping with `name`, `key`, `projects` and `scopes`")
        name, value, projects, scopes = entry.get("name"), entry.get("key"), entry.get("projects"), entry.get("scopes")
        if not isinstance(name, str) or not name:
            raise KeysError(f"{at}: needs a `name`")
        if not isinstance(value, str):
            raise KeysError(f"{at} ({name}): needs a `key` string")
        check_key_shape(value, f"{at} ({name})")
        if not isinstance(projects, list) or not projects or not all(isinstance(p, str) and p for p in projects):
            raise KeysError(f'{at} ({name}): `projects` must be a non-empty list of project ids, or ["*"]')
        if not isinstance(scopes, list) or not scopes or not all(scope in SCOPES for scope in scopes):
            raise KeysError(f"{at} ({name}): `scopes` must be a non-empty list of {' and '.join(SCOPES)}")
        if value in keys:
            raise KeysError(f"{at} ({name}): the same key as {keys[value].name}")
        keys[value] = ApiKey(name=name, value=value, projects=frozenset(projects), scopes=frozenset(scopes))
    if extra_key is not None:
        check_key_shape(extra_key, "MOCK_API_KEY")
        keys[extra_key] = ApiKey(name=EXTRA_KEY_NAME, value=extra_key, projects=frozenset({ALL_PROJECTS}))
    return KeyRing(keys.values())
