"""Watchlist and webhook API of automakers: thin adapters over ``reports.watchlist`` and
``reports.webhooks`` (watchlist and webhook writes, and who may see them)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from certification.api.parsers import StrictJSONParser
from certification.exceptions import FieldError, InvalidInput
from reports import delivery, watchlist, webhooks
from reports.api.verify import numbers_in
from reports.models import Notification, WebhookEndpoint


class IsAutomaker(BasePermission):
    message = gettext_lazy("Only automakers keep a watchlist and webhooks.")

    def has_permission(self, request, view):
        return watchlist.can_keep_watchlist(request.user)


class WatchSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WatchManySerializer(serializers.Serializer):
    numbers = serializers.ListField(
        child=serializers.CharField(), help_text="Up to 1,000 certificate numbers."
    )
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Kept with every certificate added (not with those already watched).",
    )


class WatchManyEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    note = serializers.CharField()
    added_at = serializers.DateTimeField()
    line = serializers.IntegerField(help_text="The first place in the list naming it, from 1.")
    outcome = serializers.ChoiceField(choices=["added", "already_watched"])
    certificate = serializers.DictField(
        help_text="Its public record with its live status, as GET /api/v1/verify/{number}/ "
        "answers it."
    )


class WatchManyAnswerSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already_watched = serializers.IntegerField()
    entries = WatchManyEntrySerializer(many=True)


class ProductFactsSerializer(serializers.Serializer):
    model_number = serializers.CharField()
    name = serializers.CharField()


class StatusChangeSerializer(serializers.Serializer):
    """A status change of a watched certificate (``watchlist.change_row``): public facts only."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    holder = serializers.CharField()
    product = ProductFactsSerializer()
    from_status = serializers.CharField(allow_null=True, help_text="None for the issue itself.")
    from_status_display = serializers.CharField(allow_null=True)
    to_status = serializers.CharField()
    to_status_display = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="The public reason, as verification shows it.")


class DeliverySerializer(serializers.Serializer):
    """One line of an endpoint's delivery log (``delivery.delivery_row``)."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    event = serializers.CharField(help_text="certificate.<status>, or webhook.test.")
    test = serializers.BooleanField()
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Notification.Status.choices)
    status_display = serializers.CharField()
    http_status = serializers.IntegerField(
        allow_null=True, help_text="What the receiver answered last; None when it did not answer."
    )
    attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_retry_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next attempt is due, while one is."
    )
    error = serializers.CharField()


class WatchlistViewSet(viewsets.GenericViewSet):
    """The organisation's watched certificates, each with its live status."""

    permission_classes = [IsAutomaker]
    serializer_class = WatchSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return watchlist.watchlist_of(self.request.user).order_by("-added_at", "-id")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().select_related("certificate"))
        return self.get_paginated_response(watchlist.watchlist_entries(page))

    def retrieve(self, request, pk=None):
        entries = watchlist.watchlist_entries(
            self.get_queryset().filter(pk=pk).select_related("certificate")
        )
        if not entries:
            raise exceptions.NotFound(_("This certificate is not on your watchlist."))
        return Response(entries[0])

    def create(self, request):
        serializer = WatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, created = watchlist.watch_add(user=request.user, **serializer.validated_data)
        body = watchlist.watchlist_entries([entry])[0]
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request, pk=None):
        watchlist.watch_remove(user=request.user, entry_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Recent status changes of watched certificates",
        description="Newest first, paginated: each change's certificate, product, statuses "
        "before and after, when, and the public reason.",
        responses={200: StatusChangeSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="changes")
    def changes(self, request):
        page = self.paginate_queryset(watchlist.watched_changes(request.user))
        rows = StatusChangeSerializer([watchlist.change_row(e) for e in page], many=True).data
        return self.get_paginated_response(rows)

    @extend_schema(
        summary="Watch many certificates at once",
        description=(
            "Up to 1,000 numbers, all or nothing: if any is not a certificate number or was "
            "never issued, nothing is added and the 400 (`code`: `numbers_rejected`) lists "
            "every such line in `errors` (`row` is its place in the list, from 1, and "
            "`message` the same words as the bulk verification). Otherwise the certificates "
            "are added in one transaction; those already watched keep their entry and note, "
            "and a number given twice counts once. A revoked, expired or withdrawn "
            "certificate is watched all the same; its entry gives its status. 201 when "
            "anything was added, 200 when every one was already watched."
        ),
        request=WatchManySerializer,
        responses={
            200: WatchManyAnswerSerializer,
            201: WatchManyAnswerSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=[StrictJSONParser])
    def bulk(self, request):
        numbers = numbers_in(request.data)
        note = request.data.get("note", "")
        if not isinstance(note, str) or len(note.strip()) > 200:
            message = _("The note is text of at most 200 characters.")
            raise InvalidInput(message, errors=[FieldError(message, column="note")])
        answer = watchlist.watch_add_many(user=request.user, numbers=numbers, note=note)
        code = status.HTTP_201_CREATED if answer["added"] else status.HTTP_200_OK
        return Response(answer, status=code)


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
        return webhooks.webhooks_of(self.request.user)

    def create(self, request):
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_create(user=request.user, **serializer.validated_data)
        return Response(
            {**WebhookSerializer(endpoint).data, "secret": secret}, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        serializer = WebhookSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_update(
            user=request.user, endpoint=endpoint, **serializer.validated_data
        )
        return Response(WebhookSerializer(endpoint).data)

    def perform_destroy(self, instance):
        webhooks.webhook_delete(user=self.request.user, endpoint=instance)

    @extend_schema(
        summary="The endpoint's delivery log",
        description="Every delivery to this endpoint, newest first, paginated: when, which "
        "event, the HTTP status the receiver answered, attempts and the next retry.",
        responses={200: DeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="deliveries")
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(delivery.deliveries_of(endpoint))
        rows = DeliverySerializer([delivery.delivery_row(n) for n in page], many=True).data
        return self.get_paginated_response(rows)

    @extend_schema(
        summary="Send a test event",
        description="Posts a `webhook.test` event to the endpoint now, once, through the same "
        "address checks and signing as real deliveries, and answers with its delivery as "
        "logged (`status` sent or failed, `http_status`, `error`). 400 if the endpoint is "
        "deactivated; 429 after 5 test events in a minute.",
        request=None,
        responses={201: DeliverySerializer, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path="test")
    def test(self, request, pk=None):
        endpoint = self.get_object()
        note = delivery.webhook_test(user=request.user, endpoint=endpoint)
        body = DeliverySerializer(delivery.delivery_row(note)).data
        return Response(body, status=status.HTTP_201_CREATED)
