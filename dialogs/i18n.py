"""Message catalogues (gettext .po read with Babel) and Norwegian date formatting.

Every user-facing string lives in `dialogs/locales/<lang>/LC_MESSAGES/<domain>.po`.
A message id is `<domain>.<name>` (for example `core.welcome_title`), so each
capability owns its own catalogue file and nobody edits anyone else's.
Missing translations fall back nn → nb → en, then to the id itself, so a gap
shows up as a visible id in tests rather than as a crash in production.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.messages.pofile import read_po

LANGUAGES = ("nn", "nb", "en")
OSLO = ZoneInfo("Europe/Oslo")
_LOCALES = Path(__file__).parent / "locales"
_FALLBACK = {"nn": ("nn", "nb", "en"), "nb": ("nb", "en"), "en": ("en", "nb")}


def normalise_lang(lang: str | None, default: str = "nb") -> str:
    """Map Teams locales ('nb-NO', 'nn-NO', 'en-US', 'no') to one of LANGUAGES."""
    if not lang:
        return default
    code = lang.lower().replace("_", "-").split("-")[0]
    if code in LANGUAGES:
        return code
    if code in ("no", "nob"):
        return "nb"
    if code == "nno":
        return "nn"
    return default


@cache
def _catalogue(lang: str, domain: str) -> dict[str, str]:
    path = _LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=None)
    return {m.id: m.string for m in catalog if m.id and m.string and isinstance(m.id, str)}


def t(key: str, lang: str, /, **values: object) -> str:
    """Translate message `key` into `lang`, filling `{placeholders}` from `values`."""
    domain = key.split(".", 1)[0]
    for candidate in _FALLBACK.get(lang, ("en",)):
        text = _catalogue(candidate, domain).get(key)
        if text:
            return text.format(**values) if values else text
    return key


def has_message(key: str, lang: str) -> bool:
    return bool(_catalogue(lang, key.split(".", 1)[0]).get(key))


def babel_locale(lang: str) -> str:
    return {"nn": "nn_NO", "nb": "nb_NO", "en": "en_GB"}.get(lang, "nb_NO")


def date_only(value: date, lang: str) -> str:
    """'28. august 2024' (nn/nb) or '28 August 2024' (en), without the weekday.

    Only for a sentence that names the weekday itself ("… er ein tysdag"); everything else
    shown to people goes through `format_day` / `format_when`.
    """
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return _babel_format_date(value, format="long", locale=babel_locale(lang))


def weekday(value: date, lang: str) -> str:
    """'laurdag' / 'lørdag' / 'Saturday'."""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return _babel_format_date(value, format="EEEE", locale=babel_locale(lang))


def format_day(value: date, lang: str) -> str:
    """'laurdag 28. august 2027' (nn), 'lørdag 28. august 2027' (nb), 'Saturday 28 August 2027' (en).

    The one rule for a day shown to people: with its weekday, as Teams users expect
    (a stored UTC time is read as its day in Europe/Oslo).
    """
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return f"{weekday(value, lang)} {date_only(value, lang)}"


def format_when(value: datetime, lang: str) -> str:
    """A stored UTC time shown in Europe/Oslo, Norwegian style: 'tysdag 28. august 2024 kl. 10:00'."""
    local = value.astimezone(OSLO) if value.tzinfo else value.replace(tzinfo=OSLO)
    day = format_day(local.date(), lang)
    at = "at" if lang == "en" else "kl."
    return f"{day} {at} {local:%H:%M}"
