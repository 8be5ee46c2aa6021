"""Who does what, and the records of a certification.

State changes go through ``certification.services``; these classes hold data and the
invariants the database can enforce itself (choices, checks, uniqueness).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification import vocabulary


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MANUFACTURER = "manufacturer", _("Manufacturer")
        TEST_LAB = "test_lab", _("Test laboratory")
        CERTIFICATION_BODY = "certification_body", _("Certification body")
        AUTOMAKER = "automaker", _("Automaker")
        REGULATOR = "regulator", _("Regulator")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Accreditation of a test laboratory (CNAS or equivalent): number, scope and validity.
    accreditation_number = models.CharField(_("accreditation number"), max_length=64, blank=True)
    accreditation_scope = models.TextField(_("accreditation scope"), blank=True)
    accreditation_valid_from = models.DateField(_("accredited from"), null=True, blank=True)
    accreditation_valid_until = models.DateField(_("accredited until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="lab_has_accreditation",
                condition=~Q(kind="test_lab")
                | (~Q(accreditation_number="") & Q(accreditation_valid_from__isnull=False)),
            ),
            models.CheckConstraint(
                name="accreditation_dates_ordered",
                condition=Q(accreditation_valid_until__isnull=True)
                | Q(accreditation_valid_from__isnull=True)
                | Q(accreditation_valid_until__gte=models.F("accreditation_valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accreditation_valid_on(self, day: dt.date) -> bool:
        if not self.accreditation_number or self.accreditation_valid_from is None:
            return False
        if day < self.accreditation_valid_from:
            return False
        return self.accreditation_valid_until is None or day <= self.accreditation_valid_until


class User(AbstractUser):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        REVIEWER = "reviewer", _("Reviewer")
        ADMIN = "admin", _("Organisation administrator")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Notifications(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately, one e-mail per status change")
        DIGEST = "digest", _("Once a day, one e-mail with the day's changes")
        NONE = "none", _("No e-mails")

    # How the user hears of status changes of the certificates the organisation watches.
    notifications = models.CharField(
        _("notifications"),
        max_length=16,
        choices=Notifications.choices,
        default=Notifications.IMMEDIATE,
    )
    # The language of the user's e-mails ("" until chosen: the portal's default language).
    language = models.CharField(
        _("language of e-mails"), max_length=16, choices=settings.LANGUAGES, blank=True
    )
    # The end of the period the last daily digest covered (reports.digest).
    digest_through = models.DateTimeField(null=True, blank=True)

    @property
    def org_kind(self) -> str | None:
        return self.organisation.kind if self.organisation_id else None


def _choices(name: str, codes: vocabulary.Vocabulary) -> type[models.TextChoices]:
    """TextChoices whose values and labels are the vocabulary's (one definition of each code)."""
    members = [(code.upper(), (code, _(label))) for code, label in codes.items()]
    return models.TextChoices(name, members)


ElectrolyteFamily = _choices("ElectrolyteFamily", vocabulary.ELECTROLYTE_FAMILIES)
ConductingIon = _choices("ConductingIon", vocabulary.CONDUCTING_IONS)
BatteryClass = _choices("BatteryClass", vocabulary.CLASSES)


def _positive(field_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=f"product_{field_name}_positive", condition=Q(**{f"{field_name}__gt": 0})
    )


