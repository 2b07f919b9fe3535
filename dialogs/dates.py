"""One date/time parser for the whole product: Nynorsk, Bokmål and English phrases.

Why not just `dateparser.parse`?  On its own it reads "kl. 10" as a year, does not
know "klokka" in Nynorsk, fails on "neste tysdag" and "i morgon klokka 9", answers
"tomorrow at 10" with 12:00, rolls "20. august" said on 20 August into next year,
and silently ignores a weekday that contradicts the date.  So a phrase goes
through three steps:

1. `normalise` – lower case, one kind of dash, no accents on é/ó, number words
   ("to", "ein", "two") turned into digits where they count something.
2. Structured extraction of the forms people actually type: clock times and
   ranges, "i morgon"/"tomorrow", "om to veker"/"in two weeks", weekdays (with
   "neste"/"next"/"forrige"/"last"), "neste veke", numeric dates, "28. august",
   "September 3rd".  Each part is cut out of the phrase.
3. Whatever is left (if it contains words) goes to dateparser as a safety net;
   anything it cannot read either is an error, never a guess.

The parts are then combined with explicit rules (year roll-over, weekday checks,
Europe/Oslo offsets) and errors are `WhenError`s with a localised `message()`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from dateparser.date import DateDataParser

from dialogs.i18n import OSLO, date_only, format_day, format_when, normalise_lang, t

# --- vocabulary ---------------------------------------------------------------------------

WEEKDAY_NAMES = {
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_WEEKDAY_WORDS: dict[str, int] = {
    **{name.lower(): i for names in WEEKDAY_NAMES.values() for i, name in enumerate(names)},
    # Norwegian abbreviations are only accepted with their dot ("tys.", "lør.").
    "man.": 0, "mån.": 0, "tys.": 1, "tir.": 1, "ons.": 2, "tor.": 3, "fre.": 4, "lau.": 5, "lør.": 5,
    "søn.": 6, "sun.": 6,
}
# English abbreviations only for English: "fri" and "sat" are ordinary Norwegian words.
_WEEKDAY_WORDS_EN = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
                     "sat": 5, "sun": 6}
_ALL_WEEKDAY_WORDS = {**_WEEKDAY_WORDS, **_WEEKDAY_WORDS_EN}
_MONTH_WORDS: dict[str, int] = {
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_NUMBER_WORDS: dict[str, dict[str, int]] = {
    "no": {
        "ein": 1, "en": 1, "ei": 1, "eitt": 1, "ett": 1, "eit": 1, "et": 1, "to": 2, "tre": 3, "fire": 4,
        "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12,
        "tretten": 13, "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "atten": 18,
        "nitten": 19, "tjue": 20, "tyve": 20,
    },
    "en": {
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    },
}
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(("minutt", "minutter", "minuttar", "min", "minute", "minutes", "mins"), "minutes"),
    **dict.fromkeys(("time", "timar", "timer", "hour", "hours"), "hours"),
    **dict.fromkeys(("dag", "dagar", "dager", "døgn", "day", "days"), "days"),
    **dict.fromkeys(("veke", "veker", "uke", "uker", "week", "weeks"), "weeks"),
    **dict.fromkeys(("månad", "månader", "måned", "måneder", "month", "months"), "months"),
    **dict.fromkeys(("år", "year", "years"), "years"),
}
_RELATIVE_DAYS: dict[str, int] = {
    "i dag": 0, "idag": 0, "today": 0,
    "i morgon": 1, "i morgen": 1, "imorgon": 1, "imorgen": 1, "tomorrow": 1,
    "i overmorgon": 2, "i overmorgen": 2, "overmorgon": 2, "overmorgen": 2,
    "the day after tomorrow": 2, "day after tomorrow": 2,
    "i går": -1, "igår": -1, "yesterday": -1,
    "i forgårs": -2, "i fyrregårs": -2, "the day before yesterday": -2, "day before yesterday": -2,
}
_FILLER = {"den", "på", "the", "on", "at", "of", "og", "and", "fra", "frå", "from", "ved", "om", "in"}
_DATEPARSER_LANGUAGES = {"nn": ["nn", "nb"], "nb": ["nb", "nn"], "en": ["en"]}


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so that 'mars' wins over 'mar'."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_W = r"(?![\wæøå])"  # end of word (\b does not treat a trailing '.' as part of the word)
_MONTHS = _alternation(_MONTH_WORDS)
_UNITS = _alternation(_UNIT_WORDS)
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?"
_PREFIX = r"(?:kl\.?|klokka|klokken|klokke|at|@)"
_SEP = r"\s*(?:-|til|to|until|till)\s*"

_RE_PREFIXED_TIME = re.compile(
    rf"(?<![\wæøå]){_PREFIX}\s*(?P<a>halv\s+\d{{1,2}}|{_CLOCK})(?:{_SEP}(?:{_PREFIX}\s*)?(?P<b>{_CLOCK}))?(?![\d:])"
)
_RE_BARE_TIME = re.compile(
    rf"(?<![\w.:])(?P<a>\d{{1,2}}:\d{{2}}(?:\s*[ap]\.?m\.?)?|\d{{1,2}}\s*[ap]\.?m\.?"
    rf"|\d{{1,2}}(?={_SEP}\d{{1,2}}(?::\d{{2}})?\s*[ap]\.?m))"
    rf"(?:{_SEP}(?P<b>{_CLOCK}))?(?![\d:])"
)
_RE_NOON = re.compile(r"(?<![\wæøå])(?:at\s+)?(?:noon|midday)(?![\wæøå])")
_RE_CLOCK = re.compile(r"(?:(?P<halv>halv)\s+)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>[ap])?")
_RE_RELATIVE_DAY = re.compile(rf"(?<![\wæøå])(?P<w>{_alternation(_RELATIVE_DAYS)}){_W}")
_RE_OFFSET = re.compile(
    rf"(?<![\wæøå])(?:(?:om|in)\s+(?P<n1>\d+)\s+(?P<u1>{_UNITS}){_W}(?:\s+(?:from now|from today))?"
    rf"|(?P<n2>\d+)\s+(?P<u2>{_UNITS}){_W}\s+(?:from now|from today)"
    rf"|(?:for\s+)?(?P<n3>\d+)\s+(?P<u3>{_UNITS})\s+(?:sidan|siden|ago){_W})"
)
_RE_WEEK = re.compile(
    rf"(?<![\wæøå])(?P<w>neste|kommande|kommende|next|denne|this|førre|forrige|last)\s+"
    rf"(?:veke|veka|uke|uka|week){_W}"
)
_WEEKDAY_PREFIX = r"neste|kommande|kommende|førstkommande|førstkommende|next|this|coming|førre|forrige|last"


@cache
def _weekday_pattern(lang: str) -> re.Pattern[str]:
    words = {**_WEEKDAY_WORDS, **(_WEEKDAY_WORDS_EN if lang == "en" else {})}
    return re.compile(
        rf"(?<![\wæøå])(?:(?P<pre>{_WEEKDAY_PREFIX})\s+)?(?P<wd>{_alternation(words)}){_W}"
    )


_RE_ISO_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_RE_NUMERIC_DATE = re.compile(
    r"(?<![\d.:])(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2})?)?(?![\d:])"
)
_RE_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{_MONTHS}){_W}\.?"
    rf"(?:\s*,?\s*(?P<y>\d{{4}}))?(?!\d)"
)
_RE_MONTH_DAY = re.compile(
    rf"(?<![\wæøå])(?P<mon>{_MONTHS}){_W}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
    rf"(?:\s*,?\s*(?P<y>\d{{4}}))?(?!\d)"
)
_RE_DAY_ONLY = re.compile(r"(?<![\wæøå.])(?:(?:den|the)\s+)?(?P<d>\d{1,2})(?:\.|st|nd|rd|th)(?![\wæøå.\d])")
_RE_FULL_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


# --- public API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A point in time (aware, Europe/Oslo) or a whole day, optionally with an end time."""

    start: datetime | date
    end: datetime | None = None
    has_time: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "has_time", isinstance(self.start, datetime))
        if self.end is not None and not self.has_time:
            raise ValueError("an end time needs a start time")

    def iso(self) -> str:
        """'2024-09-03T09:00:00+02:00', or '2024-09-03' for a whole day (end not included)."""
        return self.start.isoformat()

    def as_dict(self) -> dict[str, object]:
        return {"start": self.iso(), "end": self.end.isoformat() if self.end else None,
                "has_time": self.has_time}


