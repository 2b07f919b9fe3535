"""Meetings and deadlines in Teams: announce (text or form) → confirm → invitations with RSVP and
.ics; change and cancel; reminders; "Kva skjer?".

Why a stored draft between the announcement and the confirmation: what the bot understood
is shown first and nothing is sent before the secretariat confirms; the confirm button
carries only the draft id, so a stale or doubled click cannot send a different meeting or
send it twice (the draft is claimed with a conditional update).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cards.meetings import (
    MEETING_CANCEL,
    MEETING_CANCEL_ABORT,
    MEETING_CANCEL_CONFIRM,
    MEETING_CHANGE,
    MEETING_CONFIRM,
    MEETING_DISCARD,
    MEETING_EDIT,
    MEETING_NEW,
    MEETING_PREVIEW,
    MEETING_RSVP,
    FormValues,
    Preview,
    cancel_confirm_card,
    form_card,
    invitation_card,
    preview_card,
    reminder_card,
    upcoming_card,
)
from dialogs import router
from dialogs.carddata import card_id
from dialogs.consultations import reminders as _consultation_reminders  # noqa: F401 - registers its job
from dialogs.consultations.status import open_consultations
from dialogs.dates import WhenError, parse_when
from dialogs.i18n import OSLO, format_when, t
from dialogs.jobs import job
from dialogs.language import language_of as proactive_language
from dialogs.meetings import service
from dialogs.meetings.parse import Unreadable, date_span, parse_announcement, strip_command
from dialogs.meetings.service import Plan
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage import directory, outbox
from storage.models import Event, Network, Person, Rsvp
from storage.models.meetings import MeetingDraft

_WHATS_ON = re.compile(
    r"^(?:kva skjer|hva skjer|kva skjer framover|hva skjer fremover|what'?s coming( up)?|what'?s on|"
    r"what is coming( up)?|upcoming|kommande møte|kommende møter|neste møte|next meeting|mine møte|mine møter|"
    r"my meetings|møte og fristar|møter og frister)[\s?!.]*$", re.IGNORECASE)
_ANNOUNCE_WORDS = re.compile(r"møte|møtet|meeting|frist|deadline|samling|seminar|workshop", re.IGNORECASE)
MAX_TEXT = 300


def _tr(viewer: Viewer):
    return translator(viewer.lang)


async def _refuse(session: AsyncSession, viewer: Viewer) -> list[Reply] | None:
    if viewer.network is not None and viewer.is_secretariat:
        return None
    network = viewer.network.name if viewer.network else ""
    names = await directory.secretariat_names(session, viewer.network) if viewer.network else ""
    return [Reply(text=t("meetings.secretariat_only", viewer.lang, network=network, names=names or "—"))]


def _unreadable(viewer: Viewer, text: str) -> list[Reply]:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return [Reply(text=t("meetings.unreadable", viewer.lang, text=shown, examples=t("meetings.examples", viewer.lang)))]


# --- "Kva skjer?" ------------------------------------------------------------------------------


@router.text_handler(priority=20)
async def whats_on(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply] | None:
    if not _WHATS_ON.match(text.strip()) or viewer.network is None:
        return None
    secretariat = viewer.is_secretariat
    views = []
    for event in await service.upcoming(session, viewer.network, services.now()):
        if not secretariat:
            audience = await service.audience_of(session, event)
            if audience not in ("all",) and viewer.person is not None:
                people = await service.audience_people(session, viewer.network, audience)
                if viewer.person.id not in {p.id for p in people}:
                    continue
        views.append(await service.view_of(session, services, event, viewer.network, viewer.lang,
                                           person=viewer.person, counts=secretariat))
        if len(views) >= 10:
            break
    card = upcoming_card(viewer.network.name, views, _tr(viewer), secretariat=secretariat,
                         other_deadlines=await _other_deadlines(session, services, viewer))
    return [Reply(card=card, summary=t("meetings.upcoming_title", viewer.lang, network=viewer.network.name))]


async def _other_deadlines(session: AsyncSession, services: Services, viewer: Viewer) -> list[tuple[str, str, str]]:
    """Open consultations (for everyone in the network) and open cases (in the bodies the viewer sits in;
    the secretariat sees all), nearest deadline first."""
    from storage.models import Body, Case

    now, lang = services.now(), viewer.lang
    found = [(c.deadline, t("meetings.upcoming_consultation", lang), c.title)
             for c in await open_consultations(session, viewer.network, now)]
    rows = (await session.execute(select(Case, Body).join(Body, Body.id == Case.body_id).where(
        Case.network_id == viewer.network.id, Case.status == "open", Case.deadline > now))).all()
    mine = {s.body_key for s in viewer.seats}
    found += [(case.deadline, t("meetings.upcoming_case", lang, key=case.key.upper()), case.title)
              for case, body in rows if viewer.is_secretariat or body.key in mine]
    return [(what, title, format_when(deadline, lang)) for deadline, what, title in sorted(found, key=lambda f: f[0])]


# --- announcing from text ------------------------------------------------------------------------


@router.text_handler(priority=30)
async def announce_text(session: AsyncSession, services: Services, viewer: Viewer,
                        text: str) -> list[Reply] | None:
    rest, commanded = strip_command(text.strip())
    headline = rest.strip().splitlines()[0] if rest.strip() else ""
    # free text is an announcement only when it names a meeting or deadline and a date, and is no question
    if not commanded and (text.rstrip().endswith("?") or not _ANNOUNCE_WORDS.search(headline)
                          or date_span(headline, viewer.lang) is None):
        return None
    if refused := await _refuse(session, viewer):
        return refused
    if not rest.strip():
        return [await _form(session, viewer, FormValues(reminders=_days_text(service.default_days())))]
    now = services.now()
    try:
        found = parse_announcement(rest, viewer.lang, now)
    except Unreadable:
        return _unreadable(viewer, headline)
    except WhenError as err:
        return [Reply(text=f"{err.message(viewer.lang)} {t('meetings.try_again', viewer.lang)}")]
    if not found.title:
        return [Reply(text=t("meetings.missing_title", viewer.lang))]
    starts_at, ends_at, all_day = service.times_of(found.when, found.kind)
    plan = Plan(kind=found.kind, title=found.title, audience=await service.guess_audience(
        session, viewer.network, found.audience_hint), starts_at=starts_at, ends_at=ends_at, all_day=all_day,
        place=found.place, online_url=found.online_url, agenda=found.agenda,
        remind_days=found.remind_days if found.remind_days is not None else service.default_days(),
        when_text=found.when_text)
    if problem := _problem(plan, now, viewer.lang):
        return [Reply(text=problem)]
    return [await _preview(session, services, viewer, plan)]


def _problem(plan: Plan, now: datetime, lang: str) -> str | None:
    if not plan.title.strip():
        return t("meetings.missing_title", lang)
    if len(plan.title) > MAX_TEXT:
        return t("meetings.too_long", lang, length=len(plan.title), limit=MAX_TEXT)
    # a whole day is compared as days in Oslo, where the day is held
    if plan.starts_at <= now if not plan.all_day else (
            plan.starts_at.astimezone(OSLO).date() < now.astimezone(OSLO).date()):
        return t("meetings.in_past", lang, when=service.when_text(plan.starts_at, None, plan.all_day, lang))
    if plan.ends_at is not None and plan.ends_at <= plan.starts_at:
        return t("meetings.end_before_start", lang, start=format_when(plan.starts_at, lang),
                 end=format_when(plan.ends_at, lang))
    if plan.online_url and not re.match(r"^https?://\S+$", plan.online_url):
        return t("meetings.bad_link", lang, value=plan.online_url)
    return None


def _days_text(days: list[int]) -> str:
    return ", ".join(str(d) for d in days)


async def _form(session: AsyncSession, viewer: Viewer, values: FormValues) -> Reply:
    choices = await service.audience_choices(session, viewer.network, viewer.lang)
    return Reply(card=form_card(values, choices, _tr(viewer)), summary=t("meetings.form_title", viewer.lang))


async def _preview(session: AsyncSession, services: Services, viewer: Viewer, plan: Plan,
                   event: Event | None = None, *, replaces: int | None = None) -> Reply:
    if replaces:  # corrected through "Rett": the preview it came from may no longer be confirmed
        await session.execute(update(MeetingDraft).where(
            MeetingDraft.id == replaces, MeetingDraft.network_id == viewer.network.id, MeetingDraft.status == "draft")
            .values(status="superseded"))
    draft = MeetingDraft(network_id=viewer.network.id, person_id=viewer.person.id if viewer.person else None,
                         purpose="change" if event else "new",
                         data={**plan.as_dict(), "event_id": event.id if event else None})
    session.add(draft)
    await session.flush()
    people = await service.audience_people(session, viewer.network, plan.audience)
    reachable = await service.with_app(session, people)
    label = await service.audience_label(session, viewer.network, plan.audience, viewer.lang)
    from cards.meetings import EventView

    view = EventView(event_id=None, kind=plan.kind, title=plan.title,
                     when=service.when_text(plan.starts_at, plan.ends_at, plan.all_day, viewer.lang),
                     audience=f"{label} ({len(people)})", place=plan.place, online_url=plan.online_url,
                     agenda=plan.agenda)
    card = preview_card(Preview(draft_id=draft.id, event=view, reminders=_days_text(plan.remind_days),
                                recipients=len(people), without_app=[p.name for p in people if p.id not in reachable],
                                change=event is not None,
                                warning=service.day_warning(plan.starts_at, viewer.lang) if plan.kind == "meeting" else ""),
                        _tr(viewer))
    return Reply(card=card, summary=t("meetings.preview_title", viewer.lang))


# --- the form ------------------------------------------------------------------------------------


@router.card_action(MEETING_NEW)
async def new_form(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    return await _refuse(session, viewer) or [
        await _form(session, viewer, FormValues(reminders=_days_text(service.default_days())))]


@router.card_action(MEETING_PREVIEW)
async def preview_from_form(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    values = FormValues(kind="deadline" if data.get("kind") == "deadline" else "meeting",
                        title=str(data.get("title") or "").strip(), audience=str(data.get("audience") or ""),
                        when=str(data.get("when") or "").strip(), place=str(data.get("place") or "").strip(),
                        link=str(data.get("link") or "").strip(), agenda=str(data.get("agenda") or ""),
                        reminders=str(data.get("reminders") or ""),
                        event_id=card_id(data.get("event")), replaces=card_id(data.get("replaces")))
    event = None
    if values.event_id:
        event = await session.get(Event, values.event_id)
        if event is None or event.network_id != viewer.network.id:
            return [Reply(text=t("meetings.unknown_event", viewer.lang))]
    choices = dict(await service.audience_choices(session, viewer.network, viewer.lang))
    if values.audience not in choices:
        values.audience = await service.guess_audience(session, viewer.network, values.title)
    now = services.now()
    days = service.parse_days(values.reminders)
    if days is None:
        values.problem = t("meetings.bad_reminders", viewer.lang, value=values.reminders)
        return [await _form(session, viewer, values)]
    if not values.when:
        values.problem = t("meetings.missing_when", viewer.lang)
        return [await _form(session, viewer, values)]
    try:
        when = parse_when(values.when, viewer.lang, now=now)
    except WhenError as err:
        values.problem = f"{err.message(viewer.lang)} {t('meetings.examples_line', viewer.lang)}"
        return [await _form(session, viewer, values)]
    starts_at, ends_at, all_day = service.times_of(when, values.kind)
    agenda = [re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)])\s*", "", line).strip() for line in values.agenda.splitlines()]
    plan = Plan(kind=values.kind, title=values.title, audience=values.audience, starts_at=starts_at, ends_at=ends_at,
                all_day=all_day, place=values.place, online_url=values.link, agenda=[a for a in agenda if a][:30],
                remind_days=days, when_text=values.when)
    if problem := _problem(plan, now, viewer.lang):
        values.problem = problem
        return [await _form(session, viewer, values)]
    return [await _preview(session, services, viewer, plan, event, replaces=values.replaces)]


async def _draft(session: AsyncSession, viewer: Viewer, data: dict) -> MeetingDraft | None:
    raw = str(data.get("draft") or "")
    draft = await session.get(MeetingDraft, draft_id) if (draft_id := card_id(raw)) else None
    if draft is None or viewer.network is None or draft.network_id != viewer.network.id:
        return None
    return draft


@router.card_action(MEETING_EDIT)
async def edit_draft(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    draft = await _draft(session, viewer, data)
    if draft is None:
        return [Reply(text=t("meetings.unknown_draft", viewer.lang))]
    plan = Plan.from_dict({k: v for k, v in draft.data.items() if k != "event_id"})
    values = _values_of(plan, viewer.lang, draft.data.get("event_id"))
    values.replaces = draft.id if draft.status == "draft" else None
    return [await _form(session, viewer, values)]


def _values_of(plan: Plan, lang: str, event_id: int | None) -> FormValues:
    return FormValues(kind=plan.kind, title=plan.title, audience=plan.audience,
                      when=plan.when_text or service.when_text(plan.starts_at, plan.ends_at, plan.all_day, lang),
                      place=plan.place, link=plan.online_url, agenda="\n".join(plan.agenda),
                      reminders=_days_text(plan.remind_days), event_id=event_id)


@router.card_action(MEETING_DISCARD)
async def discard(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    draft = await _draft(session, viewer, data)
    if draft is not None and draft.status == "draft":
        draft.status = "discarded"
    return [Reply(text=t("meetings.discarded", viewer.lang))]


# --- confirming: invitations and updates ---------------------------------------------------------


@router.card_action(MEETING_CONFIRM)
async def confirm(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    if refused := await _refuse(session, viewer):
        return refused
    draft = await _draft(session, viewer, data)
    if draft is None:
        return [Reply(text=t("meetings.unknown_draft", viewer.lang))]
    if draft.status != "draft":
        key = {"confirmed": "meetings.already_sent", "superseded": "meetings.draft_superseded"}.get(
            draft.status, "meetings.draft_discarded")
        return [Reply(text=t(key, viewer.lang, title=draft.data.get("title", "")))]
    plan = Plan.from_dict({k: v for k, v in draft.data.items() if k != "event_id"})
    now = services.now()
    if problem := _problem(plan, now, viewer.lang):
        return [Reply(text=problem)]
    claimed = await session.execute(update(MeetingDraft).where(MeetingDraft.id == draft.id,
                                                               MeetingDraft.status == "draft")
                                    .values(status="confirmed"))
    if claimed.rowcount != 1:  # the button pressed twice at once: the other press sends it
        return [Reply(text=t("meetings.already_sent", viewer.lang, title=plan.title))]
    if draft.purpose == "change":
        event = await session.get(Event, int(draft.data.get("event_id") or 0))
        if event is None or event.status == "cancelled":
            return [Reply(text=t("meetings.unknown_event", viewer.lang))]
        await service.change_event(session, event, plan, actor=viewer.sender.actor, now=now)
    else:
        event = await service.create_event(session, viewer.network, plan, person=viewer.person,
                                           actor=viewer.sender.actor, now=now)
    await session.execute(update(MeetingDraft).where(MeetingDraft.id == draft.id).values(event_id=event.id))
    sent = await invitations(session, services, viewer.network, event, update=draft.purpose == "change")
    people = await service.audience_people(session, viewer.network, await service.audience_of(session, event))
    reachable = len(await service.with_app(session, people))
    key = "meetings.changed_done" if draft.purpose == "change" else "meetings.sent_done"
    return [Reply(text=t(key, viewer.lang, title=event.title, count=len(sent), reachable=reachable)), *sent]


async def invitations(session: AsyncSession, services: Services, network: Network, event: Event, *,
                      update: bool = False) -> list[Reply]:
    """The invitation (or update / cancellation) card to everyone in the audience, in their language."""
    replies = []
    audience = await service.audience_of(session, event)
    for person in await service.audience_people(session, network, audience):
        lang = await proactive_language(session, person, network)
        view = await service.view_of(session, services, event, network, lang, person=person)
        summary_key = ("meetings.cancelled_summary" if event.status == "cancelled" else
                       "meetings.updated_summary" if update else "meetings.invitation_summary")
        replies.append(Reply(
            card=invitation_card(view, translator(lang), update=update),
            summary=t(summary_key, lang, title=event.title, when=view.when), to_person=person.id,
            batch=f"event:{event.id}:v{event.sequence}", dedupe_key=f"event:{event.id}:v{event.sequence}:person:{person.id}",
            track_language=lang))
    return replies


# --- RSVP ------------------------------------------------------------------------------------------


@router.card_action(MEETING_RSVP)
async def rsvp(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    response = str(data.get("response") or "")
    raw = str(data.get("event") or "")
    event = await session.get(Event, event_id) if (event_id := card_id(raw)) else None
    if event is None or viewer.network is None or event.network_id != viewer.network.id or response not in (
            "yes", "no", "maybe"):
        return [Reply(text=t("meetings.unknown_event", viewer.lang))]
    if viewer.person is None:
        return [Reply(text=t("meetings.not_invited", viewer.lang, title=event.title))]
    if event.status == "cancelled":
        return [Reply(text=t("meetings.rsvp_cancelled", viewer.lang, title=event.title))]
    if event.starts_at <= services.now():
        return [Reply(text=t("meetings.rsvp_past", viewer.lang, title=event.title))]
    people = await service.audience_people(session, viewer.network, await service.audience_of(session, event))
    if viewer.person.id not in {p.id for p in people}:
        return [Reply(text=t("meetings.not_invited", viewer.lang, title=event.title))]
    when = service.when_text(event.starts_at, event.ends_at, event.all_day, viewer.lang)
    stored = await session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.person_id == viewer.person.id))
    if ("rsvp_was" in data and stored is not None and stored.response != response
            and str(data.get("rsvp_was") or "") != stored.response):
        # pressed on a copy drawn before the answer stored now: nothing changes; the fresh card shows it
        view = await service.view_of(session, services, event, viewer.network, viewer.lang, person=viewer.person)
        return [Reply(text=t("meetings.rsvp_stale_answer", viewer.lang, title=event.title,
                             answer=t(f"meetings.rsvp_{stored.response}", viewer.lang),
                             at=format_when(stored.updated_at, viewer.lang)),
                      card=invitation_card(view, _tr(viewer)))]
    changed = await service.set_rsvp(session, event, viewer.person, response, services.now())
    answer = t(f"meetings.rsvp_{response}", viewer.lang)
    key = "meetings.rsvp_saved" if changed else "meetings.rsvp_same"
    replies = [Reply(text=t(key, viewer.lang, answer=answer, title=event.title, when=when))]
    if str(data.get("sequence", event.sequence)) != str(event.sequence):  # answered on an older invitation
        view = await service.view_of(session, services, event, viewer.network, viewer.lang, person=viewer.person)
        replies.append(Reply(text=t("meetings.rsvp_stale", viewer.lang, when=when),
                             card=invitation_card(view, _tr(viewer), update=True)))
    return replies


# --- change and cancel ----------------------------------------------------------------------------


async def _event_for_secretariat(session: AsyncSession, viewer: Viewer, data: dict) -> Event | list[Reply]:
    if refused := await _refuse(session, viewer):
        return refused
    raw = str(data.get("event") or "")
    event = await session.get(Event, event_id) if (event_id := card_id(raw)) else None
    if event is None or event.network_id != viewer.network.id:
        return [Reply(text=t("meetings.unknown_event", viewer.lang))]
    if event.status == "cancelled":
        return [Reply(text=t("meetings.already_cancelled", viewer.lang, title=event.title))]
    return event


@router.card_action(MEETING_CHANGE)
async def change_form(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    event = await _event_for_secretariat(session, viewer, data)
    if isinstance(event, list):
        return event
    plan = service.as_plan(event, await service.detail_of(session, event), await service.audience_of(session, event))
    return [await _form(session, viewer, _values_of(plan, viewer.lang, event.id))]


@router.card_action(MEETING_CANCEL)
async def cancel_ask(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    event = await _event_for_secretariat(session, viewer, data)
    if isinstance(event, list):
        return event
    view = await service.view_of(session, services, event, viewer.network, viewer.lang)
    return [Reply(card=cancel_confirm_card(view, _tr(viewer)))]


@router.card_action(MEETING_CANCEL_ABORT)
async def cancel_abort(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    return [Reply(text=t("meetings.cancel_aborted", viewer.lang))]


@router.card_action(MEETING_CANCEL_CONFIRM)
async def cancel_confirm(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    event = await _event_for_secretariat(session, viewer, data)
    if isinstance(event, list):
        return event
    claimed = await session.execute(update(Event).where(Event.id == event.id, Event.status == "scheduled")
                                    .values(status="cancelled", sequence=Event.sequence + 1))
    if claimed.rowcount != 1:
        return [Reply(text=t("meetings.already_cancelled", viewer.lang, title=event.title))]
    await session.refresh(event)
    event.sequence -= 1  # cancel_event raises it (and audits, and stops the reminders)
    await service.cancel_event(session, event, actor=viewer.sender.actor)
    await session.flush()
    sent = await invitations(session, services, viewer.network, event)
    return [Reply(text=t("meetings.cancelled_done", viewer.lang, title=event.title, count=len(sent))), *sent]


# --- the Teams join link from Graph ------------------------------------------------------------------


@job(service.JOIN_LINK_JOB)
async def show_join_link(services: Services, payload: dict) -> list[Reply | Refresh]:
    """Graph made the Teams meeting after the invitations went out: each posted invitation of the current
    version is edited in place to carry the join link (no second message)."""
    async with services.db.session() as session:
        event = await session.get(Event, int(payload.get("event_id") or 0))
        if event is None or event.status != "scheduled":
            return []
        network = await session.get(Network, event.network_id)
        batch = f"event:{event.id}:v{event.sequence}"
        for person_id, activity_id in await outbox.posted(session, batch):
            person = await session.get(Person, person_id)
            if person is None:
                continue
            lang = await proactive_language(session, person, network)
            view = await service.view_of(session, services, event, network, lang, person=person)
            await outbox.enqueue(session, payload={"text": None, "card": invitation_card(view, translator(lang),
                                                                                         update=event.sequence > 0),
                                                   "summary": t("meetings.invitation_summary", lang,
                                                                title=event.title, when=view.when)},
                                 person_id=person.id, network_id=event.network_id, batch=f"{batch}:join-link",
                                 dedupe_key=f"{batch}:join-link:{view.online_url[-40:]}:person:{person.id}",
                                 language=lang, update_activity_id=activity_id)
    return []


# --- reminders --------------------------------------------------------------------------------------


@job(service.REMINDER_KIND)
async def remind(services: Services, payload: dict) -> list[Reply | Refresh]:
    """The reminder to the audience (not to those who said they will not come)."""
    now = services.now()
    async with services.db.session() as session:
        event = await session.get(Event, int(payload.get("event_id") or 0))
        if event is None or event.status != "scheduled" or event.starts_at <= now:
            return []
        if payload.get("starts_at") and datetime.fromisoformat(payload["starts_at"]) != event.starts_at:
            return []  # moved: the rescheduled job reminds for the new time
        network = await session.get(Network, event.network_id)
        days = int(payload.get("days") or 0)
        from storage.models import Rsvp

        declined = set((await session.scalars(select(Rsvp.person_id).where(
            Rsvp.event_id == event.id, Rsvp.response == "no"))).all())
        replies: list[Reply | Refresh] = []
        for person in await service.audience_people(session, network, await service.audience_of(session, event)):
            if person.id in declined:
                continue
            lang = await proactive_language(session, person, network)
            view = await service.view_of(session, services, event, network, lang, person=person)
            replies.append(Reply(
                card=reminder_card(view, days, translator(lang)),
                summary=t("meetings.reminder_summary", lang, title=event.title, when=view.when), to_person=person.id,
                batch=f"event:{event.id}:reminder:{days}d",
                dedupe_key=f"event:{event.id}:reminder:{days}d:{event.starts_at:%Y%m%dT%H%M}:person:{person.id}",
                track_language=lang))
        return replies