class Product(models.Model):
    """A cell model registered by its manufacturer."""

    manufacturer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("manufacturer"),
    )
    model_number = models.CharField(_("model number"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    electrolyte_family = models.CharField(
        _("electrolyte family"), max_length=16, choices=ElectrolyteFamily.choices
    )
    conducting_ion = models.CharField(
        _("conducting ion"), max_length=16, choices=ConductingIon.choices
    )
    rated_capacity_ah = models.DecimalField(
        _("rated capacity (Ah)"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    nominal_voltage_v = models.DecimalField(
        _("nominal voltage (V)"),
        max_digits=8,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    rated_energy_wh = models.DecimalField(
        _("rated energy (Wh)"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    max_continuous_power_w = models.DecimalField(
        _("maximum continuous power (W)"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    cell_mass_g = models.DecimalField(
        _("cell mass (g)"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    declared_liquid_electrolyte_pct = models.DecimalField(
        _("declared liquid electrolyte (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    created_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model_number"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model_number"], name="unique_model_per_maker"
            ),
            _positive("rated_capacity_ah"),
            _positive("nominal_voltage_v"),
            _positive("rated_energy_wh"),
            _positive("max_continuous_power_w"),
            _positive("cell_mass_g"),
            models.CheckConstraint(
                name="product_declared_pct_in_range",
                condition=Q(declared_liquid_electrolyte_pct__isnull=True)
                | Q(
                    declared_liquid_electrolyte_pct__gte=0, declared_liquid_electrolyte_pct__lte=100
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_number} — {self.name}"


class RuleSet(models.Model):
    """A versioned rule set: loaded from ``certification/rulesets/*.toml`` (active, immutable once
    used), or uploaded in the portal as a proposal (immutable; never in force until two people of
    the certification body approved it: ``certification.services.proposals``)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PROPOSED = "proposed", _("Proposed")

    code = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    standard_id = models.CharField(max_length=100)
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True)
    source_text = models.TextField(help_text="The TOML file as loaded, byte for byte.")
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    first_used_at = models.DateTimeField(null=True, blank=True)
    # A proposal: who uploaded it, when, and when the second approval activated it.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    proposed_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_ruleset_version"),
            models.CheckConstraint(
                name="ruleset_proposal_has_proposer",
                condition=~Q(status="proposed")
                | (Q(proposed_at__isnull=False) & Q(proposed_by__isnull=False)),
            ),
            models.CheckConstraint(
                name="ruleset_proposal_unused",
                condition=~Q(status="proposed") | Q(first_used_at__isnull=True),
            ),
            models.CheckConstraint(
                name="ruleset_activation_of_a_proposal",
                condition=Q(activated_at__isnull=True)
                | (Q(status="active") & Q(proposed_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        EVALUATING = "evaluating", _("Evaluating")
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
        RETURNED = "returned", _("Returned for more data")
        EVALUATION_FAILED = "evaluation_failed", _("Evaluation failed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="submissions")
    claimed_class = models.CharField(
        _("claimed class"), max_length=32, choices=BatteryClass.choices
    )
    lab = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="assigned_submissions",
        verbose_name=_("test laboratory"),
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    # How many times it was submitted; each submission is evaluated exactly once.
    attempt = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["lab", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="submitted_has_attempt",
                condition=Q(status="draft") | Q(attempt__gte=1),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.product.model_number}"


class Dataset(models.Model):
    """A file uploaded to a submission: a result sheet, raw instrument data, or a test report."""

    class Kind(models.TextChoices):
        WEIGHT_LOSS = "weight_loss", _("Vacuum weight loss (result sheet)")
        ELECTROLYTE_CONTENT = "electrolyte_content", _("Liquid electrolyte content (result sheet)")
        ENERGY_DENSITY = "energy_density", _("Energy density (result sheet)")
        SAFETY = "safety", _("Abuse safety (result sheet)")
        CYCLER = "cycler", _("Cycler time series (raw data)")
        CHAMBER_LOG = "chamber_log", _("Vacuum chamber log (raw data)")
        TEST_REPORT = "test_report", _("Test report (PDF)")

    Source = _choices("Source", vocabulary.EVIDENCE_SOURCES)

    class ParseStatus(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        PARSING = "parsing", _("Being read")
        PARSED = "parsed", _("Read")
        REJECTED = "rejected", _("Refused")

    SHEET_KINDS = vocabulary.SHEET_KINDS.codes
    RAW_KINDS = vocabulary.RAW_KINDS.codes

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="datasets")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="uploads")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=16)
    encoding = models.CharField(max_length=32, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    # What the charts draw (downsampled series and their marks); read only by the pictures.
    preview = models.JSONField(default=dict, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_reason = models.TextField(blank=True)
    # Raw instrument files are read by a worker after the upload (``services.dataset_parse``); the
    # row is the hand-off, as for evaluations: sent when, how often, leased until when.
    parse_status = models.CharField(
        max_length=16, choices=ParseStatus.choices, default=ParseStatus.PARSED
    )
    parse_progress = models.PositiveSmallIntegerField(default=100)
    parse_rows = models.PositiveBigIntegerField(default=0)
    parse_error = models.TextField(blank=True)
    parse_error_line = models.PositiveBigIntegerField(null=True, blank=True)
    parse_sent_at = models.DateTimeField(null=True, blank=True)
    parse_send_count = models.PositiveSmallIntegerField(default=0)
    parse_lease_expires_at = models.DateTimeField(null=True, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="dataset_sha256_hex", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
            models.CheckConstraint(
                name="dataset_parse_progress_percent", condition=Q(parse_progress__lte=100)
            ),
        ]
        indexes = [
            models.Index(
                name="dataset_parse_owed",
                fields=["parse_status", "uploaded_at"],
                condition=Q(parse_status__in=["queued", "parsing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def is_sheet(self) -> bool:
        return self.kind in self.SHEET_KINDS


class Evaluation(models.Model):
    """The result of evaluating one submitted attempt. Written once by the worker, then frozen."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ERROR = "error", _("Error")

    class Stage(models.TextChoices):
        """Where a queued or running evaluation is; ``stage_params`` fills the label."""

        QUEUED = "queued", _("Queued")
        WAITING_FOR_WORKERS = (
            "waiting_for_workers",
            _("Queued; the workers are unreachable, it will run when they are back"),
        )
        READING_EVIDENCE = "reading_evidence", _("Reading evidence")
        READING_FILE = "reading_file", _("Reading {name}")
        APPLYING_RULES = "applying_rules", _("Applying the rule set")
        DONE = "done", _("Done")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="evaluations")
    attempt = models.PositiveIntegerField()
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.QUEUED)
    stage_params = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    # The hand-off to the workers (certification/handoff.py): when the task was last sent to the
    # broker (None: never taken), how often, and until when a worker that started it holds it.
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    determined_class = models.CharField(max_length=32, choices=BatteryClass.choices, blank=True)
    certifiable = models.BooleanField(null=True)
    may_label_solid_state = models.BooleanField(null=True)
    claim_supported = models.BooleanField(null=True)
    classification_code = models.CharField(max_length=64, blank=True)
    # The whole outcome (criteria, flags, labels) exactly as the engine produced it.
    result = models.JSONField(default=dict, blank=True)
    # What was evaluated: every dataset with its SHA-256, and the rule set's hash.
    inputs = models.JSONField(default=list, blank=True)
    engine_version = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "attempt"], name="one_evaluation_per_attempt"
            ),
            models.CheckConstraint(name="progress_percent", condition=Q(progress__lte=100)),
        ]
        indexes = [
            # The sweep's query: the few evaluations still owed, oldest first.
            models.Index(
                fields=["queued_at"],
                name="evaluation_owed",
                condition=Q(status__in=["queued", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"evaluation of {self.submission_id} attempt {self.attempt}"


class ApiToken(models.Model):
    """A named API token of one user: only its SHA-256 is kept; it expires and can be revoked
    (``certification.tokens``). The key is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_sha256 = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # the key's first characters, to recognise it
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user_id}"


class AuditEvent(models.Model):
    """Append-only trail: who did what, when, to which record, with the details to audit it.

    Written only by ``services.audit``. The events form a hash chain (``certification.audit_chain``,
    docs/AUDIT.md): ``seq`` counts them without gaps, ``hash`` is the SHA-256 of the event's
    canonical form together with ``prev_hash``. On PostgreSQL a trigger refuses UPDATE, DELETE and
    TRUNCATE, and an insert that does not extend the chain at its head.
    """

    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Which other object (a certificate, webhook, watchlist entry, user, rule set ...), by type
    # and id or number; submission and product have their own columns.
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The audit log filters by action, exactly or by prefix (LIKE 'certificate.%'):
            # pattern ops serve both whatever the database's collation.
            models.Index(
                fields=["action"], name="auditevent_action_idx", opclasses=["varchar_pattern_ops"]
            ),
            # ...and by the certificate number a certificate action records in its detail.
            models.Index(KeyTransform("certificate", "detail"), name="auditevent_certificate_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="auditevent_seq_positive", condition=Q(seq__gte=1)),
            models.CheckConstraint(
                name="auditevent_hashes_hex",
                condition=Q(hash__regex=r"^[0-9a-f]{64}$") & Q(prev_hash__regex=r"^[0-9a-f]{64}$"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Decision(models.Model):
    """A reviewer's decision on one evaluated attempt (STANDARD.md section 7; four eyes)."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RETURN = "return", _("Return to the maker for more data")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="decisions")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey("User", on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            # A second approval by the same person never counts twice.
            models.UniqueConstraint(
                fields=["evaluation", "reviewer"],
                condition=Q(decision="approve"),
                name="one_approval_per_reviewer_per_evaluation",
            ),
            models.CheckConstraint(name="decision_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.decision} by {self.reviewer_id} on {self.submission_id}"


# The proposal records live in a module of their own (this one stays under 600 lines); imported
# here so that Django registers them with the app.
from certification.proposal_models import RuleSetApproval, RuleSetImpact  # noqa: E402, F401
