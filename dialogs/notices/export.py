"""Signed download links for a notice's CSV report ("Eksporter CSV" on the report card).

Why a signed link: the browser that opens it has no Teams login, so the link itself
is the permission. It is an HMAC over the notice, the person it was made for and an
expiry, with the same key as the calendar links (dialogs.meetings.ics: configured,
else from the app password, else a secret in the database), so every instance
signs alike and there is no second secret to manage. On download the person must
still be in the notice's network secretariat.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings.ics import signing_key
from storage import directory
from storage.models import Person
from storage.models.notices import Notice

LINK_LIFETIME = timedelta(hours=1)


def _mac(key: bytes, notice_id: int, person_id: int, expires: int) -> str:
    message = f"notice-csv:{notice_id}:{person_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def token_for(key: bytes, notice_id: int, person_id: int, expires: int) -> str:
    return f"{person_id}.{expires}.{_mac(key, notice_id, person_id, expires)}"


async def export_url(session: AsyncSession, public_url: str, notice_id: int, person_id: int,
                     now: datetime) -> str:
    expires = int((now + LINK_LIFETIME).timestamp())
    token = token_for(await signing_key(session), notice_id, person_id, expires)
    base = (public_url or "http://localhost:3978").rstrip("/")
    return f"{base}/exports/notice/{notice_id}.csv?t={quote(token)}"


async def verify(session: AsyncSession, notice_id: int, token: str, now: datetime) -> tuple[Notice, Person] | None:
    """The notice and the person a valid, unexpired token was made for, if they may still have it."""
    try:
        person_raw, expires_raw, mac = (token or "").split(".")
        person_id, expires = int(person_raw), int(expires_raw)
    except ValueError:
        return None
    expected = _mac(await signing_key(session), notice_id, person_id, expires).encode()
    if not hmac.compare_digest(expected, mac.encode("utf-8", "surrogatepass")):
        return None
    if expires < now.timestamp():
        return None
    notice = await session.get(Notice, notice_id)
    person = await session.get(Person, person_id)
    if notice is None or person is None or not await directory.is_secretariat(session, person, notice.network_id):
        return None
    return notice, person
