"""Verification, watchlist and webhook API: thin adapters over ``reports.verification``
(reads) and ``reports.notifications`` (watchlist and webhook writes, and who may see them).

Verification is public and rate-limited per client address; a bulk check of up to 1,000
numbers counts once against its own, lower limit.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from certification.exceptions import InvalidInput
from reports import notifications, verification
from reports.models import WebhookEndpoint

# Used when settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] does not name the scope.
DEFAULT_RATES = {"verify": "120/min", "verify_bulk": "30/min"}


@functools.cache
def _redis_client(location: str):
    import redis

    return redis.Redis.from_url(location)


def _count_in_window(key: str, ttl_s: int) -> int:
    """Increment the request count under ``key`` (created with a ``ttl_s`` expiry); returns it.

    On Redis this is one round trip on a client kept per process: Django's RedisCache builds a
    new redis-py client for every operation, which costs more than the verification query.
    """
    config = settings.CACHES.get("default", {})
    location = config.get("LOCATION")
    if (
        config.get("BACKEND") == "django.core.cache.backends.redis.RedisCache"
        and isinstance(location, str)
        and "," not in location
    ):
        cache_key = cache.make_key(key)
        pipe = _redis_client(location).pipeline(transaction=False)
        pipe.set(cache_key, 0, ex=ttl_s, nx=True)
        pipe.incr(cache_key)
        return int(pipe.execute()[1])
    if cache.add(key, 1, ttl_s):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl_s)
        return 1


class VerifyRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (per user, or per client address for anonymous requests), counting
    in fixed windows: one counter increment per request, where DRF's sliding log rewrites the
    list of every request in the window. The rate is read on each request, so settings changes
    apply."""

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope, DEFAULT_RATES.get(self.scope))

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends = (window + 1) * self.duration
        return _count_in_window(f"{key}:{window}", self.duration + 1) <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.timer(), 0)


class VerifyThrottled(exceptions.Throttled):
    default_detail = gettext_lazy(
        "Too many verification requests from your address. To check many certificates at once, "
        "send them together: the bulk check answers up to 1,000 numbers in one request."
    )
    extra_detail_singular = gettext_lazy("Try again in {wait} second.")
    extra_detail_plural = gettext_lazy("Try again in {wait} seconds.")


class _PublicVerifyView(APIView):
    # No authentication: verification is public, and skipping token and session lookups keeps
    # the answer to one query. The throttle then keys on the client address.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]

    def throttled(self, request, wait):
        raise VerifyThrottled(wait=wait)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The status is live: no browser or proxy may keep an old answer.
        response["Cache-Control"] = "no-store"
        return response


class VerifyNumberView(_PublicVerifyView):
    """One certificate's public record and live status."""

    throttle_scope = "verify"

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}
    )
    def get(self, request, number: str):
        return Response(verification.verify_number(number))


class VerifyBulkView(_PublicVerifyView):
    """Up to 1,000 numbers in one request, each answered in order."""

    throttle_scope = "verify_bulk"
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer("VerifyBulk", {"numbers": serializers.ListField()}),
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        data = request.data
        numbers = data.get("numbers") if isinstance(data, dict) else None
        if not isinstance(numbers, list):
            raise InvalidInput(
                _('Send a JSON object with a list of certificate numbers: {"numbers": [...]}.')
            )
        if not numbers:
            raise InvalidInput(_("The list of numbers is empty."))
        return Response(verification.verify_many(numbers))


# --- watchlist and webhooks (automakers) ------------------------------------------------------


class IsAutomaker(BasePermission):
    message = gettext_lazy("Only automakers keep a watchlist and webhooks.")

    def has_permission(self, request, view):
        return notifications.can_keep_watchlist(request.user)


class WatchSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WatchlistViewSet(viewsets.GenericViewSet):
    """The organisation's watched certificates, each with its live status."""

    permission_classes = [IsAutomaker]
    serializer_class = WatchSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return notifications.watchlist_of(self.request.user).order_by("-added_at", "-id")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().select_related("certificate"))
        return self.get_paginated_response(notifications.watchlist_entries(page))

    def retrieve(self, request, pk=None):
        entries = notifications.watchlist_entries(
            self.get_queryset().filter(pk=pk).select_related("certificate")
        )
        if not entries:
            raise exceptions.NotFound(_("This certificate is not on your watchlist."))
        return Response(entries[0])

    def create(self, request):
        serializer = WatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, created = notifications.watch_add(user=request.user, **serializer.validated_data)
        body = notifications.watchlist_entries([entry])[0]
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request, pk=None):
        notifications.watch_remove(user=request.user, entry_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=500)
    # A form post without the box means "leave it on", as for a JSON body without the key.
    active = serializers.BooleanField(default=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Where status changes of watched certificates are POSTed, signed with the secret that is
    shown once, in the answer to the creation."""

    permission_classes = [IsAutomaker]
    serializer_class = WebhookSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return notifications.webhooks_of(self.request.user)

    def create(self, request):
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = notifications.webhook_create(
            user=request.user, **serializer.validated_data
        )
        return Response(
            {**WebhookSerializer(endpoint).data, "secret": secret}, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        serializer = WebhookSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = notifications.webhook_update(
            user=request.user, endpoint=endpoint, **serializer.validated_data
        )
        return Response(WebhookSerializer(endpoint).data)

    def perform_destroy(self, instance):
        notifications.webhook_delete(user=self.request.user, endpoint=instance)
