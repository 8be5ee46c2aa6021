"""The certificate lifecycle (STANDARD.md section 7): which status may follow which, and who
may make a change by hand. ``reports.services`` enforces it; ``reports.access`` and the pages
read it to offer only what a user may do."""

from __future__ import annotations

from reports.models import Certificate

C = Certificate.Status

# The one table of allowed certificate transitions.
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    C.VALID: frozenset({C.SUSPENDED, C.WITHDRAWN, C.REVOKED, C.EXPIRED, C.SUPERSEDED}),
    C.SUSPENDED: frozenset({C.VALID, C.WITHDRAWN, C.REVOKED, C.EXPIRED, C.SUPERSEDED}),
    C.WITHDRAWN: frozenset(),
    C.REVOKED: frozenset(),
    C.EXPIRED: frozenset(),
    C.SUPERSEDED: frozenset(),
}
# Who may move a certificate into a status by hand (expiry and supersession are the system's).
BY_CERTIFICATION_BODY = frozenset({C.SUSPENDED, C.VALID, C.REVOKED, C.WITHDRAWN})
BY_HOLDER = frozenset({C.WITHDRAWN})
