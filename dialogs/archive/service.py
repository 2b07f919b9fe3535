"""Find the record to archive and make its package: shared by the CLI, the download route and the card button."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.archive import collect
from dialogs.archive.package import build_package
from dialogs.archive.records import EXEMPT, OPEN, Export
from dialogs.votes.service import find_case
from storage import archive, directory
from storage.models import Case, Consultation, Network
from storage.models.notices import Notice

KINDS = archive.KINDS


async def find_record(session: AsyncSession, network: Network, kind: str, ident: str | int):
    """The consultation (id or key), case (id or key) or notice (id) of this network, or None."""
    text = str(ident).strip()
    if kind == "consultation":
        return await archive.consultation_by_id_or_key(session, network.id, text)
    if kind == "case":
        found = await find_case(session, text, network.id)
        return found[0] if found else None
    if kind == "notice" and text.isdigit():
        notice = await archive.record(session, "notice", int(text))
        return notice if notice is not None and notice.network_id == network.id else None
    return None


async def record_by_id(session: AsyncSession, kind: str, subject_id: int):
    """The record and its network, by id (the download route: the signed token says who may have it)."""
    record = await archive.record(session, kind, subject_id)
    if record is None:
        return None, None
    return record, await directory.network(session, record.network_id)


def title_of(kind: str, record) -> str:
    if kind == "case":
        return f"{record.key.upper()} {record.title}"
    return getattr(record, "title", "") or (getattr(record, "text", "") or "")[:60] or f"#{record.id}"


async def make_export(session: AsyncSession, network: Network, kind: str, record: Case | Consultation | Notice,
                      *, now: datetime, made_by: str = "") -> Export:
    """Raises collect.ExportRefused when the record is not ready for the archive."""
    builder = {"consultation": collect.consultation_export, "case": collect.case_export,
               "notice": collect.notice_export}[kind]
    return await builder(session, network, record, now=now, made_by=made_by)


async def make_package(session: AsyncSession, network: Network, kind: str, record, *, now: datetime,
                       made_by: str = "") -> tuple[Export, bytes]:
    export = await make_export(session, network, kind, record, now=now, made_by=made_by)
    return export, build_package(export)


async def set_access(session: AsyncSession, network: Network, kind: str, record, *, exempt_basis: str | None,
                     actor: str) -> None:
    """The secretariat's mark: `exempt_basis` None → offentleg, else unnateke on that legal basis."""
    if exempt_basis is not None and not exempt_basis.strip():
        raise ValueError("an exempted record needs its legal basis, e.g. 'Offl. § 14'")
    await archive.set_mark(session, network.id, kind, record.id, EXEMPT if exempt_basis else OPEN,
                           (exempt_basis or "").strip(), actor=actor)


def package_name(network: Network, kind: str, record) -> str:
    ident = getattr(record, "key", None) or str(record.id)
    return f"arkiv-{network.slug}-{kind}-{ident}.zip"
