"""A certificate's places in the W3C Bitstring Status Lists (``reports.status_list``).

Imported at the end of ``reports.models``; kept apart so the status lists' one table reads on
its own. Foreign keys by name: this module imports nothing of ours.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Entries per list: the W3C minimum (Bitstring Status List v1.0, "minimumNumberOfEntries"), so
# that one index says nothing about how many credentials were issued or when.
LIST_LENGTH = 131_072


class StatusListEntry(models.Model):
    """One index of one status list, given to one certificate for one purpose, for good.

    An index is chosen at random among the list's free ones and never given again: the row is
    never updated nor deleted (a trigger refuses both, migration reports/0010), and a unique
    constraint holds each (purpose, list, index) once. A credential carries the index for ever,
    so a reused index would show another certificate's status.
    """

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    certificate = models.ForeignKey(
        "reports.Certificate", on_delete=models.PROTECT, related_name="status_entries"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    # Lists are numbered from 1 per purpose; a new one opens when the last is full.
    list_number = models.PositiveIntegerField()
    list_index = models.PositiveIntegerField()
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "list_number", "list_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "list_number", "list_index"], name="status_index_once"
            ),
            models.UniqueConstraint(
                fields=["certificate", "purpose"], name="status_entry_per_purpose"
            ),
            models.CheckConstraint(
                name="status_index_in_list",
                condition=Q(list_index__lt=LIST_LENGTH) & Q(list_number__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.list_number}#{self.list_index} -> {self.certificate_id}"
