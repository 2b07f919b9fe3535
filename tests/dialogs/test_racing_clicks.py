"""Racing writes (issue 16): many clicks arriving at the same moment, on SQLite and PostgreSQL.

20 different answers for one municipality at once are all stored as versions 1…20 (none lost, no
apology); five simultaneous presses of a consultation's, a case's or a notice's Send button open or
send it once and nobody gets an apology."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dialogs import ratelimit
from dialogs.i18n import t
from storage.models import Case, Consultation, ConsultationResponse, Network, OutboxMessage
from storage.models.notices import Notice
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, BotHarness, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUESTIONS = [{"key": "merknader", "kind": "text", "required": True,
              "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}}]


@pytest.fixture
async def racing_bot(any_db):
    bot = BotHarness(any_db, DEFAULT_NETWORK="digivestland")
    await bot.start()
    bot.services.now = lambda: NOW
    ratelimit.limiter_for(bot.services).configure(burst=0, per_minute=0)  # the race, not the rate limit
    for user in (DV_DIRECTOR, DV_SECRETARIAT):
        bot.member(user)
        await bot.install(user)
    yield bot
    await bot.stop()


async def _at_once(bot: BotHarness, bodies: list[dict]) -> list[str]:
    """Post all at once; every text the bot answered with (replies in the chat and invoke answers)."""
    before = {c: len(bot.connector.messages(c)) for c in {b["conversation"]["id"] for b in bodies}}
    responses = await asyncio.gather(*(bot.post(body) for body in bodies))
    assert [r.status for r in responses] == [200] * len(bodies)
    await bot.drain()
    return ["\n".join(message_text(m) for m in bot.connector.messages(c)[n:]) for c, n in before.items()]


def _no_apology(texts: list[str]) -> None:
    apology = t("core.error_title", "nn")
    assert not any(apology in text for text in texts), texts


async def _scalar(bot, query):
    async with bot.db.session() as session:
        return await session.scalar(query)


async def test_twenty_different_answers_at_once_each_stored_or_refused_with_the_reason(racing_bot):
    """Twenty different answers for one municipality, all from cards drawn before any answer: the first
    to arrive is version 1; each of the others was drawn from a version that is no longer the stored one,
    so it changes nothing and its sender is told so (issue 17: an older card never overwrites a newer
    answer). None is lost without a word and nobody gets an apology."""
    bot = racing_bot
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="race", title="Høyring race", revision=1,
                                 deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS))
    bodies = [bot.activity(DV_DIRECTOR, value={"action": "consultation.answer", "consultation": "race",
                                               "revision": 1, "kind": "individual", "q_merknader": f"svar {i}",
                                               "based_on": 0})
              for i in range(20)]
    texts = await _at_once(bot, bodies)
    _no_apology(texts)
    async with bot.db.session() as session:
        rows = (await session.execute(select(ConsultationResponse.version, ConsultationResponse.answers)
                                      .join(Consultation).where(Consultation.key == "race"))).all()
    assert [v for v, _ in rows] == [1]
    stored = rows[0][1]["merknader"]
    assert stored in {f"svar {i}" for i in range(20)}
    said = "\n".join(texts)
    refused = said.count("Ingenting frå det gamle kortet er lagra")
    assert refused == 19, said  # every other answer is refused with the reason, none silently dropped


async def test_five_presses_of_send_at_once_open_a_consultation_once(racing_bot):
    bot = racing_bot
    data = {"action": "consultation.open", "consultation_key": "samtidig-hoyring", "title": "Samtidig høyring",
            "deadline": "2026-12-20T23:59:00+01:00"}
    _no_apology(await _at_once(bot, [bot.activity(DV_SECRETARIAT, value=data) for _ in range(5)]))
    assert await _scalar(bot, select(func.count()).select_from(Consultation).where(
        Consultation.key == "samtidig-hoyring")) == 1


async def test_five_presses_of_send_at_once_open_a_case_once(racing_bot):
    bot = racing_bot
    replies = await bot.submit(DV_SECRETARIAT, {"action": "vote.draft", "body": "styringsgruppa", "title": "Samtidig sak",
                                                "proposal": "Vi vedtek.", "deadline": "1. desember kl. 12"})
    send = next(a["data"] for r in replies for a in (r.get("attachments") or [{}])[0].get("content", {}).get(
        "actions", []) if (a.get("data") or {}).get("action") == "vote.open")
    _no_apology(await _at_once(bot, [bot.activity(DV_SECRETARIAT, value=send) for _ in range(5)]))
    assert await _scalar(bot, select(func.count()).select_from(Case).where(Case.title == "Samtidig sak")) == 1


async def test_five_presses_of_send_at_once_send_a_notice_once(racing_bot):
    bot = racing_bot
    await bot.submit(DV_SECRETARIAT, {"action": "notice.preview", "text": "Samtidig", "audience": "role:director"})
    notice_id = await _scalar(bot, select(func.max(Notice.id)))
    _no_apology(await _at_once(bot, [bot.activity(DV_SECRETARIAT, value={"action": "notice.send", "notice": notice_id})
                                     for _ in range(5)]))
    rows = await _scalar(bot, select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.batch == f"notice:{notice_id}"))
    people = await _scalar(bot, select(func.count(func.distinct(OutboxMessage.person_id))).where(
        OutboxMessage.batch == f"notice:{notice_id}"))
    assert rows == people > 0
