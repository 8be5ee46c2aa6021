"""API tokens and passwords: every change goes through a function here.

A token is ``ssb_`` and 43 random URL-safe characters; only its SHA-256 is stored, so a copy of
the database gives no usable token (the key has 256 bits of entropy: a plain hash is enough,
no salt or slow hash needed). Each token has a name, expires after ``API_TOKEN_DAYS`` and can be
revoked by its user; changing one's password revokes every token. Each change is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput, NotFound
from certification.models import ApiToken, User
from certification.services.common import audit

PREFIX = "ssb_"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _audit(action: str, user: User, **detail) -> None:
    audit(action=action, actor=user, object_type="user", object_id=user.pk, **detail)


def tokens_of(user: User):
    """The user's tokens still in force, newest first (the one access function)."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key, which is never shown again."""
    name = (name or "").strip() or _("API token of %(day)s") % {"day": timezone.localdate()}
    if len(name) > 100:
        raise InvalidInput(
            _("A token's name has at most 100 characters."),
            errors=[FieldError(_("At most 100 characters."), column="name")],
        )
    with transaction.atomic():
        token, key = token_create(
            user=user,
            name=name,
            expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
        )
        _audit("token.issued", user, token=token.pk, name=name)
    return token, key


def token_create(*, user: User, name: str, expires_at: dt.datetime) -> tuple[ApiToken, str]:
    """The token row and its key, nothing else: ``token_issue`` is the service (it checks the
    name and audits); test fixtures make their tokens here."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_sha256=key_digest(key),
        prefix=key[: len(PREFIX) + 6],
        expires_at=expires_at,
    )
    return token, key


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise NotFound(_("You have no such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            _audit("token.revoked", user, token=token.pk, name=token.name)
    return token


def tokens_revoke_all(*, user: User, reason: str) -> int:
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if count:
            _audit("token.revoked_all", user, count=count, reason=reason)
    return count


def password_change(*, user: User, old_password: str, new_password: str) -> int:
    """Change ``user``'s password (Django's validators apply) and revoke every token; returns
    how many tokens were revoked."""
    if not user.check_password(old_password or ""):
        raise InvalidInput(
            _("The current password is not right."),
            errors=[FieldError(_("The current password is not right."), column="old_password")],
        )
    try:
        validate_password(new_password or "", user=user)
    except ValidationError as exc:
        raise InvalidInput(
            _("The new password was refused: %(why)s") % {"why": " ".join(exc.messages)},
            errors=[FieldError(m, column="new_password") for m in exc.messages],
        ) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _audit("password.changed", user)
        return tokens_revoke_all(user=user, reason="password changed")


def token_in_force(key: str) -> ApiToken | None:
    """The token of ``key`` with its user and organisation, in one query, if in force."""
    if not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__organisation")
        .filter(key_sha256=key_digest(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is not None and (
        token.last_used_at is None or token.last_used_at < timezone.now() - dt.timedelta(minutes=5)
    ):
        # Roughly when it was last used, at most one write every five minutes.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
