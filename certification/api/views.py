"""REST API: thin adapters over ``certification.access`` (reads) and ``certification.services``."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from certification import access, selectors, services, uploads
from certification.api.serializers import (
    AuditEventSerializer,
    DatasetSerializer,
    DatasetUploadSerializer,
    DecisionSerializer,
    LabSerializer,
    ProductSerializer,
    SubmissionSerializer,
    WithdrawalSerializer,
)
from certification.csvfile import CsvRenderer, ErrorsAsJson, csv_lines
from certification.exceptions import InvalidInput, NotPermitted
from certification.filters import AuditEventFilter
from certification.models import Dataset
from certification.responses import TEMPLATE_FORMATS, evidence_response, template_response
from certification.vocabulary import SHEET_KINDS


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    filterset_fields = ["electrolyte_family", "conducting_ion", "model_number"]

    def get_queryset(self):
        return access.products_visible_to(self.request.user).select_related("manufacturer")

    def create(self, request, *args, **kwargs):
        if not access.can_register_products(request.user):
            raise NotPermitted(_("Only a manufacturer can register products."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(
            user=self.request.user, **serializer.validated_data
        )


class LabViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Accredited laboratories (valid today) that a manufacturer may assign."""

    serializer_class = LabSerializer

    def get_queryset(self):
        return access.labs_assignable_by(self.request.user)


def _require_auditor(user) -> None:
    if not access.can_audit(user):
        raise NotPermitted(_("Only regulators and the certification body read the audit trail."))


