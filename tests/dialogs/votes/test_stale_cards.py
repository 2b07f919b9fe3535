"""An older copy of a voter's own case card never overwrites a newer vote.

Each vote button carries `based_on`, the vote version the card showed. Table: (who, presses on the
old copy, must show, must not show); the stored votes stay as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DV_DIRECTOR
from tests.harness.votes import card_of, executes, join, open_case, press, text_of, vote_rows

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


def button(card: dict, option: str) -> dict:
    return next(a["data"] for a in executes(card) if a.get("verb") == "vote.cast" and a["data"]["option"] == option)


ROWS = [
    # (who, presses on the copy shown before their vote, must show, must not show)
    (DV_DIRECTOR, dict(option="ueinig", reason="Eg har ombestemt meg."),
     ["Du har alt røysta Avstår (versjon 2) etter at dette kortet vart vist", "Ingenting er endra"],
     ["Røysta di er registrert"]),
    (DV_DIRECTOR, dict(option="einig"), ["Du har alt røysta Avstår (versjon 2)"], ["Røysta di er registrert"]),
    # the same vote as the stored one (a double click on an old copy) is not a change: it says so
    (DV_DIRECTOR, dict(option="avstar"), ["var alt registrert"], ["Du har alt røysta"]),
]


@pytest.mark.parametrize(("who", "press_data", "shows", "hides"), ROWS, ids=["ueinig", "einig", "same"])
async def test_a_vote_from_an_old_copy_changes_nothing_and_shows_the_vote_stored_now(bot, who, press_data, shows,
                                                                                    hides):
    await join(bot, who)
    case_id = await open_case(bot)
    own = card_of((await bot.submit(who, {"action": "vote.show", "case": case_id}))[0])  # the view before voting
    assert button(own, "einig")["based_on"] == 0
    await press(bot, who, "vote.cast", case_id, **button(own, "einig"))
    after_first = card_of((await bot.submit(who, {"action": "vote.show", "case": case_id}))[0])
    assert button(after_first, "avstar")["based_on"] == 1
    await press(bot, who, "vote.cast", case_id, **button(after_first, "avstar"))

    body = await bot.execute(who, "vote.cast", {**button(after_first, press_data["option"]), **press_data})
    seen = text_of(body)
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
    assert [(v.version, v.option) for v in await vote_rows(bot, case_id)] == [(1, "einig"), (2, "avstar")]


async def test_closing_a_case_asks_first_and_says_what_will_happen(bot):
    from storage.models import Case
    from tests.harness import DV_CHAIR

    await join(bot, DV_DIRECTOR, DV_CHAIR)
    case_id = await open_case(bot)
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    asked = text_of(await bot.execute(DV_CHAIR, "vote.close", {"case": case_id}))
    assert "Lukke saka no? 1 av" in asked and "kan ikkje røyste etterpå" in asked and "Ja, lukk saka" in asked
    async with bot.db.session() as session:
        assert (await session.get(Case, case_id)).status == "open"  # asking closed nothing
    cancelled = text_of(await bot.execute(DV_CHAIR, "vote.refresh", {"case": case_id}))
    assert "Lukke saka no?" not in cancelled and "Lukk saka no" in cancelled
    closed = text_of(await bot.execute(DV_CHAIR, "vote.close", {"case": case_id, "confirmed": "yes"}))
    assert "Lukke saka no?" not in closed
    async with bot.db.session() as session:
        assert (await session.get(Case, case_id)).status == "closed"
