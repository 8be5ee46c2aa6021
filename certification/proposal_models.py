"""The records of rule-set proposals (issue 8): the approvals that activate one and the impact
analyses that say what it would change. Part of ``certification.models``, which imports it at
its end; it imports nothing of ours (its foreign keys name their models), so no cycle."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RuleSetApproval(models.Model):
    """One approval of a proposed rule set by a person of the certification body (four eyes:
    the second, from someone else, activates it; ``certification.services.proposals``)."""

    ruleset = models.ForeignKey("RuleSet", on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            # A second approval by the same person never counts twice.
            models.UniqueConstraint(
                fields=["ruleset", "approver"], name="one_approval_per_person_per_ruleset"
            ),
            models.CheckConstraint(name="ruleset_approval_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"approval of {self.ruleset_id} by {self.approver_id}"


class RuleSetImpact(models.Model):
    """What a rule set would change: every current certificate's stored evidence re-evaluated
    under it by a worker, read-only. The row is the hand-off, as for evaluations (sent when, how
    often, leased until when); ``changes`` lists the certificates whose class, certifiability or
    permitted labels would differ (and those that could not be re-read), ``counts`` the totals."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ERROR = "error", _("Error")

    ruleset = models.ForeignKey("RuleSet", on_delete=models.PROTECT, related_name="impact_analyses")
    requested_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    examined = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="impact_progress_percent", condition=Q(progress__lte=100)),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="impact_owed",
                condition=Q(status__in=["queued", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"impact of {self.ruleset_id} ({self.status})"
