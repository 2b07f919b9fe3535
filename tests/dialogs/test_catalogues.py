"""The message catalogues are complete in nn, nb and en: a missing or empty string, a placeholder that one
language lacks, or a message id used in the code that a catalogue does not have fails here."""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dialogs.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "dialogs" / "locales"
DOMAINS = sorted({p.stem for lang in LANGUAGES for p in (LOCALES / lang / "LC_MESSAGES").glob("*.po")})
# t("domain.name", …) or a translator call t("domain.name") written out in the code
USED = re.compile(r"""\bt\(\s*["']([a-z]+\.[a-z0-9_]*[a-z0-9])["']\s*[,)]""")  # not a prefix + name


def catalogue(lang: str, domain: str) -> dict[str, str]:
    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_is_in_every_language_with_the_same_placeholders(domain):
    books = {lang: catalogue(lang, domain) for lang in LANGUAGES}
    every = set().union(*books.values())
    for lang, book in books.items():
        assert sorted(every - set(book)) == [], f"{lang}/{domain}.po lacks these messages"
        assert sorted(k for k, v in book.items() if not v.strip()) == [], f"{lang}/{domain}.po has empty messages"
    for key in every:
        assert len({frozenset(placeholders(b[key])) for b in books.values()}) == 1, f"{key}: placeholders differ"


def test_every_message_id_the_code_uses_is_in_the_catalogues():
    used: dict[str, str] = {}
    for folder in ("bot", "dialogs", "cards", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in USED.findall(path.read_text(encoding="utf-8")):
                used.setdefault(key, str(path.relative_to(ROOT)))
    assert len(used) > 300  # the pattern finds the code's messages
    books = {(lang, d): catalogue(lang, d) for lang in LANGUAGES for d in DOMAINS}
    missing = sorted(f"{lang}: {key} ({where})" for key, where in used.items() for lang in LANGUAGES
                     if key not in books.get((lang, key.split(".")[0]), {}))
    assert missing == []


def test_the_check_finds_a_missing_string(tmp_path, monkeypatch):
    for lang in LANGUAGES:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        body = 'msgid "demo.hello"\nmsgstr "Hei {name}"\n' + ('' if lang == "en" else 'msgid "demo.bye"\nmsgstr "Ha det"\n')
        (tmp_path / lang / "LC_MESSAGES" / "demo.po").write_text(body, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "LOCALES", tmp_path)
    with pytest.raises(AssertionError, match="en/demo.po lacks"):
        test_every_message_is_in_every_language_with_the_same_placeholders("demo")
