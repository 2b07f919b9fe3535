"""Planned procurement in Teams: register (form, preview, confirmation), the members' Ja / Nei /
Vurderer card, the live status for the initiator and the digitalisation lead, and the deadline job."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cards.routines import (
    PROCUREMENT_ANSWER,
    PROCUREMENT_CANCEL,
    PROCUREMENT_CONFIRM,
    PROCUREMENT_EDIT,
    PROCUREMENT_PREVIEW,
    PROCUREMENT_STATUS,
    AskView,
    ProcurementForm,
    ProcurementPreview,
    ProcurementSummary,
    StatusView,
    ask_card,
    procurement_form_card,
    procurement_preview_card,
    status_card,
)
from dialogs import router
from dialogs.i18n import format_day, format_when, t
from dialogs.jobs import job
from dialogs.onboarding import translator
from dialogs.routines import procurement as rules
from dialogs.routines import service
from dialogs.routines.common import (
    Refusal,
    Routines,
    directors,
    is_lead,
    members,
    own_municipality,
    reachable,
    routines_for,
    routines_of,
    speaks_for,
)
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer, language_of
from storage import directory
from storage import routines as stored_routines
from storage import votes as stored_votes
from storage.models import Municipality, Network, Person, PostedCard
from storage.models.routines import PlannedProcurement

STATUS_CARD = "procurement.status"
ASK_CARD = "procurement.ask"
_NEW = re.compile(r"^(?:(?:ny|nytt|registrer|meld|planlagt|planlagd)\s+(?:planlagt\s+|planlagd\s+)?"
                  r"(?:anskaffelse|anskaffing|anskaffinga|innkjøp|reforhandling)|"
                  r"(?:new|register|planned)\s+procurement)\b", re.IGNORECASE)
_SHOW = re.compile(r"^(?:status\s+)?(?:anskaffelse|anskaffing|procurement)\s+(ansk-\d{4}-\d{3})\s*$", re.IGNORECASE)
_LIST = re.compile(r"^(?:anskaffelser|anskaffingar|procurements|planlagte anskaffelser|planlagde anskaffingar)$",
                   re.IGNORECASE)


def _text(viewer: Viewer, refusal: Refusal) -> list[Reply]:
    return [Reply(text=t(refusal.key, viewer.lang, **refusal.values))]


def _actor(viewer: Viewer) -> str:
    return viewer.sender.actor


async def summary_of(session: AsyncSession, proc: PlannedProcurement, lang: str) -> ProcurementSummary:
    muni = await directory.municipality(session, proc.municipality_id)
    return ProcurementSummary(
        key=proc.key, municipality=muni.name if muni else "–", kind=rules.kind_label(proc.kind, lang),
        system=proc.system, area=proc.area, contract_end=format_day(proc.contract_end, lang) if proc.contract_end else "",
        value_range=t(f"routines.value_{proc.value_range or 'unknown'}", lang), contact=proc.contact,
        description=proc.description, deadline=format_when(proc.deadline, lang))


def _answer_label(answer: str | None, lang: str) -> str:
    return t(f"routines.answer_{answer}", lang) if answer else t("routines.not_answered", lang)


async def outcome_text(session: AsyncSession, proc: PlannedProcurement, lang: str) -> str:
    if proc.status == "open":
        return ""
    state = await service.tally(session, proc)
    text = t(f"routines.outcome_{proc.outcome or 'no_answer'}", lang)
    if state.missing:
        text += " " + t("routines.outcome_missing", lang, names=", ".join(m.name for m in state.missing))
    return text


async def _case_text(session: AsyncSession, proc: PlannedProcurement) -> str:
    case = await stored_votes.case(session, proc.case_id) if proc.case_id else None
    return f"{case.key} – {case.title}" if case else ""


async def status_card_for(session: AsyncSession, proc: PlannedProcurement, lang: str) -> dict:
    state = await service.tally(session, proc)
    rows = [(m.name, _answer_label(state.answers[m.id].answer if m.id in state.answers else None, lang))
            for m in state.asked]
    view = StatusView(summary=await summary_of(session, proc, lang), rows=rows,
                      outcome=await outcome_text(session, proc, lang), case=await _case_text(session, proc),
                      joint=[m.name for m in await service.participants(session, proc)], open_=proc.status == "open")
    return status_card(view, translator(lang))


async def ask_card_for(session: AsyncSession, services: Services, proc: PlannedProcurement, person: Person,
                       lang: str) -> dict:
    state = await service.tally(session, proc)
    muni = await directory.municipality(session, person.municipality_id) if person.municipality_id else None
    current = state.answers.get(muni.id) if muni else None
    by = await directory.person(session, current.answered_by_id) if current and current.answered_by_id else None
    closed = ""
    if proc.status != "open" or services.now() >= proc.deadline:
        closed = t("routines.ask_closed", lang, ref=proc.key) + " " + await outcome_text(session, proc, lang)
    view = AskView(summary=await summary_of(session, proc, lang), for_municipality=muni.name if muni else "",
                   current=_answer_label(current.answer, lang) if current else "", answered_by=by.name if by else "",
                   closed=closed.strip(), based_on=answer_version(current))
    return ask_card(view, translator(lang))


def answer_version(row: Any) -> int:
    """The version of a municipality's stored answer: 1 when first given, +1 per change; 0 for none."""
    return 0 if row is None else (row.changes or 0) + 1


