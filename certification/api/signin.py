"""Signing in to the API and managing one's own tokens and password.

``POST /api/v1/auth/token/`` takes a username and password (and an optional token name) and
answers a new named, expiring token (``certification.tokens``), under the same sign-in limit as
the login page (``certification.signin``). A signed-in user lists and revokes their tokens and
changes their password, which revokes every token.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certification import signin, tokens
from certification.api.parsers import StrictJSONParser
from certification.models import ApiToken


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key; shown only now.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


def _issued(token: ApiToken, key: str) -> dict:
    return {"token": key, "id": token.pk, "name": token.name, "expires_at": token.expires_at}


class TokenView(APIView):
    """Sign in: a new API token (named if you give `name`), valid `API_TOKEN_DAYS` days."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=SignInSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many failed sign-ins; wait Retry-After."),
        },
    )
    def post(self, request):
        form = SignInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username = form.validated_data["username"]
        remaining = signin.lockout_remaining(
            username=username, address=signin.client_address(request)
        )
        if remaining is not None:
            raise Throttled(wait=remaining, detail=signin.locked_message(remaining))
        user = authenticate(
            request=request._request, username=username, password=form.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        signin.record_success(username=username)
        token, key = tokens.token_issue(user=user, name=form.validated_data.get("name", ""))
        return Response(_issued(token, key))


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens in force (never their keys); make a named one; revoke one."""

    serializer_class = ApiTokenSerializer
    pagination_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return tokens.tokens_of(self.request.user)

    @extend_schema(
        request=serializers.Serializer,
        responses={201: IssuedTokenSerializer},
        description="A new named token for the signed-in user; the key is shown only now.",
    )
    def create(self, request):
        name = request.data.get("name", "") if isinstance(request.data, dict) else ""
        token, key = tokens.token_issue(user=request.user, name=str(name))
        return Response(_issued(token, key), status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        tokens.token_revoke(user=request.user, token_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change your password; every API token of yours is revoked."""

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: OpenApiResponse(description="Changed; the tokens revoked are counted."),
            400: OpenApiResponse(description="Wrong current password, or a weak new one."),
        },
    )
    def post(self, request):
        form = PasswordChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        revoked = tokens.password_change(user=request.user, **form.validated_data)
        return Response({"tokens_revoked": revoked})
