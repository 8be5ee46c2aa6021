"""Certificates in the API: detail for those involved, public PDF and signed credential, status."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from certification.selectors import certificate_summary
from reports import access, services
from reports.documents import certificate_pdf
from reports.models import Certificate
from reports.selectors import certificates_with_events


class CertificateSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["number", "status", "summary", "content", "events"]

    def get_summary(self, certificate) -> dict:
        return certificate_summary(certificate)

    def get_events(self, certificate) -> list[dict]:
        return [
            {
                "from_status": e.from_status or None,
                "to_status": e.to_status,
                "at": e.at,
                "by": (e.actor.get_full_name() or e.actor.username) if e.actor else "portal",
                "reason": e.reason,
            }
            for e in certificate.events.all()
        ]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["suspended", "valid", "revoked", "withdrawn"])
    reason = serializers.CharField(max_length=5000)


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CertificateSerializer
    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z0-9\-]{1,32}"
    filterset_fields = ["status"]

    def get_queryset(self):
        return certificates_with_events(access.certificates_visible_to(self.request.user))

    @extend_schema(request=StatusChangeSerializer, responses={200: CertificateSerializer})
    @action(detail=True, methods=["post"], serializer_class=StatusChangeSerializer)
    def status(self, request, number=None):
        """Suspend, reinstate (valid), revoke or withdraw, with a written reason."""
        certificate = self.get_object()
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.certificate_change_status(
            user=request.user,
            certificate=certificate,
            new_status=form.validated_data["status"],
            reason=form.validated_data["reason"],
        )
        return Response(CertificateSerializer(self.get_queryset().get(pk=certificate.pk)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], permission_classes=[AllowAny], authentication_classes=[])
    def pdf(self, request, number=None):
        """The certificate PDF; once it is no longer valid, watermarked with its status."""
        certificate = get_object_or_404(Certificate, number=number)
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
        return response

    @extend_schema(responses={(200, "application/vc+jwt"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], permission_classes=[AllowAny], authentication_classes=[])
    def credential(self, request, number=None):
        """The signed credential (compact JWS, EdDSA); see docs/VERIFY_OFFLINE.md."""
        certificate = get_object_or_404(Certificate, number=number)
        response = HttpResponse(certificate.credential_jws, content_type="application/vc+jwt")
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
        return response
