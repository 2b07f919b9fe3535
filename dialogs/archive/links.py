"""Signed download links for archive packages ("Arkivpakke" on a closed consultation, case or notice).

As for the notices' CSV links (dialogs.notices.export): the browser that opens the link has no Teams
login, so the link is the permission — an HMAC over the record, the person it was made for and an
expiry, with the calendar links' key. On download the person must still be in the secretariat of the
record's network.
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

LINK_LIFETIME = timedelta(hours=1)


def _mac(key: bytes, kind: str, subject_id: int, person_id: int, expires: int) -> str:
    message = f"archive:{kind}:{subject_id}:{person_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


async def export_url(session: AsyncSession, public_url: str, kind: str, subject_id: int, person_id: int,
                     now: datetime) -> str:
    expires = int((now + LINK_LIFETIME).timestamp())
    token = f"{person_id}.{expires}.{_mac(await signing_key(session), kind, subject_id, person_id, expires)}"
    base = (public_url or "http://localhost:3978").rstrip("/")
    return f"{base}/exports/archive/{kind}/{subject_id}.zip?t={quote(token)}"


async def verify(session: AsyncSession, kind: str, subject_id: int, token: str, network_id: int,
                 now: datetime) -> Person | None:
    """The person a valid, unexpired token for this record was made for, if still in its secretariat."""
    try:
        person_raw, expires_raw, mac = (token or "").split(".")
        person_id, expires = int(person_raw), int(expires_raw)
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(await signing_key(session), kind, subject_id, person_id, expires), mac):
        return None
    if expires < now.timestamp():
        return None
    person = await directory.person(session, person_id)
    if person is None or not await directory.is_secretariat(session, person, network_id):
        return None
    return person
