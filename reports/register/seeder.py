"""Fill the register for the benchmarks (``manage.py seed_register``): certificates of realistic
shape, each with the product, submission and evaluation it was issued for, and its status changes.

Shapes: a few hundred holders with English, German, Japanese and Chinese names; about one product
per certificate, with model numbers of the forms makers use (``NS-PR60-A000042``,
``宁德-SP120-C000042``) and names in English or Chinese; classes mostly all-solid-state, some
hybrid, a few liquid, the electrolyte family to match; the content frozen at issue as
``reports.services._content`` writes it (criteria with messages, rule set, lab, reviewers, input
hashes: a few kB a row). Issue dates spread over four years, valid three years, so about a
quarter have lapsed: some marked expired, some not yet (the hourly task's lag, which the live
status covers). A few are suspended, reinstated, revoked, withdrawn, or superseded by a later
certificate of the same product.

Certificate numbers are the portal's own form, taken from each year's counter (the portal then
goes on after them). Rows are written with COPY (``reports.portfolio.seed.copy_rows``, ids
reserved first): 100,000 certificates in about a minute and a half, most of it PostgreSQL
filling the indexes. PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from certification.models import Evaluation, Organisation, Product, RuleSet, Submission, User
from reports.models import Certificate, CertificateCounter, CertificateEvent
from reports.portfolio.seed import copy_rows, reserve_ids

Kind = Organisation.Kind
DAY = dt.timedelta(days=1)

CITIES = ("Ningde", "Qingdao", "Shenzhen", "Hefei", "Changzhou", "Wuxi", "Suzhou", "Tianjin",
          "Chengdu", "Xiamen", "Munich", "Stuttgart", "Osaka", "Nagoya", "Ulsan", "Detroit",
          "Lyon", "Gothenburg", "Turin", "Austin")  # fmt: skip
WORDS = ("Solid Cells", "Energy", "Power Systems", "Battery Technology", "New Energy",
         "Electrochemie", "Denchi", "Advanced Materials", "Mobility Cells", "Ionics")  # fmt: skip
SUFFIXES = ("Co., Ltd.", "GmbH", "Inc.", "Corporation", "K.K.", "S.p.A.", "AB")
ZH_CITIES = ("宁德", "青岛", "深圳", "合肥", "常州", "无锡", "苏州", "天津", "成都", "厦门")
ZH_WORDS = ("固态电池有限公司", "新能源科技有限公司", "动力电池股份有限公司", "储能技术有限公司")
FORMATS = ("21700", "4680", "PR", "PC", "SP")
# class -> (share, families it is made with)
CLASSES = {
    "all_solid_state": (0.6, ("sulfide", "oxide", "polymer", "halide", "composite")),
    "hybrid_solid_liquid": (0.3, ("oxide", "polymer", "composite")),
    "liquid": (0.1, ("liquid",)),
}
CLASS_NAMES = {
    "all_solid_state": ("All-solid-state battery", "全固态电池"),
    "hybrid_solid_liquid": ("Hybrid solid-liquid battery", "固液混合电池"),
    "liquid": ("Liquid battery", "液态电池"),
}
FAMILY_WORDS = {"sulfide": ("Sulfide", "硫化物"), "oxide": ("Oxide", "氧化物"),
                "polymer": ("Polymer", "聚合物"), "halide": ("Halide", "卤化物"),
                "composite": ("Composite", "复合"), "liquid": ("Liquid", "液态")}  # fmt: skip
SHAPES = (("pouch", "软包"), ("prismatic", "方形"), ("cylindrical", "圆柱"))
# (share, path of statuses after issue)
LATER = ((0.03, ("suspended",)), (0.02, ("suspended", "valid")), (0.02, ("revoked",)),
         (0.01, ("withdrawn",)), (0.01, ("suspended", "revoked")))  # fmt: skip
REASONS = {
    "suspended": "Market surveillance sample outside the declared weight loss; retest ordered",
    "valid": "Retest passed; surveillance closed",
    "revoked": "Retest confirmed the cell does not meet the class",
    "withdrawn": "Product discontinued by the holder",
}
SUPERSEDED_SHARE = 0.03
LABELS = {
    "en": ["Solid-state battery", "All-solid-state battery"],
    "zh": ["固态电池", "全固态电池"],
}
CRITERIA = (
    ("electrolyte_content", "%", "<=", "1"),
    ("weight_loss", "%", "<=", "0.5"),
    ("energy_density", "Wh/kg", ">=", "300"),
    ("safety.nail_penetration", "", "<=", "0"),
)


class Seeder:
    def __init__(self, *, certificates: int, seed: int = 9, log: Callable[[str], None] = print):
        self.n = max(2, certificates)
        self.rng = random.Random(seed)
        self.tag = secrets.token_hex(3)
        self.log = log
        self.today = timezone.localdate()

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self._people()
            counts = self._records()
        with connection.cursor() as cursor:
            for model in (Product, Submission, Evaluation, Certificate, CertificateEvent):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        return counts

    # --- holders, labs, people: few, through the ORM ---------------------------------------------

    def _holder_name(self, i: int) -> str:
        rng = self.rng
        if i % 4 == 3:
            return f"{rng.choice(ZH_CITIES)}{rng.choice(ZH_WORDS)} {self.tag}-{i}"
        return f"{rng.choice(CITIES)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {self.tag}-{i}"

    def _people(self) -> None:
        holders = max(3, min(800, self.n // 120))
        self.holders = Organisation.objects.bulk_create(
            Organisation(name=self._holder_name(i), kind=Kind.MANUFACTURER) for i in range(holders)
        )
        self.labs = Organisation.objects.bulk_create(
            Organisation(name=f"Register seed lab {self.tag}-{i:02d}", kind=Kind.TEST_LAB,
                         accreditation_number=f"CNAS L{self.tag}{i:02d}",
                         accreditation_valid_from=dt.date(2024, 1, 1))
            for i in range(max(2, min(20, self.n // 5000)))
        )  # fmt: skip
        user = User(username=f"register-seed-{self.tag}", organisation=self.holders[0])
        user.set_unusable_password()
        user.save()
        self.user = user
        rulesets = list(RuleSet.objects.order_by("code", "version"))
        preferred = [r for r in rulesets if r.code == settings.CERTIFICATION_RULESET]
        self.ruleset = (preferred or rulesets)[-1]
        self.log(f"{holders} holders, {len(self.labs)} labs, rule set {self.ruleset}")

    # --- one product, submission, evaluation and certificate per row -----------------------------

    def _shapes(self) -> list[dict]:
        rng, n = self.rng, self.n
        classes = list(CLASSES)
        weights = [CLASSES[c][0] for c in classes]
        start = self.today - 4 * 365 * DAY
        shapes = []
        for i in range(n):
            klass = rng.choices(classes, weights)[0]
            family = rng.choice(CLASSES[klass][1])
            holder = rng.randrange(len(self.holders))
            issued = start + rng.randrange(4 * 365 - 2) * DAY
            capacity = rng.choice((20, 40, 50, 60, 80, 120))
            shapes.append({"i": i, "class": klass, "family": family, "holder": holder,
                           "issued": issued, "capacity": capacity})  # fmt: skip
        shapes.sort(key=lambda s: s["issued"])
        for position, shape in enumerate(shapes):
            shape["i"] = position
        # The older of two certificates of one product is superseded by the newer one.
        successors: dict[int, int] = {}
        used: set[int] = set()  # in one pair at most: no chains
        for older in rng.sample(range(n - 1), int(n * SUPERSEDED_SHARE)):
            newer = rng.randrange(older + 1, n)
            if older not in used and newer not in used:
                used.update((older, newer))
                successors[older] = newer
                first = shapes[older]
                shapes[newer].update(holder=first["holder"], product_of=older,
                                     **{k: first[k] for k in ("class", "family")})  # fmt: skip
        self.successors = successors
        return shapes

    def _model_number(self, s: dict) -> str:
        rng = self.rng
        initials = "".join(w[0] for w in self.holders[s["holder"]].name.split()[:2]).upper()
        form = rng.choice(FORMATS)
        if self.holders[s["holder"]].name[0] > "\u3000" and rng.random() < 0.5:
            initials = self.holders[s["holder"]].name[:2]
        return f"{initials}-{form}{s['capacity']}-{rng.choice('ABCDEFS')}{s['i']:06d}"

    def _product_name(self, s: dict) -> str:
        en, zh = FAMILY_WORDS[s["family"]]
        shape_en, shape_zh = self.rng.choice(SHAPES)
        kind_en, kind_zh = CLASS_NAMES[s["class"]]
        if self.rng.random() < 0.3:
            return f"{zh}{kind_zh}{shape_zh}电芯 {s['capacity']}Ah"
        return f"{en} {kind_en.lower()} {shape_en} cell {s['capacity']} Ah"

    def _records(self) -> dict[str, int]:
        shapes = self._shapes()
        n = self.n
        product_ids = reserve_ids(Product, n)
        sub_ids, eval_ids, cert_ids = (reserve_ids(m, n) for m in (Submission, Evaluation,
                                                                   Certificate))  # fmt: skip
        serials = self._serials(shapes)
        prefix = settings.CERTIFICATE_NUMBER_PREFIX
        for s in shapes:  # in issue order: a product's first certificate comes first
            i = s["i"]
            s["number"] = f"{prefix}-{s['issued'].year}-{serials[i]:06d}"
            if "product_of" in s:
                first = shapes[s["product_of"]]
                s.update({k: first[k] for k in ("product_id", "model_number", "name")})
            else:
                s["product_id"] = int(product_ids[i])
                s["model_number"] = self._model_number(s)
                s["name"] = self._product_name(s)
        by_product = {s["product_id"]: s for s in shapes if "product_of" not in s}
        counts = {"products": copy_rows(Product, self._product_rows(by_product.values()))}
        counts["submissions"] = copy_rows(Submission, self._submission_rows(shapes, sub_ids))
        counts["evaluations"] = copy_rows(
            Evaluation, self._evaluation_rows(shapes, sub_ids, eval_ids)
        )
        events: list[dict] = []
        counts["certificates"] = copy_rows(
            Certificate, self._certificate_rows(shapes, sub_ids, eval_ids, cert_ids, events)
        )
        counts["certificate events"] = copy_rows(CertificateEvent, iter(events), with_id=False)
        for name, count in counts.items():
            self.log(f"{count} {name}")
        return counts

    def _serials(self, shapes) -> list[int]:
        """Numbers as the portal gives them (``PREFIX-YEAR-NNNNNN``, verification refuses any
        other form), taken from each year's counter so that the portal never issues them again."""
        per_year = Counter(s["issued"].year for s in shapes)
        next_serial = {}
        for year, count in per_year.items():
            counter, _ = CertificateCounter.objects.select_for_update().get_or_create(year=year)
            next_serial[year] = counter.last + 1
            counter.last += count
            counter.save(update_fields=["last"])
        serials = []
        for s in shapes:
            serials.append(next_serial[s["issued"].year])
            next_serial[s["issued"].year] += 1
        return serials

    def _product_rows(self, shapes) -> Iterator[dict]:
        for s in shapes:
            capacity = Decimal(s["capacity"])
            yield {
                "id": s["product_id"], "manufacturer_id": self.holders[s["holder"]].pk,
                "model_number": s["model_number"], "name": s["name"],
                "electrolyte_family": s["family"], "conducting_ion": "lithium",
                "rated_capacity_ah": capacity, "nominal_voltage_v": Decimal("3.7"),
                "rated_energy_wh": capacity * Decimal("3.7"),
                "max_continuous_power_w": capacity * Decimal("11.1"),
                "cell_mass_g": capacity * 7, "created_by_id": self.user.pk,
            }  # fmt: skip

    def _submission_rows(self, shapes, sub_ids) -> Iterator[dict]:
        for s in shapes:
            at = self._moment(s["issued"] - 20 * DAY)
            yield {"id": int(sub_ids[s["i"]]), "product_id": s["product_id"],
                   "claimed_class": s["class"], "lab_id": self.labs[s["i"] % len(self.labs)].pk,
                   "status": "approved", "attempt": 1, "created_by_id": self.user.pk,
                   "created_at": at, "submitted_at": at, "updated_at": at}  # fmt: skip

    def _evaluation_rows(self, shapes, sub_ids, eval_ids) -> Iterator[dict]:
        ruleset = self.ruleset
        for s in shapes:
            at = self._moment(s["issued"] - 15 * DAY)
            yield {"id": int(eval_ids[s["i"]]), "submission_id": int(sub_ids[s["i"]]),
                   "attempt": 1, "ruleset_id": ruleset.pk, "status": "done", "progress": 100,
                   "stage": "done", "queued_at": at, "sent_at": at, "send_count": 1,
                   "started_at": at, "finished_at": at, "determined_class": s["class"],
                   "certifiable": True, "may_label_solid_state": s["class"] == "all_solid_state",
                   "claim_supported": True, "result": {"verdict": "certifiable"},
                   "engine_version": "seed"}  # fmt: skip

    def _moment(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))

    def _content(self, s: dict) -> dict:
        klass = s["class"]
        lab = self.labs[s["i"] % len(self.labs)]
        ruleset = self.ruleset
        capacity = s["capacity"]
        permitted = LABELS if klass == "all_solid_state" else {"en": [], "zh": []}
        return {
            "holder": {"name": self.holders[s["holder"]].name},
            "product": {
                "model_number": s["model_number"], "name": s["name"],
                "electrolyte_family": s["family"], "conducting_ion": "lithium",
                "rated_capacity_ah": f"{capacity}.0000", "nominal_voltage_v": "3.7000",
                "rated_energy_wh": f"{capacity * 3.7:.4f}",
                "max_continuous_power_w": f"{capacity * 11.1:.4f}",
                "cell_mass_g": f"{capacity * 7}.0000", "declared_liquid_electrolyte_pct": None,
                "application": "high_energy",
                "classification_code": f"SSB-{klass[:4].upper()}-S-HE",
            },
            "determined_class": {"code": klass, "name_en": CLASS_NAMES[klass][0],
                                 "name_zh": CLASS_NAMES[klass][1]},
            "claimed_class": klass,
            "may_label_solid_state": klass == "all_solid_state",
            "permitted_labels": permitted,
            "forbidden_labels": {"en": [], "zh": []} if permitted["en"] else LABELS,
            "criteria": [
                {"code": code, "outcome": "pass", "limit": limit, "comparator": comparator,
                 "unit": unit, "measured": {"compared": code, "sample_count": 3},
                 "message": f"{code}: every sample within the limit of {limit} {unit} "
                            "(three samples, conditions met)."}
                for code, unit, comparator, limit in CRITERIA
            ],
            "ruleset": {"code": ruleset.code, "version": ruleset.version,
                        "standard_id": ruleset.standard_id, "title": ruleset.title,
                        "effective_from": ruleset.effective_from.isoformat(),
                        "effective_until": None, "sha256": ruleset.sha256},
            "lab": {"name": lab.name, "accreditation_number": lab.accreditation_number},
            "reviewers": ["Reviewer One", "Reviewer Two"],
            "evaluation": {"id": 0, "attempt": 1, "engine_version": "seed",
                           "inputs": [{"kind": k, "sha256": secrets.token_hex(32)}
                                      for k in ("weight_loss", "electrolyte_content",
                                                "energy_density", "safety")]},
        }  # fmt: skip

    def _certificate_rows(self, shapes, sub_ids, eval_ids, cert_ids, events) -> Iterator[dict]:
        rng = self.rng
        for s in shapes:
            i = s["i"]
            issued_at = self._moment(s["issued"])
            expires = s["issued"] + 3 * 365 * DAY
            path: tuple[str, ...] = ()
            roll, edge = rng.random(), 0.0
            for share, steps in LATER:
                if edge <= roll < edge + share:
                    path = steps
                edge += share
            changes = [(issued_at, "", "valid", "")]
            status, at = "valid", issued_at
            for to in path:
                at = at + rng.randrange(10, 200) * DAY
                if at.date() >= min(self.today, expires):
                    break
                changes.append((at, status, to, REASONS[to]))
                status = to
            successor = self.successors.get(i)
            if successor is not None and status in ("valid", "suspended"):
                at = self._moment(shapes[successor]["issued"]) + dt.timedelta(hours=1)
                number = shapes[successor]["number"]
                changes.append((at, status, "superseded", f"superseded by {number}"))
                status = "superseded"
            elif status in ("valid", "suspended") and expires < self.today and rng.random() < 0.7:
                # Lapsed and marked by the hourly task; the rest are lapsed but not yet marked.
                at = self._moment(expires + DAY)
                changes.append((at, status, "expired", f"validity ended on {expires}"))
                status = "expired"
            for when, before, to, reason in changes:
                events.append({"certificate_id": int(cert_ids[i]), "from_status": before,
                               "to_status": to, "reason": reason, "at": when,
                               "notified_at": when})  # fmt: skip
            yield {
                "id": int(cert_ids[i]), "number": s["number"], "submission_id": int(sub_ids[i]),
                "evaluation_id": int(eval_ids[i]), "product_id": s["product_id"],
                "holder_id": self.holders[s["holder"]].pk, "status": status,
                "status_reason": changes[-1][3], "status_changed_at": changes[-1][0],
                "issued_at": issued_at, "valid_from": s["issued"], "expires_on": expires,
                "superseded_by_id": int(cert_ids[successor]) if status == "superseded" else None,
                "content": self._content(s), "pdf": f"certificates/{s['number']}.pdf",
                "pdf_sha256": secrets.token_hex(32), "credential_jws": "seed.seed.seed",
            }  # fmt: skip
