"""``POST /api/v1/auth/token/``: DRF's token endpoint with the sign-in limit of the login page
(``certification.signin``) and the API's strict JSON parser."""

from __future__ import annotations

from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser

from certification import signin
from certification.api.parsers import StrictJSONParser


class SignInTokenSerializer(AuthTokenSerializer):
    def validate(self, attrs):
        request = self.context.get("request")
        username = attrs.get("username", "")
        remaining = signin.lockout_remaining(
            username=username, address=signin.client_address(request)
        )
        if remaining is not None:
            raise Throttled(wait=remaining, detail=signin.locked_message(remaining))
        attrs = super().validate(attrs)
        signin.record_success(username=username)
        return attrs


class TokenView(ObtainAuthToken):
    serializer_class = SignInTokenSerializer
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]
