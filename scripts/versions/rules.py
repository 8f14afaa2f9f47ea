"""The rule table of the breaking-change guard, and the classified change it produces.

Scope: every rule id the spec comparison (`scripts/versions/spec_diff.py`) and the Python API comparison
(`scripts/versions/api_diff.py`) report, with its level (breaking, non-breaking, info) and the changelog group
it goes under; `Change`, one classified change; and `required_bump`, the semantic-version part a release with
those changes must raise. The rules are explained in `scripts/versions/breaking.md`, and a test keeps the two in
step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Level = Literal["breaking", "non-breaking", "info"]
Direction = Literal["request", "response"]
LEVELS: tuple[Level, ...] = ("breaking", "non-breaking", "info")
# Formats the generated client decodes into another Python type than str (openapi-python-client 0.29).


@dataclass(frozen=True)
class Rule:
    level: Level
    group: str  # the changelog section: Breaking, Added or Changed


def _rule(level: Level, group: str | None = None) -> Rule:
    return Rule(level, group or ("Breaking" if level == "breaking" else "Changed"))


# Rule id -> level and changelog group. scripts/versions/breaking.md explains each one.
RULES: dict[str, Rule] = {
    # operations
    "operation-removed": _rule("breaking"),
    "operation-added": _rule("non-breaking", "Added"),
    "operation-id-changed": _rule("breaking"),
    "operation-tag-changed": _rule("breaking"),
    "operation-deprecated": _rule("info"),
    # parameters
    "parameter-removed": _rule("breaking"),
    "parameter-added-required": _rule("breaking"),
    "parameter-added-optional": _rule("non-breaking", "Added"),
    "parameter-became-required": _rule("breaking"),
    "parameter-became-optional": _rule("non-breaking"),
    # request bodies
    "request-body-removed": _rule("breaking"),
    "request-body-added-required": _rule("breaking"),
    "request-body-added-optional": _rule("non-breaking", "Added"),
    "request-body-became-required": _rule("breaking"),
    "request-body-became-optional": _rule("non-breaking"),
    "request-media-type-removed": _rule("breaking"),
    "request-media-type-added": _rule("non-breaking", "Added"),
    # request schemas (parameters and bodies)
    "request-property-removed": _rule("breaking"),
    "request-property-added-required": _rule("breaking"),
    "request-property-added-optional": _rule("non-breaking", "Added"),
    "request-property-became-required": _rule("breaking"),
    "request-property-became-optional": _rule("non-breaking"),
    "request-type-changed": _rule("breaking"),
    "request-type-widened": _rule("non-breaking"),
    "request-became-not-nullable": _rule("breaking"),
    "request-became-nullable": _rule("non-breaking"),
    "request-enum-value-removed": _rule("breaking"),
    "request-enum-value-added": _rule("non-breaking", "Added"),
    "request-constraint-narrowed": _rule("breaking"),
    "request-constraint-widened": _rule("non-breaking"),
    "request-variant-removed": _rule("breaking"),
    "request-variant-added": _rule("non-breaking", "Added"),
    # responses
    "response-success-status-removed": _rule("breaking"),
    "response-success-status-added": _rule("breaking"),
    "response-error-status-removed": _rule("breaking"),
    "response-error-status-added": _rule("non-breaking"),
    "response-media-type-removed": _rule("breaking"),
    "response-media-type-added": _rule("non-breaking", "Added"),
    # response schemas
    "response-property-removed": _rule("breaking"),
    "response-property-added": _rule("non-breaking", "Added"),
    "response-property-became-optional": _rule("breaking"),
    "response-property-became-required": _rule("non-breaking"),
    "response-type-changed": _rule("breaking"),
    "response-type-narrowed": _rule("non-breaking"),
    "response-became-nullable": _rule("breaking"),
    "response-became-not-nullable": _rule("non-breaking"),
    "response-enum-value-added": _rule("non-breaking", "Added"),
    "response-enum-value-removed": _rule("non-breaking"),
    "response-variant-removed": _rule("breaking"),
    "response-variant-added": _rule("non-breaking", "Added"),
    "response-variant-added-redecodes": _rule("breaking"),
    # both directions
    "const-changed": _rule("breaking"),
    "format-changed-python-type": _rule("breaking"),
    "format-changed": _rule("info"),
    "composition-changed": _rule("breaking"),
    # security
    "security-required-added": _rule("breaking"),
    "security-alternative-removed": _rule("breaking"),
    "security-alternative-added": _rule("non-breaking", "Added"),
    "security-removed": _rule("non-breaking"),
    "security-scheme-changed": _rule("breaking"),
    # anything else
    "document-changed": _rule("info"),
}


@dataclass(frozen=True)
class Change:
    """One classified change: its level, where it is (a JSON pointer, or `python:` and a dotted path), the rule, one
    line of explanation, and the changelog group it goes under."""

    level: Level
    pointer: str
    rule: str
    message: str

    @property
    def group(self) -> str:
        return RULES[self.rule].group if self.rule in RULES else _API_GROUPS.get(self.rule, "Changed")

    def line(self) -> str:
        return f"{self.level:<12} {self.pointer}: {self.message}"


# Rules of the Python API comparison (scripts/versions/api_diff.py), for the changelog group.
_API_GROUPS = {"python-api-removed": "Breaking", "python-api-changed": "Breaking", "python-api-added": "Added"}

# For a response oneOf that gained a variant: given the response's pointer in the new document, say whether every
# known payload still decodes to the same models (None), or describe the first one that does not.
VariantCheck = Callable[[str, str, str], str | None]


def required_bump(changes: list[Change]) -> str | None:
    """The semantic-version part a release with `changes` must raise: major, minor, patch, or None for none."""
    if not changes:
        return None
    if any(c.level == "breaking" for c in changes):
        return "major"
    if any(c.level == "non-breaking" for c in changes):
        return "minor"
    return "patch"
