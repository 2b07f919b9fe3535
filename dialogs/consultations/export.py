"""Every version of every answer, for the archive and for public-access requests (CSV and XLSX)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from datetime import date, datetime, timedelta
from urllib.parse import quote

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations.status import latest_responses
from dialogs.i18n import OSLO
from dialogs.meetings.ics import signing_key
from storage import consultations as stored_consultations
from storage import directory
from storage.models import Consultation

BASE_COLUMNS = ["consultation", "municipality_number", "municipality", "version", "latest", "kind",
                "on_behalf_of", "submitted_by", "submitted_by_email", "submitted_at", "own_council_date",
                "note", "source"]


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(OSLO).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


async def export_rows(session: AsyncSession, consultation: Consultation) -> tuple[list[str], list[dict]]:
    question_keys = [q["key"] for q in consultation.questions or []]
    latest = {r.id for r in (await latest_responses(session, consultation)).values()}
    rows = await stored_consultations.every_version(session, consultation.id)
    out = []
    for response, muni, org_name, person_name, person_email in rows:
        row = {"consultation": consultation.key, "municipality_number": muni.number, "municipality": muni.name,
               "version": response.version, "latest": "yes" if response.id in latest else "no",
               "kind": response.kind, "on_behalf_of": org_name or "", "submitted_by": person_name or "",
               "submitted_by_email": person_email or "", "submitted_at": response.submitted_at,
               "own_council_date": response.own_council_date, "note": response.note, "source": response.source}
        for key in question_keys:
            row[f"answer:{key}"] = (response.answers or {}).get(key, "")
        out.append({k: _cell(v) for k, v in row.items()})
    return BASE_COLUMNS + [f"answer:{k}" for k in question_keys], out


def to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # BOM so Excel reads æøå


def to_xlsx(columns: list[str], rows: list[dict], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "Svar"
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- signed download links ("Eksporter" on the secretariat's status card, and `eksport`) ------------
# As for notices (dialogs.notices.export): the browser that opens the link has no Teams login, so the
# link is the permission: an HMAC over the consultation, the person, the format and an expiry, signed
# with the calendar links' key. On download the person must still be in the network's secretariat.

LINK_LIFETIME = timedelta(hours=1)
FORMATS = ("csv", "xlsx")


def _mac(key: bytes, consultation_id: int, person_id: int, fmt: str, expires: int) -> str:
    message = f"consultation-export:{consultation_id}:{person_id}:{fmt}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


async def export_url(session: AsyncSession, public_url: str, consultation_id: int, person_id: int, fmt: str,
                     now: datetime) -> str:
    expires = int((now + LINK_LIFETIME).timestamp())
    token = f"{person_id}.{expires}.{_mac(await signing_key(session), consultation_id, person_id, fmt, expires)}"
    base = (public_url or "http://localhost:3978").rstrip("/")
    return f"{base}/exports/consultation/{consultation_id}.{fmt}?t={quote(token)}"


async def verify(session: AsyncSession, consultation_id: int, fmt: str, token: str,
                 now: datetime) -> Consultation | None:
    """The consultation a valid, unexpired token was made for, if its person may still export it."""
    try:
        person_raw, expires_raw, mac = (token or "").split(".")
        person_id, expires = int(person_raw), int(expires_raw)
    except ValueError:
        return None
    if fmt not in FORMATS or expires < now.timestamp():
        return None
    if not hmac.compare_digest(_mac(await signing_key(session), consultation_id, person_id, fmt, expires), mac):
        return None
    consultation = await stored_consultations.by_id(session, consultation_id)
    person = await directory.person(session, person_id)
    if consultation is None or person is None or not await directory.is_secretariat(session, person, consultation.network_id):
        return None
    return consultation
