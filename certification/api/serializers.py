from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from certification import selectors, uploads
from certification.models import (
    AuditEvent,
    BatteryClass,
    Dataset,
    Organisation,
    Product,
    Submission,
)
from certification.services import PRODUCT_FIELDS


class ProductSerializer(serializers.ModelSerializer):
    manufacturer = serializers.CharField(source="manufacturer.name", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "manufacturer", *PRODUCT_FIELDS, "created_at"]
        read_only_fields = ["id", "manufacturer", "created_at"]
        # Uniqueness per manufacturer is checked by the service, which knows the manufacturer.
        validators = []

    def validate_declared_liquid_electrolyte_pct(self, value):
        if value is not None and not (0 <= value <= 100):
            raise serializers.ValidationError("Must be between 0 and 100 %.")
        return value


class LabSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "accreditation_number",
            "accreditation_scope",
            "accreditation_valid_from",
            "accreditation_valid_until",
        ]


class DatasetSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "kind",
            "source",
            "organisation",
            "uploaded_by",
            "uploaded_at",
            "original_name",
            "size_bytes",
            "sha256",
            "file_format",
            "encoding",
            "row_count",
            "summary",
            "parse_status",
            "parse_progress",
            "parse_rows",
            "parse_error",
            "parse_error_line",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = fields

    parse_error = serializers.SerializerMethodField()

    def get_parse_error(self, dataset: Dataset) -> str:
        """Why the parser refused the file, in the request's language."""
        return uploads.parse_error_text(dataset)


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class DatasetUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Dataset.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)


class SubmissionSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.none())
    lab = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    claimed_class = serializers.ChoiceField(choices=BatteryClass.choices)
    product_model_number = serializers.CharField(source="product.model_number", read_only=True)
    manufacturer = serializers.CharField(source="product.manufacturer.name", read_only=True)
    lab_name = serializers.CharField(source="lab.name", read_only=True)
    evaluation = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "product",
            "product_model_number",
            "manufacturer",
            "claimed_class",
            "lab",
            "lab_name",
            "status",
            "attempt",
            "created_at",
            "submitted_at",
            "evaluation",
            "decisions",
            "certificate",
        ]
        read_only_fields = ["id", "status", "attempt", "created_at", "submitted_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from certification import access

            # A product or lab outside these sets answers "does not exist", whatever its id.
            self.fields["product"].queryset = access.products_visible_to(request.user)
            self.fields["lab"].queryset = access.labs_assignable_by(request.user)

    def get_evaluation(self, submission) -> dict | None:
        evaluation = selectors.latest_evaluation(submission)
        return selectors.evaluation_as_dict(evaluation) if evaluation else None

    def get_decisions(self, submission) -> list[dict]:
        return [
            {
                "attempt": d.evaluation.attempt,
                "reviewer": d.reviewer.get_full_name() or d.reviewer.username,
                "decision": d.decision,
                "reason": d.reason,
                "decided_at": d.decided_at,
            }
            for d in selectors.decisions_of(submission)
        ]

    def get_certificate(self, submission) -> dict | None:
        certificate = selectors.certificate_of(submission)
        return selectors.certificate_summary(certificate) if certificate else None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "return"])
    reason = serializers.CharField(max_length=5000, trim_whitespace=True)


class AuditFactsSerializer(serializers.Serializer):
    """The key facts of an event's detail, in the request's language; hashes in full."""

    reason = serializers.CharField(required=False)
    decision = serializers.CharField(required=False, help_text="The decision, in words.")
    attempt = serializers.IntegerField(required=False)
    kind = serializers.CharField(required=False, help_text="The kind of data, in words.")
    determined_class = serializers.CharField(required=False)
    sha256 = serializers.CharField(required=False)
    pdf_sha256 = serializers.CharField(required=False)
    identical = serializers.BooleanField(required=False)


class AuditEventSerializer(serializers.ModelSerializer):
    """One event of the portal-wide audit log."""

    action_label = serializers.SerializerMethodField(help_text="The action in words.")
    actor = serializers.CharField(
        source="actor.username", default=None, help_text="Username; null for the portal itself."
    )
    actor_name = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    product = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField(help_text="Certificate number, if any.")
    facts = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "action",
            "action_label",
            "actor",
            "actor_name",
            "organisation",
            "submission",
            "product",
            "certificate",
            "facts",
            "object_type",
            "object_id",
            "before",
            "after",
            "reason",
            "detail",
            "seq",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_action_label(self, event) -> str:
        return selectors.audit_action_label(event.action)

    def get_actor_name(self, event) -> str | None:
        return selectors.audit_actor_name(event) or None

    @extend_schema_field(
        inline_serializer(
            "AuditOrganisation",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            allow_null=True,
        )
    )
    def get_organisation(self, event) -> dict | None:
        org = event.actor_organisation
        return {"id": org.pk, "name": org.name} if org else None

    @extend_schema_field(
        inline_serializer(
            "AuditProduct",
            {
                "id": serializers.IntegerField(),
                "model_number": serializers.CharField(),
                "manufacturer": inline_serializer(
                    "AuditManufacturer",
                    {"id": serializers.IntegerField(), "name": serializers.CharField()},
                ),
            },
            allow_null=True,
        )
    )
    def get_product(self, event) -> dict | None:
        product = event.product
        if product is None:
            return None
        maker = product.manufacturer
        return {
            "id": product.pk,
            "model_number": product.model_number,
            "manufacturer": {"id": maker.pk, "name": maker.name},
        }

    def get_certificate(self, event) -> str | None:
        return selectors.audit_certificate_number(event)

    @extend_schema_field(AuditFactsSerializer)
    def get_facts(self, event) -> dict:
        return selectors.audit_facts(event)
