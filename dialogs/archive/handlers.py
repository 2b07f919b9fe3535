"""The secretariat's "Archive package" button: a signed download link to the record's package."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cards.archive import ARCHIVE_EXPORT, archive_link_card
from dialogs import router
from dialogs.archive import links, service
from dialogs.archive.collect import ExportRefused, access_of, check_ready
from dialogs.i18n import t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import Viewer


@router.card_action(ARCHIVE_EXPORT)
async def on_export(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None or viewer.person is None or not viewer.is_secretariat:
        return [Reply(text=t("archive.secretariat_only", viewer.lang))]
    kind, ident = str(data.get("kind") or ""), data.get("id")
    record = None
    if kind in service.KINDS and str(ident).isdigit():
        record, network = await service.record_by_id(session, kind, int(ident))
        if network is None or network.id != viewer.network.id:
            record = None
    if record is None:
        return [Reply(text=t("archive.not_found", viewer.lang))]
    try:
        check_ready(kind, record, services.now(), viewer.lang)
    except ExportRefused as refused:
        return [Reply(text=t(refused.key, viewer.lang, **refused.values))]
    access = await access_of(session, viewer.network.id, kind, record.id)
    access_text = (t("archive.access_exempt", viewer.lang, basis=access.legal_basis) if access.exempt
                   else t("archive.access_open", viewer.lang))
    url = await links.export_url(session, services.public_url, kind, record.id, viewer.person.id, services.now())
    title = service.title_of(kind, record)
    minutes = int(links.LINK_LIFETIME.total_seconds() // 60)
    return [Reply(card=archive_link_card(translator(viewer.lang), title, url, minutes, access_text),
                  summary=t("archive.link_title", viewer.lang, title=title))]
