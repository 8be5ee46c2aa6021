"""Rule sets: the shipped TOML files into the database, and the version in force (STANDARD.md
section 2: a rule set once used is immutable; a change is a new version)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.exceptions import InvalidTransition, RuleSetImmutable
from certification.models import RuleSet
from certification.rules import RuleSetInvalid, load_ruleset, ruleset_files


def rulesets_sync() -> list[tuple[str, int, str]]:
    """Load the rule set files shipped in ``certification/rulesets`` into the database.

    A new (code, version) is added; an unused one whose file changed is updated; a used one whose
    file changed is refused (STANDARD.md section 2: a change is a new version). A proposal
    uploaded in the portal is left alone: a file does not activate it (only two approvals do,
    ``services.proposals``), and a file that differs from it is refused like a used one.
    """
    report: list[tuple[str, int, str]] = []
    for path in ruleset_files():
        text = path.read_text(encoding="utf-8")
        try:
            parsed = load_ruleset(text)
        except RuleSetInvalid as exc:
            raise RuleSetInvalid(f"{path.name}: {exc}") from exc
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        fields = {
            "title": parsed.title,
            "standard_id": parsed.standard_id,
            "effective_from": parsed.effective_from,
            "effective_until": parsed.effective_until,
            "source_text": text,
            "sha256": digest,
        }
        with transaction.atomic():
            existing = (
                RuleSet.objects.select_for_update()
                .filter(code=parsed.code, version=parsed.version)
                .first()
            )
            if existing is None:
                RuleSet.objects.create(code=parsed.code, version=parsed.version, **fields)
                report.append((parsed.code, parsed.version, "added"))
            elif existing.status == RuleSet.Status.PROPOSED:
                if existing.sha256 != digest:
                    raise RuleSetImmutable(
                        f"{path.name}: rule set {parsed.code} v{parsed.version} is a proposal "
                        "uploaded in the portal; give the file a new version"
                    )
                report.append((parsed.code, parsed.version, "proposed"))
            elif existing.sha256 == digest:
                report.append((parsed.code, parsed.version, "unchanged"))
            elif existing.first_used_at is not None:
                raise RuleSetImmutable(
                    f"{path.name}: rule set {parsed.code} v{parsed.version} was used by an "
                    "evaluation and cannot change; give the change a new version"
                )
            else:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save(update_fields=list(fields))
                report.append((parsed.code, parsed.version, "updated"))
    return report


def ruleset_in_force(*, code: str | None = None, day=None) -> RuleSet:
    """The newest active version of the configured rule set whose effective period covers
    ``day`` (a proposal is never in force until it is activated)."""
    code = code or settings.CERTIFICATION_RULESET
    day = day or timezone.localdate()
    candidate = (
        RuleSet.objects.filter(code=code, status=RuleSet.Status.ACTIVE, effective_from__lte=day)
        .exclude(effective_until__lt=day)
        .order_by("-version")
        .first()
    )
    if candidate is None:
        raise InvalidTransition(
            _("No version of rule set %(code)s is in force on %(day)s.")
            % {"code": code, "day": day}
        )
    return candidate
