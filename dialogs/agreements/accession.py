"""Each member municipality's council decision on an adopted agreement version (tiltreding):
who may register it, checking it, storing it (append-only by version), the live status and exports."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import format_day, t
from dialogs.qa.sources import invalidate
from dialogs.refusal import Refusal
from dialogs.viewer import Viewer
from storage.models import Accession, Agreement, AgreementVersion, AuditEntry, Municipality, Network

JOINED = ("joined", "joined_with_reservations")
DECISIONS = (*JOINED, "declined")
STATUSES = (*DECISIONS, "planned")
REGISTER_ROLES = ("director", "mayor", "representative")
MAX_TEXT = 2000


async def adopted_version(session: AsyncSession, network: Network, key: str | None = None) -> AgreementVersion | None:
    """The version municipalities join: the given key, else the newest adopted, else the one in force."""
    rows = (await session.scalars(select(AgreementVersion).join(Agreement).where(
        Agreement.network_id == network.id).order_by(AgreementVersion.id.desc()))).all()
    if key:
        return next((v for v in rows if v.key == key), None)
    return next((v for v in rows if v.status == "adopted"), next((v for v in rows if v.status == "in_force"), None))


async def latest(session: AsyncSession, version: AgreementVersion) -> dict[int, Accession]:
    newest = (select(Accession.municipality_id, func.max(Accession.version).label("v"))
              .where(Accession.version_id == version.id).group_by(Accession.municipality_id).subquery())
    rows = (await session.scalars(select(Accession).join(
        newest, (Accession.municipality_id == newest.c.municipality_id) & (Accession.version == newest.c.v))
        .where(Accession.version_id == version.id))).all()
    return {r.municipality_id: r for r in rows}


def check_may_register(viewer: Viewer, version: AgreementVersion | None) -> Municipality:
    """The viewer's own member municipality, or a Refusal (not adopted yet, no municipality, wrong role)."""
    if version is None or version.status not in ("adopted", "in_force"):
        raise Refusal("agreements.not_adopted")
    person = viewer.person
    if person is None or person.municipality is None or person.municipality.network_id != viewer.network.id:
        raise Refusal("agreements.no_municipality")
    if not person.municipality.member:
        raise Refusal("agreements.not_member", municipality=person.municipality.name)
    if not viewer.has_role(*REGISTER_ROLES):
        raise Refusal("agreements.refused_role", municipality=person.municipality.name)
    return person.municipality


def _date(raw: Any, field_key: str) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise Refusal("agreements.bad_date", field=field_key, value=text) from None


@dataclass
class AccessionDraft:
    status: str
    body: str = ""
    meeting_date: date | None = None
    case_number: str = ""
    funding: str = ""
    reservations: str = ""
    protocol_url: str = ""
    planned_date: date | None = None


def parse_form(data: dict[str, Any]) -> AccessionDraft:
    status = str(data.get("outcome") or "")
    if status not in STATUSES:
        raise Refusal("agreements.missing_outcome")
    texts = {k: str(data.get(k) or "").strip() for k in ("body", "case_number", "funding", "reservations",
                                                         "protocol_url")}
    if any(len(v) > MAX_TEXT for v in texts.values()):
        raise Refusal("agreements.too_long", limit=MAX_TEXT)
    draft = AccessionDraft(status=status, **texts, meeting_date=_date(data.get("meeting_date"), "meeting_date"),
                           planned_date=_date(data.get("planned_date"), "planned_date"))
    if status == "planned":
        if draft.planned_date is None:
            raise Refusal("agreements.missing_planned_date")
    else:
        missing = [k for k in ("body", "meeting_date", "case_number") if not getattr(draft, k)]
        if missing:
            raise Refusal("agreements.missing_fields", fields=", ".join(missing))
        if status == "joined_with_reservations" and not draft.reservations:
            raise Refusal("agreements.missing_fields", fields="reservations")
    if draft.protocol_url and not draft.protocol_url.startswith(("https://", "http://")):
        raise Refusal("agreements.bad_url")
    return draft


async def register(session: AsyncSession, version: AgreementVersion, municipality: Municipality,
                   draft: AccessionDraft, viewer: Viewer, now: datetime) -> tuple[Accession, bool]:
    """Store a new version; a decision already registered is not replaced (a planned date may be)."""
    current = (await latest(session, version)).get(municipality.id)
    if current is not None and current.status in DECISIONS:
        same = (current.status, current.case_number, current.meeting_date) == (
            draft.status, draft.case_number, draft.meeting_date)
        if same:
            return current, False
        raise Refusal("agreements.already_decided", municipality=municipality.name,
                      outcome=t(f"agreements.status_{current.status}", viewer.lang),
                      day=format_day(current.meeting_date, viewer.lang) if current.meeting_date else "—")
    if current is not None and current.status == "planned" and draft.status == "planned" \
            and current.planned_date == draft.planned_date:
        return current, False
    row = Accession(network_id=municipality.network_id, version_id=version.id, municipality_id=municipality.id,
                    version=(current.version + 1) if current else 1, status=draft.status, body=draft.body,
                    meeting_date=draft.meeting_date, case_number=draft.case_number, funding=draft.funding,
                    reservations=draft.reservations, protocol_url=draft.protocol_url,
                    planned_date=draft.planned_date, effective_from=version.valid_from,
                    registered_by_id=viewer.person.id if viewer.person else None, registered_at=now, source="teams")
    session.add(row)
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=municipality.network_id, action="agreement.accession",
                           target=f"{version.key}/{municipality.number}", at=now,
                           details={"status": draft.status, "case_number": draft.case_number}))
    await session.flush()

    invalidate(municipality.network_id)
    return row, True


