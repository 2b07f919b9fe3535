"""Cases and votes in Teams: opening a case, the case card with per-user views, votes, close, decision.

Card flow: the secretariat or the chair fills in the form (Action.Submit, a message
turn) and confirms; the case card goes to every seat holder. The case card uses
Action.Execute: Teams asks for each listed user's own view (`vote.refresh`) and a
vote (`vote.cast`) is answered with the voter's updated card; the other copies are
edited afterwards (Refresh). The voter is always the authenticated sender.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cards.votes import (
    VOTE_CAST,
    VOTE_CLOSE,
    VOTE_DECIDE,
    VOTE_DRAFT,
    VOTE_EDIT,
    VOTE_OPEN,
    VOTE_REFRESH,
    VOTE_SHOW,
    VOTE_VISIBILITY,
    ConfirmView,
    FormView,
    ListItem,
    OpenedView,
    case_form_card,
    case_list_card,
    confirm_card,
    opened_card,
)
from dialogs import router
from dialogs.i18n import format_when, t
from dialogs.jobs import job
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer, language_of
from dialogs.votes import rules, service
from dialogs.votes.minutes import minutes_for, to_markdown
from dialogs.votes.views import case_card_for, decision_card_for, standing
from storage import directory
from storage import jobs as job_store
from storage import votes as stored
from storage.models import AuditEntry, Body, Case, PostedCard
from storage.queries import lock_row

CASE_CARD = "case"
_NEW = re.compile(r"^(?:ny sak|nye sak|opne sak|opna sak|åpne sak|apne sak|opprett sak|ny votering|"
                  r"new case|open case|open a case)$", re.IGNORECASE)
_LIST = re.compile(r"^(?:saker|sakene|sakane|mine saker|opne saker|åpne saker|cases|open cases|my cases|"
                   r"votering|voteringar|voteringer)$", re.IGNORECASE)
_MINUTES = re.compile(r"^(?:protokoll|minutes)\s+(?:for\s+)?(?:sak\s+)?(\S+)$", re.IGNORECASE)


def _text(viewer: Viewer, key: str, **values: Any) -> Reply:
    return Reply(text=t(key, viewer.lang, **values))


def _actor(viewer: Viewer) -> str:
    return viewer.sender.actor


def _addressed(reply: Reply, holder_person_id: int, conversation_id: str | None) -> Reply:
    """Address a reply to a person's personal chat (and name the chat when known, so that it is
    sent after the invoke is answered, never as the invoke's answer)."""
    reply.to_person = holder_person_id
    reply.to_conversation = conversation_id
    return reply


async def _refuse(session: AsyncSession, viewer: Viewer, why: str, data: dict, case: Case | None = None,
                  key: str = "votes.refused_tampered", **values: Any) -> list[Reply | Refresh]:
    """Refuse a card action that no card of ours would send: record it, store nothing else."""
    shown = {k: str(v)[:80] for k, v in list(data.items())[:12]}
    session.add(AuditEntry(actor=_actor(viewer), network_id=viewer.network.id if viewer.network else None,
                           action="vote.refused", target=case.key if case else str(data.get("case", ""))[:200],
                           details={"why": why, "data": shown,
                                    "person": viewer.person.id if viewer.person else None}))
    return [_text(viewer, key, **values)]


async def _case_in_network(session: AsyncSession, viewer: Viewer, data: dict) -> Case | None:
    case_id = rules.case_id_of(data)
    if case_id is None or viewer.network is None:
        return None
    case = await stored.case(session, case_id)
    return case if case is not None and case.network_id == viewer.network.id else None


# --- opening a case -----------------------------------------------------------------------------


async def _may_open(session: AsyncSession, services: Services, viewer: Viewer) -> list[Body]:
    if viewer.network is None:
        return []
    return await service.bodies_person_may_open(session, viewer.person, viewer.network.id, services.now())


async def _not_allowed(session: AsyncSession, services: Services, viewer: Viewer) -> list[Reply | Refresh]:
    if viewer.person is None or viewer.network is None:
        return [_text(viewer, "votes.refused_unknown")]
    who = await service.who_may_open(session, viewer.network, None, services.now())
    return [_text(viewer, "votes.not_allowed_open", **who)]


