"""Limits: a per-user rate limit on expensive actions, and the text length cap at its edge.

(The 256 KB body cap is tested in tests/bot/test_http.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dialogs import ratelimit
from storage.models import Consultation, ConsultationResponse, Network
from tests.harness import DA_DIRECTOR, DV_DIRECTOR, DV_SECRETARIAT, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(bot) -> FakeClock:
    fake = FakeClock()
    limiter = ratelimit.limiter_for(bot.services)
    limiter.clock = fake
    limiter.configure(burst=30, per_minute=30)
    return fake


LIMITED = {"nn": "Prøv igjen om", "nb": "Prøv igjen om", "en": "Please try again in"}


async def test_a_flood_of_questions_is_slowed_down_with_a_friendly_answer(bot, clock):
    for i in range(30):
        text = await bot.say_text(DV_DIRECTOR, f"kven leiar styringsgruppa {i}")
        assert LIMITED["nn"] not in text, f"question {i + 1} of the burst was limited"
    text = await bot.say_text(DV_DIRECTOR, "kven leiar styringsgruppa no?")
    assert "Du har sendt mange førespurnader" in text and "Prøv igjen om 2 sekund" in text
    # help and language are never limited
    assert "Prøv igjen" not in await bot.say_text(DV_DIRECTOR, "hjelp")
    # another user is not affected
    assert LIMITED["nb"] not in await bot.say_text(DA_DIRECTOR, "hvem leder styringsgruppen?", locale="nb-NO")
    # two seconds later one more question goes through, and the next is limited again
    clock.now += 2.0
    assert LIMITED["nn"] not in await bot.say_text(DV_DIRECTOR, "kven leiar styringsgruppa?")
    assert LIMITED["nn"] in await bot.say_text(DV_DIRECTOR, "kven leiar styringsgruppa?")
    # after a minute's pause the user has most of the burst back
    clock.now += 60
    for _ in range(25):
        assert LIMITED["nn"] not in await bot.say_text(DV_DIRECTOR, "kven leiar styringsgruppa?")


async def test_the_refusal_is_in_the_users_language(bot, clock):
    await bot.say(DV_DIRECTOR, "språk en")
    for _ in range(30):
        await bot.say(DV_DIRECTOR, "who chairs the steering group?")
    text = await bot.say_text(DV_DIRECTOR, "who chairs the steering group?")
    assert "You have sent a lot of requests" in text and "Please try again in 2 seconds" in text


async def test_a_limited_user_can_still_answer_a_consultation(bot, clock):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="limit-hoyring", title="Høyring", revision=1,
                                 deadline=NOW + timedelta(days=5), status="open",
                                 questions=[{"key": "m", "kind": "text", "label": {"nn": "Merknad"}}]))
    for _ in range(31):
        await bot.say(DV_DIRECTOR, "kva kostar det?")
    assert LIMITED["nn"] in await bot.say_text(DV_DIRECTOR, "kva kostar det?")
    receipt = await bot.submit(DV_DIRECTOR, {"action": "consultation.answer", "consultation": "limit-hoyring",
                                             "revision": 1, "kind": "individual", "q_m": "Ja"})
    assert "Kvittering" in message_text(receipt[0])
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ConsultationResponse).join(Consultation)
                                    .where(Consultation.key == "limit-hoyring")) == 1


async def test_expensive_card_actions_are_limited_and_nothing_is_opened(bot, clock):
    limiter = ratelimit.limiter_for(bot.services)
    limiter.configure(burst=2, per_minute=1)
    preview = {"action": "consultation.preview", "title": "Test", "deadline": "1. desember 2026"}
    for _ in range(2):
        assert LIMITED["nn"] not in message_text((await bot.submit(DV_SECRETARIAT, preview))[0])
    text = message_text((await bot.submit(DV_SECRETARIAT, {
        "action": "consultation.open", "key": "limited-open", "title": "Test",
        "deadline": "2026-12-01T23:59:00+01:00"}))[0])
    assert "Prøv igjen om 60 sekund" in text
    async with bot.db.session() as session:
        assert await session.scalar(select(Consultation).where(Consultation.key == "limited-open")) is None


@pytest.mark.parametrize(("action", "expensive"), [
    (None, True), ("consultation.open", True), ("meeting.confirm", True), ("notice.send", True),
    ("consultation.preview", True), ("consultation.answer", False), ("vote.cast", False),
    ("meeting.rsvp", False), ("consultation.reopen", False)])
def test_which_actions_count(action, expensive):
    assert ratelimit.is_expensive(action) is expensive


def test_bucket_refill_and_memory_bound():
    clock = FakeClock()
    limiter = ratelimit.RateLimiter(burst=3, per_minute=6, clock=clock)  # one token every 10 s
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(10.0)
    clock.now += 5
    assert limiter.take("a") == pytest.approx(5.0)
    clock.now += 5
    assert limiter.take("a") == 0.0
    for i in range(ratelimit.MAX_TRACKED_USERS + 10):
        limiter.take(f"user{i}")
    assert len(limiter._buckets) == ratelimit.MAX_TRACKED_USERS
    limiter.configure(burst=0, per_minute=0)
    assert all(limiter.take("a") == 0.0 for _ in range(100))


@pytest.mark.parametrize(("length", "refused"), [(2000, False), (2001, True)])
async def test_text_length_cap_at_its_edge(bot, length, refused):
    text = await bot.say_text(DV_DIRECTOR, "k" * length)
    assert ("Meldinga er for lang (2001 teikn)" in text) is refused
