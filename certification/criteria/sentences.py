"""Every sentence the engine says, by id, and ``render`` to put one into a language.

Each criterion family holds its own sentences (its ``MESSAGES``); this is all of them in one map,
for the display layer, which re-renders a stored sentence from its id and parameters in the
viewer's language, and for the translation catalogue's checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certification.criteria import (
    electrolyte_content,
    energy_density,
    evidence_independence,
    safety,
    validity,
    verdict,
    weight_loss,
)
from certification.criteria.text import Translate, render_template, untranslated

MESSAGES: dict[str, str] = {
    **weight_loss.MESSAGES,
    **electrolyte_content.MESSAGES,
    **energy_density.MESSAGES,
    **safety.MESSAGES,
    **evidence_independence.MESSAGES,
    **validity.MESSAGES,
    **verdict.MESSAGES,
}


def render(message_id: str, params: Mapping[str, Any], translate: Translate = untranslated) -> str:
    """The sentence ``message_id`` with ``params``, in the language ``translate`` gives.

    The engine renders English (the default); the display layer passes Django's ``gettext`` after
    naming codes in the active language. Raises ``KeyError`` for an unknown id or placeholder.
    """
    return render_template(MESSAGES[message_id], params, translate)