def _form(viewer: Viewer, bodies: list[Body], values: dict | None = None, problem: str = "") -> Reply:
    shown = {k: str(v) for k, v in (values or {}).items()
             if k in ("body", "title", "background", "proposal", "deadline", "visibility", "close_all", "consent")}
    view = FormView(bodies=[(b.key, b.name) for b in bodies], values=shown, problem=problem)
    return Reply(card=case_form_card(view, translator(viewer.lang)), summary=t("votes.form_title", viewer.lang))


@router.text_handler(priority=25)
async def case_command(session: AsyncSession, services: Services, viewer: Viewer,
                       text: str) -> list[Reply | Refresh] | None:
    command = router.normalise_command(text)
    if _NEW.match(command):
        bodies = await _may_open(session, services, viewer)
        if not bodies:
            return await _not_allowed(session, services, viewer)
        return [_form(viewer, bodies)]
    if _LIST.match(command):
        return await _list(session, services, viewer)
    if match := _MINUTES.match(command):
        return await _minutes(session, services, viewer, match.group(1))
    return None


async def _draft_from(session: AsyncSession, services: Services, viewer: Viewer, data: dict,
                      now: datetime) -> tuple[rules.Draft | None, list[Reply | Refresh]]:
    """The form's draft, or what to show instead: the refusal for someone who may not open a case,
    or the form again with its first problem (both the preview and the confirmation check it)."""
    bodies = await _may_open(session, services, viewer)
    if not bodies:
        return None, await _not_allowed(session, services, viewer)
    try:
        return rules.parse_draft(data, viewer.lang, now, bodies), []
    except rules.Refusal as refusal:
        return None, [_form(viewer, bodies, data, t(refusal.key, viewer.lang, **refusal.values))]


