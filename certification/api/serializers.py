from __future__ import annotations

from rest_framework import serializers

from certification import selectors
from certification.models import BatteryClass, Dataset, Organisation, Product, Submission


class ProductSerializer(serializers.ModelSerializer):
    manufacturer = serializers.CharField(source="manufacturer.name", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "manufacturer",
            "model_number",
            "name",
            "electrolyte_family",
            "conducting_ion",
            "rated_capacity_ah",
            "nominal_voltage_v",
            "rated_energy_wh",
            "max_continuous_power_w",
            "cell_mass_g",
            "declared_liquid_electrolyte_pct",
            "created_at",
        ]
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
            "withdrawn_at",
        ]
        read_only_fields = fields


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
