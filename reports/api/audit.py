"""The audit log's signed checkpoints in the API: anyone reads them; the certification body and
regulators publish one on demand (POST)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.api.pagination import Pagination
from certification.exceptions import NotFound
from reports import audit_checkpoints
from reports.models import AuditCheckpoint

_FIELDS = {
    "id": serializers.IntegerField(),
    "type": serializers.CharField(),
    "v": serializers.IntegerField(),
    "log": serializers.URLField(),
    "event_count": serializers.IntegerField(),
    "head_hash": serializers.CharField(help_text="SHA-256 of the last event, hex."),
    "at": serializers.CharField(help_text="UTC, whole seconds."),
    "kid": serializers.CharField(),
    "jws": serializers.CharField(help_text="The signed statement: EdDSA compact JWS."),
}
Checkpoint = inline_serializer("AuditCheckpoint", _FIELDS)


class CheckpointListView(APIView):
    """Every published checkpoint, newest first (GET, public); publish one now (POST: the
    certification body and regulators; 201 with the checkpoint)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="audit_checkpoints_list",
        responses={
            200: inline_serializer(
                "AuditCheckpointPage",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": inline_serializer("AuditCheckpoint", _FIELDS, many=True),
                },
            )
        },
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(audit_checkpoints.checkpoints(), request, view=self)
        return paginator.get_paginated_response([audit_checkpoints.document(c) for c in page])

    @extend_schema(
        request=None,
        responses={
            201: Checkpoint,
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not the certification body or a regulator."),
        },
    )
    def post(self, request):
        checkpoint = audit_checkpoints.checkpoint_publish(user=request.user)
        return Response(audit_checkpoints.document(checkpoint), status=status.HTTP_201_CREATED)


class CheckpointLatestView(APIView):
    """The newest checkpoint (public): keep it to check the log later."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: Checkpoint, 404: OpenApiResponse(description="None yet.")})
    def get(self, request):
        checkpoint = audit_checkpoints.latest()
        if checkpoint is None:
            raise NotFound(_("No checkpoint has been published yet."))
        return Response(audit_checkpoints.document(checkpoint))


class CheckpointDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: Checkpoint, 404: OpenApiResponse(description="No such id.")})
    def get(self, request, pk: int):
        checkpoint = AuditCheckpoint.objects.filter(pk=pk).first()
        if checkpoint is None:
            raise NotFound(_("No such checkpoint."))
        return Response(audit_checkpoints.document(checkpoint))