class WhenError(ValueError):
    """A phrase that cannot (or must not) be turned into a `When`; `code` says why."""

    def __init__(self, code: str, text: str = "", **details: object) -> None:
        super().__init__(f"{code}: {text!r}" if text else code)
        self.code = code
        self.text = text
        self.details = details

    def message(self, lang: str) -> str:
        """The reason in the user's language, via the `dates` catalogue."""
        lang = normalise_lang(lang)
        values: dict[str, object] = {"text": self.text, "examples": t("dates.examples", lang)}
        for key, value in self.details.items():
            values[key] = _display(key, value, lang)
        return t(f"dates.{self.code}", lang, **values)


def parse_when(text: str, lang: str, now: datetime | None = None, *, allow_past: bool = True) -> When:
    """Read a date/time phrase in `lang` ('nn', 'nb', 'en') relative to `now` (Europe/Oslo)."""
    lang = normalise_lang(lang)
    now = _oslo_now(now)
    if not text or not text.strip():
        raise WhenError("empty", "")
    result = _parse_iso(text.strip()) or _parse_phrase(text.strip(), lang, now)
    if not allow_past and _is_past(result, now):
        raise WhenError("in_past", text.strip(), when=result.start)
    return result


def confirmed_instant(raw: str) -> datetime | None:
    """The exact instant a confirmed preview card carries (ISO 8601 with its offset); None when it is not one
    (unreadable, or without an offset: a bare time could be read in the wrong zone)."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def weekday_name(index: int, lang: str) -> str:
    return WEEKDAY_NAMES[normalise_lang(lang)][index]


# --- normalising --------------------------------------------------------------------------

_ACCENTS = str.maketrans("éèêóòôáàü", "eeeoooaau")


def normalise(text: str, lang: str) -> str:
    """Lower case, plain dashes and spaces, and number words as digits where they count."""
    s = text.lower().translate(_ACCENTS)
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[\s\u00a0]+", " ", s).strip()
    s = s.rstrip("!?")
    return _number_words_to_digits(s, lang)


def _number_words_to_digits(s: str, lang: str) -> str:
    words = _NUMBER_WORDS["en" if lang == "en" else "no"]
    alternation = _alternation(words)

    def digit(match: re.Match[str]) -> str:
        return f"{match.group('pre') or ''}{words[match.group('w')]}"

    before_unit = rf"(?<![\wæøå])(?P<pre>)(?P<w>{alternation})(?=\s+(?:{_UNITS}){_W})"
    after_prefix = rf"(?<![\wæøå])(?P<pre>(?:kl\.?|klokka|klokken|klokke|at|halv)\s+)(?P<w>{alternation}){_W}"
    s = re.sub(before_unit, digit, s)
    return re.sub(after_prefix, digit, s)


# --- extraction ---------------------------------------------------------------------------


@dataclass
class _Parts:
    """What was found in a phrase; `rest` is what is left once each part is cut out."""

    rest: str
    clock: tuple[time, time | None] | None = None
    relative_day: int | None = None
    offset: tuple[int, str] | None = None
    week: int | None = None
    weekday: tuple[int, str] | None = None  # (0=Monday, 'next'|'last')
    dates: list[tuple[int | None, int, int]] = field(default_factory=list)  # (year, month, day)
    day_of_month: int | None = None  # "den 12.", "the 3rd"

    def take(self, pattern: re.Pattern[str], text: str, *, single: bool = True) -> list[re.Match[str]]:
        """Cut every match of `pattern` out of `rest`; two of a kind (two clock times) is unreadable."""
        found = list(pattern.finditer(self.rest))
        if found:
            self.rest = pattern.sub(" ", self.rest)
        if single and len(found) > 1:
            raise WhenError("unreadable", text)
        return found

    def has_day(self) -> bool:
        return bool(self.dates or self.weekday or self.day_of_month
                    or self.relative_day is not None or self.week is not None)


def _extract(text: str, lang: str) -> _Parts:
    parts = _Parts(rest=normalise(text, lang))
    for pattern in (_RE_PREFIXED_TIME, _RE_BARE_TIME):
        for m in parts.take(pattern, text):
            if parts.clock is not None:
                raise WhenError("unreadable", text)
            parts.clock = _read_clock_range(m.group("a"), m.group("b"), text)
    if parts.take(_RE_NOON, text):
        if parts.clock is not None:
            raise WhenError("unreadable", text)
        parts.clock = (time(12), None)
    for m in parts.take(_RE_OFFSET, text):  # before "today", which may be part of "3 days from today"
        number, unit, sign = _offset_groups(m)
        parts.offset = (sign * number, _UNIT_WORDS[unit])
    for m in parts.take(_RE_RELATIVE_DAY, text):
        parts.relative_day = _RELATIVE_DAYS[m.group("w")]
    for m in parts.take(_RE_WEEK, text):
        parts.week = {"denne": 0, "this": 0, "førre": -1, "forrige": -1, "last": -1}.get(m.group("w"), 1)
    for m in parts.take(_weekday_pattern(lang), text):
        direction = "last" if m.group("pre") in ("førre", "forrige", "last") else "next"
        parts.weekday = (_ALL_WEEKDAY_WORDS[m.group("wd")], direction)
    for pattern in (_RE_ISO_DATE, _RE_DAY_MONTH, _RE_MONTH_DAY, _RE_NUMERIC_DATE):
        for m in parts.take(pattern, text, single=False):
            parts.dates.append(_date_groups(m))
    for m in parts.take(_RE_DAY_ONLY, text):
        parts.day_of_month = int(m.group("d"))
    return parts


def _offset_groups(m: re.Match[str]) -> tuple[int, str, int]:
    for i, sign in (("1", 1), ("2", 1), ("3", -1)):
        if m.group(f"n{i}"):
            return int(m.group(f"n{i}")), m.group(f"u{i}"), sign
    raise AssertionError("offset pattern without a number")  # pragma: no cover


def _date_groups(m: re.Match[str]) -> tuple[int | None, int, int]:
    month = m.group("m") if "m" in m.groupdict() else None
    month_no = int(month) if month else _MONTH_WORDS[m.group("mon")]
    year = m.group("y")
    if year and len(year) == 2:
        year = "20" + year
    return (int(year) if year else None, month_no, int(m.group("d")))


def _read_clock(raw: str, text: str) -> tuple[int, int, str | None]:
    m = _RE_CLOCK.fullmatch(raw.replace(".m", "m").replace("m.", "m").rstrip("m").strip())
    if not m:
        raise WhenError("unreadable", text)
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    if m.group("halv"):  # Norwegian "halv ti" is 9:30
        hour, minute = (hour - 1) % 24 or 12, 30
    if hour > 23 or minute > 59 or (m.group("ap") and not 1 <= hour <= 12):
        raise WhenError("invalid_time", text)
    return hour, minute, m.group("ap")


def _to_24h(hour: int, meridiem: str | None) -> int:
    if meridiem == "a":
        return 0 if hour == 12 else hour
    if meridiem == "p":
        return hour if hour == 12 else hour + 12
    return hour


def _read_clock_range(a: str, b: str | None, text: str) -> tuple[time, time | None]:
    h1, m1, ap1 = _read_clock(a, text)
    if b is None:
        return time(_to_24h(h1, ap1), m1), None
    h2, m2, ap2 = _read_clock(b, text)
    end = time(_to_24h(h2, ap2), m2)
    if ap1 is None and ap2 is not None:  # "9-11am", "11-1pm": the start shares the end's half if it fits
        same = time(_to_24h(h1, ap2), m1)
        ap1 = ap2 if same <= end else ("a" if ap2 == "p" else None)
    return time(_to_24h(h1, ap1), m1), end


# --- combining ----------------------------------------------------------------------------


def _parse_phrase(text: str, lang: str, now: datetime) -> When:
    parts = _extract(text, lang)
    leftover = _leftover(parts.rest)
    fallback = _dateparser_fallback(leftover, lang, now, text) if leftover else None
    if isinstance(fallback, datetime):  # dateparser found a time of day itself ("noon")
        if parts.clock is not None or parts.offset is not None or parts.has_day():
            raise WhenError("conflict", text)
        return When(fallback)
    if fallback is not None:
        parts.dates.append((fallback.year, fallback.month, fallback.day))
    if parts.offset and parts.offset[1] in ("hours", "minutes"):
        return _clock_offset(parts, now, text)
    day = _resolve_day(parts, now.date(), text)
    if parts.clock is None:
        if day is None:
            raise WhenError("unreadable", text)
        return When(day)
    return _with_clock(day, parts.clock, now, text)


def _leftover(rest: str) -> str:
    words = re.sub(r"[.,;:!?()\-/]", " ", rest).split()
    return " ".join(w for w in words if w not in _FILLER)


def _dateparser_fallback(leftover: str, lang: str, now: datetime, text: str) -> date | datetime:
    """The long tail ('in a fortnight'): only for words we did not read ourselves.

    dateparser is lenient with scraps ("ti", "to the", "3 to am" all give a date), so it only
    gets word-only leftovers that are not bare numbers, and its answer must not lie in the past
    (the past forms people use, "i går", "forrige fredag", "3 dagar sidan", are read above).
    """
    words = leftover.split()
    numbers = _NUMBER_WORDS["en" if lang == "en" else "no"]
    if re.search(r"\d", leftover) or all(w in numbers for w in words):
        raise WhenError("unreadable", text)
    settings = {
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.replace(tzinfo=None), "TIMEZONE": "Europe/Oslo",
        "RETURN_AS_TIMEZONE_AWARE": True, "DATE_ORDER": "DMY",
    }
    data = DateDataParser(languages=_DATEPARSER_LANGUAGES[lang], settings=settings).get_date_data(leftover)
    if data.date_obj is None or data.period not in ("day", "week", "time"):
        raise WhenError("unreadable", text)
    found = data.date_obj.astimezone(OSLO)
    if found.date() < now.date():
        raise WhenError("unreadable", text)
    if found.time() in (time(0), now.time().replace(tzinfo=None)):
        return found.date()
    return found.replace(second=0, microsecond=0)


def _clock_offset(parts: _Parts, now: datetime, text: str) -> When:
    if parts.clock is not None or parts.has_day():
        raise WhenError("conflict", text)
    assert parts.offset is not None
    amount, unit = parts.offset
    start = (now.astimezone(UTC) + timedelta(**{unit: amount})).astimezone(OSLO)
    return When(start.replace(second=0, microsecond=0))


def _resolve_day(parts: _Parts, today: date, text: str) -> date | None:
    """The day the parts point at, or None when only a clock time was given."""
    if parts.weekday and parts.offset and parts.offset[1] == "weeks" and parts.week is None:
        parts.week, parts.offset = parts.offset[0], None  # "tysdag om to veker": Tuesday of that week
    anchors = [_absolute_day(d, today, text) for d in parts.dates]
    if parts.day_of_month is not None:
        anchors.append(_next_day_of_month(parts.day_of_month, today, text))
    if parts.relative_day is not None:
        anchors.append(today + timedelta(days=parts.relative_day))
    if parts.offset is not None:
        anchors.append(_add(today, *parts.offset))
    if len(set(anchors)) > 1 or (anchors and parts.week is not None):
        raise WhenError("conflict", text)
    if parts.weekday is None:
        if anchors:
            return anchors[0]
        return today + timedelta(weeks=parts.week) if parts.week is not None else None
    weekday, direction = parts.weekday
    if anchors:
        return _check_weekday(anchors[0], weekday, text)
    if parts.week is not None:
        return _monday(today) + timedelta(weeks=parts.week, days=weekday)
    return _next_weekday(today, weekday, -1 if direction == "last" else 1)


def _absolute_day(parts: tuple[int | None, int, int], today: date, text: str) -> date:
    """A day and month with an optional year; without a year the next one on/after today."""
    year, month, day = parts
    if year is not None:
        return _make_date(year, month, day, text)
    for candidate_year in range(today.year, today.year + 9):  # 29 February may be years away
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            if not 1 <= month <= 12 or not 1 <= day <= 31 or (month, day) != (2, 29):
                raise WhenError("invalid_date", text) from None
            continue
        if candidate >= today:
            return candidate
    raise WhenError("invalid_date", text)


def _next_day_of_month(day: int, today: date, text: str) -> date:
    """'den 12.': the 12th of this month if still ahead, else of the next month that has one."""
    if not 1 <= day <= 31:
        raise WhenError("invalid_date", text)
    for months in range(13):
        month_index = today.month - 1 + months
        year, month = today.year + month_index // 12, month_index % 12 + 1
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError("invalid_date", text) from None


def _check_weekday(day: date, weekday: int, text: str) -> date:
    if day.weekday() != weekday:
        raise WhenError("weekday_mismatch", text, date=day, actual=day.weekday(), given=weekday)
    return day


def _with_clock(day: date | None, clock: tuple[time, time | None], now: datetime, text: str) -> When:
    start_time, end_time = clock
    if day is None:  # a time alone: today if still ahead, else tomorrow
        day = now.date()
        if _at(day, start_time) <= now:
            day += timedelta(days=1)
    start = _at(day, start_time)
    end = _at(day, end_time) if end_time is not None else None
    if end is not None and end <= start:
        raise WhenError("end_before_start", text, start=start, end=end)
    return When(start, end)


# --- small date helpers -------------------------------------------------------------------


def _at(day: date, clock: time) -> datetime:
    """Wall-clock time in Oslo; a time skipped by the spring change moves forward an hour."""
    naive = datetime.combine(day, clock, tzinfo=OSLO)
    return naive.astimezone(UTC).astimezone(OSLO)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_weekday(today: date, weekday: int, direction: int) -> date:
    """The nearest `weekday` strictly after (direction 1) or before (-1) today."""
    days = (weekday - today.weekday()) * direction % 7 or 7
    return today + timedelta(days=days * direction)


def _add(day: date, amount: int, unit: str) -> date:
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(weeks=amount)
    months = day.month - 1 + amount * (12 if unit == "years" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _oslo_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(OSLO)
    return now.replace(tzinfo=OSLO) if now.tzinfo is None else now.astimezone(OSLO)


def _parse_iso(text: str) -> When | None:
    """Machine input ('2024-09-03', '2024-09-03T09:00:00+02:00') is taken as it is."""
    if not _RE_FULL_ISO.fullmatch(text):
        return None
    if len(text) == 10:
        try:
            return When(date.fromisoformat(text))
        except ValueError:
            raise WhenError("invalid_date", text) from None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise WhenError("invalid_date", text) from None
    return When(_at(value.date(), value.time()) if value.tzinfo is None else value.astimezone(OSLO))


def _is_past(result: When, now: datetime) -> bool:
    if isinstance(result.start, datetime):
        return result.start < now
    return result.start < now.date()


def _display(key: str, value: object, lang: str) -> object:
    if key in ("actual", "given") and isinstance(value, int):
        return weekday_name(value, lang)
    if key in ("start", "end") and isinstance(value, datetime):
        return f"{value:%H:%M}"
    if isinstance(value, datetime):
        return format_when(value, lang)
    if isinstance(value, date):  # "3. september 2024 er ein tysdag": the sentence names the weekday
        return date_only(value, lang) if key == "date" else format_day(value, lang)
    return value


# --- command line -------------------------------------------------------------------------


def cli_main(argv: list[str]) -> int:
    """`--lang nn|nb|en [--now ISO] [--json] TEXT...`: print the ISO value, or the reason on stderr."""
    parser = argparse.ArgumentParser(prog="when", description="Read a Norwegian or English date/time.")
    parser.add_argument("--lang", choices=("nn", "nb", "en"), default="nb")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="reference time, ISO 8601 (default: the clock, Europe/Oslo)")
    parser.add_argument("--json", action="store_true", help='print {"start", "end", "has_time"}')
    parser.add_argument("text", nargs="+")
    if argv[:1] == ["--"]:  # `samarbeidsbot when -- --lang nn ...`: the outer parser's REMAINDER keeps it
        argv = argv[1:]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        result = parse_when(" ".join(args.text), args.lang, args.now)
    except WhenError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 1
    print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else result.iso())
    return 0