def is_party(status: str) -> bool:
    """The one rule for an agreement version's parties: a municipality is a party when its newest
    accession row for the version is a council decision to join it, with or without reservations
    (the draft's clause 11: the agreement applies to a municipality from its own decision). The
    status, Q&A, the exports and the agreement text all ask this, never the member flag."""
    return status in JOINED


@dataclass
class StatusRow:
    municipality: str
    number: str
    status: str  # joined | joined_with_reservations | declined | planned | not_yet
    body: str = ""
    meeting_date: date | None = None
    case_number: str = ""
    funding: str = ""
    planned_date: date | None = None
    protocol_url: str = ""
    illustrative: bool = False
    effective_from: date | None = None


@dataclass
class AccessionStatus:
    version_key: str
    version_label: str
    version_status: str
    effective_from: date | None
    rows: list[StatusRow] = field(default_factory=list)

    @property
    def parties(self) -> list[StatusRow]:
        """The version's parties, by the one rule (`is_party`)."""
        return [r for r in self.rows if is_party(r.status)]

    @property
    def counts(self) -> dict[str, int]:
        out = {"joined": len(self.parties), "planned": 0, "not_yet": 0, "declined": 0}
        for row in self.rows:
            if not is_party(row.status):
                out[row.status] += 1
        return out

    def named(self, *statuses: str) -> list[str]:
        return [r.municipality for r in self.rows if r.status in statuses]

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version_key, "label": self.version_label, "status": self.version_status,
                "effective_from": str(self.effective_from or ""), "counts": self.counts,
                "parties": [r.municipality for r in self.parties],
                "rows": [{"municipality": r.municipality, "number": r.number, "status": r.status, "body": r.body,
                          "meeting_date": str(r.meeting_date or ""), "case_number": r.case_number,
                          "funding": r.funding, "planned_date": str(r.planned_date or ""),
                          "illustrative": r.illustrative} for r in self.rows]}


async def accession_status(session: AsyncSession, network: Network, key: str | None = None) -> AccessionStatus | None:
    version = await adopted_version(session, network, key)
    if version is None:
        return None
    rows = await latest(session, version)
    # the members are asked to join; a municipality with a registered decision is listed even when it is
    # not (yet) a member: its row, not the member flag, says whether it is a party
    members = (await session.scalars(select(Municipality).where(
        Municipality.network_id == network.id,
        Municipality.member.is_(True) | Municipality.id.in_(list(rows) or [-1])).order_by(Municipality.name))).all()
    status = AccessionStatus(version.key, version.label, version.status, version.valid_from)
    for m in members:
        a = rows.get(m.id)
        if a is None:
            status.rows.append(StatusRow(m.name, m.number, "not_yet"))
        else:
            status.rows.append(StatusRow(m.name, m.number, a.status, a.body, a.meeting_date, a.case_number,
                                         a.funding, a.planned_date, a.protocol_url, a.illustrative,
                                         a.effective_from or version.valid_from))
    return status


_COLUMNS = ("col_municipality", "col_status", "col_body", "col_meeting", "col_case", "col_funding",
            "col_planned", "col_protocol", "col_illustrative")


def _cells(row: StatusRow, lang: str) -> list[str]:
    return [row.municipality, t(f"agreements.status_{row.status}", lang), row.body, str(row.meeting_date or ""),
            row.case_number, row.funding, str(row.planned_date or ""), row.protocol_url,
            t("agreements.yes", lang) if row.illustrative else ""]


_PARTY_COLUMNS = ("col_municipality", "col_status", "col_body", "col_meeting", "col_case", "col_effective")


def _party_cells(row: StatusRow, lang: str) -> list[str]:
    return [row.municipality, t(f"agreements.status_{row.status}", lang), row.body, str(row.meeting_date or ""),
            row.case_number, str(row.effective_from or "")]


def party_line(row: StatusRow, lang: str) -> str:
    """One party as the agreement text, the status export and Q&A name it: by which decision, from when."""
    return t("agreements.party_line", lang, name=row.municipality, body=row.body or "—",
             day=format_day(row.meeting_date, lang) if row.meeting_date else "—", case=row.case_number or "—",
             reservations=t("agreements.party_reservations", lang)
             if row.status == "joined_with_reservations" else "")


def status_xlsx(status: AccessionStatus, lang: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = status.version_key[:31]
    sheet.append([t(f"agreements.{c}", lang) for c in _COLUMNS])
    for row in status.rows:
        sheet.append(_cells(row, lang))
    parties = book.create_sheet(t("agreements.parties_heading", lang)[:31])
    parties.append([t(f"agreements.{c}", lang) for c in _PARTY_COLUMNS])
    for row in status.parties:
        parties.append(_party_cells(row, lang))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def status_docx(status: AccessionStatus, lang: str) -> bytes:
    import docx

    word = docx.Document()
    word.add_heading(t("agreements.accession_title", lang, label=status.version_label), level=0)
    c = status.counts
    word.add_paragraph(t("agreements.accession_counts", lang, **c, total=len(status.rows)))
    table = word.add_table(rows=1, cols=len(_COLUMNS))
    for cell, key in zip(table.rows[0].cells, _COLUMNS, strict=True):
        cell.text = t(f"agreements.{key}", lang)
    for row in status.rows:
        for cell, text in zip(table.add_row().cells, _cells(row, lang), strict=True):
            cell.text = text
    word.add_heading(t("agreements.parties_heading", lang), level=1)
    if not status.parties:
        word.add_paragraph(t("agreements.parties_none", lang))
    for row in status.parties:
        word.add_paragraph(party_line(row, lang), style="List Bullet")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
