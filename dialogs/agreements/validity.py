"""Which version of an agreement a question is about, as plain rules: the date it names ("i 2023",
"frå 1. januar 2027", "when the new agreement comes into force"), else the version it names ("the
new agreement", "utkastet", "den gamle avtalen"), else today; and the version valid on that date.

Why here and not in Q&A: validity is the agreements capability's rule (statuses, effective dates,
the switch into force); Q&A only asks it through its scope plug-in (`dialogs.qa.sources.qa_scope`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {"januar": 1, "january": 1, "februar": 2, "february": 2, "mars": 3, "march": 3, "april": 4,
          "mai": 5, "may": 5, "juni": 6, "june": 6, "juli": 7, "july": 7, "august": 8, "september": 9,
          "oktober": 10, "october": 10, "november": 11, "desember": 12, "december": 12}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_PREP = (r"(?:\b(?:i|in|frå|fra|from|per|pr\.?|etter|after|før|for|before|til|until|by|on|den|the|during|"
         r"gjennom|innan|innen|sidan|siden|since)\s+)*")
# a date phrase, with the prepositions before it (cut out together when the date only picks the version)
_DATES = [
    ("iso", re.compile(_PREP + r"(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("dmy", re.compile(_PREP + r"(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
    ("d_month_y", re.compile(_PREP + r"(\d{1,2})\.?\s*(?:of\s+)?" + _MONTH + r"\s+(\d{4})\b")),
    ("month_d_y", re.compile(_PREP + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")),
    ("month_y", re.compile(_PREP + _MONTH + r"\s+(\d{4})\b")),
    ("year", re.compile(_PREP + r"(?<![\d/.,-])((?:19[5-9]|20\d)\d)(?:\s*[-–]\s*\d{2,4})?(?![\d/])")),
]
# a date counts only in a question about the agreement's content or validity
_ABOUT = re.compile(r"avtal|agreement|gjeld|gjald|gald|appl|valid|kraft|force|effect|punkt|clause|vedtekt",
                    re.IGNORECASE)
_VERSION_WORD = r"(?:\w+\s+)?(?:avtal\w*|samarbeidsavtal\w*|agreement|versjon\w*|version)"
_LEAD = r"(?:\b(?:den|det|dei|de|the)\s+)?"
_NEWEST = re.compile(_LEAD + r"\b(?:nye|ny|nytt|new|neste|next|kommande|komande|kommende|coming)\s+" + _VERSION_WORD +
                     r"|" + _LEAD + r"\b(?:utkast\w*|draft(?:\s+agreement)?)\b", re.IGNORECASE)
_PREVIOUS = re.compile(_LEAD + r"\b(?:gamle|gamal|old|førre|forrige|tidlegare|tidligere|previous|former|earlier)\s+" +
                       _VERSION_WORD, re.IGNORECASE)
_INTO_FORCE = re.compile(r"i\s+kraft|into\s+force|into\s+effect|takes?\s+effect|(?:tek|tar|byrjar|begynner)\s+til\s+"
                         r"å\s+gjelde|(?:byrjar|begynner|starts?)\s+(?:å\s+gjelde|to\s+apply)", re.IGNORECASE)
# words that only say "valid when": cut with the date they go with, when enough of the question is left
_VALIDITY = re.compile(r"\b(?:(?:når|when)\s+)?(?:(?:trer|trår|kjem|kommer|comes?|enters?|tek|tar|byrjar|begynner)\s+)?"
                       r"(?:i\s+kraft|into\s+force|into\s+effect|takes?\s+effect|til\s+å\s+gjelde|å\s+gjelde|to\s+apply)"
                       r"|\b(?:gjeld|gjelder|gjaldt|galdt|gjelde|applies|applied|apply|valid|in\s+force)\b",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    """What a question says about time: a date (`year` when only a year), a version named by a word
    ("newest", "previous"), whether it asks about the new version coming into force, and the date
    phrase to cut from the question before it is matched ("" when none)."""

    day: date | None = None
    year: bool = False
    which: str = ""
    into_force: bool = False
    phrases: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        return self.day is not None or bool(self.which) or self.into_force


def _day(kind: str, groups: tuple[str, ...], today: date) -> tuple[date, bool] | None:
    try:
        if kind == "iso":
            return date(int(groups[0]), int(groups[1]), int(groups[2])), False
        if kind == "dmy":
            return date(int(groups[2]), int(groups[1]), int(groups[0])), False
        if kind == "d_month_y":
            return date(int(groups[2]), MONTHS[groups[1]], int(groups[0])), False
        if kind == "month_d_y":
            return date(int(groups[2]), MONTHS[groups[0]], int(groups[1])), False
        if kind == "month_y":
            return date(int(groups[1]), MONTHS[groups[0]], 1), False
        year = int(groups[0])
        # a year stands for the day in it the question most likely means: today in this year, else mid-year
        return (today if year == today.year else date(year, 7, 1)), True
    except (ValueError, KeyError):
        return None


def asked_in(question: str, today: date) -> Asked:
    text = question.lower()
    version = _NEWEST.search(text) or _PREVIOUS.search(text)
    which = "" if version is None else "newest" if version.re is _NEWEST else "previous"
    into_force = bool(_INTO_FORCE.search(text)) and which == "newest"
    # the version's own words ("den nye avtalen") are matched as the plain "the agreement"
    phrases = (question[version.start():version.end()],) if version else ()
    if _ABOUT.search(text):
        for kind, pattern in _DATES:
            match = pattern.search(text)
            if match is None:
                continue
            found = _day(kind, match.groups(), today)
            if found is not None:
                return Asked(day=found[0], year=found[1], which=which, into_force=into_force,
                             phrases=(question[match.start():match.end()], *phrases))
    return Asked(which=which, into_force=into_force, phrases=phrases)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


_PLAIN = {"nn": "avtalen", "nb": "avtalen", "en": "the agreement"}
# past tense that only follows from a past date ("what did the agreement say in 2023"): matched as present
_PRESENT = {"nn": {"sa": "seier", "stod": "står", "var": "er"}, "nb": {"sa": "sier", "sto": "står", "var": "er"},
            "en": {"said": "says", "did": "does", "was": "is", "were": "are"}}


def matched_question(question: str, asked: Asked, lang: str = "nn") -> str | None:
    """The question to match against the stored texts: without the phrases that only chose the version
    (the date; "den nye avtalen" becomes "avtalen") and, when enough is left, the words that only say "valid when"; a
    past date's past tense as present. None when nothing was cut."""
    if not asked.phrases:
        return None
    text = question
    for phrase in asked.phrases:
        plain = _PLAIN.get(lang, "avtalen") if _NEWEST.fullmatch(phrase.lower()) or _PREVIOUS.fullmatch(
            phrase.lower()) else " "
        text = text.replace(phrase, f" {plain} ")
    if asked.day is not None:
        present = _PRESENT.get(lang, _PRESENT["nn"])
        text = re.sub(r"\w+", lambda m: present.get(m.group(0).lower(), m.group(0)), text)
    stripped = _VALIDITY.sub(" ", text)
    if len(_words(stripped)) >= 3:
        text = stripped
    text = re.sub(r"\s+([?.!,])", r"\1", " ".join(text.split()))
    return text if _words(text) and text != question else None


