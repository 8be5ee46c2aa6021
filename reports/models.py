"""Certificates, their lifecycle, and the automakers' watchlists and webhooks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    number = models.CharField(_("number"), max_length=32, unique=True)
    submission = models.OneToOneField(
        "certification.Submission", on_delete=models.PROTECT, related_name="certificate"
    )
    evaluation = models.ForeignKey(
        "certification.Evaluation", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "certification.Product", on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        "certification.Organisation", on_delete=models.PROTECT, related_name="certificates"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    valid_from = models.DateField()
    expires_on = models.DateField()
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Everything printed on the certificate, frozen at issue (product, class, labels, criteria...).
    content = models.JSONField()
    pdf = models.FileField(upload_to="certificates/%Y/", max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    credential_jws = models.TextField(help_text="The signed credential (compact JWS, EdDSA).")

    class Meta:
        ordering = ["-issued_at", "-id"]
        # A certificate PDF someone was sent is checked by its SHA-256 (reports.verification).
        indexes = [models.Index(fields=["pdf_sha256"], name="certificate_pdf_sha256")]
        constraints = [
            models.CheckConstraint(
                name="certificate_dates_ordered", condition=Q(expires_on__gt=models.F("valid_from"))
            ),
            models.CheckConstraint(
                name="superseded_names_successor",
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CertificateEvent(models.Model):
    """Each change of a certificate's status: who, when, why. Also the hand-off to notifications."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=Certificate.Status.choices)
    actor = models.ForeignKey(
        "certification.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # When the watchers' notifications were created; None while that is still owed (the sweep
    # hands an event whose notify message was lost to the workers again).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["at"], name="event_not_notified", condition=Q(notified_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '-'} -> {self.to_status}"


class CertificateCounter(models.Model):
    """The last number issued per year; locked while a number is taken so numbers never repeat."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class WatchedCertificate(models.Model):
    """An automaker's watchlist entry for a supplier's certificate."""

    organisation = models.ForeignKey(
        "certification.Organisation", on_delete=models.CASCADE, related_name="watchlist"
    )
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="watchers")
    added_by = models.ForeignKey("certification.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "certificate"], name="watch_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} watches {self.certificate_id}"


class WebhookEndpoint(models.Model):
    """Where an automaker wants status changes posted, signed with its own secret (HMAC-SHA256)."""

    organisation = models.ForeignKey(
        "certification.Organisation", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class Notification(models.Model):
    """One message about one certificate event to one watcher, by email or webhook; retried."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # None for a test event an automaker sent to one of its webhooks (``delivery.webhook_test``).
    event = models.ForeignKey(
        CertificateEvent,
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "certification.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    webhook = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The last attempt and the HTTP status it got (None: no answer, or not a webhook): the
    # endpoint's delivery log.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # When the next attempt should run (now at creation, later after a failed attempt); a pending
    # notification well past it was lost by the broker and is sent again by the sweep.
    due_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["due_at"], name="notification_due", condition=Q(status="pending")),
            # An endpoint's delivery log, newest first.
            models.Index(fields=["webhook", "-id"], name="notification_webhook_log"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation", "channel", "webhook"],
                name="notify_once",
                nulls_distinct=False,
                condition=Q(event__isnull=False),
            ),
            # Only a webhook is sent a test event (which has no certificate event).
            models.CheckConstraint(
                name="test_event_is_a_webhook",
                condition=Q(event__isnull=False) | Q(channel="webhook", webhook__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} for event {self.event_id}"

    @property
    def is_test(self) -> bool:
        return self.event_id is None


class AuditCheckpoint(models.Model):
    """A signed statement of the audit log's length and head hash (``reports.audit_checkpoints``,
    docs/AUDIT.md): whoever keeps one can later prove the history up to it was not rewritten."""

    class Origin(models.TextChoices):
        SCHEDULE = "schedule", _("Hourly")
        REQUEST = "request", _("On request")

    event_count = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    kid = models.CharField(max_length=40)
    jws = models.TextField()
    origin = models.CharField(max_length=16, choices=Origin.choices)
    requested_by = models.ForeignKey(
        "certification.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="checkpoint_count_not_negative", condition=Q(event_count__gte=0)
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_count} events at {self.at:%Y-%m-%d %H:%M}"


# The status lists' table lives in a module of its own (reports.status_list).
from reports.status_list_models import StatusListEntry  # noqa: E402, F401