@router.card_renderer(STATUS_CARD)
async def render_status(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    proc = await stored_routines.procurement(session, int(posted.subject)) if posted.subject.isdigit() else None
    return await status_card_for(session, proc, posted.language) if proc else None


@router.card_renderer(ASK_CARD)
async def render_ask(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    proc_id, _, person_id = posted.subject.partition(":")
    proc = await stored_routines.procurement(session, int(proc_id)) if proc_id.isdigit() else None
    person = await directory.person(session, int(person_id)) if person_id.isdigit() else None
    if proc is None or person is None:
        return None
    return await ask_card_for(session, services, proc, person, posted.language)


# --- registering ----------------------------------------------------------------------------------


async def _registrar(session: AsyncSession, viewer: Viewer) -> tuple[Routines, Municipality | None]:
    """Who may register: a person of a member municipality (for it), or the lead/secretariat (for any)."""
    routines = await routines_for(session, viewer)
    muni = own_municipality(viewer)
    if muni is None and not is_lead(viewer, routines):
        raise Refusal("routines.register_refused", network=viewer.network.name)
    return routines, muni


async def _form(session: AsyncSession, viewer: Viewer, muni: Municipality | None, values: dict[str, Any],
                problem: str = "") -> Reply:
    choices = [] if muni else [(m.number, m.name) for m in await members(session, viewer.network)]
    form = ProcurementForm(municipalities=choices, own_municipality=muni.name if muni else "",
                           values={k: str(v) for k, v in values.items() if v is not None}, problem=problem)
    return Reply(card=procurement_form_card(form, translator(viewer.lang)), summary=t("routines.form_title", viewer.lang))


@router.text_handler(priority=20)
async def procurement_command(session: AsyncSession, services: Services, viewer: Viewer,
                              text: str) -> list[Reply | Refresh] | None:
    stripped = text.strip()
    if match := _SHOW.match(stripped):
        return await _show(session, services, viewer, match.group(1))
    if _LIST.match(stripped):
        return await _list(session, viewer)
    if not _NEW.match(stripped):
        return None
    try:
        routines, muni = await _registrar(session, viewer)
    except Refusal as refusal:
        return _text(viewer, refusal)
    contact = viewer.person.name + (f" <{viewer.person.email}>" if viewer.person.email else "")
    system = stripped[_NEW.match(stripped).end():].strip(" :–-")
    return [await _form(session, viewer, muni, {
        "contact": contact, "system": system,
        "deadline": t("routines.deadline_default", viewer.lang, days=routines.settings.answer_days)})]


async def _asked_people(session: AsyncSession, network: Network, proc_municipality_id: int) -> list[Person]:
    others = [m.id for m in await members(session, network) if m.id != proc_municipality_id]
    return await directors(session, network, others)


@router.card_action(PROCUREMENT_PREVIEW)
async def preview(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    try:
        _routines, muni = await _registrar(session, viewer)
    except Refusal as refusal:
        return _text(viewer, refusal)
    try:
        draft = rules.parse_form(data, viewer.lang, services.now(), await members(session, viewer.network), muni)
    except Refusal as refusal:
        if refusal.key == "routines.too_long":
            return _text(viewer, refusal)
        return [await _form(session, viewer, muni, data, t(refusal.key, viewer.lang, **refusal.values))]
    people = await _asked_people(session, viewer.network, draft.municipality.id)
    with_app = await reachable(session, [p.id for p in people])
    names = {m.id: m.name for m in await members(session, viewer.network)}
    lang = viewer.lang
    summary = ProcurementSummary(
        key="", municipality=draft.municipality.name, kind=rules.kind_label(draft.kind, lang), system=draft.system,
        area=draft.area, contract_end=format_day(draft.contract_end, lang) if draft.contract_end else "",
        value_range=t(f"routines.value_{draft.value_range}", lang), contact=draft.contact,
        description=draft.description, deadline=format_when(draft.deadline, lang))
    payload = {"municipality": draft.municipality.number, "kind": draft.kind, "system": draft.system,
               "area": draft.area, "contract_end": draft.contract_end.isoformat() if draft.contract_end else "",
               "value_range": draft.value_range, "contact": draft.contact, "description": draft.description,
               "deadline_at": draft.deadline.isoformat(), "deadline": str(data.get("deadline") or ""),
               "token": uuid.uuid4().hex}
    card = procurement_preview_card(ProcurementPreview(
        summary=summary, asked=[f"{names.get(p.municipality_id, '?')} ({p.name})" for p in people],
        without_app=[p.name for p in people if p.id not in with_app], data=payload), translator(lang))
    return [Reply(card=card, summary=t("routines.preview_title", lang))]


@router.card_action(PROCUREMENT_EDIT)
async def edit(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    try:
        _routines, muni = await _registrar(session, viewer)
    except Refusal as refusal:
        return _text(viewer, refusal)
    return [await _form(session, viewer, muni, {k: v for k, v in data.items() if k not in ("action", "token")})]


@router.card_action(PROCUREMENT_CANCEL)
async def cancel(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    return [Reply(text=t("routines.cancelled", viewer.lang))]


@router.card_action(PROCUREMENT_CONFIRM)
async def confirm(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    try:
        routines, muni = await _registrar(session, viewer)
        token = str(data.get("token") or "")
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            raise Refusal("routines.stale_card")
        draft = rules.parse_form(data, viewer.lang, services.now(), await members(session, viewer.network), muni)
    except Refusal as refusal:
        return _text(viewer, refusal)
    proc, new = await service.register(session, viewer.network, draft, person=viewer.person, token=token,
                                     now=services.now(), actor=_actor(viewer))
    lang = viewer.lang
    status = Reply(card=await status_card_for(session, proc, lang), summary=proc.system,
                   track=(STATUS_CARD, str(proc.id)))
    if not new:
        return [Reply(text=t("routines.already_registered", lang, ref=proc.key)), status]
    asks = await distribute(session, services, viewer.network, proc)
    reached = len({r.to_person for r in asks} & await reachable(session, [r.to_person for r in asks]))
    out: list[Reply | Refresh] = [
        Reply(text=t("routines.registered", lang, ref=proc.key, count=reached, total=len(asks),
                     deadline=format_when(proc.deadline, lang))), status, *asks]
    if routines.lead is not None and routines.lead.id != viewer.person.id:
        lead_lang = await language_of(session, routines.lead, viewer.network)
        out.append(Reply(card=await status_card_for(session, proc, lead_lang), summary=proc.system,
                         to_person=routines.lead.id, batch=f"procurement:{proc.id}",
                         dedupe_key=f"procurement:{proc.id}:status:person:{routines.lead.id}",
                         track=(STATUS_CARD, str(proc.id)), track_language=lead_lang))
    return out


async def distribute(session: AsyncSession, services: Services, network: Network,
                     proc: PlannedProcurement) -> list[Reply]:
    """The 'join a joint procurement?' card for the chief executive of every other member."""
    replies = []
    for person in await _asked_people(session, network, proc.municipality_id):
        lang = await language_of(session, person, network)
        replies.append(Reply(
            card=await ask_card_for(session, services, proc, person, lang),
            summary=t("routines.ask_summary", lang, system=proc.system, deadline=format_when(proc.deadline, lang)),
            to_person=person.id, batch=f"procurement:{proc.id}",
            dedupe_key=f"procurement:{proc.id}:ask:person:{person.id}",
            track=(ASK_CARD, f"{proc.id}:{person.id}"), track_language=lang))
    return replies


# --- answering --------------------------------------------------------------------------------------


async def _notify(session: AsyncSession, network: Network, proc: PlannedProcurement, routines: Routines,
                  key: str, what: str, exclude: int | None = None, **values: Any) -> list[Reply]:
    """A short message to the initiator and the digitalisation lead (each once per `what`)."""
    people = [p for p in (await directory.person(session, proc.registered_by_id) if proc.registered_by_id else None,
                          routines.lead) if p is not None]
    out, seen = [], set()
    for person in people:
        if person.id in seen or person.id == exclude:
            continue
        seen.add(person.id)
        lang = await language_of(session, person, network)
        out.append(Reply(text=t(key, lang, **{k: (v(lang) if callable(v) else v) for k, v in values.items()}),
                         to_person=person.id, batch=f"procurement:{proc.id}",
                         dedupe_key=f"procurement:{proc.id}:{what}:person:{person.id}"))
    return out


async def after_settle(session: AsyncSession, network: Network, proc: PlannedProcurement, routines: Routines,
                       settled: service.Settlement, exclude: int | None = None) -> list[Reply | Refresh]:
    out: list[Reply | Refresh] = []
    if settled.council is not None and settled.council.new:
        state = await service.tally(session, proc)
        out += await _notify(session, network, proc, routines, "routines.council_opened", "council", exclude,
                             names=", ".join(m.name for m in state.having("nei")), case=settled.council.case.key,
                             council=routines.council.name, system=proc.system)
        out += settled.council.replies
    if settled.closed:
        outcome = {}
        for lang in ("nn", "nb", "en"):
            outcome[lang] = await outcome_text(session, proc, lang)
        out += await _notify(session, network, proc, routines, "routines.closed_notice", "result", exclude,
                             ref=proc.key, system=proc.system, outcome=lambda lang: outcome[lang])
        for person in await _asked_people(session, network, proc.municipality_id):
            out.append(Refresh(ASK_CARD, f"{proc.id}:{person.id}"))
    out.append(Refresh(STATUS_CARD, str(proc.id)))
    return out


@router.card_action(PROCUREMENT_ANSWER)
async def answer(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        routines = await routines_for(session, viewer)
        muni = speaks_for(viewer)
        if muni is None:
            raise Refusal("routines.answer_refused", network=viewer.network.name)
        proc = await service.find(session, viewer.network, str(data.get("procurement") or ""), lock=True)
        if proc is None:
            raise Refusal("routines.proc_unknown")
        choice = str(data.get("answer") or "")
        if stale := await _stale_answer(session, proc, muni, choice, data, lang):
            # an older copy of the question card: nothing changes; the fresh card shows what is stored now
            return [Reply(text=stale), Reply(card=await ask_card_for(session, services, proc, viewer.person, lang),
                                             summary=proc.system)]
        changed = await service.record_answer(session, proc, muni, viewer.person, choice, now=services.now(),
                                            actor=_actor(viewer))
    except Refusal as refusal:
        return _text(viewer, refusal)
    if not changed:
        return [Reply(text=t("routines.answer_unchanged", lang, answer=_answer_label(choice, lang),
                             municipality=muni.name, deadline=format_when(proc.deadline, lang)))]
    settled = await service.settle(session, services, routines, proc)
    receipt = t("routines.answer_saved", lang, answer=_answer_label(choice, lang), municipality=muni.name,
                system=proc.system, deadline=format_when(proc.deadline, lang))
    if settled.council is not None and settled.council.new:
        receipt += " " + t("routines.answer_council", lang, council=routines.council.name,
                           case=settled.council.case.key)
    out: list[Reply | Refresh] = [Reply(text=receipt)]
    for person in await directors(session, viewer.network, [muni.id]):
        out.append(Refresh(ASK_CARD, f"{proc.id}:{person.id}"))
    return out + await after_settle(session, viewer.network, proc, routines, settled)


async def _stale_answer(session: AsyncSession, proc: PlannedProcurement, muni: Municipality, choice: str,
                        data: dict, lang: str) -> str:
    if "based_on" not in data:  # cards sent before answers carried their version
        return ""
    row = await stored_routines.answer_of(session, proc.id, muni.id)
    if row is None or row.answer == choice or str(data.get("based_on")) == str(answer_version(row)):
        return ""
    by = await directory.person(session, row.answered_by_id) if row.answered_by_id else None
    return t("routines.answer_stale", lang, municipality=muni.name, answer=_answer_label(row.answer, lang),
             by=by.name if by else "—", at=format_when(row.answered_at, lang))


# --- looking ---------------------------------------------------------------------------------------


async def _visible(session: AsyncSession, viewer: Viewer) -> Routines:
    routines = await routines_for(session, viewer)
    if own_municipality(viewer) is None and not is_lead(viewer, routines):
        raise Refusal("routines.register_refused", network=viewer.network.name)
    return routines


async def _show(session: AsyncSession, services: Services, viewer: Viewer, key: str) -> list[Reply | Refresh]:
    try:
        await _visible(session, viewer)
        proc = await service.find(session, viewer.network, key)
        if proc is None:
            raise Refusal("routines.proc_unknown")
    except Refusal as refusal:
        return _text(viewer, refusal)
    out: list[Reply | Refresh] = [Reply(card=await status_card_for(session, proc, viewer.lang), summary=proc.system,
                                        track=(STATUS_CARD, str(proc.id)))]
    muni = speaks_for(viewer)
    if muni is not None and muni.id != proc.municipality_id and proc.status == "open":
        # the question card again (a lost or scrolled-away card), to answer or change the answer
        out.append(Reply(card=await ask_card_for(session, services, proc, viewer.person, viewer.lang),
                         summary=proc.system, track=(ASK_CARD, f"{proc.id}:{viewer.person.id}")))
    return out


@router.card_action(PROCUREMENT_STATUS)
async def status_action(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    return await _show(session, services, viewer, str(data.get("procurement") or ""))


async def _list(session: AsyncSession, viewer: Viewer) -> list[Reply | Refresh]:
    try:
        await _visible(session, viewer)
    except Refusal as refusal:
        return _text(viewer, refusal)
    rows = await stored_routines.latest_procurements(session, viewer.network.id)
    if not rows:
        return [Reply(text=t("routines.none_registered", viewer.lang))]
    lines = []
    for proc in rows:
        muni = await directory.municipality(session, proc.municipality_id)
        state = t("routines.state_open", viewer.lang, deadline=format_when(proc.deadline, viewer.lang)) \
            if proc.status == "open" else t(f"routines.outcome_{proc.outcome or 'no_answer'}", viewer.lang)
        lines.append(f"- **{proc.key}** {proc.system} ({muni.name}): {state}")
    return [Reply(text=t("routines.list_heading", viewer.lang) + "\n\n" + "\n".join(lines))]


# --- the deadline -----------------------------------------------------------------------------------


@job(rules.DEADLINE_JOB)
async def at_deadline(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    """Close the round at its deadline: record who joined, who did not answer, and tell the initiator and lead."""
    async with services.db.session() as session:
        proc = await stored_routines.procurement(session, int(payload.get("procurement") or 0))
        if proc is None or proc.status != "open" or services.now() < proc.deadline:
            return []  # already settled, or the deadline moved
        network = await directory.network(session, proc.network_id)
        try:
            routines = await routines_of(session, network)
        except Refusal:
            return []
        settled = await service.settle(session, services, routines, proc, at_deadline=True)
        return await after_settle(session, network, proc, routines, settled)


@job(rules.REMINDER_JOB)
async def remind(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    """Two days before the deadline: the chief executives of members that have not given a definite answer."""
    async with services.db.session() as session:
        proc = await stored_routines.procurement(session, int(payload.get("procurement") or 0))
        if proc is None or proc.status != "open" or services.now() >= proc.deadline:
            return []
        network = await directory.network(session, proc.network_id)
        state = await service.tally(session, proc)
        pending = [m for m in state.asked if m.id not in state.answers or state.answers[m.id].answer == "vurderer"]
        replies: list[Reply | Refresh] = []
        for muni in pending:
            for person in await directors(session, network, [muni.id]):
                lang = await language_of(session, person, network)
                text = t("routines.reminder", lang, municipality=muni.name, system=proc.system, ref=proc.key,
                         deadline=format_when(proc.deadline, lang))
                replies.append(Reply(
                    text=text, card=await ask_card_for(session, services, proc, person, lang), summary=text,
                    to_person=person.id, batch=f"procurement:{proc.id}",
                    dedupe_key=f"procurement:{proc.id}:reminder:person:{person.id}",
                    track=(ASK_CARD, f"{proc.id}:{person.id}"), track_language=lang))
        return replies
