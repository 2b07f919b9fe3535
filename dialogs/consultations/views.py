"""What a person sees of a consultation: the answer form (with what is stored now) and the live status card."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cards.consultations import AnswerForm, CurrentAnswer, QuestionView, StatusView, answer_card, status_card
from dialogs.consultations import rules, service
from dialogs.consultations.status import days_left, latest_responses, status_of
from dialogs.i18n import format_when, t
from dialogs.illustrative import without_data_notes
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import Viewer
from storage import directory
from storage.models import Consultation, Network

# the kind of posted card that is kept current (router.card_renderer) and its subject "network id:key"
STATUS_CARD = "consultation.status"


def _label(entry: dict[str, Any], lang: str, fallback: str) -> str:
    return entry.get(lang) or entry.get(fallback) or next((v for v in entry.values() if v), "")


def questions_of(consultation: Consultation, lang: str, network_lang: str) -> list[QuestionView]:
    views = []
    for q in consultation.questions or []:
        options = [(_label(o, network_lang, "nn"), _label(o, lang, network_lang)) for o in q.get("options", [])]
        views.append(QuestionView(key=q["key"], kind=q.get("kind", "text"), label=_label(q["label"], lang, network_lang),
                                  options=[value for value, _title in options], required=bool(q.get("required")),
                                  option_titles=[title for _value, title in options]))
    return views


async def _current_answer(session: AsyncSession, consultation: Consultation, party: rules.Party,
                          lang: str) -> CurrentAnswer | None:
    latest = await latest_responses(session, consultation)
    response = latest.get(party.municipalities[0].id)
    if response is None:
        return None
    by = await directory.person(session, response.submitted_by_id) if response.submitted_by_id else None
    org = await directory.organisation(session, response.on_behalf_of_id) if response.on_behalf_of_id else None
    return CurrentAnswer(kind=response.kind, version=response.version, submitted_at=format_when(response.submitted_at, lang),
                         submitted_by=by.name if by else "—", on_behalf_of=org.name if org else "",
                         answers=dict(response.answers or {}),
                         own_council_date=response.own_council_date.isoformat() if response.own_council_date else "",
                         note=response.note or "")


async def based_on(session: AsyncSession, consultation: Consultation, party: rules.Party) -> int:
    """What an answer card is drawn from: the sum of the latest versions of the party's municipalities
    (0 when none has answered). Any new version raises it, so a card drawn earlier is recognised."""
    latest = await latest_responses(session, consultation)
    return sum(latest[m.id].version for m in party.municipalities if m.id in latest)


async def answer_form(session: AsyncSession, services: Services, viewer: Viewer, consultation: Consultation,
                      party: rules.Party, *, problem: str = "", typed: dict[str, Any] | None = None) -> Reply:
    lang = viewer.lang
    bodies = [] if party.organisation else await service.regional_bodies_for(
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
    description, demo_note = without_data_notes(consultation.description)
    form = AnswerForm(
        consultation_key=consultation.key, revision=consultation.revision, title=consultation.title,
        description=description, demo_note=demo_note, link=consultation.link,
        deadline=format_when(consultation.deadline, lang), days_left=max(days_left(consultation.deadline, services.now()), 0),
        party=party_text, questions=questions_of(consultation, lang, viewer.network.language),
        bodies=[(o.key, o.name) for o in bodies], joint_only=party.organisation is not None,
        current=current, prefill=prefill, problem=problem,
        based_on=await based_on(session, consultation, party))
    return Reply(card=answer_card(form, translator(lang)), summary=consultation.title)


async def status_card_for(session: AsyncSession, services: Services, network: Network, consultation: Consultation,
                          lang: str) -> dict:
    status = await status_of(session, network, consultation, services.now())
    view = StatusView(title=consultation.title, network=network.name,
                      deadline=format_when(consultation.deadline, lang), days_left=max(status.days_left, 0),
                      closed=status.closed, members=status.members, counts=dict(status.by_kind),
                      not_answered=[m.name for m in status.not_answered], consultation_key=consultation.key,
                      archive_id=consultation.id if status.closed else None)
    return status_card(view, translator(lang))


async def status_reply(session: AsyncSession, services: Services, viewer: Viewer,
                       consultation: Consultation) -> Reply:
    card = await status_card_for(session, services, viewer.network, consultation, viewer.lang)
    return Reply(card=card, summary=consultation.title, track=(STATUS_CARD, f"{viewer.network.id}:{consultation.key}"))
