"""Reading an announcement typed in Nynorsk, Bokmål or English into a meeting or deadline.

"Styringsgruppemøte 28. august kl. 10–12 på Teams" → title, day and time, place.
The date part is found with the same patterns `dialogs.dates` reads and is handed to
`parse_when` (the one date parser); what precedes it is the title, what follows it the
place. Further lines hold agenda items ("- Budsjett 2027"), "Stad: …", "Lenkje: …" and
"Påminning: 3, 1". Nothing is guessed silently: the secretariat sees a confirmation card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from dialogs import dates
from dialogs.dates import When, WhenError, parse_when
from dialogs.i18n import OSLO

_COMMAND = re.compile(
    r"^\s*(?:nytt møte|kunngjer møte|kunngjer|kunngjør møte|kunngjør|innkalling|kall inn til|ny frist|"
    r"new meeting|announce meeting|announce|new deadline)(?![\w])\s*[:\-–]?\s*", re.IGNORECASE)
# "frist", "fristen", and compounds ending in it ("svarfrist", "søknadsfrist", "innspelsfrist"), "deadline"
_DEADLINE = re.compile(r"^\s*(?:\w*frist(?:en)?|deadline)\b", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_AGENDA_LINE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|sak\s*\d+[:.)]?)\s*(?P<item>.+)$", re.IGNORECASE)
_AGENDA_HEAD = re.compile(r"^\s*(?:saker|sakliste|saksliste|agenda)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
# the same head after the date on the headline ("… på Teams. Saker: budsjett; årsmelding")
_AGENDA_INLINE = re.compile(r"(?:^|[.;]\s*|\s)(?:saker|sakliste|saksliste|agenda)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_PLACE_LINE = re.compile(r"^\s*(?:stad|sted|place|where|møtestad|møtested)\s*:\s*(?P<v>.+)$", re.IGNORECASE)
_LINK_LINE = re.compile(r"^\s*(?:lenkje|lenke|link|teams)\s*:\s*(?P<v>\S+)\s*$", re.IGNORECASE)
_REMIND_LINE = re.compile(r"^\s*(?:påminning|påminningar|påminnelse|påminnelser|reminders?)\s*:\s*(?P<v>.+)$",
                          re.IGNORECASE)
_AUDIENCE_LINE = re.compile(r"^\s*(?:for|til|to|audience|målgruppe|målgruppa)\s*:\s*(?P<v>.+)$", re.IGNORECASE)
_PLACE_PREFIX = re.compile(r"^\s*(?:[,;:–-]\s*)*(?:på|i|ved|at|in|on|@)\s+", re.IGNORECASE)
_JOINERS = re.compile(r"^[\s,]*(?:den|the|on|at|og|and|frå|fra|from|–|-)?[\s,]*$", re.IGNORECASE)
MAX_AGENDA = 30


class Unreadable(Exception):
    """No date or time could be found in the text."""


@dataclass
class Announcement:
    kind: str  # meeting | deadline
    title: str
    when: When
    when_text: str
    place: str = ""
    online_url: str = ""
    agenda: list[str] = field(default_factory=list)
    remind_days: list[int] | None = None
    audience_hint: str = ""  # words that name who it is for ("styringsgruppa", "kommunedirektørane")


def strip_command(text: str) -> tuple[str, bool]:
    """The text without a leading "nytt møte:" etc., and whether such a command was given."""
    match = _COMMAND.match(text)
    return (text[match.end():], True) if match else (text, False)


def looks_like_deadline(text: str) -> bool:
    return bool(_DEADLINE.match(text))


def date_span(text: str, lang: str) -> tuple[int, int] | None:
    """Where the date/time phrase sits in `text`: the first run of date parts, joined by small words."""
    lowered = text.lower().translate(dates._ACCENTS)
    lowered = re.sub(r"[\u2010-\u2015\u2212]", "-", lowered)
    patterns = [dates._RE_PREFIXED_TIME, dates._RE_BARE_TIME, dates._RE_RELATIVE_DAY, dates._RE_OFFSET,
                dates._RE_WEEK, dates._weekday_pattern(lang), dates._RE_ISO_DATE, dates._RE_DAY_MONTH,
                dates._RE_MONTH_DAY, dates._RE_NUMERIC_DATE, dates._RE_DAY_ONLY]
    spans = sorted({(m.start(), m.end()) for p in patterns for m in p.finditer(lowered) if m.end() > m.start()})
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:]:
        if s <= end or _JOINERS.match(lowered[end:s]):
            end = max(end, e)
        else:
            break
    return start, end


def parse_announcement(text: str, lang: str, now: datetime) -> Announcement:
    """Read the whole message; raises Unreadable (no date found) or WhenError (a date that cannot be)."""
    text, _ = strip_command(text.strip())
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise Unreadable(text)
    headline, rest = lines[0], lines[1:]
    agenda: list[str] = []
    place = url = audience = ""
    remind: list[int] | None = None
    head = _AGENDA_INLINE.search(headline)
    if head:  # "… på Teams. Saker: budsjett; årsmelding"
        agenda += [p.strip() for p in re.split(r"[;,]", head.group("rest")) if p.strip()]
        headline = headline[:head.start()].rstrip(" .;:")
    for line in rest:
        if m := _PLACE_LINE.match(line):
            place = m.group("v").strip()
        elif m := _LINK_LINE.match(line):
            url = m.group("v").strip()
        elif m := _REMIND_LINE.match(line):
            remind = [int(d) for d in re.findall(r"\d+", m.group("v"))]
        elif m := _AUDIENCE_LINE.match(line):
            audience = m.group("v").strip()
        elif m := _AGENDA_HEAD.match(line):
            agenda += [p.strip() for p in re.split(r"[;]", m.group("rest")) if p.strip()]
        elif m := _AGENDA_LINE.match(line):
            agenda.append(m.group("item").strip())
        else:
            agenda.append(line.strip())
    if found := _URL.search(headline):
        url = url or found.group(0).rstrip(".,)")
        headline = (headline[:found.start()] + headline[found.end():]).strip()
    span = date_span(headline, lang)
    if span is None:
        raise Unreadable(headline)
    when_text = headline[span[0]:span[1]].strip(" ,")
    when = parse_when(when_text, lang, now=now)
    before = headline[:span[0]].strip(" ,:;–-")
    after = _PLACE_PREFIX.sub("", headline[span[1]:]).strip(" ,.;:–-")
    title = before or after
    if not before:
        after = ""
    if not place and after:
        place = after
    if url and not place and "teams.microsoft" in url:
        place = "Teams"
    kind = "deadline" if looks_like_deadline(title) else "meeting"
    return Announcement(kind=kind, title=title.strip()[:300], when=when, when_text=when_text, place=place[:300],
                        online_url=url[:500], agenda=agenda[:MAX_AGENDA], remind_days=remind,
                        audience_hint=audience or title)


def is_past(when: When, now: datetime) -> bool:
    if isinstance(when.start, datetime):
        return when.start <= now
    # a whole day is past once the day has ended in Oslo (not in UTC: 00:30 in Oslo is still 23:30 UTC)
    return when.start < now.astimezone(OSLO).date() if isinstance(when.start, date) else False


__all__ = ["Announcement", "Unreadable", "WhenError", "date_span", "is_past", "parse_announcement", "strip_command"]
