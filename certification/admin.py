"""Django admin for the certification body's staff. Records of evidence and decisions are
read-only here: they change only through the services, which write the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from certification.models import (
    AuditEvent,
    Dataset,
    Evaluation,
    Organisation,
    Product,
    RuleSet,
    Submission,
    User,
)
from certification.services import audit


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "accreditation_number", "accreditation_valid_until"]
    list_filter = ["kind"]
    search_fields = ["name", "accreditation_number"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_active", "is_staff"]
    list_filter = ["role", "organisation__kind", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("organisation", "role")}),
    )

    def save_model(self, request, obj, form, change):
        """Every new account and every change of membership or role is audited (the admin
        runs this in the same transaction as the save)."""
        before = User.objects.filter(pk=obj.pk).values(*MEMBERSHIP).first() if change else None
        super().save_model(request, obj, form, change)
        after = {field: getattr(obj, field) for field in MEMBERSHIP}
        if before != after:
            audit(
                action="user.membership_changed" if change else "user.created",
                actor=request.user,
                object_type="user",
                object_id=obj.pk,
                before=before,
                after=after,
                username=obj.username,
            )


# Who someone is in the portal: their organisation, role, and the administrator flags.
MEMBERSHIP = ("organisation_id", "role", "is_active", "is_staff", "is_superuser")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["model_number", "name", "manufacturer", "electrolyte_family", "conducting_ion"]
    list_filter = ["electrolyte_family", "conducting_ion"]
    search_fields = ["model_number", "name", "manufacturer__name"]
    list_select_related = ["manufacturer"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "version",
        "standard_id",
        "effective_from",
        "effective_until",
        "first_used_at",
    ]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "claimed_class", "lab", "status", "attempt", "submitted_at"]
    list_filter = ["status", "claimed_class"]
    list_select_related = ["product", "lab"]


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "submission",
        "kind",
        "source",
        "organisation",
        "row_count",
        "uploaded_at",
    ]
    list_filter = ["kind", "source"]
    list_select_related = ["submission__product", "organisation"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "submission",
        "attempt",
        "status",
        "determined_class",
        "certifiable",
        "finished_at",
    ]
    list_filter = ["status", "determined_class", "certifiable"]
    list_select_related = ["submission__product"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "actor_organisation", "submission"]
    list_filter = ["action"]
    list_select_related = ["actor", "actor_organisation", "submission__product"]
