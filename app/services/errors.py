"""Errors a service raises, each with a Vietnamese message a clerk can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused action; `message` says in Vietnamese what to do about it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """Input to fix: `errors` maps a form field to the message shown beside it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Hồ sơ chưa hợp lệ: " + "; ".join(errors.values()))
        self.errors = errors


class AuthError(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class TransitionRefused(ServiceError):
    """The dossier's current state does not allow this step."""


class StorageError(ServiceError):
    """The database could not be written (disk full, read-only, locked too long)."""
