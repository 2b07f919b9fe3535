"""Authorisation matrix: every role × every action that exists in Teams.

Roles: a director without a seat (Sunnfjord), the secretariat, a voting member of the steering
group who is not a director (Bergen's digital lead), the chair, an observer (KS), someone the bot
does not know, and a director of another network (Bærum, Digitale Akershus). Actions: ask,
answer a consultation, open/extend/close a consultation, send a notice, open/close a case, vote,
record a chair decision, export the minutes of a case. For each pair the stored state is read
before and after: a forbidden action changes nothing (0 succeed), an allowed one changes what it
should, and every refusal says why (not the generic "I did not understand that button").

Forbidden users press the real buttons with real ids (a forwarded or stale card), not made-up data.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from dialogs.i18n import t
from storage.models import Case, Consultation, ConsultationResponse, Network, OutboxMessage, Vote
from tests.harness import (
    DA_DIRECTOR,
    DV_CHAIR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    STRANGER,
    TeamsUser,
    message_text,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SUNNFJORD = TeamsUser("dv-direktor-sunnfjord", "Torunn Førde Viken", "a6a6a6a6-0000-0000-0000-000000000033",
                      "torunn.forde.viken@sunnfjord.kommune.no")
BERGEN_DIGITAL = TeamsUser("dv-bergen-digital", "Marte Skaar Helland", "a6a6a6a6-0000-0000-0000-000000000024",
                           "marte.skaar.helland@bergen.kommune.no")
ROLES: dict[str, TeamsUser] = {
    "director": SUNNFJORD, "secretariat": DV_SECRETARIAT, "voting_member": BERGEN_DIGITAL, "chair": DV_CHAIR,
    "observer": DV_OBSERVER, "unknown": STRANGER, "other_network": DA_DIRECTOR}
EVERYONE_KNOWN = set(ROLES) - {"unknown"}
ALLOWED: dict[str, set[str]] = {
    "ask": EVERYONE_KNOWN,  # the other network's director asks about their own network
    # directors of member municipalities (the chair is Bergen's director); Bergen's second steering-group
    # seat holder has the stored role 'representative', which dialogs/consultations/rules.py lets answer
    "answer_consultation": {"director", "chair", "voting_member"},
    "open_consultation": {"secretariat"},
    "extend_consultation": {"secretariat"},
    "close_consultation": {"secretariat"},
    "send_notice": {"secretariat"},
    "open_case": {"secretariat", "chair"},
    "close_case": {"chair"},
    "vote": {"voting_member", "chair"},
    "chair_decision": {"chair"},
    "export_minutes": {"secretariat", "voting_member", "chair", "observer"},
    # the people a notice to the steering group was sent to; not a forwarded card, not a draft
    "acknowledge_notice": {"voting_member", "chair", "observer"},
}
QUESTIONS = [{"key": "merknader", "kind": "text", "required": True,
              "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}}]
PROPOSAL = "Styringsgruppa vedtek matrise-forslaget 4711."


def generic(lang: str = "nn") -> set[str]:
    return {t("core.card_unknown", lang), t("core.empty", lang)}


async def text_of(replies: list[dict[str, Any]] | dict[str, Any]) -> str:
    if isinstance(replies, dict):  # an invoke response body
        value = replies.get("value")
        return "\n".join(message_text({"attachments": [{"content": value}]})) if isinstance(value, dict) else str(value)
    return "\n".join(message_text(m) for m in replies)


async def scalar(bot, query) -> Any:
    async with bot.db.session() as session:
        return await session.scalar(query)


@pytest.fixture
async def world(bot):
    """Open consultations and a case in DigiVestland; everyone has installed the app."""
    bot.services.now = lambda: NOW
    for user in ROLES.values():
        bot.member(user)
        await bot.install(user)
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        for key in ("authz-answer", "authz-extend", "authz-close"):
            session.add(Consultation(network_id=dv.id, key=key, title=f"Høyring {key}", revision=1,
                                     deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS))
    return bot


async def open_case_as(bot, user: TeamsUser, title: str) -> tuple[int | None, dict, str]:
    """The case form, then the confirmation's send button; returns (case id, the send data, the reply)."""
    replies = await bot.submit(user, {"action": "vote.draft", "body": "styringsgruppa", "title": title,
                                      "proposal": PROPOSAL, "deadline": "1. desember kl. 12"})
    send: dict = {}
    for reply in replies:
        for action in ((reply.get("attachments") or [{}])[0].get("content") or {}).get("actions", []):
            if (action.get("data") or {}).get("action") == "vote.open":
                send = action["data"]
    text = await text_of(replies)
    if send:
        text = await text_of(await bot.submit(user, send))
    case_id = await scalar(bot, select(func.max(Case.id)).where(Case.title == title))
    return case_id, send, text


