"""The mock's domain errors: what the backend refuses, in the words the API answers with.

Scope: the backend raises a `DomainError` when the world's state refuses an operation: `NotFound` (no such
project, run, instance, signature, action or webhook), `Denied` (the key may not reach it), `Invalid` (the
world does not allow it: an archived action changed, a cursor that names no item) and `Conflict` (a run that
is already canceled). It knows no HTTP: `rest.Operations` maps each kind to its status, in one place
(`rest.STATUS_OF`). The message constants are the API's own texts.
"""

from __future__ import annotations

RUN_NOT_FOUND = "Run not found"
PROJECT_NOT_FOUND = "Project not found"
INSTANCE_NOT_FOUND = "Instance not found"
INSTANCE_DENIED = "Insufficient permissions to access this instance"
SIGNATURE_NOT_FOUND = "Test signature not found"
ACTION_NOT_FOUND = "Action not found"
WEBHOOK_NOT_FOUND = "Webhook not found"


class DomainError(Exception):
    """An operation the world's state refuses, with the message the API answers."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """What the operation names does not exist (or no longer does)."""


class Denied(DomainError):
    """The key may not reach what the operation names."""


class Invalid(DomainError):
    """The world's state does not allow the operation as asked."""


class Conflict(DomainError):
    """The operation contradicts the state it finds (a run already canceled)."""
