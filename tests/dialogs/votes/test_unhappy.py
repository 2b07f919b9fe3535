"""Unhappy paths of voting: closed cases, stale buttons, double clicks, forged and tampered card data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from storage.models import AuditEntry, Case
from tests.harness import (
    DA_DIRECTOR,
    DV_CHAIR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    STRANGER,
)
from tests.harness.votes import (
    ASKOY,
    MEMBERS,
    executes,
    join,
    open_case,
    press,
    refused_entries,
    vote_buttons,
    vote_rows,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


@pytest.fixture
async def case_id(bot) -> int:
    await join(bot, *MEMBERS)
    return await open_case(bot)


# (who presses, the data on the button, what they must read, whether the attempt is logged as refused)
REFUSALS = [
    (DV_OBSERVER, {"option": "einig"}, "Du er observatør og har ikkje røysterett", True),
    (DV_SECRETARIAT, {"option": "einig"}, "Du sit ikkje i Styringsgruppa for DigiVestland", True),
    (DA_DIRECTOR, {"option": "einig"}, "Jeg finner ikke den saken", True),  # a case of another network
    (STRANGER, {"option": "einig"}, "Eg kjenner deg ikkje att", False),
    (DV_DIRECTOR, {"option": "ja-takk"}, "Det valet finst ikkje", True),
    (DV_DIRECTOR, {"option": "einig", "person": 3}, "forsøket er logga", True),
    (DV_DIRECTOR, {"option": "einig", "voter": "00000000-0000-0000-0000-000000000003"}, "forsøket er logga", True),
    (DV_DIRECTOR, {"option": "einig", "case": 987654}, "Eg finn ikkje den saka", True),
    (DV_DIRECTOR, {"option": "einig", "case": "1; DROP TABLE votes"}, "Eg finn ikkje den saka", True),
]


@pytest.mark.parametrize(("user", "data", "expected", "logged"), REFUSALS,
                         ids=["observer", "non-member", "other-network", "stranger", "unknown-option",
                              "forged-person", "forged-voter", "other-case", "garbage-case"])
async def test_refused_card_actions_store_nothing(bot, case_id, user, data, expected, logged):
    body = await bot.execute(user, "vote.cast", {"case": case_id, **data})
    assert expected in str(body["value"])
    assert await vote_rows(bot, case_id) == []
    entries = await refused_entries(bot)
    assert len(entries) == (1 if logged else 0)
    if logged and user is DV_DIRECTOR:
        assert entries[0].actor.endswith(DV_DIRECTOR.aad)  # who really pressed, whatever the data said


async def test_a_vote_on_a_closed_case_says_closed_and_the_outcome(bot, case_id):
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    seen = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="ueinig", reason="Seint ute.")
    assert "Saka er lukka, og røysta di vart ikkje registrert" in seen and "forslaget er vedteke" in seen
    assert [r.option for r in await vote_rows(bot, case_id)] == ["einig"]


async def test_a_vote_after_the_deadline_before_the_job_ran_is_refused_and_closes(bot, case_id):
    bot.services.now = lambda: datetime(2026, 12, 1, 11, 0, 1, tzinfo=UTC)  # 12:00:01 in Oslo
    seen = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    assert "Saka er lukka" in seen
    assert await vote_rows(bot, case_id) == []
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        assert (case.status, case.closed_reason, case.outcome) == ("closed", "deadline", "awaiting_chair")


async def test_a_double_click_and_a_redelivered_invoke_keep_one_vote(bot, case_id):
    first = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    second = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    assert "er registrert" in first and "var alt registrert" in second
    # the very same activity delivered twice by the channel
    body = bot.activity(DV_DIRECTOR, type="invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": "vote.cast",
                                          "data": {"case": case_id, "option": "avstar"}}, "trigger": "manual"})
    assert (await bot.post(body)).status == 200
    again = await bot.post(body)  # the redelivery is answered (Teams waits for it) but changes nothing
    assert again.status == 200 and "alt motteke" in (await again.json())["value"]
    rows = await vote_rows(bot, case_id)
    assert [(r.option, r.version) for r in rows] == [("einig", 1), ("avstar", 2)]


@pytest.fixture
async def any_bot(any_db):
    """The bot on each backend: several identical invokes really run at once."""
    from tests.harness import BotHarness

    harness = BotHarness(any_db, DEFAULT_NETWORK="digivestland")
    await harness.start()
    harness.services.now = lambda: NOW
    yield harness
    await harness.stop()


async def test_simultaneous_identical_votes_store_one(any_bot):
    await join(any_bot, *MEMBERS)
    case_id = await open_case(any_bot)
    bodies = await asyncio.gather(*[any_bot.execute(ASKOY, "vote.cast", {"case": case_id, "option": "einig"})
                                    for _ in range(4)])
    await any_bot.drain()
    assert all("Einig" in str(b["value"]) for b in bodies)
    assert len(await vote_rows(any_bot, case_id)) == 1


async def test_stale_buttons_after_a_role_change(bot, case_id):
    """Buttons cannot be disabled in Teams: a member who became an observer is refused on the server."""
    from sqlalchemy import select

    from storage.models import Person, Seat

    member = await bot.execute(DV_DIRECTOR, "vote.refresh", {"case": case_id})
    assert vote_buttons(member["value"])
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == DV_DIRECTOR.aad))
        seat = await session.scalar(select(Seat).where(Seat.person_id == person.id, Seat.role == "voting_member"))
        seat.role = "observer"
    seen = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    assert "observatør" in seen and await vote_rows(bot, case_id) == []


async def test_reason_is_required_for_ueinig_and_kept_when_refused(bot, case_id):
    body = await bot.execute(DV_DIRECTOR, "vote.cast", {"case": case_id, "option": "ueinig", "reason": "  "})
    assert "Skriv ei grunngjeving" in str(body["value"]) and await vote_rows(bot, case_id) == []
    assert vote_buttons(body["value"])  # the card is still the voting card


async def test_only_the_chair_closes_and_tightens_never_loosens(bot, case_id):
    assert "Berre leiaren" in await press(bot, DV_DIRECTOR, "vote.close", case_id)
    tightened = await press(bot, DV_SECRETARIAT, "vote.visibility", case_id, visibility="after_close")
    assert "Resultatet blir no vist: Etter at saka er lukka" in tightened
    looser = await press(bot, DV_CHAIR, "vote.visibility", case_id, visibility="at_once")
    assert "berre strammast inn" in looser
    async with bot.db.session() as session:
        assert (await session.get(Case, case_id)).visibility == "after_close"
    chair = await bot.execute(DV_CHAIR, "vote.refresh", {"case": case_id})
    assert not any(a["verb"] == "vote.visibility" for a in executes(chair["value"]))
    assert (await session_status(bot, case_id)) == "open"


async def session_status(bot, case_id: int) -> str:
    async with bot.db.session() as session:
        return (await session.get(Case, case_id)).status


async def test_only_the_secretariat_or_a_chair_opens_a_case(bot):
    text = await bot.say_text(DV_DIRECTOR, "ny sak")
    assert "Berre sekretariatet og leiaren" in text and "Sigurd Vikøren" in text
    replies = await bot.submit(DV_DIRECTOR, {"action": "vote.open", "body": "styringsgruppa", "title": "X",
                                             "proposal": "Y", "deadline_at": "2026-12-01T12:00:00+01:00"})
    assert "Berre sekretariatet" in "\n".join(str(r.get("text")) for r in replies)
    chair_form = await bot.say_text(DV_CHAIR, "ny sak")
    assert "Ny sak" in chair_form


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": ""}, "Skriv ein tittel."),
    ({"proposal": ""}, "Skriv forslaget til vedtak."),
    ({"deadline": "i går"}, "passert"),
    ({"deadline": "blabla"}, "Eg forstod ikkje fristen"),
])
async def test_a_bad_form_comes_back_with_the_reason(bot, fields, expected):
    data = {"action": "vote.draft", "body": "styringsgruppa", "title": "Sak", "proposal": "Forslag",
            "deadline": "fredag kl. 12", **fields}
    replies = await bot.submit(DV_SECRETARIAT, data)
    text = "\n".join(str(r) for r in replies)
    assert expected in text and "Ny sak" in text


async def test_refusals_are_in_the_audit_log_with_the_reason(bot, case_id):
    await bot.execute(DV_DIRECTOR, "vote.cast", {"case": case_id, "option": "einig", "person": 1})
    async with bot.db.session() as session:
        from sqlalchemy import select

        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.refused"))
    assert "forged" in entry.details["why"] and entry.details["data"]["person"] == "1"
