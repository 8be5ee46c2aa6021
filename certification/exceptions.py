"""One exception hierarchy for the domain; ``certification.api.errors`` maps it to HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    message: str
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class PortalError(Exception):
    """Base of every error a user can cause. ``code`` is stable; ``message`` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors = tuple(errors)


class InvalidInput(PortalError):
    code = "invalid"


class UploadRejected(InvalidInput):
    code = "upload_rejected"


class NotPermitted(PortalError):
    code = "permission_denied"
    http_status = 403


class NotFound(PortalError):
    code = "not_found"
    http_status = 404


class InvalidTransition(PortalError):
    code = "invalid_state"
    http_status = 409


class EvidenceMissing(InvalidTransition):
    """Submitting before the rule set's required evidence is there; ``errors`` lists each
    missing kind (``column`` is the dataset kind)."""

    code = "evidence_missing"


class RuleSetImmutable(PortalError):
    code = "ruleset_immutable"
    http_status = 409


class RuleSetRefused(InvalidInput):
    """A proposed rule set that is malformed, contradictory or a version that exists; the
    message starts with the path of the bad value, also in ``errors[0].column``."""

    code = "ruleset_invalid"
