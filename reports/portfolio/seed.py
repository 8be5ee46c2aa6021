"""A portfolio of realistic shape for benchmarks (``manage.py seed_portfolio``): organisations,
products, submissions with one or two attempts, their evaluations (result JSON of the engine's
shape, a few kB each), the reviewers' decisions, certificates with their status changes, and the
audit events of all of it, chained as ``certification.services.append_events`` chains them.

Shapes: most products claim all-solid-state, some hybrid, a few liquid; about one claim in twelve
is not what the weight loss says; about one submission in ten is returned once and submitted
again; most evaluations finish, a few fail, a few are still queued; certifiable ones get two
approvals a few days later (log-normal), others a rejection; approved ones a certificate, some of
which are later suspended, reinstated, revoked or withdrawn. Times spread over two years.

Rows are written with PostgreSQL's COPY (ids reserved from each table's sequence first), so
100,000 evaluations and 1,000,000 events take minutes, not hours. Events are chained in time
order under the chain's advisory lock (``certification.audit_chain``): the append trigger checks
each one, and ``manage.py verify_audit`` walks the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable

import numpy as np
from django.db import connection, models
from django.utils import timezone

from certification import audit_chain
from certification.models import RuleSet

CLASSES = ("all_solid_state", "hybrid_solid_liquid", "liquid")
CLAIMED_P = (0.6, 0.3, 0.1)
# Highest weight loss (%) by the class a cell really is: uniform in these ranges.
LOSS_RANGE = {"all_solid_state": (0.02, 0.48), "hybrid_solid_liquid": (0.6, 8.0),
              "liquid": (10.0, 25.0)}  # fmt: skip
DAY_US = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")


# --- COPY -------------------------------------------------------------------------------------


def reserve_ids(model: type[models.Model], count: int) -> np.ndarray:
    """``count`` ids of ``model``'s table, taken from its sequence in one step (the seeding runs
    alone; nothing else inserts meanwhile)."""
    table = model._meta.db_table
    sql = (
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest((SELECT coalesce(max(id), 0) "  # noqa: S608
        f"FROM {table}), (SELECT last_value FROM {table}_id_seq)) + %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [table, count])
        last = cursor.fetchone()[0]
    return np.arange(last - count + 1, last + 1, dtype=np.int64)


def copy_rows(model: type[models.Model], rows: Iterable[dict], *, with_id: bool = True) -> int:
    """Write ``rows`` (field attname -> value) with COPY; fields left out take their default."""
    now = timezone.now()
    fields = [
        f for f in model._meta.concrete_fields if with_id or not f.primary_key
    ]  # the generated weight_loss_max_pct is no model field: PostgreSQL fills it
    names = [f.attname for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults: dict[str, Callable[[], object]] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = lambda: now
        else:
            defaults[f.attname] = f.get_default
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = []
                for name in names:
                    value = row[name] if name in row else defaults[name]()
                    if name in json_fields and value is not None:
                        value = json.dumps(value, ensure_ascii=False)
                    values.append(value)
                copy.write_row(values)
                count += 1
    return count


# --- shapes -----------------------------------------------------------------------------------


def evaluation_result(ruleset: RuleSet, claimed: str, determined: str, loss: float,
                      certifiable: bool, rng: np.random.Generator) -> dict:  # fmt: skip
    """An outcome in the engine's shape (criteria with samples, flags), about 3 kB."""
    samples = [
        {"sample_id": f"S-{i + 1:03d}", "dataset_ref": "dataset:1", "test_date": "2026-01-05",
         "mass_before_g": "350.00", "mass_after_g": f"{350 * (1 - loss / 100 * (1 - i / 10)):.2f}",
         "leakage": False, "conditions_met": True,
         "loss_pct": f"{loss * (1 - i / 10):.3f}"}
        for i in range(3)
    ]  # fmt: skip
    content = {"all_solid_state": 0.1, "hybrid_solid_liquid": 6.0, "liquid": 20.0}[determined]
    content_pct = f"{content * rng.uniform(0.8, 1.2):.2f}"
    energy = f"{rng.uniform(300, 480):.1f}"
    criteria = [
        {"code": "electrolyte_content", "outcome": "pass", "limit": "1", "comparator": "<=",
         "unit": "%", "measured": {"compared": "liquid_electrolyte_pct",
                                   "liquid_electrolyte_pct": content_pct,
                                   "sample_count": 3}},
        {"code": "weight_loss", "outcome": "pass" if loss <= 0.5 else "fail", "limit": "0.5",
         "comparator": "<=", "unit": "%",
         "measured": {"compared": "max_loss_pct", "sample_count": 3,
                      "max_loss_pct": f"{loss:.3f}",
                      "leakage_count": 0, "samples": samples, "ignored_rows": [],
                      "chamber_logs": []}},
        {"code": "energy_density", "outcome": "pass", "limit": "300", "comparator": ">=",
         "unit": "Wh/kg", "measured": {"compared": "min_energy_density_wh_per_kg",
                                       "min_energy_density_wh_per_kg": energy}},
        {"code": "safety.nail_penetration", "outcome": "pass", "limit": "0", "comparator": "<=",
         "unit": "", "measured": {"compared": "failed_count", "failed_count": 0}},
    ]  # fmt: skip
    return {
        "ruleset": {"code": ruleset.code, "version": ruleset.version},
        "verdict": "certifiable" if certifiable else "not_certifiable",
        "determined_class": determined,
        "certifiable": certifiable,
        "may_label_solid_state": determined == "all_solid_state",
        "claim_supported": determined == claimed,
        "classification_code": f"SSB-{determined[:4].upper()}-S-HE",
        "application": "high_energy",
        "reviewer_approvals_required": 2,
        "labels": {"permitted": {"en": [], "zh": []}, "forbidden": {"en": [], "zh": []}},
        "flags": [],
        "criteria": criteria,
    }


def at(us: int) -> dt.datetime:
    """A moment given in microseconds since the epoch."""
    return EPOCH + dt.timedelta(microseconds=int(us))


def chain_rows(events: Iterable[dict], *, seq: int, prev: str) -> Iterable[dict]:
    """Each event with its seq, previous hash and hash, as ``services.append_events`` sets them."""
    for event in events:
        seq += 1
        event["detail"] = audit_chain.plain(event.get("detail") or {})
        content = {
            "seq": seq, "prev": prev, "at": audit_chain.instant(event["at"]),
            "actor": event.get("actor_id"), "organisation": event.get("actor_organisation_id"),
            "action": event["action"], "submission": event.get("submission_id"),
            "product": event.get("product_id"), "object_type": event.get("object_type", ""),
            "object_id": event.get("object_id", ""), "before": None, "after": None,
            "reason": event.get("reason", ""), "detail": event["detail"],
        }  # fmt: skip
        event["seq"], event["prev_hash"] = seq, prev
        event["hash"] = prev = hashlib.sha256(audit_chain.canonical(content)).hexdigest()
        yield event
