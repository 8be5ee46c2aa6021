"""``/api/v1/account/``: the signed-in user's own e-mail address, notification choice and
e-mail language (``certification.preferences``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.exceptions import FieldError, InvalidInput
from certification.models import User
from certification.preferences import preferences_update

FIELDS = ("email", "notifications", "language")


class AccountSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(
        required=False, allow_blank=True, help_text="Empty: no e-mails at all."
    )
    notifications = serializers.ChoiceField(
        choices=User.Notifications.choices,
        required=False,
        help_text="Status changes of watched certificates: `immediate` (one e-mail per change), "
        "`digest` (one e-mail a day with the day's changes) or `none`.",
    )
    language = serializers.ChoiceField(
        choices=[("", "every portal language"), *settings.LANGUAGES],
        required=False,
        allow_blank=True,
        help_text="The language of your e-mails; empty: every portal language.",
    )


def _account(user: User) -> dict:
    return {
        "username": user.get_username(),
        "organisation": user.organisation.name if user.organisation_id else None,
        "email": user.email,
        "notifications": user.notifications,
        "language": user.language,
    }


class AccountView(APIView):
    """Your own account: read it, and change your e-mail address and notifications."""

    @extend_schema(summary="Your account", responses={200: AccountSerializer})
    def get(self, request):
        return Response(_account(request.user))

    @extend_schema(
        summary="Change your e-mail address, notifications or e-mail language",
        description="Only `email`, `notifications` and `language`; any other field is a 400 "
        "naming it. All or nothing: a 400 names every refused field and saves none.",
        request=AccountSerializer,
        responses={200: AccountSerializer},
    )
    def patch(self, request):
        data = request.data
        unknown = sorted(set(getattr(data, "keys", lambda: [])()) - set(FIELDS))
        if not hasattr(data, "keys") or unknown:
            errors = [
                FieldError(_("This field cannot be changed here."), column=name) for name in unknown
            ]
            raise InvalidInput(
                _("Only email, notifications and language can be changed."), errors=errors
            )
        serializer = AccountSerializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = preferences_update(user=request.user, **serializer.validated_data)
        return Response(_account(user))
