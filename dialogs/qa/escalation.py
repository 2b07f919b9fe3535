"""Questions the bot cannot answer go to the network's secretariat and come back answered.

Why the answer is written with a conditional update: buttons cannot be disabled in Teams, two
secretariat members may answer at once and anyone may double-click. Only the first answer is
delivered; later presses are told who answered. A saved answer becomes a Fact with origin
"learned", which the loader never deletes, so the next asker gets it directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cards.qa import EscalationView, escalation_card, reply_card
from dialogs.i18n import format_when, normalise_lang, t
from dialogs.language import language_of as proactive_language
from dialogs.onboarding import translator
from dialogs.qa.sources import invalidate
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage import directory
from storage.models import AuditEntry, EscalatedQuestion, Fact, Network, Person

CARD_KIND = "qa.escalation"
MAX_QUESTION = 1000
MAX_ANSWER = 4000


async def view_of(session: AsyncSession, eq: EscalatedQuestion, lang: str, problem: str = "") -> EscalationView:
    asker = await session.get(Person, eq.asker_id) if eq.asker_id else None
    network = await session.get(Network, eq.network_id)
    by = await session.get(Person, eq.answered_by_id) if eq.answered_by_id else None
    return EscalationView(
        id=eq.id, question=eq.question, asker=asker.name if asker else t("qa.someone", lang),
        network=network.name if network else "", asked_at=format_when(eq.created_at, lang), lang=eq.language,
        status=eq.status, answer=eq.answer, answered_by=by.name if by else "",
        answered_at=format_when(eq.answered_at, lang) if eq.answered_at else "", saved=bool(eq.saved_fact_key),
        problem=problem)


async def escalate(session: AsyncSession, viewer: Viewer, question: str, lang: str,
                   now: datetime) -> list[Reply | Refresh]:
    network = viewer.network
    question = (question or "").strip()
    if not question or network is None or viewer.person is None:
        return [Reply(text=t("qa.escalation_bad", viewer.lang))]
    question = question[:MAX_QUESTION]
    lang = normalise_lang(lang, viewer.lang)
    existing = await session.scalar(select(EscalatedQuestion).where(
        EscalatedQuestion.network_id == network.id, EscalatedQuestion.asker_id == viewer.person.id,
        EscalatedQuestion.question == question).order_by(EscalatedQuestion.id.desc()).limit(1))
    if existing is not None and existing.status == "open":
        return [Reply(text=t("qa.escalated_already", lang))]
    if existing is not None and existing.status == "answered":
        return [Reply(text=t("qa.escalated_answered", lang, answer=existing.answer))]
    eq = EscalatedQuestion(network_id=network.id, asker_id=viewer.person.id, language=lang, question=question,
                           status="open", created_at=now)
    session.add(eq)
    await session.flush()
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=network.id, action="qa.escalate",
                           target=f"escalated_question:{eq.id}", details={"question": question, "lang": lang}))
    members = await directory.secretariat_of(session, network.id)
    replies: list[Reply | Refresh] = []
    for member in members:
        member_lang = await proactive_language(session, member, network)
        card = escalation_card(await view_of(session, eq, member_lang), translator(member_lang))
        replies.append(Reply(card=card, summary=t("qa.escalation_summary", member_lang), to_person=member.id,
                             batch=f"qa-escalation:{eq.id}", dedupe_key=f"qa-escalation:{eq.id}:person:{member.id}",
                             track=(CARD_KIND, str(eq.id)), track_language=member_lang))
    if not members:
        return [Reply(text=t("qa.escalation_no_secretariat", lang, network=network.name))]
    return [Reply(text=t("qa.escalated", lang, network=network.name)), *replies]


async def answer_escalated(session: AsyncSession, viewer: Viewer, data: dict, now: datetime) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        eq_id = int(data.get("id"))
    except (TypeError, ValueError):
        eq_id = 0
    if not 0 < eq_id < 2**31:  # forged or mangled card data: no such row can exist
        return [Reply(text=t("qa.escalation_unknown", lang))]
    eq = await session.get(EscalatedQuestion, eq_id)
    if eq is None:
        return [Reply(text=t("qa.escalation_unknown", lang))]
    if viewer.network is None or viewer.network.id != eq.network_id or not viewer.is_secretariat:
        return [Reply(text=t("qa.not_secretariat", lang))]
    if eq.status != "open":
        return await _already(session, eq, lang)
    text = str(data.get("answer") or "").strip()
    if not text:
        card = escalation_card(await view_of(session, eq, lang, t("qa.answer_empty", lang)), translator(lang))
        return [Reply(text=t("qa.answer_empty", lang), card=card)]
    if len(text) > MAX_ANSWER:
        return [Reply(text=t("qa.answer_too_long", lang, length=len(text), limit=MAX_ANSWER))]
    save = str(data.get("save", "false")).lower() in ("true", "1", "yes", "on")
    fact_key = f"learned-{eq.id}" if save else ""
    claimed = await session.execute(
        update(EscalatedQuestion).where(EscalatedQuestion.id == eq.id, EscalatedQuestion.status == "open")
        .values(status="answered", answer=text, answered_by_id=viewer.person.id if viewer.person else None,
                answered_at=now, saved_fact_key=fact_key))
    if claimed.rowcount != 1:  # someone else was quicker
        await session.refresh(eq)
        return await _already(session, eq, lang)
    await session.refresh(eq)
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=eq.network_id, action="qa.answer_escalated",
                           target=f"escalated_question:{eq.id}", details={"saved": save}))
    if save:
        exists = await session.scalar(select(Fact).where(Fact.network_id == eq.network_id, Fact.key == fact_key))
        if exists is None:
            session.add(Fact(network_id=eq.network_id, key=fact_key, topic="learned", kind="statement",
                             answer={eq.language: text}, questions={eq.language: [eq.question]},
                             clause_refs=[], source=f"qa-escalation:{eq.id}", origin="learned", created_at=now))
        session.add(AuditEntry(actor=viewer.sender.actor, network_id=eq.network_id, action="qa.learned",
                               target=f"fact:{fact_key}", details={"escalated_question": eq.id}))
        await session.flush()
        invalidate(eq.network_id)
    asker = await session.get(Person, eq.asker_id) if eq.asker_id else None
    by = viewer.person.name if viewer.person else viewer.sender.name
    replies: list[Reply | Refresh] = []
    if asker is not None:
        asker_lang = eq.language
        signed = t("qa.answered_by", asker_lang, name=by, when=format_when(now, asker_lang)).rstrip(":")
        replies.append(Reply(card=reply_card(eq.question, text, signed, translator(asker_lang)),
                             summary=t("qa.answer_summary", asker_lang), to_person=asker.id,
                             batch=f"qa-escalation:{eq.id}", dedupe_key=f"qa-escalation:{eq.id}:answer"))
    confirmation = t("qa.answer_sent", lang, name=asker.name if asker else t("qa.someone", lang))
    if save:
        confirmation += " " + t("qa.saved_note", lang)
    return [Reply(text=confirmation), *replies, Refresh(CARD_KIND, str(eq.id))]


async def _already(session: AsyncSession, eq: EscalatedQuestion, lang: str) -> list[Reply | Refresh]:
    by = await session.get(Person, eq.answered_by_id) if eq.answered_by_id else None
    card = escalation_card(await view_of(session, eq, lang), translator(lang))
    return [Reply(text=t("qa.already_answered", lang, name=by.name if by else "—"), card=card)]