@router.card_action(VOTE_DRAFT)
async def draft_case(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    now = services.now()
    draft, instead = await _draft_from(session, services, viewer, data, now)
    if draft is None:
        return instead
    holders = await service.seat_holders(session, draft.body, now)
    lang = viewer.lang
    payload = {"body": draft.body.key, "title": draft.title, "background": draft.background,
               "proposal": draft.proposal, "deadline_at": draft.deadline.isoformat(),
               "deadline": str(data.get("deadline") or ""), "visibility": draft.visibility,
               "close_all": "true" if draft.close_when_all_voted else "false",
               "consent": "true" if draft.consent else "false", "draft": uuid.uuid4().hex}
    view = ConfirmView(body=draft.body.name, title=draft.title, proposal=draft.proposal, background=draft.background,
                       deadline=format_when(draft.deadline, lang), visibility=draft.visibility,
                       close_all=draft.close_when_all_voted,
                       options=[rules.option_label(o, lang) for o in draft.options],
                       voters=sum(h.votes for h in holders), observers=sum(not h.votes for h in holders),
                       unreachable=[h.person.name for h in holders if h.conversation_id is None], data=payload)
    return [Reply(card=confirm_card(view, translator(lang)), summary=draft.title)]


@router.card_action(VOTE_EDIT)
async def edit_case(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    bodies = await _may_open(session, services, viewer)
    if not bodies:
        return await _not_allowed(session, services, viewer)
    values = dict(data)
    if not values.get("deadline") and values.get("deadline_at"):
        values["deadline"] = str(values["deadline_at"])
    return [_form(viewer, bodies, values)]


async def body_channel(session: AsyncSession, body: Body) -> str | None:
    """The team channel configured for the body's cases, if any (and still reachable)."""
    return await stored.body_channel(session, body.id)


async def distribution(session: AsyncSession, services: Services, case: Case) -> tuple[list[Reply], int, list[str]]:
    """The case card for each seat holder's personal chat and the body's channel: (replies, reachable, unreachable)."""
    state = await standing(session, case, services)
    replies: list[Reply] = []
    unreachable = []
    for holder in state.holders:
        card = await case_card_for(session, services, case, holder.lang, state=state)
        reply = Reply(card=card, summary=case.title, batch=f"case:{case.id}",
                      dedupe_key=f"case:{case.id}:card:person:{holder.person.id}", track=(CASE_CARD, str(case.id)),
                      track_language=holder.lang)
        replies.append(_addressed(reply, holder.person.id, holder.conversation_id))
        if holder.conversation_id is None:
            unreachable.append(holder.person.name)
    channel = await body_channel(session, state.body)
    if channel:
        network = await directory.network(session, case.network_id)
        lang = network.language or "nb"
        replies.append(Reply(card=await case_card_for(session, services, case, lang, state=state), summary=case.title,
                             to_conversation=channel, batch=f"case:{case.id}",
                             dedupe_key=f"case:{case.id}:card:channel", track=(CASE_CARD, str(case.id)),
                             track_language=lang))
    return replies, len(state.holders) - len(unreachable), unreachable


async def schedule_jobs(session: AsyncSession, case: Case, now) -> None:
    """Close at the deadline; remind those who have not voted a day before (when that is still ahead)."""
    await job_store.schedule(session, kind="case.close", key=f"case:{case.id}:close", run_at=case.deadline,
                             payload={"case": case.id}, network_id=case.network_id)
    remind_at = case.deadline - rules.REMIND_BEFORE
    if remind_at > now:
        await job_store.schedule(session, kind="case.reminder", key=f"case:{case.id}:reminder", run_at=remind_at,
                                 payload={"case": case.id}, network_id=case.network_id)


@router.card_action(VOTE_OPEN)
async def open_case(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    now = services.now()
    draft, instead = await _draft_from(session, services, viewer, data, now)
    if draft is None:
        return instead
    token = str(data.get("draft") or "")[:64]
    case, new = await service.open_case(session, viewer.network, draft, creator=viewer.person, actor=_actor(viewer),
                                      now=now, token=token)
    replies, reachable, unreachable = await distribution(session, services, case)
    if new:
        await schedule_jobs(session, case, now)
    lang = viewer.lang
    body = await directory.body(session, case.body_id)
    receipt = OpenedView(case.key, case.title, body.name, format_when(case.deadline, lang), reachable,
                         reachable + len(unreachable), unreachable, again=not new)
    out: list[Reply | Refresh] = [Reply(card=opened_card(receipt, translator(lang)), summary=case.title)]
    return out + (replies if new else [])


# --- the case card ------------------------------------------------------------------------------


@router.card_renderer(CASE_CARD)
async def render_case(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    case = await stored.case(session, int(posted.subject)) if posted.subject.isdigit() else None
    if case is None:
        return None
    return await case_card_for(session, services, case, posted.language)


async def _own_card(session: AsyncSession, services: Services, viewer: Viewer, case: Case, **kwargs) -> Reply:
    card = await case_card_for(session, services, case, viewer.lang, reader=viewer.person, personal=True, **kwargs)
    return Reply(card=card, summary=case.title)


async def _lookup(session: AsyncSession, viewer: Viewer, data: dict) -> tuple[Case | None, list[Reply | Refresh]]:
    """The case a card action is about, or the refusal (unknown people, other networks, forged data)."""
    if viewer.person is None or viewer.network is None:
        return None, [_text(viewer, "votes.refused_unknown")]
    if forged := rules.forged_keys(data):
        return None, await _refuse(session, viewer, "forged identity: " + ",".join(forged), data)
    case = await _case_in_network(session, viewer, data)
    if case is None:
        return None, await _refuse(session, viewer, "unknown case", data, key="votes.unknown_case")
    return case, []


@router.card_action(VOTE_REFRESH)
async def refresh_view(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    return [await _own_card(session, services, viewer, case)]


@router.card_action(VOTE_SHOW)
async def show_case(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    reply = await _own_card(session, services, viewer, case)
    reply.track, reply.track_language = (CASE_CARD, str(case.id)), viewer.lang
    return [reply]


def _outcome_text(case: Case, lang: str, decided_by: str = "") -> str:
    key = {"adopted": "votes.outcome_adopted", "awaiting_chair": "votes.outcome_awaiting_chair",
           "not_adopted": "votes.outcome_not_adopted"}.get(case.outcome)
    if case.outcome == "decided_by_chair":
        return t("votes.outcome_decided", lang, name=decided_by or "—", text=case.outcome_text)
    return t(key, lang) if key else ""


async def close_and_tell(session: AsyncSession, services: Services, case: Case, *, reason: str,
                         actor: str, actor_person_id: int | None = None) -> list[Reply | Refresh]:
    """Close the case once; cancel its jobs; ask the chair for a decision when there is no consensus."""
    now = services.now()
    if not await service.close_case(session, case, reason=reason, now=now, actor=actor):
        return []
    await job_store.cancel(session, key_prefix=f"case:{case.id}:")
    out: list[Reply | Refresh] = [Refresh(CASE_CARD, str(case.id))]
    body = await directory.body(session, case.body_id)
    if case.outcome == "awaiting_chair":
        chair = await service.chair_of(session, body, now)
        if chair is not None:
            network = await directory.network(session, case.network_id)
            lang = await language_of(session, chair, network)
            refs = await service.personal_conversations(session, [chair.id])
            card = await decision_card_for(session, services, case, lang)
            reply = Reply(card=card, summary=t("votes.decide_card_title", lang), batch=f"case:{case.id}",
                          dedupe_key=f"case:{case.id}:decide:{chair.id}")
            out.append(_addressed(reply, chair.id, refs[chair.id].conversation_id if chair.id in refs else None))
    if case.created_by_id and case.created_by_id != actor_person_id:
        creator = await directory.person(session, case.created_by_id)
        if creator is not None:
            network = await directory.network(session, case.network_id)
            lang = await language_of(session, creator, network)
            refs = await service.personal_conversations(session, [creator.id])
            reply = Reply(text=t("votes.closed_notice", lang, key=case.key.upper(), title=case.title,
                                 outcome=_outcome_text(case, lang)),
                          batch=f"case:{case.id}", dedupe_key=f"case:{case.id}:closed:{creator.id}")
            out.append(_addressed(reply, creator.id, refs[creator.id].conversation_id if creator.id in refs else None))
    return out


async def _stale_vote(session: AsyncSession, case: Case, viewer: Viewer, option_key: str, reason: str,
                      data: dict) -> str:
    """Why a press on an older copy of the card changes nothing ('' when the copy is current or repeats the
    stored vote). The card carries `based_on`, the vote version it showed; cards without it predate versions."""
    if "based_on" not in data:
        return ""
    latest = await stored.latest_vote(session, case.id, viewer.person.id)
    if latest is None or str(data.get("based_on")) == str(latest.version):
        return ""
    if latest.option == option_key and (latest.reason or "") == reason:
        return ""
    return t("votes.stale_vote", viewer.lang, option=rules.label_of(case, latest.option, viewer.lang),
             version=latest.version)


@router.card_action(VOTE_CAST)
async def cast(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    lang, now = viewer.lang, services.now()
    body = await directory.body(session, case.body_id)
    if case.status != "open" or rules.due(case, now):
        if case.status == "open":  # the deadline passed and the job has not run yet: close now
            later = await close_and_tell(session, services, case, reason="deadline", actor="system")
        else:
            later = []
        problem = t("votes.refused_closed", lang, outcome=_outcome_text(case, lang))
        return [await _own_card(session, services, viewer, case, problem=problem), *later]
    role = await service.role_in(session, viewer.person, body, now)
    if role == "observer":
        return await _refuse(session, viewer, "observer", data, case, key="votes.refused_observer")
    if role not in rules.VOTING_ROLES:
        return await _refuse(session, viewer, "not a member", data, case, key="votes.refused_not_member",
                             body=body.name)
    option_key = str(data.get("option") or "")
    reason = str(data.get("reason") or "").strip()
    try:
        rules.validate_vote(case, option_key, reason, lang)
    except rules.Refusal as refusal:
        if refusal.key == "votes.unknown_option":
            return await _refuse(session, viewer, "unknown option", data, case, key="votes.unknown_option")
        problem = t(refusal.key, lang, **refusal.values)
        return [await _own_card(session, services, viewer, case, problem=problem, reason_prefill=reason[:2000])]
    # the stale check and the write under one lock on the case: two old copies at once cannot both pass
    await lock_row(session, Case, case.id)
    if stale := await _stale_vote(session, case, viewer, option_key, reason, data):
        return [await _own_card(session, services, viewer, case, problem=stale)]
    seat = await stored.first_seat(session, body.id, viewer.person.id, role)
    try:
        async with session.begin_nested():
            result = await service.cast_vote(session, case, viewer.person, seat, option_key, reason, now=now,
                                           actor=_actor(viewer))
    except IntegrityError:  # the same vote arrived twice at the same moment: the other one stored it
        result = await service.cast_vote(session, case, viewer.person, seat, option_key, reason, now=now,
                                       actor=_actor(viewer))
    label = rules.label_of(case, option_key, lang)
    notice = t("votes.vote_stored" if result.new else "votes.vote_unchanged", lang, option=label)
    later: list[Reply | Refresh] = []
    if result.new:
        later.append(Refresh(CASE_CARD, str(case.id)))
        if case.close_when_all_voted and await service.all_voted(session, case, now):
            later = await close_and_tell(session, services, case, reason="all_voted", actor="system",
                                         actor_person_id=viewer.person.id) or later
    return [await _own_card(session, services, viewer, case, notice=notice), *later]


@router.card_action(VOTE_CLOSE)
async def close_by_chair(session: AsyncSession, services: Services, viewer: Viewer,
                         data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    body = await directory.body(session, case.body_id)
    if await service.role_in(session, viewer.person, body, services.now()) != "chair":
        return await _refuse(session, viewer, "close: not the chair", data, case, key="votes.refused_not_chair")
    if case.status != "open":
        problem = t("votes.refused_closed", viewer.lang, outcome=_outcome_text(case, viewer.lang))
        return [await _own_card(session, services, viewer, case, problem=problem)]
    if str(data.get("confirmed") or "") != "yes":  # ask first, saying what closing now will do
        return [await _own_card(session, services, viewer, case, confirm_close=True)]
    later = await close_and_tell(session, services, case, reason="chair", actor=_actor(viewer),
                                 actor_person_id=viewer.person.id)
    # the chair's own view already holds the decision field: no separate decision card for them
    later = [r for r in later if not (isinstance(r, Reply) and r.to_person == viewer.person.id and r.card)]
    notice = t("votes.closed_by_you", viewer.lang, outcome=_outcome_text(case, viewer.lang))
    return [await _own_card(session, services, viewer, case, notice=notice), *later]


@router.card_action(VOTE_DECIDE)
async def decide(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    lang, now = viewer.lang, services.now()
    body = await directory.body(session, case.body_id)
    from_decision_card = data.get("source") == "decision"

    async def answer(**kwargs) -> Reply:
        if from_decision_card:
            return Reply(card=await decision_card_for(session, services, case, lang, **kwargs), summary=case.title)
        return await _own_card(session, services, viewer, case, **kwargs)

    if await service.role_in(session, viewer.person, body, now) != "chair":
        return await _refuse(session, viewer, "decide: not the chair", data, case, key="votes.refused_not_chair")
    if case.outcome != "awaiting_chair":
        decided_by = await directory.person(session, case.decided_by_id) if case.decided_by_id else None
        key = "votes.refused_still_open" if case.status == "open" else "votes.refused_decided"
        return [await answer(problem=t(key, lang, outcome=_outcome_text(
            case, lang, decided_by.name if decided_by else "")))]
    text = str(data.get("decision") or "").strip()
    if not text:
        return [await answer(problem=t("votes.decision_missing", lang))]
    if len(text) > rules.MAX_DECISION:
        return [await answer(problem=t("votes.too_long", lang, length=len(text), limit=rules.MAX_DECISION))]
    await service.decide(session, case, viewer.person, text, now=now, actor=_actor(viewer))
    return [await answer(notice=t("votes.decided_notice", lang)), Refresh(CASE_CARD, str(case.id))]


@router.card_action(VOTE_VISIBILITY)
async def tighten(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    case, refused = await _lookup(session, viewer, data)
    if case is None:
        return refused
    body = await directory.body(session, case.body_id)
    chair = await service.role_in(session, viewer.person, body, services.now()) == "chair"
    if not chair and not await directory.is_secretariat(session, viewer.person, case.network_id):
        return await _refuse(session, viewer, "visibility: not chair or secretariat", data, case,
                             key="votes.refused_not_chair")
    try:
        changed = await service.tighten_visibility(session, case, str(data.get("visibility") or ""),
                                                 now=services.now(), actor=_actor(viewer))
    except rules.Refusal as refusal:
        return [await _own_card(session, services, viewer, case, problem=t(refusal.key, viewer.lang))]
    notice = t("votes.visibility_changed", viewer.lang,
               visibility=t(f"votes.visibility_{case.visibility}", viewer.lang)) if changed else ""
    return [await _own_card(session, services, viewer, case, notice=notice)] + (
        [Refresh(CASE_CARD, str(case.id))] if changed else [])


# --- lists and minutes in chat ------------------------------------------------------------------


async def _list(session: AsyncSession, services: Services, viewer: Viewer) -> list[Reply | Refresh]:
    if viewer.person is None or viewer.network is None:
        return [_text(viewer, "votes.refused_unknown")]
    lang, now = viewer.lang, services.now()
    staff = await directory.is_secretariat(session, viewer.person, viewer.network.id)
    cases = await stored.live_cases(session, viewer.network.id)
    items = []
    for case in cases:
        state = await standing(session, case, services)
        role = await service.role_in(session, viewer.person, state.body, now)
        if role is None and not staff:
            continue
        mine = state.votes.get(viewer.person.id)
        if role == "observer":
            me = t("votes.list_observer", lang)
        elif role is None:
            me = ""
        elif mine is not None:
            me = t("votes.list_voted", lang, option=rules.label_of(case, mine.option, lang))
        else:
            me = t("votes.list_not_voted", lang)
        state_text = (t("votes.list_open_until", lang, deadline=format_when(case.deadline, lang))
                      if case.status == "open" else t("votes.outcome_awaiting_chair", lang))
        items.append(ListItem(case.id, case.key, case.title, state.body.name, state_text,
                              t("votes.turnout", lang, voted=len(state.votes), total=len(state.voters)), me))
    if not items:
        return [_text(viewer, "votes.list_none", network=viewer.network.name)]
    return [Reply(card=case_list_card(items, viewer.network.name, translator(lang)),
                  summary=t("votes.list_title", lang))]


async def _minutes(session: AsyncSession, services: Services, viewer: Viewer, ident: str) -> list[Reply | Refresh]:
    if viewer.person is None or viewer.network is None:
        return [_text(viewer, "votes.refused_unknown")]
    cases = await service.find_case(session, ident, viewer.network.id)
    if not cases:
        return [_text(viewer, "votes.unknown_case")]
    case = cases[0]
    body = await directory.body(session, case.body_id)
    role = await service.role_in(session, viewer.person, body, services.now())
    if role is None and not await directory.is_secretariat(session, viewer.person, case.network_id):
        return [_text(viewer, "votes.refused_not_member", body=body.name)]
    minutes = await minutes_for(session, case, viewer.lang, services.now())
    return [Reply(text=to_markdown(minutes, viewer.lang))]


# --- scheduled work -----------------------------------------------------------------------------


@job("case.close")
async def close_at_deadline(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    async with services.db.session() as session:
        case = await stored.case(session, rules.case_id_of(payload) or -1)
        if case is None or case.status != "open":
            return []
        if not rules.due(case, services.now()):  # the deadline was moved: the moved job will close it
            return []
        return await close_and_tell(session, services, case, reason="deadline", actor="system")


@job("case.reminder")
async def remind(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    """Remind each voting member who has not voted, once per deadline."""
    async with services.db.session() as session:
        case = await stored.case(session, rules.case_id_of(payload) or -1)
        if case is None or case.status != "open" or rules.due(case, services.now()):
            return []
        state = await standing(session, case, services)
        replies: list[Reply | Refresh] = []
        for holder in state.missing:
            lang = holder.lang
            card = await case_card_for(session, services, case, lang, state=state,
                                       notice=t("votes.reminder", lang, deadline=format_when(case.deadline, lang)))
            reply = Reply(card=card, summary=t("votes.reminder_summary", lang, title=case.title),
                          batch=f"case:{case.id}:reminder",
                          dedupe_key=f"case:{case.id}:reminder:{holder.person.id}:{case.deadline.isoformat()}",
                          track=(CASE_CARD, str(case.id)), track_language=lang)
            replies.append(_addressed(reply, holder.person.id, holder.conversation_id))
        return replies
