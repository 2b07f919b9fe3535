"""Consultations in Teams: the answer card for directors, receipts, and live status for the secretariat."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cards.consultations import (
    AnswerForm,
    CurrentAnswer,
    QuestionView,
    Receipt,
    StatusView,
    answer_card,
    receipt_card,
    status_card,
)
from dialogs import router
from dialogs.consultations import rules
from dialogs.consultations.status import current_consultation, days_left, latest_responses, status_of
from dialogs.i18n import format_day, format_when, t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage.models import Consultation, Network, Organisation, Person, PostedCard

STATUS_CARD = "consultation.status"
_COMMAND = re.compile(r"^(?:høyring|høyringa|høring|høringen|hoyring|horing|consultation|"
                      r"status høyring|status høring|svar på høyring|svar på høring)\b", re.IGNORECASE)


def _label(entry: dict[str, Any], lang: str, fallback: str) -> str:
    return entry.get(lang) or entry.get(fallback) or next((v for v in entry.values() if v), "")


def _questions(consultation: Consultation, lang: str, network_lang: str) -> list[QuestionView]:
    views = []
    for q in consultation.questions or []:
        options = [(_label(o, network_lang, "nn"), _label(o, lang, network_lang)) for o in q.get("options", [])]
        views.append(QuestionView(key=q["key"], kind=q.get("kind", "text"), label=_label(q["label"], lang, network_lang),
                                  options=[value for value, _title in options], required=bool(q.get("required"))))
    return views


async def _current_answer(session: AsyncSession, consultation: Consultation, party: rules.Party,
                          lang: str) -> CurrentAnswer | None:
    latest = await latest_responses(session, consultation)
    response = latest.get(party.municipalities[0].id)
    if response is None:
        return None
    by = await session.get(Person, response.submitted_by_id) if response.submitted_by_id else None
    org = await session.get(Organisation, response.on_behalf_of_id) if response.on_behalf_of_id else None
    return CurrentAnswer(kind=response.kind, version=response.version, submitted_at=format_when(response.submitted_at, lang),
                         submitted_by=by.name if by else "—", on_behalf_of=org.name if org else "",
                         answers=dict(response.answers or {}),
                         own_council_date=response.own_council_date.isoformat() if response.own_council_date else "",
                         note=response.note or "")


async def answer_form(session: AsyncSession, services: Services, viewer: Viewer, consultation: Consultation,
                      party: rules.Party, *, problem: str = "", typed: dict[str, Any] | None = None) -> Reply:
    lang = viewer.lang
    bodies = [] if party.organisation else await rules.regional_bodies_for(
        session, viewer.network.id, party.municipalities[0].number)
    current = await _current_answer(session, consultation, party, lang)
    prefill = None
    if typed:  # a refused submit keeps what the user typed
        prefill = CurrentAnswer(
            kind=str(typed.get("kind") or ""), version=0, submitted_at="", submitted_by="",
            answers={k[2:]: str(v) for k, v in typed.items() if k.startswith("q_") and v},
            own_council_date=str(typed.get("own_council_date") or ""), note=str(typed.get("note") or ""),
            on_behalf_of=next((o.name for o in bodies if o.key == typed.get("on_behalf_of")), ""))
    if party.organisation:
        party_text = t("consultations.party_body", lang, body=party.label,
                       municipalities=", ".join(m.name for m in party.municipalities))
    else:
        party_text = t("consultations.party_municipality", lang, name=party.label)
    form = AnswerForm(
        consultation_key=consultation.key, revision=consultation.revision, title=consultation.title,
        description=consultation.description, link=consultation.link,
        deadline=format_when(consultation.deadline, lang), days_left=max(days_left(consultation.deadline, services.now()), 0),
        party=party_text, questions=_questions(consultation, lang, viewer.network.language),
        bodies=[(o.key, o.name) for o in bodies], joint_only=party.organisation is not None,
        current=current, prefill=prefill, problem=problem)
    return Reply(card=answer_card(form, translator(lang)), summary=consultation.title)


async def status_card_for(session: AsyncSession, services: Services, network: Network, consultation: Consultation,
                          lang: str) -> dict:
    status = await status_of(session, network, consultation, services.now())
    view = StatusView(title=consultation.title, network=network.name,
                      deadline=format_when(consultation.deadline, lang), days_left=max(status.days_left, 0),
                      closed=status.closed, members=status.members, counts=dict(status.by_kind),
                      not_answered=[m.name for m in status.not_answered], consultation_key=consultation.key)
    return status_card(view, translator(lang))


async def status_reply(session: AsyncSession, services: Services, viewer: Viewer,
                       consultation: Consultation) -> Reply:
    card = await status_card_for(session, services, viewer.network, consultation, viewer.lang)
    return Reply(card=card, summary=consultation.title, track=(STATUS_CARD, f"{viewer.network.id}:{consultation.key}"))


@router.card_renderer("consultation.status")
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


@router.card_action("consultation.answer")
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
    questions = {q.key: q.label for q in _questions(consultation, lang, viewer.network.language)}
    receipt = Receipt(
        title=consultation.title, municipalities=[s.municipality.name for s in stored], version=first.version,
        stored_at=format_when(first.submitted_at, lang), kind=draft.kind,
        on_behalf_of=draft.on_behalf_of.name if draft.on_behalf_of else "",
        answers=[(questions.get(k, k), v) for k, v in draft.answers.items()],
        own_council_date=format_day(draft.own_council_date, lang) if draft.own_council_date else "",
        unchanged=not any(s.new for s in stored), deadline=format_when(consultation.deadline, lang))
    return Reply(card=receipt_card(receipt, translator(lang)), summary=t("consultations.receipt_title", lang))


@router.card_action("consultation.status")
async def refresh_status(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None or not viewer.is_secretariat:
        name = viewer.network.name if viewer.network else ""
        return [Reply(text=t("consultations.secretariat_only", viewer.lang, network=name))]
    consultation = await current_consultation(session, viewer.network, str(data.get("consultation") or "") or None)
    if consultation is None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    return [await status_reply(session, services, viewer, consultation)]



# The secretariat's commands live beside these; importing registers them with the router.
from dialogs.consultations import secretariat  # noqa: E402, F401
