"""Consultations in Teams: the answer card for directors, receipts, and live status for the secretariat."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cards.consultations import (
    CONSULTATION_ANSWER,
    CONSULTATION_EXPORT,
    CONSULTATION_STATUS,
    Receipt,
    choice_card,
    export_card,
    receipt_card,
)
from dialogs import router
from dialogs.consultations import export, rules, service
from dialogs.consultations.status import current_consultation, latest_responses, open_consultations
from dialogs.consultations.views import (
    STATUS_CARD,
    answer_form,
    based_on,
    questions_of,
    status_card_for,
    status_reply,
)
from dialogs.i18n import format_day, format_when, t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage import consultations as stored_consultations
from storage import directory
from storage.models import Consultation, PostedCard
from storage.queries import lock_row

_EXPORT = re.compile(r"^(?:eksport|eksporter|export|eksport høyring|eksporter høyring|eksporter høring|"
                     r"export consultation)(?:\s+(?P<key>[\w-]+))?$", re.IGNORECASE)
_COMMAND = re.compile(r"^(?:høyring|høyringa|høring|høringen|hoyring|horing|consultation|"
                      r"status høyring|status høring|svar på høyring|svar på høring)\b", re.IGNORECASE)


@router.card_renderer(STATUS_CARD)
async def render_status(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    network_id, _, key = posted.subject.partition(":")
    network = await directory.network(session, int(network_id)) if network_id.isdigit() else None
    if network is None:
        return None
    consultation = await stored_consultations.by_key(session, network.id, key)
    if consultation is None:
        return None
    return await status_card_for(session, services, network, consultation, posted.language)


def _closed_text(consultation: Consultation, lang: str, now) -> str:
    # closed early by the secretariat: the deadline lies ahead, so "the deadline was …" would be wrong
    key = "consultations.closed_early" if consultation.deadline > now else "consultations.closed"
    return t(key, lang, deadline=format_when(consultation.deadline, lang),
             contact=consultation.contact or t("core.role_secretariat", lang))


@router.text_handler(priority=30)
async def consultation_command(session: AsyncSession, services: Services, viewer: Viewer,
                               text: str) -> list[Reply] | None:
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    rest = text.strip()[match.end():].strip()
    key = rest if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,120}", rest) else None  # "høyring <key>" from a choice
    if key is None:
        open_now = await open_consultations(session, viewer.network, services.now())
        if len(open_now) > 1:  # more than one open: choose (each button says "høyring <key>")
            return [Reply(card=choice_card(translator(viewer.lang), [
                (c.title, format_when(c.deadline, viewer.lang), f"{match.group(0).lower()} {c.key}")
                for c in open_now]), summary=t("consultations.choose_title", viewer.lang))]
    consultation = await current_consultation(session, viewer.network, key)
    if consultation is None and key is not None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    if consultation is None:
        return [Reply(text=t("consultations.none_open", viewer.lang, network=viewer.network.name))]
    replies = []
    if viewer.is_secretariat:
        replies.append(await status_reply(session, services, viewer, consultation))
    try:
        party = await service.answering_party(session, viewer)
        rules.check_open(consultation, services.now())
        replies.append(await answer_form(session, services, viewer, consultation, party))
    except rules.Refusal as refusal:
        if not replies:
            text = (_closed_text(consultation, viewer.lang, services.now()) if refusal.key == "consultations.closed"
                    else t(refusal.key, viewer.lang, **refusal.values))
            replies.append(Reply(text=text))
    return replies


@router.card_action(CONSULTATION_ANSWER)
async def submit_answer(session: AsyncSession, services: Services, viewer: Viewer,
                        data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    if viewer.network is None:
        return [Reply(text=t("consultations.refused_unknown", lang))]
    consultation = await stored_consultations.by_key(session, viewer.network.id, str(data.get("consultation", "")))
    if consultation is None:  # unknown key, or a key from another network: nothing is stored
        return [Reply(text=t("consultations.unknown", lang))]
    now = services.now()
    try:
        party = await service.answering_party(session, viewer)
        rules.check_open(consultation, now)
    except rules.Refusal as refusal:
        if refusal.key == "consultations.closed":
            return [Reply(text=_closed_text(consultation, lang, now))]
        return [Reply(text=t(refusal.key, lang, **refusal.values))]
    if str(data.get("revision")) != str(consultation.revision):
        return [Reply(text=t("consultations.stale", lang)),
                await answer_form(session, services, viewer, consultation, party)]
    bodies = [] if party.organisation else await service.regional_bodies_for(
        session, viewer.network.id, party.municipalities[0].number)
    try:
        draft = rules.parse_form(consultation, data, party, bodies)
    except rules.Refusal as refusal:
        problem = t(refusal.key, lang, **refusal.values)
        if refusal.key == "consultations.too_long":
            return [Reply(text=problem)]
        return [await answer_form(session, services, viewer, consultation, party, problem=problem, typed=data)]
    # the stale check and the write under one lock: two old cards at once cannot both pass the check
    await lock_row(session, Consultation, consultation.id)
    if stale := await _stale(session, consultation, party, draft, data, lang):
        # drawn from an older stored answer: nothing is stored; the fresh card shows what is stored now
        return [Reply(text=stale), await answer_form(session, services, viewer, consultation, party)]
    try:
        async with session.begin_nested():
            stored = await service.store(session, consultation, party, draft, viewer, now)
    except IntegrityError:  # the same submit arrived twice at once: the other one stored it
        stored = await service.store(session, consultation, party, draft, viewer, now)
    replies: list[Reply | Refresh] = [_receipt(consultation, stored, draft, lang, viewer)]
    if any(item.new for item in stored):
        replies.append(Refresh(STATUS_CARD, f"{consultation.network_id}:{consultation.key}"))
    return replies


async def _stale(session: AsyncSession, consultation: Consultation, party: rules.Party, draft: rules.Draft,
                 data: dict, lang: str) -> str:
    """Why a submit from an older card is refused ('' when the card is current, or when it repeats what is
    stored: a double click). A card without `based_on` counts as drawn before any answer."""
    try:
        card_based_on = int(data.get("based_on") or 0)
    except (TypeError, ValueError):
        card_based_on = -1
    if card_based_on == await based_on(session, consultation, party):
        return ""
    latest = await latest_responses(session, consultation)
    responses = [latest.get(m.id) for m in party.municipalities]
    if all(r is not None and rules.same_answer(r, draft) for r in responses):
        return ""
    response = next((r for r in responses if r is not None), None)
    if response is None:  # nothing stored yet: nothing an old card could overwrite
        return ""
    by = await directory.person(session, response.submitted_by_id) if response.submitted_by_id else None
    return t("consultations.stale_answer", lang, version=response.version,
             kind=t(f"consultations.kind_{response.kind}", lang), at=format_when(response.submitted_at, lang), by=by.name if by else "—")


def _receipt(consultation: Consultation, stored: list[service.Stored], draft: rules.Draft, lang: str,
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


async def _export_reply(session: AsyncSession, services: Services, viewer: Viewer, key: str | None) -> list[Reply]:
    if viewer.network is None or viewer.person is None or not viewer.is_secretariat:
        name = viewer.network.name if viewer.network else ""
        return [Reply(text=t("consultations.export_secretariat_only", viewer.lang, network=name))]
    consultation = await current_consultation(session, viewer.network, key)
    if consultation is None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    now = services.now()
    csv_url, xlsx_url = [await export.export_url(session, services.public_url, consultation.id, viewer.person.id,
                                                 fmt, now) for fmt in export.FORMATS]
    minutes = int(export.LINK_LIFETIME.total_seconds() // 60)
    return [Reply(card=export_card(translator(viewer.lang), consultation.title, csv_url, xlsx_url, minutes),
                  summary=t("consultations.export_title", viewer.lang, title=consultation.title))]


@router.card_action(CONSULTATION_EXPORT)
async def on_export(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    """Download links (CSV and Excel) made for this secretariat member, valid for an hour."""
    return await _export_reply(session, services, viewer, str(data.get("consultation") or "") or None)


@router.text_handler(priority=30)
async def export_command(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply] | None:
    match = _EXPORT.match(router.normalise_command(text))
    if match is None:
        return None
    return await _export_reply(session, services, viewer, match.group("key"))
