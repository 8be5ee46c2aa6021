"""Authentication that brings the user's organisation along in the same query.

Tokens are the portal's own (``certification.tokens``: named, hashed, expiring, revocable).
Nearly every request asks ``user.organisation`` (``certification.access`` decides everything by
its kind); loading it with the user spares a query per request, for sessions and tokens alike.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from certification import tokens


def _users():
    return get_user_model()._default_manager.select_related("organisation")


class OrganisationModelBackend(ModelBackend):
    """Django's ``ModelBackend``; the session's user comes with its organisation."""

    def get_user(self, user_id):
        user = _users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user = await _users().filter(pk=user_id).afirst()
        return user if user is not None and self.user_can_authenticate(user) else None


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` with the portal's named, expiring, revocable tokens
    (``certification.tokens``); the user comes with its organisation in the same query."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        token = tokens.token_in_force(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)

    def authenticate_header(self, request):
        return self.keyword
