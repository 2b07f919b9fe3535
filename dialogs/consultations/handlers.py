"""Consultations in Teams: the answer card for directors, receipts, and live status for the secretariat."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cards.consultations import (
    CONSULTATION_ANSWER,
    CONSULTATION_STATUS,
    Receipt,
    receipt_card,
)
from dialogs import router
from dialogs.consultations import rules
from dialogs.consultations.status import current_consultation
from dialogs.consultations.views import STATUS_CARD, answer_form, questions_of, status_card_for, status_reply
from dialogs.i18n import format_day, format_when, t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage.models import Consultation, Network, PostedCard

_COMMAND = re.compile(r"^(?:høyring|høyringa|høring|høringen|hoyring|horing|consultation|"
                      r"status høyring|status høring|svar på høyring|svar på høring)\b", re.IGNORECASE)


@router.card_renderer(STATUS_CARD)
async def render_status(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    network_id, _, key = posted.subject.partition(":")
    network = await session.get(Network, int(network_id)) if network_id.isdigit() else None
    if network is None:
        return None
    consultation = await session.scalar(select(Consultation).where(
        Consultation.network_id == network.id, Consultation.key == key))
    if consultation is None:
        return None
    return await status_card_for(session, services, network, consultation, posted.language)


def _closed_text(consultation: Consultation, lang: str) -> str:
    return t("consultations.closed", lang, deadline=format_when(consultation.deadline, lang),
             contact=consultation.contact or t("core.role_secretariat", lang))


@router.text_handler(priority=30)
async def consultation_command(session: AsyncSession, services: Services, viewer: Viewer,
                               text: str) -> list[Reply] | None:
    if not _COMMAND.match(text.strip()):
        return None
    consultation = await current_consultation(session, viewer.network)
    if consultation is None:
        return [Reply(text=t("consultations.none_open", viewer.lang, network=viewer.network.name))]
    replies = []
    if viewer.is_secretariat:
        replies.append(await status_reply(session, services, viewer, consultation))
    try:
        party = await rules.answering_party(session, viewer)
        rules.check_open(consultation, services.now())
        replies.append(await answer_form(session, services, viewer, consultation, party))
    except rules.Refusal as refusal:
        if not replies:
            text = (_closed_text(consultation, viewer.lang) if refusal.key == "consultations.closed"
                    else t(refusal.key, viewer.lang, **refusal.values))
            replies.append(Reply(text=text))
    return replies


@router.card_action(CONSULTATION_ANSWER)
async def submit_answer(session: AsyncSession, services: Services, viewer: Viewer,
                        data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    if viewer.network is None:
        return [Reply(text=t("consultations.refused_unknown", lang))]
    consultation = await session.scalar(select(Consultation).where(
        Consultation.network_id == viewer.network.id, Consultation.key == str(data.get("consultation", ""))))
    if consultation is None:  # unknown key, or a key from another network: nothing is stored
        return [Reply(text=t("consultations.unknown", lang))]
    now = services.now()
    try:
        party = await rules.answering_party(session, viewer)
        rules.check_open(consultation, now)
    except rules.Refusal as refusal:
        if refusal.key == "consultations.closed":
            return [Reply(text=_closed_text(consultation, lang))]
        return [Reply(text=t(refusal.key, lang, **refusal.values))]
    if str(data.get("revision")) != str(consultation.revision):
        return [Reply(text=t("consultations.stale", lang)),
                await answer_form(session, services, viewer, consultation, party)]
    bodies = [] if party.organisation else await rules.regional_bodies_for(
        session, viewer.network.id, party.municipalities[0].number)
    try:
        draft = rules.parse_form(consultation, data, party, bodies)
    except rules.Refusal as refusal:
        problem = t(refusal.key, lang, **refusal.values)
        if refusal.key == "consultations.too_long":
            return [Reply(text=problem)]
        return [await answer_form(session, services, viewer, consultation, party, problem=problem, typed=data)]
    try:
        async with session.begin_nested():
            stored = await rules.store(session, consultation, party, draft, viewer, now)
    except IntegrityError:  # the same submit arrived twice at once: the other one stored it
        stored = await rules.store(session, consultation, party, draft, viewer, now)
    replies: list[Reply | Refresh] = [_receipt(consultation, stored, draft, lang, viewer)]
    if any(item.new for item in stored):
        replies.append(Refresh(STATUS_CARD, f"{consultation.network_id}:{consultation.key}"))
    return replies


def _receipt(consultation: Consultation, stored: list[rules.Stored], draft: rules.Draft, lang: str,
             viewer: Viewer) -> Reply:
    first = stored[0].response
    questions = {q.key: q.label for q in questions_of(consultation, lang, viewer.network.language)}
    receipt = Receipt(
        title=consultation.title, municipalities=[s.municipality.name for s in stored], version=first.version,
        stored_at=format_when(first.submitted_at, lang), kind=draft.kind,
        on_behalf_of=draft.on_behalf_of.name if draft.on_behalf_of else "",
        answers=[(questions.get(k, k), v) for k, v in draft.answers.items()],
        own_council_date=format_day(draft.own_council_date, lang) if draft.own_council_date else "",
        unchanged=not any(s.new for s in stored), deadline=format_when(consultation.deadline, lang))
    return Reply(card=receipt_card(receipt, translator(lang)), summary=t("consultations.receipt_title", lang))


@router.card_action(CONSULTATION_STATUS)
async def refresh_status(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None or not viewer.is_secretariat:
        name = viewer.network.name if viewer.network else ""
        return [Reply(text=t("consultations.secretariat_only", viewer.lang, network=name))]
    consultation = await current_consultation(session, viewer.network, str(data.get("consultation") or "") or None)
    if consultation is None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    return [await status_reply(session, services, viewer, consultation)]



# The secretariat's commands live beside these; importing registers them with the router.
