"""Notices in Teams: the secretariat composes, previews, sends now or later, cancels, follows the report;
recipients acknowledge."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cards.notices import (
    NOTICE_ACK,
    NOTICE_CANCEL,
    NOTICE_EXPORT,
    NOTICE_PREVIEW,
    NOTICE_REPORT,
    NOTICE_RETRY,
    NOTICE_SEND,
    ReportView,
    confirm_card,
    export_card,
    form_card,
    notice_card,
    report_card,
)
from dialogs import router
from dialogs.carddata import card_id
from dialogs.dates import WhenError, parse_when
from dialogs.i18n import format_when, t
from dialogs.jobs import job
from dialogs.notices import export, service
from dialogs.notices.progress import REPORT_CARD
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage import directory
from storage.models import Body, ConversationRef, Network, OutboxMessage, PostedCard
from storage.models.notices import Notice, NoticeAck
from storage.queries import lock_row

OSLO = ZoneInfo("Europe/Oslo")
_FORM = re.compile(r"^(?:ny\s+)?(?:kunngjering|kunngjøring|notice|new notice)\s*$", re.IGNORECASE)
# the audience ends at the first colon, unless it is one that holds a colon itself ("kommunar: Alver, Stryn",
# "role:director", as the bot suggests them); the text may hold colons ("kl. 13:00")
_QUICK = re.compile(r"^(?:kunngjering|kunngjøring|notice)\s+(?:til|to)\s+"
                    r"(?P<audience>(?:municipalities|kommunar|kommuner|kommune|role|rolle)\s*:\s*[^:]+?|[^:]+)"
                    r"\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"^https://\S+$")


async def _refuse(session: AsyncSession, viewer: Viewer) -> list[Reply] | None:
    """Only the network's secretariat sends notices; everyone else is told who can."""
    if viewer.network is not None and viewer.is_secretariat:
        return None
    if viewer.network is None:
        return [Reply(text=t("notices.no_network", viewer.lang))]
    return [Reply(text=t("notices.only_secretariat", viewer.lang, network=viewer.network.name,
                         names=await directory.secretariat_names(session, viewer.network)))]


async def _bodies(session: AsyncSession, network: Network) -> list[tuple[str, str]]:
    return [(b.key, b.name) for b in (await session.scalars(
        select(Body).where(Body.network_id == network.id).order_by(Body.id))).all()]


async def _notice(session: AsyncSession, viewer: Viewer, data: dict) -> Notice | None:
    notice = await session.get(Notice, notice_id) if (notice_id := card_id(data.get("notice"))) else None
    if notice is None or viewer.network is None or notice.network_id != viewer.network.id:
        return None
    return notice


@router.text_handler(15)
async def on_text(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply] | None:
    if _FORM.match(text.strip()):
        if refused := await _refuse(session, viewer):
            return refused
        return [Reply(card=form_card(translator(viewer.lang), await _bodies(session, viewer.network)),
                      summary=t("notices.form_title", viewer.lang))]
    if match := _QUICK.match(text.strip()):
        if refused := await _refuse(session, viewer):
            return refused
        return await _preview(session, services, viewer, {"audience": match.group("audience").strip(),
                                                          "text": match.group("text").strip()})
    return None


