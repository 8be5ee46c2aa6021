"""The scheme's fixed vocabulary: every code, defined once, with its English label.

Pure Python (no Django): the rule-set loader, the criteria engine and the parsers read the codes
from here, and the models, pages, API, PDF and CSV read the labels from here. A label is marked
with ``gettext_noop`` so ``makemessages`` extracts it; whoever shows it translates it at that
moment (``gettext(label)``), which is how the Chinese of every code comes from ``locale/``.

What a rule set may *choose* (thresholds, which tests a class needs, label wording) is data in
``certification/rulesets/``; what is here is the closed list of names those rule sets and the
uploaded sheets may use (STANDARD.md sections 3, 4 and 6).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping


def gettext_noop(message: str) -> str:
    """Marks ``message`` for extraction; returns it unchanged.

    Django's own ``gettext_noop`` is the same function, but importing it from a pure module would
    tie the core to Django; ``makemessages`` finds this one by its name.
    """
    return message


class Vocabulary(Mapping[str, str]):
    """An ordered, read-only map of code -> English label (marked for translation)."""

    def __init__(self, *pairs: tuple[str, str]):
        self._labels = dict(pairs)

    def __getitem__(self, code: str) -> str:
        return self._labels[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._labels)

    def choices(self) -> list[tuple[str, str]]:
        return list(self._labels.items())


# The scheme's classes, lowest to highest: a claim "above" the determined class is further right
# (STANDARD.md section 3).
CLASSES = Vocabulary(
    ("liquid", gettext_noop("Liquid battery")),
    ("hybrid_solid_liquid", gettext_noop("Hybrid solid-liquid battery")),
    ("all_solid_state", gettext_noop("All-solid-state battery")),
)

# The criterion families an evaluation reports (STANDARD.md section 4). Safety results are
# reported per test as ``safety.<test>``.
CRITERIA = Vocabulary(
    ("weight_loss", gettext_noop("Vacuum weight loss")),
    ("electrolyte_content", gettext_noop("Liquid electrolyte content")),
    ("energy_density", gettext_noop("Energy density")),
    ("safety", gettext_noop("Abuse safety")),
)

# The result-sheet kinds a lab uploads (STANDARD.md section 6), in the words a sentence uses.
SHEET_KINDS = Vocabulary(
    ("weight_loss", gettext_noop("vacuum weight loss")),
    ("electrolyte_content", gettext_noop("liquid electrolyte content")),
    ("energy_density", gettext_noop("energy density")),
    ("safety", gettext_noop("abuse safety")),
)
# Raw instrument data: the evidence behind the numbers.
RAW_KINDS = Vocabulary(
    ("cycler", gettext_noop("cycler time series")),
    ("chamber_log", gettext_noop("vacuum chamber log")),
)

# The abuse tests a rule set may require (STANDARD.md section 4, GB 38031-2025). The first four
# are the seed texts' tests.
SAFETY_TESTS = Vocabulary(
    ("nail_penetration", gettext_noop("nail penetration")),
    ("crush", gettext_noop("crush")),
    ("heating", gettext_noop("heating")),
    ("immersion", gettext_noop("immersion")),
    ("overcharge", gettext_noop("overcharge")),
    ("overdischarge", gettext_noop("overdischarge")),
    ("external_short", gettext_noop("external short circuit")),
    ("temperature_cycling", gettext_noop("temperature cycling")),
    ("fast_charge_short", gettext_noop("fast-charge cycling, then short circuit")),
)
SEED_SAFETY_TESTS = SAFETY_TESTS.codes[:4]

# What no sample of an abuse test may show.
SAFETY_FAILURE_INDICATORS = Vocabulary(
    ("fire", gettext_noop("fire")),
    ("explosion", gettext_noop("explosion")),
)

OUTCOMES = Vocabulary(
    ("pass", gettext_noop("pass")),
    ("fail", gettext_noop("fail")),
    ("incomplete", gettext_noop("incomplete")),
    ("not_applicable", gettext_noop("not applicable")),
)

# Sub-classes of a solid-state cell (STANDARD.md section 3).
ELECTROLYTE_FAMILIES = Vocabulary(
    ("sulfide", gettext_noop("Sulfide")),
    ("oxide", gettext_noop("Oxide")),
    ("polymer", gettext_noop("Polymer")),
    ("halide", gettext_noop("Halide")),
    ("composite", gettext_noop("Composite")),
    ("liquid", gettext_noop("Liquid")),
)
CONDUCTING_IONS = Vocabulary(
    ("lithium", gettext_noop("Lithium")),
    ("sodium", gettext_noop("Sodium")),
    ("other", gettext_noop("Other")),
)
APPLICATIONS = Vocabulary(
    ("high_energy", gettext_noop("High-energy")),
    ("high_power", gettext_noop("High-power")),
)

# Whose evidence a file is.
EVIDENCE_SOURCES = Vocabulary(
    ("lab", gettext_noop("Assigned laboratory")),
    ("maker", gettext_noop("Manufacturer declaration")),
)