@dataclass(frozen=True)
class VersionInfo:
    agreement: str
    key: str
    label: str
    status: str  # draft | adopted | in_force | expired
    valid_from: date | None
    valid_to: date | None
    order: int = 0  # the row id: ties on dates go to the newer row

    @property
    def prefix(self) -> str:
        return f"{self.agreement}/{self.key}"


def valid_on(version: VersionInfo, day: date) -> bool:
    """Adopted (or in force, or expired) and the date within its period; a draft is valid on no date."""
    return (version.status != "draft" and (version.valid_from is None or version.valid_from <= day)
            and (version.valid_to is None or day <= version.valid_to))


def _start(version: VersionInfo) -> tuple[date, int]:
    return (version.valid_from or date.min, version.order)


def newest(versions: list[VersionInfo]) -> VersionInfo:
    return max(versions, key=_start)


def version_for(versions: list[VersionInfo], asked: Asked, today: date) -> tuple[VersionInfo, str]:
    """The version a question is about among one agreement's versions with clauses, and how it was
    chosen: valid (on the date asked about, or today), current (in force today), draft (a draft that is
    to apply from that date, or named), named (by a word: the new, the old), none (no version is valid
    on that date: the nearest one before it)."""
    if asked.into_force or (asked.which and asked.day is None):
        ordered = sorted(versions, key=_start)
        chosen = ordered[-1] if asked.which == "newest" else (ordered[-2] if len(ordered) > 1 else ordered[-1])
        return chosen, "draft" if chosen.status == "draft" else "named"
    day = asked.day or today
    if asked.day is None:
        current = [v for v in versions if v.status == "in_force"]
        if current:  # the switch into force follows the project's clock: its status is today's answer
            return newest(current), "current"
    valid = [v for v in versions if valid_on(v, day)]
    if valid:
        return newest(valid), "valid"
    if asked.day is not None:
        planned = [v for v in versions if v.status == "draft" and v.valid_from and v.valid_from <= day]
        if planned:
            return newest(planned), "draft"
    settled = [v for v in versions if v.status != "draft"] or versions
    before = [v for v in settled if (v.valid_from or date.min) <= day]
    return (newest(before) if before else min(settled, key=_start)), "none"
