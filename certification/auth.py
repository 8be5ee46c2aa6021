"""Authentication that brings the user's organisation along in the same query.

Nearly every request asks ``user.organisation`` (``certification.access`` decides everything by
its kind); loading it with the user spares a query per request, for sessions and tokens alike.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


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


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``TokenAuthentication``; the token's user comes with its organisation."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__organisation").get(key=key)
        except model.DoesNotExist:
            # DRF's own messages (and so its translations), as its base class raises them.
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