class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubmissionSerializer
    filterset_fields = ["status", "claimed_class", "product"]

    def get_queryset(self):
        visible = access.submissions_visible_to(self.request.user)
        if self.action == "audit":
            # The trail is read by its own selector; of the submission, only its visibility counts.
            return visible
        return selectors.submissions_for_listing(visible)

    def create(self, request, *args, **kwargs):
        if not access.can_register_products(request.user):
            raise NotPermitted(_("Only a manufacturer can open submissions."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.submission_create(
            user=self.request.user,
            product=data["product"],
            claimed_class=data["claimed_class"],
            lab=data["lab"],
        )

    @extend_schema(request=None, responses={202: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = self.get_object()
        services.submission_submit(user=request.user, submission=submission)
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=DecisionSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decision(self, request, pk=None):
        """A reviewer approves, rejects or returns the submission, with a written reason."""
        submission = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.submission_decide(
            user=request.user,
            submission=submission,
            decision=form.validated_data["decision"],
            reason=form.validated_data["reason"],
        )
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(SubmissionSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def audit(self, request, pk=None):
        """Every recorded event of this submission, oldest first (regulator, certification body)."""
        submission = self.get_object()
        _require_auditor(request.user)
        return Response({"events": selectors.audit_trail(submission)})

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def reproduce(self, request, pk=None):
        """Re-run the latest finished evaluation from the stored files and rule set text."""
        submission = self.get_object()  # the service says who may re-run it
        return Response(services.evaluation_reproduce(user=request.user, submission=submission))

    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": DatasetUploadSerializer},
        responses={201: DatasetSerializer, 202: DatasetSerializer},
    )
    @extend_schema(methods=["get"], responses={200: DatasetSerializer(many=True)})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=DatasetUploadSerializer,
        # A submission's files are a plain list (a few per submission), not a filtered page.
        pagination_class=None,
        filter_backends=[],
    )
    def datasets(self, request, pk=None):
        submission = self.get_object()
        if request.method == "GET":
            datasets = submission.datasets.select_related("uploaded_by", "organisation")
            return Response(DatasetSerializer(datasets, many=True).data)
        form = DatasetUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        dataset = services.dataset_upload(
            user=request.user,
            submission=submission,
            kind=form.validated_data["kind"],
            upload=form.validated_data["file"],
        )
        # A raw instrument file is read by a worker: 202, and its parse_status tells how far.
        queued = dataset.parse_status != Dataset.ParseStatus.PARSED
        return Response(
            DatasetSerializer(dataset).data,
            status=status.HTTP_202_ACCEPTED if queued else status.HTTP_201_CREATED,
        )


class DatasetViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DatasetSerializer

    def get_queryset(self):
        return access.datasets_visible_to(self.request.user).select_related(
            "uploaded_by", "organisation"
        )

    @extend_schema(request=WithdrawalSerializer, responses={200: DatasetSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        # The service checks who may withdraw before it looks at the reason (403 before 400).
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        dataset = services.dataset_withdraw(
            user=request.user,
            dataset=self.get_object(),
            reason=reason if isinstance(reason, str) else "",
        )
        return Response(DatasetSerializer(dataset).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The numbers behind the file's chart: downsampled series (time in s) and their marks
        (the main discharge; the chamber's hold, band, limit, excursions and gaps)."""
        return Response(uploads.dataset_preview(self.get_object()))

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            409: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The stored file no longer matches the SHA-256 recorded at upload; "
                "nothing is served and the failed check is in the audit log.",
            ),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return evidence_response(self.get_object(), user=request.user)


class SheetTemplateView(APIView):
    """A blank result sheet with one example row, for each kind and format."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", enum=list(TEMPLATE_FORMATS), default="csv"),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, kind: str):
        file_format = request.query_params.get("file_format", "csv")
        if kind not in SHEET_KINDS:
            raise InvalidInput(
                f"Unknown sheet kind {kind!r}; expected one of {', '.join(SHEET_KINDS)}."
            )
        if file_format not in TEMPLATE_FORMATS:
            raise InvalidInput(f"Unknown file_format {file_format!r}; expected csv, xlsx or json.")
        return template_response(kind, file_format)


class DatasetKindsView(APIView):
    """The data kinds a submission accepts, and the columns of each result sheet."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "DatasetKinds", {"kinds": serializers.ListField(child=serializers.DictField())}
        )
    )
    def get(self, request):
        from certification.parsers.sheets.columns import COLUMNS

        kinds = []
        for value, label in Dataset.Kind.choices:
            entry = {"kind": value, "label": str(label)}
            if value in COLUMNS:
                entry["columns"] = [
                    {"name": c.name, "required": c.required, "description": c.description}
                    for c in COLUMNS[value]
                ]
            kinds.append(entry)
        return Response({"kinds": kinds})


class AuditLogView(ErrorsAsJson, generics.ListAPIView):
    """Every recorded event of the portal, newest first (regulators, certification body).

    Narrow it with `action` (exact, or a prefix ending in a dot such as `certificate.`),
    `organisation` (of the user who acted), `manufacturer` (of the product concerned),
    `submission`, `certificate` (events naming it, and every event of its submission) and the
    days `from` and `to`, both inclusive, in the portal's time zone. An invalid filter is a 400.

    Send `Accept: text/csv` (or add `?format=csv`) for the whole filtered log as one CSV file,
    unpaginated and streamed: UTF-8 with a byte-order mark, header in the request's language,
    full hashes and the detail as JSON; a cell starting with `=`, `+`, `-`, `@`, a tab or a
    carriage return gets a leading apostrophe so that no spreadsheet runs it.
    """

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the filters
            return access.audit_events_visible_to(None)
        _require_auditor(self.request.user)
        return access.audit_events_visible_to(self.request.user)

    @extend_schema(
        responses={
            (200, "application/json"): AuditEventSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The filtered log as a CSV file (Accept: text/csv)."
            ),
        }
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        events = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == CsvRenderer.format:
            return audit_csv_response(events)
        page = self.paginate_queryset(selectors.audit_log(events))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def audit_csv_response(events) -> StreamingHttpResponse:
    """The events as a CSV download, written while it is sent."""
    language = translation.get_language()

    def rows():
        # Written after the view has returned: keep the request's language for the labels.
        with translation.override(language):
            yield from selectors.audit_csv_rows(events)

    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    response = StreamingHttpResponse(
        csv_lines(selectors.audit_csv_header(), rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
