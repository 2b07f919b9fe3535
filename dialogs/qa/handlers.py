"""Q&A in Teams: the free-text catch-all, answer/feedback/escalation buttons, the secretariat's card.

Answers come only from the asker's own network (viewer.network); the router has already sent
people with no network the polite unknown-user answer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cards.qa import (
    QA_ANSWER_ESCALATED,
    QA_ASK,
    QA_ESCALATE,
    QA_FEEDBACK,
    AnswerView,
    ClauseView,
    DontKnowView,
    answer_card,
    dont_know_card,
    escalation_card,
)
from dialogs import onboarding, router
from dialogs.i18n import t
from dialogs.onboarding import translator
from dialogs.qa import escalation
from dialogs.qa.answer import QaResult, answer
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage.models import EscalatedQuestion, PostedCard, QaFeedback

MAX_QUESTION = 1000


def reply_for(result: QaResult, viewer: Viewer) -> Reply:
    """The card for one result: the answer with its clauses, or an honest don't-know with the offer."""
    lang = result.lang
    tr = translator(lang)
    if result.answered:
        notes = [t("qa.corrected", lang, wrong=w, right=r) for w, r in result.corrected.items()]
        view = AnswerView(
            question=result.question, answer=result.answer, key=result.key, notes=notes, related=result.related,
            clauses=[ClauseView(s.title, s.version, s.text) for s in result.sources if s.text],
            other_sources=[s.title for s in result.sources if not s.text])
        return Reply(card=answer_card(view, tr), summary=result.answer[:120])
    view = DontKnowView(question=result.question, network=viewer.network.name if viewer.network else "",
                        lang=lang, other_network=result.reason == "other_network",
                        suggestions=result.suggestions, can_escalate=viewer.person is not None)
    # an explained refusal ("the source does not say who chairs …", reason not_in_sources) shows its text too
    return Reply(text=result.answer or None, card=dont_know_card(view, tr), summary=t("qa.dont_know_title", lang))


async def ask(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply | Refresh]:
    if viewer.network is None or viewer.person is None:
        # nobody we know: the network guessed from the tenant is not "their own" network
        return [await onboarding.unknown_user(session, viewer)]
    result = await answer(session, viewer.network, text[:MAX_QUESTION], now=services.now(),
                          default_lang=viewer.lang)
    if result.reason == "command":  # "/meny", "/hjelp", an unknown slash word: the help, not a fact
        return [await onboarding.help_reply(session, services, viewer)]
    return [reply_for(result, viewer)]


@router.text_handler(90)
async def on_text(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply | Refresh] | None:
    """The catch-all: anything no command took is a question about the agreement."""
    return await ask(session, services, viewer, text) or None


@router.card_action(QA_ASK)
async def on_ask(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    question = str(data.get("q") or "").strip()
    if not question:
        return [Reply(text=t("qa.ask_empty", viewer.lang))]
    return await ask(session, services, viewer, question)


@router.card_action(QA_FEEDBACK)
async def on_feedback(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    """Nyttig / Ikkje nyttig: one stored opinion per person, question and answer (a second press updates it)."""
    useful = data.get("useful")
    question = str(data.get("q") or "").strip()[:MAX_QUESTION]
    key = str(data.get("fact") or data.get("key") or "")[:80]  # "key": cards posted before the rename
    if viewer.network is None or not isinstance(useful, bool) or not question:
        return [Reply(text=t("qa.feedback_bad", viewer.lang))]
    person_id = viewer.person.id if viewer.person else None
    existing = await session.scalar(select(QaFeedback).where(
        QaFeedback.network_id == viewer.network.id, QaFeedback.tenant_id == viewer.sender.tenant_id,
        QaFeedback.aad_object_id == viewer.sender.aad_object_id, QaFeedback.question == question,
        QaFeedback.fact_key == key))
    if existing is None:
        session.add(QaFeedback(network_id=viewer.network.id, person_id=person_id, tenant_id=viewer.sender.tenant_id,
                               aad_object_id=viewer.sender.aad_object_id, question=question, fact_key=key,
                               useful=useful, created_at=services.now()))
    else:
        existing.useful = useful
    return [Reply(text=t("qa.feedback_thanks", viewer.lang))]


@router.card_action(QA_ESCALATE)
async def on_escalate(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    return await escalation.escalate(session, viewer, str(data.get("q") or ""), str(data.get("lang") or viewer.lang),
                                     services.now())


@router.card_action(QA_ANSWER_ESCALATED)
async def on_answer_escalated(session: AsyncSession, services: Services, viewer: Viewer,
                              data: dict) -> list[Reply | Refresh]:
    return await escalation.answer_escalated(session, viewer, data, services.now())


@router.card_renderer(escalation.CARD_KIND)
async def render_escalation(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    try:
        eq_id = int(posted.subject)
    except ValueError:
        return None
    eq = await session.get(EscalatedQuestion, eq_id) if 0 < eq_id < 2**31 else None
    if eq is None:
        return None
    lang = posted.language or "nb"
    return escalation_card(await escalation.view_of(session, eq, lang), translator(lang))
