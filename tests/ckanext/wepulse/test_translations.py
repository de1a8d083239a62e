"""Our strings in French, Dutch and German: every one the code and templates use is
translated, keeps its placeholders, and reaches the pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

PACKAGE = Path(__file__).resolve().parents[3] / "ckanext-wepulse" / "ckanext" / "wepulse"
I18N = PACKAGE / "i18n"
LANGUAGES = ["fr", "nl", "de"]
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)s|</?\w+[^>]*>")


def catalogue(lang: str):
    with open(I18N / lang / "LC_MESSAGES" / "ckanext-wepulse.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.fixture(scope="module")
def used_strings(tmp_path_factory) -> set[str]:
    """What the code and templates ask to translate today (as i18n/README.md extracts it)."""
    pot = tmp_path_factory.mktemp("i18n") / "now.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "-q", "extract", "-F",
         str(I18N / "babel.cfg"), "-o", str(pot), "--no-location", "."],
        cwd=PACKAGE, check=True,
    )  # fmt: skip
    with open(pot, "rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_in_use_is_translated(used_strings, lang):
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue(lang)
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    assert sorted(used_strings - translated) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders_and_markup(lang):
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # A singular form may leave out the count ("the first row", not "the 1 first").
            assert found == expected or (message.pluralizable and found < expected), (
                message.id,
                string,
            )


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    ("lang", "skip_link", "accessibility"),
    [
        ("fr", "Aller au contenu", "Accessibilité"),
        ("nl", "Naar de inhoud", "Toegankelijkheid"),
        ("de", "Zum Inhalt springen", "Barrierefreiheit"),
        ("en", "Skip to content", "Accessibility"),
    ],
)
def test_pages_speak_the_visitors_language(app, lang, skip_link, accessibility):
    page = BeautifulSoup(app.get(f"/{lang}/dataset/").get_data(as_text=True), "html.parser")
    assert page.find("a", href="#content").get_text(strip=True) == skip_link
    footer = page.find("footer")
    assert footer.find("a", href=f"/{lang}/accessibility").get_text(strip=True) == accessibility
