"""The hand-offs ``reports`` makes to its own workers, by task name (``certification.handoff``
says why by name, and how a lost message is sent again)."""

from __future__ import annotations

from certification.handoff import HandOff

NOTIFY_WATCHERS = HandOff("reports.notify_watchers")
DELIVER_EMAIL = HandOff("reports.deliver_email")
DELIVER_WEBHOOK = HandOff("reports.deliver_webhook")