Attempt = Callable[[Any, TeamsUser, str], Awaitable[tuple[str, Any, Any]]]  # → (reply, before, after)


async def _ask(bot, user, role):
    text = await bot.say_text(user, "kven leiar styringsgruppa?" if user is not DA_DIRECTOR else
                              "hvem leder styringsgruppen?")
    unknown = t("core.unknown_title", "nn")
    return text, True, unknown in text  # "changes" = not the unknown-user answer


async def _answer(bot, user, role):
    count = select(func.count()).select_from(ConsultationResponse).join(Consultation).where(
        Consultation.key == "authz-answer")
    before = await scalar(bot, count)
    based_on = 0  # what the person's own answer card is drawn from (another role may share the municipality)
    for reply in await bot.say(user, "høyring authz-answer"):
        for action in ((reply.get("attachments") or [{}])[0].get("content") or {}).get("actions", []):
            based_on = (action.get("data") or {}).get("based_on", based_on)
    text = await text_of(await bot.submit(user, {"action": "consultation.answer", "consultation": "authz-answer",
                                                 "revision": 1, "kind": "individual", "q_merknader": role,
                                                 "based_on": based_on}))
    return text, before, await scalar(bot, count)


async def _open_consultation(bot, user, role):
    count = select(func.count()).select_from(Consultation).where(Consultation.key.like("authz-open-%"))
    before = await scalar(bot, count)
    text = await text_of(await bot.submit(user, {"action": "consultation.open", "key": f"authz-open-{role}",
                                                 "title": "Ny høyring", "deadline": "2026-12-20T23:59:00+01:00"}))
    return text, before, await scalar(bot, count)


async def _extend(bot, user, role):
    query = select(Consultation.deadline).where(Consultation.key == "authz-extend")
    before = await scalar(bot, query)
    text = await text_of(await bot.submit(user, {"action": "consultation.extend", "consultation": "authz-extend",
                                                 "deadline": "20. desember 2026"}))
    return text, before, await scalar(bot, query)


async def _close_consultation(bot, user, role):
    query = select(Consultation.status).where(Consultation.key == "authz-close")
    before = await scalar(bot, query)
    text = await text_of(await bot.submit(user, {"action": "consultation.close", "consultation": "authz-close",
                                                 "confirmed": "yes"}))
    return text, before, await scalar(bot, query)


async def _send_notice(bot, user, role):
    """The secretariat drafts a notice; `user` presses its Send button (and tries a draft of their own)."""
    from storage.models.notices import Notice

    await bot.submit(DV_SECRETARIAT, {"action": "notice.preview", "text": f"Kunngjering {role}", "audience": "app"})
    notice_id = await scalar(bot, select(func.max(Notice.id)))
    state = select(func.count()).select_from(OutboxMessage)
    sent = select(func.count()).select_from(Notice).where(Notice.status != "draft")
    before = (await scalar(bot, state), await scalar(bot, sent))
    own = await text_of(await bot.submit(user, {"action": "notice.preview", "text": "Eiga", "audience": "app"}))
    text = await text_of(await bot.submit(user, {"action": "notice.send", "notice": notice_id}))
    return (text if role == "secretariat" else own + "\n" + text), before, (
        await scalar(bot, state), await scalar(bot, sent))


async def _open_case(bot, user, role):
    count = select(func.count()).select_from(Case)
    before = await scalar(bot, count)
    if role in ALLOWED["open_case"]:
        _id, _send, text = await open_case_as(bot, user, f"Sak frå {role}")
    else:  # their own form, and the secretariat's confirmed send button
        text = await text_of(await bot.submit(user, {"action": "vote.draft", "body": "styringsgruppa",
                                                     "title": "Uløyvd", "proposal": "x", "deadline": "1. desember"}))
        text += "\n" + await text_of(await bot.submit(user, bot.secretariat_send))
    return text, before, await scalar(bot, count)


async def _close_case(bot, user, role):
    query = select(Case.status).where(Case.id == bot.case_id)
    before = await scalar(bot, query)
    text = await text_of(await bot.execute(user, "vote.close", {"case": bot.case_id, "confirmed": "yes"}))
    await bot.drain()
    return text, before, await scalar(bot, query)


async def _vote(bot, user, role):
    count = select(func.count()).select_from(Vote).where(Vote.case_id == bot.case_id)
    before = await scalar(bot, count)
    text = await text_of(await bot.execute(user, "vote.cast", {"case": bot.case_id, "option": "einig", "reason": ""}))
    await bot.drain()
    return text, before, await scalar(bot, count)


