"""Cards say what is true now (issue 17, point 7). Table: (who, does, must show, must not show)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text
from tests.harness.votes import card_of, join, open_case, press, text_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_case_cards_do_not_ask_observers_to_vote_nor_offer_changes_after_closing(bot):
    bot.services.now = lambda: NOW
    await join(bot, DV_DIRECTOR, DV_OBSERVER, DV_CHAIR)
    case_id = await open_case(bot)  # results after voting (the default)
    observer = "\n".join(message_text(m) for m in await bot.submit(DV_OBSERVER, {"action": "vote.show",
                                                                                "case": case_id}))
    assert "Resultatet blir vist når du har røysta" not in observer
    assert "når saka er lukka" in observer
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig", based_on=0)
    await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    mine = text_of(await bot.execute(DV_DIRECTOR, "vote.refresh", {"case": case_id}))
    assert "Røysta di: **Einig**" in mine or "Røysta di: Einig" in mine
    assert "Du kan endre ho fram til saka blir lukka" not in mine and "kan ikkje endrast" in mine
    assert card_of  # (helper imported for symmetry with the vote tests)


async def test_a_consultation_closed_early_does_not_say_the_deadline_was_in_the_future(bot):
    from tests.harness.consultations import answer, preview

    bot.services.now = lambda: NOW
    card, _ = await preview(bot, title="Budsjett 2027", deadline="10. desember kl. 12")
    open_data = next(a["data"] for a in card["actions"] if a["data"]["action"] == "consultation.open")
    await bot.submit(DV_SECRETARIAT, open_data)
    key = open_data["consultation_key"]
    await bot.submit(DV_SECRETARIAT, {"action": "consultation.close", "consultation": key, "confirmed": "yes"})
    text = message_text((await bot.submit(DV_DIRECTOR, {**answer(kind="no_input"), "consultation": key}))[0])
    assert "før fristen" in text and "fristen var" not in text
