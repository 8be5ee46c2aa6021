"""The Simplified Chinese catalogue: complete, faithful to its placeholders, compiled, and used.

The .po is parsed here with a few lines of Python (no extra library), so the checks run on a
machine without GNU gettext; the committed .mo is what Django loads there.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.criteria import FRAGMENTS, MESSAGES
from certification.models import Evaluation
from certification.selectors import translated

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

# %(name)s, %(size).1f, %s, %d, %% and {name}: what a translation must keep, no more, no less.
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[#0 +-]?\d*(?:\.\d+)?[sdfir]|%[sdfi]|%%|\{[A-Za-z_]\w*\}"
)
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (str or {index: str})."""
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def finish():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
            field = None
        elif line.startswith("#~"):
            continue  # an obsolete entry, kept by makemessages for reference only
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural_form:
                field = ("msgstr", int(plural_form.group(1)))
                entry.setdefault("msgstr", {})[field[1]] = value
            else:
                field = keyword
                entry[keyword] = value
    finish()
    return entries


def messages(path: Path = PO) -> list[dict]:
    return [e for e in parse_po(path) if e["msgid"]]


def translations_of(entry: dict) -> list[str]:
    msgstr = entry["msgstr"]
    return list(msgstr.values()) if isinstance(msgstr, dict) else [msgstr]


def test_catalogue_is_complete_and_keeps_every_placeholder():
    entries = messages()
    assert len(entries) > 600
    header = next(e for e in parse_po(PO) if e["msgid"] == "")
    assert "fuzzy" not in header.get("flags", set())
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    problems = []
    for entry in entries:
        if "fuzzy" in entry.get("flags", set()):
            problems.append(("fuzzy", entry["msgid"]))
        for text in translations_of(entry):
            if not text.strip():
                problems.append(("empty", entry["msgid"]))
                continue
            sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
            if all(
                sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(s)) for s in sources
            ):
                problems.append(("placeholders", entry["msgid"], text))
            if sorted(HTML_TAG.findall(text)) != sorted(HTML_TAG.findall(entry["msgid"])):
                problems.append(("html", entry["msgid"], text))
    assert problems == []


def test_compiled_catalogue_matches_the_po():
    with MO.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    assert compiled.info()["plural-forms"] == "nplurals=1; plural=0;"
    stale = []
    for entry in messages():
        if "msgid_plural" in entry:
            for n in (1, 2, 5):
                got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                if got != entry["msgstr"][0]:
                    stale.append((entry["msgid"], got))
        elif "msgctxt" in entry:
            if compiled.pgettext(entry["msgctxt"], entry["msgid"]) != entry["msgstr"]:
                stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "django.mo is older than django.po: run compilemessages"


def test_every_criterion_sentence_is_translated():
    untranslated = []
    with translation.override("zh-hans"):
        for message_id, template in MESSAGES.items():
            text = translation.gettext(template)
            names = set(re.findall(r"\{(\w+)\}", template))
            if (
                text == template
                or not CJK.search(text)
                or set(re.findall(r"\{(\w+)\}", text)) != names
            ):
                untranslated.append(message_id)
            else:
                text.format(**dict.fromkeys(names, "x"))
    assert untranslated == []


def test_every_word_inside_a_criterion_sentence_is_translated():
    catalogue = {e["msgid"]: e["msgstr"] for e in messages()}
    untranslated = []
    with translation.override("en"):  # the message ids of the progress stages
        stages = [str(label) for label in Evaluation.Stage.labels]
    for template in (*FRAGMENTS.values(), *stages):
        text = catalogue.get(template, "")
        words = re.sub(r"\{\w+\}", "", template)
        if (
            not text
            or set(re.findall(r"\{(\w+)\}", text)) != set(re.findall(r"\{(\w+)\}", template))
            or (re.search(r"[A-Za-z]", words) and text == template)
        ):
            untranslated.append(template)
    assert untranslated == []


def test_criterion_sentences_name_tests_and_classes_in_chinese():
    params = {
        "test": "nail_penetration",
        "indicators": "fire or explosion",
        "failed_count": 1,
        "sample_count": 3,
    }
    with translation.override("zh-hans"):
        assert (
            translated("safety.fail", params, "") == "针刺不通过：3 个样品中有 1 个出现起火或爆炸。"
        )
        claim = translated(
            "flag.claim_not_supported",
            {
                "claimed_class_name": "all-solid-state battery",
                "class_name": "hybrid solid-liquid battery",
            },
            "",
        )
        assert claim == "申报类别未获支持：产品申报为全固态电池，但证据支持的是混合固液电池。"
    with translation.override("en"):
        assert translated("safety.fail", params, "") == (
            "nail_penetration fails: fire or explosion in 1 of 3 samples."
        )


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_dashboard_in_chinese(client, cast, product):
    client.force_login(cast["maker"])
    html = page(client.get(reverse("dashboard"), **ZH))
    assert '<html lang="zh-hans">' in html
    for chinese in (
        "工作台",
        "产品",
        "新建申请",
        "证书",
        "退出登录",
        "本单位的产品",
        "登记产品",
        "发起申请",
        "硫化物",
        "电池制造商",
    ):
        assert chinese in html
    for english in (
        "Dashboard",
        "New submission",
        "Log out",
        "Your products",
        "Register a product",
        "Sulfide",
    ):
        assert english not in html


@pytest.mark.django_db
def test_browser_languages_and_the_switcher_choose_chinese(client, cast):
    client.force_login(cast["maker"])
    # What a browser in mainland China sends.
    assert "工作台" in page(
        client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")
    )
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    html = page(client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "工作台" in html and "Dashboard" not in html


@pytest.mark.django_db
def test_login_page_in_chinese(client):
    html = page(client.get(reverse("login"), **ZH))
    assert (
        "电池制造商、检测实验室、认证机构、整车企业和监管机构请使用本单位获发的账号登录。" in html
    )
    assert "<h1>登录</h1>" in html
    assert "Log in" not in html and "sign in with the account" not in html


@pytest.mark.django_db
def test_api_error_in_chinese(api, cast, submission):
    body = {
        "product": submission.product_id,
        "claimed_class": "all_solid_state",
        "lab": submission.lab_id,
    }
    response = api(cast["lab"]).post("/api/v1/submissions/", body, format="json", **ZH)
    assert response.status_code == 403
    assert "只有电池制造商可以发起申请。" in str(response.json())
    english = api(cast["lab"]).post(
        "/api/v1/submissions/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Only a manufacturer can open submissions." in str(english.json())
