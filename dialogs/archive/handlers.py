"""The secretariat's "Archive package" button: a signed download link to the record's package."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cards.archive import ARCHIVE_EXPORT, ARCHIVE_MARK, archive_link_card
from dialogs import router
from dialogs.archive import links, service
from dialogs.archive.collect import ExportRefused, access_of, check_ready
from dialogs.i18n import t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import Viewer


async def _record(session: AsyncSession, viewer: Viewer, data: dict):
    kind, ident = str(data.get("kind") or ""), data.get("id")
    if kind not in service.KINDS or not str(ident).isdigit():
        return kind, None
    record, network = await service.record_by_id(session, kind, int(ident))
    if network is None or viewer.network is None or network.id != viewer.network.id:
        return kind, None
    return kind, record


async def _link(session: AsyncSession, services: Services, viewer: Viewer, kind: str, record,
                notice: str = "") -> list[Reply]:
    access = await access_of(session, viewer.network.id, kind, record.id)
    access_text = (t("archive.access_exempt", viewer.lang, basis=access.legal_basis) if access.exempt
                   else t("archive.access_open", viewer.lang))
    url = await links.export_url(session, services.public_url, kind, record.id, viewer.person.id, services.now())
    title = service.title_of(kind, record)
    minutes = int(links.LINK_LIFETIME.total_seconds() // 60)
    return [Reply(card=archive_link_card(translator(viewer.lang), title, url, minutes, access_text, kind=kind,
                                         ident=record.id, basis=access.legal_basis, notice=notice),
                  summary=t("archive.link_title", viewer.lang, title=title))]


async def _checked(session: AsyncSession, services: Services, viewer: Viewer, data: dict):
    """(kind, record, None) when the secretariat may archive it now, else (…, the refusal)."""
    if viewer.network is None or viewer.person is None or not viewer.is_secretariat:
        return "", None, [Reply(text=t("archive.secretariat_only", viewer.lang))]
    kind, record = await _record(session, viewer, data)
    if record is None:
        return kind, None, [Reply(text=t("archive.not_found", viewer.lang))]
    try:
        check_ready(kind, record, services.now(), viewer.lang)
    except ExportRefused as refused:
        return kind, None, [Reply(text=t(refused.key, viewer.lang, **refused.values))]
    return kind, record, None


@router.card_action(ARCHIVE_EXPORT)
async def on_export(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    kind, record, refused = await _checked(session, services, viewer, data)
    if refused:
        return refused
    return await _link(session, services, viewer, kind, record)


@router.card_action(ARCHIVE_MARK)
async def on_mark(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    """The secretariat marks the record offentleg, or unnateke on the legal basis typed in (stored, audited)."""
    kind, record, refused = await _checked(session, services, viewer, data)
    if refused:
        return refused
    access = str(data.get("access") or "")
    basis = " ".join(str(data.get("legal_basis") or "").split())[:200]
    if access not in ("offentleg", "unnateke"):
        return [Reply(text=t("archive.not_found", viewer.lang))]
    if access == "unnateke" and not basis:
        return [Reply(text=t("archive.mark_needs_basis", viewer.lang))]
    await service.set_access(session, viewer.network, kind, record, exempt_basis=basis if access == "unnateke" else None,
                             actor=viewer.sender.actor)
    return await _link(session, services, viewer, kind, record, notice=t("archive.mark_saved", viewer.lang))
