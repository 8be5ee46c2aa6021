"""The portfolio seeder (``manage.py seed_portfolio``): the shapes are drawn as numpy arrays, one
per column, and written with COPY (``seed``); see ``seed`` for what the shapes are."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from certification import audit_chain
from certification.models import (
    AuditEvent,
    Decision,
    Evaluation,
    Organisation,
    Product,
    RuleSet,
    Submission,
    User,
)
from reports.models import Certificate, CertificateEvent
from reports.portfolio.seed import (
    CLAIMED_P,
    CLASSES,
    DAY_US,
    LOSS_RANGE,
    SHEETS,
    at,
    chain_rows,
    copy_rows,
    evaluation_result,
    reserve_ids,
)

Kind = Organisation.Kind
HOUR_US = DAY_US // 24
REASONS = {
    "approve": "All criteria met; the evidence is complete and independent.",
    "reject": "The measured results do not support the claimed class.",
    "return": "Please add the vacuum chamber log of the weight-loss test.",
}
# Certificate status changes after issue: (share of certificates, path of statuses).
LATER = ((0.03, ("suspended", "valid")), (0.03, ("suspended",)), (0.02, ("revoked",)),
         (0.01, ("withdrawn",)))  # fmt: skip
ACTIONS = ("submission.opened", "dataset.uploaded", "submission.submitted", "evaluation.finished",
           "evaluation.failed", "decision", "certificate.issued", "certificate.status")  # fmt: skip
A = {name: i for i, name in enumerate(ACTIONS)}


class Seeder:
    def __init__(self, *, evaluations: int, events: int, seed: int = 8, log=print):
        self.n_eval = max(2, evaluations)
        self.n_events = events
        self.rng = np.random.default_rng(seed)
        self.tag = secrets.token_hex(3)
        self.log = log
        self.end_us = int(timezone.now().timestamp() * 1e6) - DAY_US
        self.start_us = self.end_us - 730 * DAY_US

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self.people()
            counts = self.records()
        with transaction.atomic():
            counts["audit events"] = self.audit_events()
        # Fresh statistics for the planner, and the visibility map the index-only scans of the
        # portfolio's statistics need (autovacuum would set both, later). Not inside a
        # transaction (VACUUM refuses one): then ANALYZE alone.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in ("certification_submission", "certification_evaluation",
                          "certification_decision", "reports_certificate",
                          "reports_certificateevent", "certification_auditevent"):  # fmt: skip
                cursor.execute(f"{command} {table}")
        return counts

    # --- organisations, people and products: few, through the ORM ------------------------------

    def people(self) -> None:
        tag = self.tag
        makers = max(3, self.n_eval // 1000)
        labs = max(2, self.n_eval // 5000)
        self.makers = Organisation.objects.bulk_create(
            Organisation(name=f"Seed maker {tag}-{i:04d}", kind=Kind.MANUFACTURER)
            for i in range(makers)
        )
        self.labs = Organisation.objects.bulk_create(
            Organisation(name=f"Seed lab {tag}-{i:03d}", kind=Kind.TEST_LAB,
                         accreditation_number=f"CNAS L{tag}{i:03d}",
                         accreditation_valid_from=dt.date(2024, 1, 1))
            for i in range(labs)
        )  # fmt: skip
        self.cb = Organisation.objects.create(name=f"Seed CB {tag}", kind=Kind.CERTIFICATION_BODY)
        regulator_org = Organisation.objects.create(
            name=f"Seed regulator {tag}", kind=Kind.REGULATOR
        )
        users = [
            User(username=f"seed-{tag}-m{i}", organisation=o) for i, o in enumerate(self.makers)
        ]
        users += [
            User(username=f"seed-{tag}-l{i}", organisation=o) for i, o in enumerate(self.labs)
        ]
        users += [User(username=f"seed-{tag}-r{i}", organisation=self.cb, role=User.Role.REVIEWER)
                  for i in range(12)]  # fmt: skip
        users.append(User(username=f"seed-{tag}-regulator", organisation=regulator_org))
        for user in users:
            user.set_unusable_password()
        users = User.objects.bulk_create(users)
        self.maker_users = np.array([u.pk for u in users[:makers]])
        self.lab_users = np.array([u.pk for u in users[makers : makers + labs]])
        self.reviewers = np.array([u.pk for u in users[makers + labs : -1]])
        self.regulator = users[-1]
        count = max(makers, self.n_eval // 4)
        maker_of = self.rng.integers(0, makers, count)
        products = Product.objects.bulk_create(
            (
                Product(manufacturer=self.makers[m], model_number=f"SEED-{tag}-{i:06d}",
                        name="Seed cell", electrolyte_family="sulfide", conducting_ion="lithium",
                        rated_capacity_ah=Decimal("50"), nominal_voltage_v=Decimal("3.7"),
                        rated_energy_wh=Decimal("185"), max_continuous_power_w=Decimal("555"),
                        cell_mass_g=Decimal("350"), created_by_id=int(self.maker_users[m]))
                for i, m in enumerate(maker_of)
            ),
            batch_size=5000,
        )  # fmt: skip
        self.products = np.array([p.pk for p in products])
        self.product_maker = maker_of  # index into self.makers
        rulesets = list(RuleSet.objects.order_by("code", "version"))
        preferred = [r for r in rulesets if r.code == settings.CERTIFICATION_RULESET]
        self.rulesets = preferred or rulesets
        self.log(f"{makers} makers, {labs} labs, 12 reviewers, {count} products")

    # --- submissions, evaluations, decisions, certificates -------------------------------------

    def records(self) -> dict[str, int]:
        rng, n_eval = self.rng, self.n_eval
        n_sub = max(1, round(n_eval / 1.1))
        twice = n_eval - n_sub
        s = {}  # per submission
        s["id"] = reserve_ids(Submission, n_sub)
        s["product"] = rng.integers(0, len(self.products), n_sub)
        s["lab"] = rng.integers(0, len(self.labs), n_sub)
        s["claimed"] = rng.choice(3, n_sub, p=CLAIMED_P)
        # One claim in twelve is a class wetter than the cell really is.
        s["true"] = np.minimum(s["claimed"] + (rng.random(n_sub) < 1 / 12), 2)
        s["created"] = np.sort(rng.integers(self.start_us, self.end_us - 60 * DAY_US, n_sub))
        s["attempts"] = np.ones(n_sub, dtype=np.int64)
        s["attempts"][rng.choice(n_sub, twice, replace=False)] = 2
        first = s["created"] + rng.integers(DAY_US, 20 * DAY_US, n_sub)
        second = first + rng.integers(15 * DAY_US, 40 * DAY_US, n_sub)
        again = np.flatnonzero(s["attempts"] == 2)
        e = {}  # per evaluation
        e["sub"] = np.concatenate([np.arange(n_sub), again])
        e["attempt"] = np.concatenate([np.ones(n_sub, np.int64), np.full(twice, 2)])
        e["queued"] = np.concatenate([first, second[again]])
        e["id"] = reserve_ids(Evaluation, n_eval)
        last = e["attempt"] == s["attempts"][e["sub"]]
        roll = rng.random(n_eval)
        recent = e["queued"] > self.end_us - 10 * DAY_US
        e["status"] = np.where(
            last & recent & (roll < 0.3), 2, np.where(last & (roll > 0.97), 1, 0)
        )
        e["certifiable"] = (e["status"] == 0) & (s["true"][e["sub"]] == s["claimed"][e["sub"]])
        e["certifiable"] &= rng.random(n_eval) > 0.1  # another criterion failed
        low, high = np.array([LOSS_RANGE[c] for c in CLASSES]).T
        true = s["true"][e["sub"]]
        e["loss"] = low[true] + rng.random(n_eval) * (high[true] - low[true])
        e["finished"] = e["queued"] + rng.integers(60_000_000, 1800_000_000, n_eval)
        span = self.end_us - self.start_us
        e["ruleset"] = np.minimum(
            (e["queued"] - self.start_us) * len(self.rulesets) // span, len(self.rulesets) - 1
        )
        d = self._decisions(e, last)
        s["status"] = self._statuses(s, e, d, last)
        self.s, self.e, self.d = s, e, d
        counts = {"submissions": self._copy_submissions(), "evaluations": self._copy_evaluations()}
        counts["decisions"] = self._copy_decisions()
        counts.update(self._certificates())
        for name, count in counts.items():
            self.log(f"{count} {name}")
        return counts

    def _decisions(self, e, last) -> dict[str, np.ndarray]:
        rng = self.rng
        done = e["status"] == 0
        awaiting = done & last & (e["queued"] > self.end_us - 6 * DAY_US)
        approve = np.flatnonzero(done & last & e["certifiable"] & ~awaiting)
        reject = np.flatnonzero(done & last & ~e["certifiable"] & ~awaiting)
        returned = np.flatnonzero(~last)
        evals = np.concatenate([approve, approve, reject, returned])
        kind = np.concatenate([np.zeros(2 * len(approve), np.int64), np.full(len(reject), 1),
                               np.full(len(returned), 2)])  # fmt: skip
        delay = (rng.lognormal(np.log(4), 0.8, len(evals)) * DAY_US).astype(np.int64)
        first_pick = rng.integers(0, len(self.reviewers), len(evals))
        second = np.arange(len(evals)) >= len(approve)
        second &= np.arange(len(evals)) < 2 * len(approve)
        shift = rng.integers(1, len(self.reviewers), len(evals))
        # The second approval of an evaluation: another reviewer, a little later.
        pick = np.where(second, (np.roll(first_pick, len(approve)) + shift) % len(self.reviewers),
                        first_pick)  # fmt: skip
        decided = e["finished"][evals] + delay
        decided[second] = decided[: len(approve)] + rng.integers(HOUR_US, 2 * DAY_US, len(approve))
        return {"eval": evals, "kind": kind, "reviewer": self.reviewers[pick], "at": decided,
                "id": reserve_ids(Decision, len(evals)), "approved": approve}  # fmt: skip

    def _statuses(self, s, e, d, last) -> np.ndarray:
        status = np.full(len(s["id"]), "awaiting_review", dtype=object)
        latest = np.flatnonzero(last)
        sub = e["sub"][latest]
        status[sub[e["status"][latest] == 2]] = "evaluating"
        status[sub[e["status"][latest] == 1]] = "evaluation_failed"
        decided = d["eval"][d["kind"] != 2]
        status[e["sub"][decided]] = np.where(e["certifiable"][decided], "approved", "rejected")
        return status

    def _copy_submissions(self) -> int:
        s, e = self.s, self.e
        submitted = np.zeros(len(s["id"]), np.int64)
        submitted[e["sub"]] = np.maximum(submitted[e["sub"]], e["queued"])
        maker_user = self.maker_users[self.product_maker[s["product"]]]

        def rows():
            for i in range(len(s["id"])):
                yield {
                    "id": int(s["id"][i]), "product_id": int(self.products[s["product"][i]]),
                    "claimed_class": CLASSES[s["claimed"][i]],
                    "lab_id": self.labs[s["lab"][i]].pk, "status": s["status"][i],
                    "attempt": int(s["attempts"][i]), "created_by_id": int(maker_user[i]),
                    "created_at": at(s["created"][i]), "submitted_at": at(submitted[i]),
                    "updated_at": at(submitted[i]),
                }  # fmt: skip

        return copy_rows(Submission, rows())

    def _copy_evaluations(self) -> int:
        s, e, rng = self.s, self.e, self.rng
        states = ("done", "error", "queued")

        def rows():
            for i in range(len(e["id"])):
                sub = e["sub"][i]
                state = states[e["status"][i]]
                ruleset = self.rulesets[e["ruleset"][i]]
                claimed, true = CLASSES[s["claimed"][sub]], CLASSES[s["true"][sub]]
                certifiable = bool(e["certifiable"][i])
                done = state == "done"
                yield {
                    "id": int(e["id"][i]), "submission_id": int(s["id"][sub]),
                    "attempt": int(e["attempt"][i]), "ruleset_id": ruleset.pk, "status": state,
                    "progress": 100 if done else 0, "stage": "done" if done else "queued",
                    "queued_at": at(e["queued"][i]), "sent_at": at(e["queued"][i]),
                    "send_count": 1, "started_at": at(e["queued"][i]) if done else None,
                    "finished_at": at(e["finished"][i]) if state != "queued" else None,
                    "determined_class": true if done else "",
                    "certifiable": certifiable if done else None,
                    "may_label_solid_state": (true == "all_solid_state") if done else None,
                    "claim_supported": (true == claimed) if done else None,
                    "result": evaluation_result(ruleset, claimed, true, float(e["loss"][i]),
                                                certifiable, rng) if done else {},
                    "inputs": [{"kind": k, "sha256": secrets.token_hex(32)} for k in SHEETS],
                    "engine_version": "seed", "error": "" if state != "error"
                    else "The cycler file could not be read back.",
                }  # fmt: skip

        return copy_rows(Evaluation, rows())

    def _copy_decisions(self) -> int:
        s, e, d = self.s, self.e, self.d
        kinds = ("approve", "reject", "return")

        def rows():
            for i in range(len(d["id"])):
                ev = d["eval"][i]
                kind = kinds[d["kind"][i]]
                yield {"id": int(d["id"][i]), "submission_id": int(s["id"][e["sub"][ev]]),
                       "evaluation_id": int(e["id"][ev]), "reviewer_id": int(d["reviewer"][i]),
                       "decision": kind, "reason": REASONS[kind],
                       "decided_at": at(d["at"][i])}  # fmt: skip

        return copy_rows(Decision, rows())

    def _certificates(self) -> dict[str, int]:
        rng, s, e, d = self.rng, self.s, self.e, self.d
        approved = d["approved"]  # evaluation indexes with two approvals
        n = len(approved)
        second_at = d["at"][n : 2 * n]
        issued = second_at + HOUR_US
        ids = reserve_ids(Certificate, n)
        prefix = settings.CERTIFICATE_NUMBER_PREFIX
        numbers = [f"{prefix}-S{self.tag}-{i:07d}" for i in range(n)]
        path_of = np.full(n, -1)
        roll = rng.random(n)
        edge = 0.0
        for index, (share, _path) in enumerate(LATER):
            path_of[(roll >= edge) & (roll < edge + share)] = index
            edge += share
        events = []  # (certificate index, at, from, to)
        final = []
        for i in range(n):
            t = int(issued[i])
            events.append((i, t, "", "valid"))
            status = "valid"
            if path_of[i] >= 0:
                for to in LATER[path_of[i]][1]:
                    t += int(rng.integers(10, 200)) * DAY_US
                    if t > self.end_us:
                        break
                    events.append((i, t, status, to))
                    status = to
            final.append(status)
        self.c = {"ids": ids, "numbers": numbers, "eval": approved, "events": events,
                  "issued": issued}  # fmt: skip
        maker_org = [o.pk for o in self.makers]

        def rows():
            for i in range(n):
                ev = approved[i]
                sub = e["sub"][ev]
                day = at(issued[i]).date()
                yield {
                    "id": int(ids[i]), "number": numbers[i], "submission_id": int(s["id"][sub]),
                    "evaluation_id": int(e["id"][ev]),
                    "product_id": int(self.products[s["product"][sub]]),
                    "holder_id": maker_org[self.product_maker[s["product"][sub]]],
                    "status": final[i], "issued_at": at(issued[i]), "valid_from": day,
                    "expires_on": day + dt.timedelta(days=3 * 365),
                    "status_changed_at": at(issued[i]),
                    "content": {"claimed_class": CLASSES[s["claimed"][sub]]},
                    "pdf": f"certificates/{numbers[i]}.pdf", "pdf_sha256": secrets.token_hex(32),
                    "credential_jws": "seed.seed.seed",
                }  # fmt: skip

        count = copy_rows(Certificate, rows())
        reviewers = self.reviewers

        def event_rows():
            for i, t, before, to in events:
                yield {"certificate_id": int(ids[i]), "from_status": before, "to_status": to,
                       "actor_id": None if not before else int(rng.choice(reviewers)),
                       "reason": "" if not before else f"Market surveillance: {to}",
                       "at": at(t), "notified_at": at(t)}  # fmt: skip

        changes = copy_rows(CertificateEvent, event_rows(), with_id=False)
        return {"certificates": count, "certificate events": changes}

    # --- the audit log ---------------------------------------------------------------------------

    def audit_events(self) -> int:
        """Every record's events in time order, chained at the head of the log."""
        order, cols = self._event_columns()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.LOCK_KEY])
        seq, prev = audit_chain.head()
        rows = chain_rows(self._event_dicts(order, cols), seq=seq, prev=prev)
        return copy_rows(AuditEvent, rows, with_id=False)

    def _event_columns(self):
        rng, s, e, d, c = self.rng, self.s, self.e, self.d, self.c
        n_sub = len(s["id"])
        done = e["status"] == 0
        failed = e["status"] == 1
        fixed = n_sub + len(e["id"]) + int(done.sum() + failed.sum()) + len(d["id"])
        fixed += len(c["events"])
        uploads = rng.multinomial(max(self.n_events - fixed, 0), np.full(n_sub, 1 / n_sub))
        up_sub = np.repeat(np.arange(n_sub), uploads)
        first = e["queued"][:n_sub]  # the first attempts come first, in submission order
        up_at = s["created"][up_sub] + (
            rng.random(len(up_sub)) * (first[up_sub] - s["created"][up_sub])
        ).astype(np.int64)
        ev_done = np.flatnonzero(done | failed)
        cert_events = np.array([(i, t) for i, t, _b, _to in c["events"]], dtype=np.int64).reshape(
            -1, 2
        )
        parts = [  # (action, at, submission index or -1, reference)
            (A["submission.opened"], s["created"], np.arange(n_sub), np.arange(n_sub)),
            (A["dataset.uploaded"], up_at, up_sub, rng.integers(0, len(SHEETS), len(up_sub))),
            (A["submission.submitted"], e["queued"], e["sub"], np.arange(len(e["id"]))),
            (np.where(done[ev_done], A["evaluation.finished"], A["evaluation.failed"]),
             e["finished"][ev_done], e["sub"][ev_done], ev_done),
            (A["decision"], d["at"], e["sub"][d["eval"]], np.arange(len(d["id"]))),
            (A["certificate.status"], cert_events[:, 1], e["sub"][c["eval"][cert_events[:, 0]]],
             np.arange(len(cert_events))),
        ]  # fmt: skip
        action = np.concatenate([np.broadcast_to(p[0], len(p[1])) for p in parts]).astype(np.int8)
        when = np.concatenate([p[1] for p in parts]).astype(np.int64)
        sub = np.concatenate([p[2] for p in parts]).astype(np.int64)
        ref = np.concatenate([p[3] for p in parts]).astype(np.int64)
        order = np.argsort(when, kind="stable")
        self.log(f"{len(order)} audit events to chain")
        return order, (action, when, sub, ref)

    def _event_dicts(self, order, cols) -> Iterator[dict]:
        s, e, d, c = self.s, self.e, self.d, self.c
        action, when, sub, ref = cols
        maker_user = self.maker_users[self.product_maker[s["product"]]]
        maker_org = np.array([o.pk for o in self.makers])[self.product_maker[s["product"]]]
        lab_user = self.lab_users[s["lab"]]
        lab_org = np.array([o.pk for o in self.labs])[s["lab"]]
        kinds = ("approve", "reject", "return")
        cb = self.cb.pk
        for i in order:
            a, j, r = int(action[i]), int(sub[i]), int(ref[i])
            row = {"at": at(when[i]), "submission_id": int(s["id"][j]),
                   "product_id": int(self.products[s["product"][j]])}  # fmt: skip
            if a == A["submission.opened"]:
                row.update(action="submission.opened", actor_id=int(maker_user[j]),
                           actor_organisation_id=int(maker_org[j]),
                           detail={"claimed_class": CLASSES[s["claimed"][j]]})  # fmt: skip
            elif a == A["dataset.uploaded"]:
                row.update(action="dataset.uploaded", actor_id=int(lab_user[j]),
                           actor_organisation_id=int(lab_org[j]),
                           detail={"kind": SHEETS[r], "file": f"{SHEETS[r]}.csv",
                                   "sha256": secrets.token_hex(32)})  # fmt: skip
            elif a == A["submission.submitted"]:
                row.update(action="submission.submitted", actor_id=int(maker_user[j]),
                           actor_organisation_id=int(maker_org[j]),
                           detail={"attempt": int(e["attempt"][r])})  # fmt: skip
            elif a in (A["evaluation.finished"], A["evaluation.failed"]):
                row.update(action=ACTIONS[a], detail={"attempt": int(e["attempt"][r]),
                           "certifiable": bool(e["certifiable"][r])})  # fmt: skip
            elif a == A["decision"]:
                kind = kinds[d["kind"][r]]
                row.update(action=f"submission.{kind}", actor_id=int(d["reviewer"][r]),
                           actor_organisation_id=cb, reason=REASONS[kind],
                           object_type="decision", object_id=str(int(d["id"][r])),
                           detail={"attempt": int(e["attempt"][d["eval"][r]])})  # fmt: skip
            else:
                index, _t, before, to = c["events"][r]
                number = c["numbers"][index]
                row.update(action="certificate.issued" if not before else f"certificate.{to}",
                           actor_id=None if not before else int(self.reviewers[0]),
                           actor_organisation_id=None if not before else cb,
                           object_type="certificate", object_id=number,
                           detail={"certificate": number})  # fmt: skip
            yield row