async def _decide(bot, user, role):
    query = select(Case.outcome).where(Case.id == bot.awaiting_id)
    before = await scalar(bot, query)
    text = await text_of(await bot.execute(user, "vote.decide", {"case": bot.awaiting_id, "decision": "Vedteke."}))
    await bot.drain()
    return text, before, await scalar(bot, query)


async def _export(bot, user, role):
    key = await scalar(bot, select(Case.key).where(Case.id == bot.case_id))
    text = await bot.say_text(user, f"protokoll {key}")
    return text, False, PROPOSAL in text  # "changes" = the minutes were handed out


async def _acknowledge(bot, user, role):
    """The secretariat sends a notice to the steering group asking for confirmation, and keeps a draft;
    `user` presses 'I have read it' on both (a recipient's card, or one forwarded to them)."""
    from storage.models.notices import Notice, NoticeAck

    if not hasattr(bot, "ack_notices"):
        await bot.submit(DV_SECRETARIAT, {"action": "notice.preview", "text": "Les dette", "audience": "styringsgruppa",
                                          "acknowledge": "true"})
        sent = await scalar(bot, select(func.max(Notice.id)))
        await bot.submit(DV_SECRETARIAT, {"action": "notice.send", "notice": sent})
        await bot.drain()
        await bot.submit(DV_SECRETARIAT, {"action": "notice.preview", "text": "Utkast", "audience": "styringsgruppa",
                                          "acknowledge": "true"})
        bot.ack_notices = (sent, await scalar(bot, select(func.max(Notice.id))))
    sent, draft = bot.ack_notices
    acks = select(func.count()).select_from(NoticeAck).where(NoticeAck.notice_id.in_((sent, draft)))
    before = await scalar(bot, acks)
    text = await text_of(await bot.execute(user, "notice.ack", {"notice": draft}))
    text_sent = await text_of(await bot.execute(user, "notice.ack", {"notice": sent}))
    after = await scalar(bot, acks)
    if role in ALLOWED["acknowledge_notice"] and after - before != 1:
        after = before  # exactly one acknowledgement (of the sent notice, never of the draft), or it failed
    return (text_sent if role in ALLOWED["acknowledge_notice"] else text + "\n" + text_sent), before, after


REFUSALS: list[tuple[str, str, str]] = []  # (action, role, what the user was told), for a reader in a debugger
# A refusal names who may do it, or why not (only …, not …, unknown to us, no such case).
REASON = re.compile(r"\b(?:Berre|Bare|ikkje|ikke|kjenner|finner|finn|Fant|Det er|only|not)\b", re.IGNORECASE)
ACTIONS: dict[str, Attempt] = {
    "ask": _ask, "answer_consultation": _answer, "open_consultation": _open_consultation,
    "extend_consultation": _extend, "close_consultation": _close_consultation, "send_notice": _send_notice,
    "open_case": _open_case, "close_case": _close_case, "vote": _vote, "chair_decision": _decide,
    "export_minutes": _export, "acknowledge_notice": _acknowledge,
}


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_every_role_for_every_action(world, action):
    bot = world
    if action in ("open_case", "close_case", "vote", "chair_decision", "export_minutes"):
        bot.case_id, bot.secretariat_send, _ = await open_case_as(bot, DV_SECRETARIAT, "Matrisesak")
        assert bot.case_id, "the secretariat could not open the case the matrix needs"
        if action == "chair_decision":
            bot.awaiting_id, _, _ = await open_case_as(bot, DV_SECRETARIAT, "Sak til leiaren")
            async with bot.db.session() as session:  # votes with an objection left it to the chair
                case = await session.get(Case, bot.awaiting_id)
                case.status, case.outcome, case.closed_at, case.closed_reason = (
                    "closed", "awaiting_chair", NOW, "deadline")
    allowed = ALLOWED[action]
    # forbidden roles first, so that an allowed one cannot have changed the state they are checked on
    order = sorted(ROLES, key=lambda role: role in allowed)
    wrong: list[str] = []
    for role in order:
        text, before, after = await ACTIONS[action](bot, ROLES[role], role)
        changed = before != after
        if role in allowed and not changed:
            wrong.append(f"{role} may {action} but nothing happened: {text[:200]!r}")
        elif role not in allowed:
            if changed:
                wrong.append(f"FORBIDDEN {action} by {role} succeeded: {before!r} -> {after!r}")
            if not text.strip() or text.strip() in generic() or not REASON.search(text):
                wrong.append(f"{role} was refused {action} without a reason: {text[:200]!r}")
            REFUSALS.append((action, role, text))
    assert not wrong, "\n".join(wrong)
