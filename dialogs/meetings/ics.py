"""The .ics file of a meeting or deadline, and the signed link to it.

Why signed links: a calendar app fetches the URL without a Teams login, so the URL itself
is the permission. The token is an HMAC of the event id; the key is ICS_SIGNING_KEY, else
derived from the bot's app password, else a random secret stored once in the database, so
every instance on the same database signs alike. The UID never changes; SEQUENCE is the
event's sequence, raised on every change, so calendars replace the entry instead of adding one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import OSLO
from storage.models import Event, Network
from storage.models.meetings import AppSecret

_configured: bytes | None = None
_SECRET_NAME = "ics_signing_key"


def configure(secret: str) -> None:
    """Set by the bot at start-up from its settings; empty means: use the database secret."""
    global _configured
    _configured = hashlib.sha256(b"samarbeidsbot-ics:" + secret.encode()).digest() if secret else None


async def signing_key(session: AsyncSession) -> bytes:
    if _configured is not None:
        return _configured
    row = await session.scalar(select(AppSecret).where(AppSecret.name == _SECRET_NAME))
    if row is None:
        try:
            async with session.begin_nested():
                row = AppSecret(name=_SECRET_NAME, value=secrets.token_hex(32))
                session.add(row)
        except IntegrityError:  # another instance made it at the same moment: use theirs
            row = await session.scalar(select(AppSecret).where(AppSecret.name == _SECRET_NAME))
    assert row is not None
    return row.value.encode()


def token_for(key: bytes, event_id: int) -> str:
    return hmac.new(key, f"ics:{event_id}".encode(), hashlib.sha256).hexdigest()[:32]


def verify(key: bytes, event_id: int, token: str) -> bool:
    # compare bytes: a str with a non-ASCII letter makes compare_digest raise (a 500 instead of "not found")
    return hmac.compare_digest(token_for(key, event_id).encode(), (token or "").encode("utf-8", "surrogatepass"))


async def ics_url(session: AsyncSession, public_url: str, event_id: int) -> str:
    base = (public_url or "http://localhost:3978").rstrip("/")
    return f"{base}/ics/{event_id}.ics?t={quote(token_for(await signing_key(session), event_id))}"


def uid_of(event: Event, network: Network) -> str:
    return f"{event.key}.{network.slug}@samarbeidsbot"


def build_ics(event: Event, network: Network, *, agenda: list[str] | None = None, now: datetime | None = None) -> bytes:
    cancelled = event.status == "cancelled"
    cal = Calendar()
    cal.add("prodid", "-//Samarbeidsbot//samarbeidsbot//NO")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    vevent = VEvent()
    vevent.add("uid", uid_of(event, network))
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    if event.all_day:
        day = event.starts_at.astimezone(OSLO).date()
        vevent.add("dtstart", day)
        vevent.add("dtend", day + timedelta(days=1))
    else:
        vevent.add("dtstart", event.starts_at.astimezone(UTC))
        vevent.add("dtend", (event.ends_at or event.starts_at + timedelta(hours=1 if event.kind == "meeting" else 0,
                                                                         minutes=0 if event.kind == "meeting" else 1))
                   .astimezone(UTC))
    if event.place:
        vevent.add("location", event.place)
    if event.online_url:
        vevent.add("url", event.online_url)
    description = "\n".join(f"{i}. {item}" for i, item in enumerate(agenda or [], 1))
    if event.description:
        description = f"{event.description}\n{description}".strip()
    if event.online_url:
        description = f"{description}\n{event.online_url}".strip()
    if description:
        vevent.add("description", description)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(vevent)
    return cal.to_ical()
