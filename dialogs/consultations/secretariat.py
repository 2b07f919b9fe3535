"""The secretariat opens, extends, closes and reopens consultations from Teams."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cards.consultations import (
    CONSULTATION_CANCEL_OPEN,
    CONSULTATION_CLOSE,
    CONSULTATION_CLOSE_CANCEL,
    CONSULTATION_EXTEND,
    CONSULTATION_OPEN,
    CONSULTATION_PREVIEW,
    CONSULTATION_REOPEN,
    OpenForm,
    OpenPreview,
    close_confirm_card,
    open_form_card,
    open_preview_card,
)
from dialogs import router
from dialogs.consultations import manage, reminders  # noqa: F401 - reminders registers its job
from dialogs.consultations.rules import Refusal
from dialogs.consultations.service import answering_party
from dialogs.consultations.status import is_closed, latest_responses, status_of
from dialogs.consultations.views import STATUS_CARD, answer_form, status_reply
from dialogs.dates import WhenError, parse_when
from dialogs.i18n import OSLO, format_when, t
from dialogs.language import language_of as proactive_language
from dialogs.onboarding import secretariat_contact, translator
from dialogs.services import Services
from dialogs.turn import Refresh, Reply, Sender
from dialogs.viewer import Viewer
from storage import consultations as stored_consultations
from storage.models import Consultation, Network
from storage.queries import lock_row

_NEW = re.compile(r"^(?:ny høyring|ny høring|opne høyring|åpne høring|new consultation|open consultation)\b",
                  re.IGNORECASE)


def _refuse(viewer: Viewer) -> list[Reply] | None:
    if viewer.network is None or not viewer.is_secretariat:
        name = viewer.network.name if viewer.network else ""
        return [Reply(text=t("consultations.secretariat_only_open", viewer.lang, network=name))]
    return None


@router.text_handler(priority=25)
async def new_consultation(session: AsyncSession, services: Services, viewer: Viewer,
                           text: str) -> list[Reply] | None:
    if not _NEW.match(text.strip()):
        return None
    return _refuse(viewer) or [Reply(card=open_form_card(OpenForm(), translator(viewer.lang)))]


def _deadline(raw: str, lang: str, now: datetime) -> datetime:
    """A deadline phrase → an aware datetime; a date alone means the end of that day (23:59)."""
    when = parse_when(raw, lang, now=now, allow_past=False)
    if when.has_time:
        return when.start

    return datetime(when.start.year, when.start.month, when.start.day, 23, 59, tzinfo=OSLO)


@router.card_action(CONSULTATION_PREVIEW)
async def preview(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if refused := _refuse(viewer):
        return refused
    form = OpenForm(title=str(data.get("title") or "").strip(), description=str(data.get("description") or ""),
                    link=str(data.get("link") or "").strip(), deadline=str(data.get("deadline") or "").strip())
    tr = translator(viewer.lang)
    if not form.title:
        form.problem = t("consultations.open_missing_title", viewer.lang)
        return [Reply(card=open_form_card(form, tr))]
    try:
        deadline = _deadline(form.deadline, viewer.lang, services.now())
    except WhenError as err:
        form.problem = err.message(viewer.lang)
        return [Reply(card=open_form_card(form, tr))]
    if form.link and not re.match(r"^https?://\S+$", form.link):
        form.problem = t("consultations.bad_link", viewer.lang, value=form.link)
        return [Reply(card=open_form_card(form, tr))]
    people = await manage.recipients(session, viewer.network)
    key = f"{manage.slug(form.title)}-{deadline:%Y%m%d}-{uuid.uuid4().hex[:4]}"
    card = open_preview_card(OpenPreview(
        key=key, title=form.title, description=form.description, link=form.link,
        deadline_iso=deadline.isoformat(), deadline_text=format_when(deadline, viewer.lang),
        with_app=sum(1 for r in people if r.conversation_id),
        without_app=[r.person.name for r in people if not r.conversation_id]), tr)
    return [Reply(card=card)]


@router.card_action(CONSULTATION_CANCEL_OPEN)
async def cancel_open(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    return [Reply(text=t("consultations.open_cancelled", viewer.lang))]


@router.card_action(CONSULTATION_OPEN)
async def open_and_send(session: AsyncSession, services: Services, viewer: Viewer,
                        data: dict) -> list[Reply | Refresh]:
    if refused := _refuse(viewer):
        return refused
    # "consultation_key": a submit field named "key" breaks the Agents Playground's card renderer;
    # "key" is still read for cards posted before the rename.
    key = str(data.get("consultation_key") or data.get("key") or "")
    title = str(data.get("title") or "")
    await lock_row(session, Network, viewer.network.id)  # simultaneous presses of Send: one opens, the rest see it
    existing = await stored_consultations.by_key(session, viewer.network.id, key)
    if existing is not None:  # the button pressed twice: opened once
        return [Reply(text=t("consultations.open_already", viewer.lang, title=existing.title))]
    try:
        deadline = datetime.fromisoformat(str(data.get("deadline") or ""))
        if deadline.tzinfo is None:
            raise ValueError
        consultation = await manage.open_consultation(
            session, viewer.network, title=title, deadline=deadline, now=services.now(), actor=viewer.sender.actor,
            description=str(data.get("description") or ""), link=str(data.get("link") or ""),
            contact=await secretariat_contact(session, viewer) or "", key=key or None)
    except ValueError:
        return [Reply(text=t("core.card_unknown", viewer.lang))]
    except Refusal as refusal:
        return [Reply(text=t(refusal.key, viewer.lang, **refusal.values))]
    sent = await distribute(session, services, viewer, consultation)
    return [Reply(text=t("consultations.open_done", viewer.lang, title=consultation.title, count=len(sent))),
            await status_reply(session, services, viewer, consultation), *sent]


async def distribute(session: AsyncSession, services: Services, opener: Viewer,
                     consultation: Consultation, *, only_unanswered: bool = False) -> list[Reply]:
    """The answer card, in each recipient's language, to every director who has the app
    (on reopening: only to those whose municipalities have not answered)."""
    replies = []
    answered = set((await latest_responses(session, consultation)).keys()) if only_unanswered else set()
    for recipient in await manage.recipients(session, opener.network):
        if not recipient.conversation_id:
            continue
        person = (await stored_consultations.people_with_places(session, person_id=recipient.person.id))[0]
        lang = await proactive_language(session, person, opener.network)
        viewer = Viewer(sender=Sender(person.tenant_id or "", person.aad_object_id or ""), lang=lang, person=person,
                        network=opener.network)
        try:
            party = await answering_party(session, viewer)
        except Refusal:
            continue
        if only_unanswered and all(m.id in answered for m in party.municipalities):
            continue
        reply = await answer_form(session, services, viewer, consultation, party)
        reply.to_conversation = recipient.conversation_id
        reply.summary = t("consultations.new_consultation_notice", lang, network=opener.network.name,
                          deadline=format_when(consultation.deadline, lang))
        replies.append(reply)
    return replies


async def _find(session: AsyncSession, viewer: Viewer, data: dict) -> Consultation | None:
    return await stored_consultations.by_key(session, viewer.network.id, str(data.get("consultation") or ""))


async def _change_deadline(session: AsyncSession, services: Services, viewer: Viewer,
                           data: dict) -> list[Reply | Refresh]:
    if refused := _refuse(viewer):
        return refused
    consultation = await _find(session, viewer, data)
    if consultation is None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    was_closed = is_closed(consultation, services.now())
    try:
        deadline = _deadline(str(data.get("deadline") or ""), viewer.lang, services.now())
        await manage.change_deadline(session, consultation, deadline, now=services.now(), actor=viewer.sender.actor)
    except WhenError as err:
        return [Reply(text=err.message(viewer.lang))]
    except Refusal as refusal:
        return [Reply(text=t(refusal.key, viewer.lang, **refusal.values))]
    text = t("consultations.extended", viewer.lang, title=consultation.title,
             deadline=format_when(deadline, viewer.lang))
    sent: list[Reply] = []
    if was_closed:  # reopened: the answer card goes again to the municipalities that had not answered
        sent = await distribute(session, services, viewer, consultation, only_unanswered=True)
        text += " " + t("consultations.reopen_sent", viewer.lang, count=len(sent))
    return [Reply(text=text), Refresh(STATUS_CARD, f"{consultation.network_id}:{consultation.key}"), *sent]


router.card_action(CONSULTATION_EXTEND)(_change_deadline)
router.card_action(CONSULTATION_REOPEN)(_change_deadline)


@router.card_action(CONSULTATION_CLOSE_CANCEL)
async def close_cancelled(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    return [Reply(text=t("consultations.close_cancelled", viewer.lang))]


@router.card_action(CONSULTATION_CLOSE)
async def close_now(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    if refused := _refuse(viewer):
        return refused
    consultation = await _find(session, viewer, data)
    if consultation is None:
        return [Reply(text=t("consultations.unknown", viewer.lang))]
    if consultation.status == "closed":
        return [Reply(text=t("consultations.already_closed", viewer.lang, title=consultation.title))]
    if str(data.get("confirmed") or "") != "yes":  # ask first, saying what will happen
        status = await status_of(session, viewer.network, consultation, services.now())
        card = close_confirm_card(translator(viewer.lang), consultation.key, consultation.title,
                                  status.answered, status.members, [m.name for m in status.not_answered])
        return [Reply(card=card, summary=t("consultations.close_confirm_title", viewer.lang,
                                            title=consultation.title))]
    if not await manage.close(session, consultation, actor=viewer.sender.actor):
        return [Reply(text=t("consultations.already_closed", viewer.lang, title=consultation.title))]
    return [Reply(text=t("consultations.closed_now", viewer.lang, title=consultation.title)),
            Refresh(STATUS_CARD, f"{consultation.network_id}:{consultation.key}")]