@router.card_action(NOTICE_PREVIEW)
async def on_preview(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    return await _preview(session, services, viewer, data)


async def _preview(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    lang, network = viewer.lang, viewer.network
    values = {k: str(v) for k, v in data.items() if isinstance(v, str | int | bool)}

    def again(error: str) -> list[Reply]:
        return [Reply(card=form_card(translator(lang), bodies, values, error=error), summary=error)]

    bodies = await _bodies(session, network)
    text = (values.get("text") or "").strip()
    if not text:
        return again(t("notices.text_missing", lang))
    links = []
    for i in range(1, 4):
        url = (values.get(f"link{i}_url") or "").strip()
        if url:
            if not _URL.match(url):
                return again(t("notices.bad_link", lang, url=url))
            links.append({"title": (values.get(f"link{i}_title") or "").strip()[:80], "url": url})
    audience_text = values.get("audience") or "app"
    if values.get("municipalities", "").strip():
        audience_text = "kommunar: " + values["municipalities"].strip()
    try:
        audience = await service.resolve_audience(session, network, audience_text, lang)
    except service.AudienceError as exc:
        return again(str(exc))
    if not audience.person_ids:
        return again(t("notices.empty_audience", lang, audience=audience.label))
    when_text = (values.get("when") or "").strip()
    when = None
    if when_text:
        try:
            parsed = parse_when(when_text, lang, services.now())
        except WhenError:
            return again(t("notices.bad_when", lang, text=when_text))
        when = parsed.start if parsed.has_time else datetime.combine(parsed.start, time(8, 0), tzinfo=OSLO)
        when = when.astimezone(UTC)
        if when <= services.now():
            return again(t("notices.past_when", lang, when=format_when(when, lang)))
    with_app = set(await session.scalars(select(ConversationRef.person_id).where(
        ConversationRef.person_id.in_(audience.person_ids), ConversationRef.active.is_(True),
        ConversationRef.conversation_type == "personal")))
    if viewer.person is not None:  # a new preview replaces the author's earlier unsent ones (stale-card rule)
        await session.execute(sa_update(Notice).where(
            Notice.network_id == network.id, Notice.author_id == viewer.person.id, Notice.status == "draft")
            .values(status="superseded").execution_options(synchronize_session=False))
    notice = Notice(network_id=network.id, author_id=viewer.person.id if viewer.person else None,
                    title=(values.get("title") or "").strip()[:200], text=text[:4000], links=links,
                    acknowledge=values.get("acknowledge") in ("true", "True", "1"), audience=audience.spec,
                    language=lang, status="draft", recipients=len(audience.person_ids), scheduled_at=when)
    session.add(notice)
    await session.flush()
    tr = translator(lang)
    sender = await service.sender_of(session, notice)
    return [Reply(card=notice_card(service.view_of(notice, sender), tr), summary=notice.title or text[:80]),
            Reply(card=confirm_card(tr, notice.id, audience.label, len(audience.person_ids),
                                    format_when(when, lang) if when else "",
                                    len(audience.person_ids) - len(with_app)),
                  summary=t("notices.confirm_title", lang))]


def _report_view(rep: service.Report) -> ReportView:
    return ReportView(id=rep.notice_id, title=rep.title, status=rep.status, recipients=rep.recipients,
                      counts=rep.counts, acknowledged=rep.acknowledged, problems=rep.problems)


async def _report_reply(session: AsyncSession, notice: Notice, lang: str, *, track: bool = False) -> Reply:
    rep = await service.report(session, notice, lang)
    return Reply(card=report_card(_report_view(rep), translator(lang)), summary=t("notices.report_summary", lang),
                 track=(REPORT_CARD, str(notice.id)) if track else None, track_language=lang)


@router.card_action(NOTICE_SEND)
async def on_send(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    notice = await _notice(session, viewer, data)
    if notice is None:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    await lock_row(session, Notice, notice.id)  # simultaneous presses of Send: one queues, the rest see it
    await session.refresh(notice)
    if notice.status == "superseded":  # Send on an older preview: the newer one is what the author meant
        return await _superseded(session, viewer, notice)
    if notice.status != "draft":  # a double click on "Send"
        return [Reply(text=t(f"notices.already_{'cancelled' if notice.status == 'cancelled' else 'sent'}",
                             viewer.lang)), await _report_reply(session, notice, viewer.lang)]
    if notice.scheduled_at is not None and notice.scheduled_at > services.now():
        await service.schedule_notice(session, notice, notice.scheduled_at)
        return [Reply(text=t("notices.scheduled", viewer.lang, when=format_when(notice.scheduled_at, viewer.lang))),
                await _report_reply(session, notice, viewer.lang, track=True)]
    try:
        queued = await service.queue_notice(session, notice)
    except service.AudienceError as exc:
        return [Reply(text=str(exc))]
    await session.flush()
    return [Reply(text=t("notices.sending", viewer.lang, count=queued)),
            await _report_reply(session, notice, viewer.lang, track=True)]


async def _superseded(session: AsyncSession, viewer: Viewer, notice: Notice) -> list[Reply]:
    """Nothing is sent; the author is told why and gets the newest preview's cards to send from."""
    lang = viewer.lang
    newest = await session.scalar(select(Notice).where(
        Notice.network_id == notice.network_id, Notice.author_id == notice.author_id, Notice.id > notice.id)
        .order_by(Notice.id.desc()).limit(1))
    title = notice.title or notice.text[:60]
    if newest is None or newest.status != "draft":
        return [Reply(text=t("notices.stale_preview_gone", lang, title=title))]
    audience = await service.resolve_audience(session, viewer.network, newest.audience, lang)
    tr = translator(lang)
    sender = await service.sender_of(session, newest)
    return [Reply(text=t("notices.stale_preview", lang, title=title, newest=newest.title or newest.text[:60])),
            Reply(card=notice_card(service.view_of(newest, sender), tr), summary=newest.title or newest.text[:80]),
            Reply(card=confirm_card(tr, newest.id, audience.label, len(audience.person_ids),
                                    format_when(newest.scheduled_at, lang) if newest.scheduled_at else "", 0),
                  summary=t("notices.confirm_title", lang))]


@router.card_action(NOTICE_CANCEL)
async def on_cancel(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    if refused := await _refuse(session, viewer):
        return refused
    notice = await _notice(session, viewer, data)
    if notice is None:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    if notice.status in ("sent", "cancelled"):
        return [Reply(text=t(f"notices.already_{notice.status}", viewer.lang))]
    if notice.status in ("draft", "superseded"):  # "Avbryt" on the preview: nothing was ever queued
        notice.status = "cancelled"
        return [Reply(text=t("notices.discarded", viewer.lang))]
    stopped = await service.cancel_notice(session, notice)
    title = notice.title or notice.text[:60]
    if stopped.reached == 0:
        text = t("notices.cancelled_before", viewer.lang, title=title, count=stopped.recipients)
    else:
        text = t("notices.cancelled_midway", viewer.lang, title=title, reached=stopped.reached,
                 count=stopped.recipients, stopped=stopped.not_sent)
    return [Reply(text=text), Refresh(REPORT_CARD, str(notice.id))]


@router.card_action(NOTICE_RETRY)
async def on_retry(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    if refused := await _refuse(session, viewer):
        return refused
    notice = await _notice(session, viewer, data)
    if notice is None:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    again = await service.retry_failed(session, notice)
    return [Reply(text=t("notices.retrying", viewer.lang, count=again)), Refresh(REPORT_CARD, str(notice.id))]


@router.card_action(NOTICE_REPORT)
async def on_report(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    notice = await _notice(session, viewer, data)
    if notice is None:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    return [await _report_reply(session, notice, viewer.lang)]


@router.card_action(NOTICE_EXPORT)
async def on_export(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    """A download link for the CSV report, made for this secretariat member and valid for an hour."""
    if refused := await _refuse(session, viewer):
        return refused
    notice = await _notice(session, viewer, data)
    if notice is None or viewer.person is None:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    url = await export.export_url(session, services.public_url, notice.id, viewer.person.id, services.now())
    minutes = int(export.LINK_LIFETIME.total_seconds() // 60)
    return [Reply(card=export_card(translator(viewer.lang), notice.title or f"#{notice.id}", url, minutes),
                  summary=t("notices.export_title", viewer.lang, title=notice.title or f"#{notice.id}"))]


@router.card_action(NOTICE_ACK)
async def on_ack(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    notice = await session.get(Notice, notice_id) if (notice_id := card_id(data.get("notice"))) else None
    if notice is None or viewer.person is None or viewer.network is None or notice.network_id != viewer.network.id:
        return [Reply(text=t("notices.not_found", viewer.lang))]
    # only someone the notice was sent to confirms reading it (not a forwarded card, not a draft)
    recipient = await session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.batch == service.batch_of(notice.id), OutboxMessage.person_id == viewer.person.id).limit(1))
    if recipient is None:
        return [Reply(text=t("notices.not_recipient", viewer.lang))]
    title = notice.title or notice.text[:60]
    earlier = await session.scalar(select(NoticeAck.at).where(NoticeAck.notice_id == notice.id,
                                                              NoticeAck.person_id == viewer.person.id))
    if earlier is None:
        try:
            async with session.begin_nested():
                session.add(NoticeAck(notice_id=notice.id, person_id=viewer.person.id, at=services.now()))
        except IntegrityError:  # a double click raced us: one acknowledgement is kept, and it is this one
            earlier = None
        else:
            return [Reply(text=t("notices.acknowledged", viewer.lang, title=title)),
                    Refresh(REPORT_CARD, str(notice.id))]
    if earlier is None:
        earlier = await session.scalar(select(NoticeAck.at).where(NoticeAck.notice_id == notice.id,
                                                                  NoticeAck.person_id == viewer.person.id))
    return [Reply(text=t("notices.already_acknowledged", viewer.lang, title=title,
                         when=format_when(earlier, viewer.lang) if earlier else ""))]


@router.card_renderer(REPORT_CARD)
async def render_report(session: AsyncSession, services: Services, posted: PostedCard) -> dict[str, Any] | None:
    notice = await session.get(Notice, int(posted.subject))
    if notice is None:
        return None
    rep = await service.report(session, notice, posted.language)
    return report_card(_report_view(rep), translator(posted.language))


@job("notice.send")
async def send_scheduled(services: Services, payload: dict) -> list[Reply | Refresh]:
    """A scheduled notice is due: queue it (a cancelled one stays cancelled)."""
    async with services.db.session() as session:
        notice = await session.get(Notice, int(payload.get("notice", 0)))
        if notice is None or notice.status != "scheduled":
            return []
        try:
            await service.queue_notice(session, notice, now=services.now())
        except service.AudienceError:
            notice.status = "cancelled"
    return [Refresh(REPORT_CARD, str(payload.get("notice")))]
