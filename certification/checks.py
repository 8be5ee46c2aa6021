"""System checks: configuration mistakes surface at start-up, not as runtime surprises."""

from __future__ import annotations

import hashlib

from celery import current_app
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from certification import handoff
from certification.models import RuleSet
from certification.rules import RuleSetInvalid, load_ruleset, ruleset_files


@register(Tags.compatibility)
def check_rulesets(app_configs=None, **kwargs):
    problems = []
    codes = set()
    for path in ruleset_files():
        try:
            parsed = load_ruleset(path.read_text(encoding="utf-8"))
        except RuleSetInvalid as exc:
            problems.append(Error(f"{path.name}: {exc}", id="certification.E001"))
            continue
        codes.add(parsed.code)
    if settings.CERTIFICATION_RULESET not in codes:
        problems.append(
            Error(
                f"CERTIFICATION_RULESET={settings.CERTIFICATION_RULESET!r} "
                "names no shipped rule set",
                hint=f"Choose one of: {', '.join(sorted(codes))}",
                id="certification.E002",
            )
        )
    return problems


@register(Tags.database)
def check_used_rulesets_unchanged(app_configs=None, databases=None, **kwargs):
    """A used rule set whose file changed would make old evaluations unreproducible."""
    if not databases:
        return []
    problems = []
    try:
        used = {(r.code, r.version): r.sha256 for r in RuleSet.objects.exclude(first_used_at=None)}
    except DatabaseError:
        return []
    for path in ruleset_files():
        text = path.read_text(encoding="utf-8")
        parsed = load_ruleset(text)
        digest = used.get((parsed.code, parsed.version))
        if digest and digest != hashlib.sha256(text.encode("utf-8")).hexdigest():
            problems.append(
                Error(
                    f"{path.name} changed after rule set {parsed.code} v{parsed.version} was used",
                    hint="Restore the file and publish the change as a new version.",
                    id="certification.E003",
                )
            )
    return problems


@register(Tags.compatibility)
def check_handoffs_registered(app_configs=None, **kwargs):
    """Every task a service hands work to by name, and every task beat runs, is registered."""
    handoff.load_task_modules()
    registered = set(current_app.tasks)
    wanted = dict.fromkeys(handoff.DECLARED, "hand-off")
    for entry, schedule in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).items():
        wanted.setdefault(schedule["task"], f"beat schedule {entry!r}")
    return [
        Error(
            f"{where} names the Celery task {name!r}, which no app registers",
            hint="Register it with @shared_task(name=...) in that app's tasks.py.",
            id="certification.E005",
        )
        for name, where in sorted(wanted.items())
        if name not in registered
    ]


@register(Tags.security, deploy=True)
def check_secret_key_from_environment(app_configs=None, **kwargs):
    import os

    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        return [
            Warning(
                "SECRET_KEY is not set; the portal uses a key generated into var/secret_key.",
                id="certification.W001",
            )
        ]
    return []
