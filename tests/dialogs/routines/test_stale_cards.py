"""An older copy of the procurement question card never overwrites a newer answer.

The answer buttons carry `based_on`, the version of the municipality's answer the card showed.
Table: (who, presses on the old copy, must show, must not show); the stored answer stays.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models.routines import ProcurementAnswer
from tests.harness import card_data, texts
from tests.harness.routines import MODUM, register

ROWS = [
    # (who, presses on the card shown before any answer, must show, must not show)
    (MODUM, "vurderer", ["Svaret fra Modum er allerede endret", "nå står «Ja»", "Svaret fra Modum nå: Ja"],
     ["er lagret for Modum"]),
    (MODUM, "nei", ["Svaret fra Modum er allerede endret"], ["er lagret for Modum"]),
    (MODUM, "ja", ["Modum har allerede svart «Ja». Ingenting er endret"], ["er allerede endret"]),  # the same as stored: a double click
]


async def ask_card(bot, user, key):
    return await bot.say(user, f"anskaffelse {key}", locale="nb-NO")


@pytest.mark.parametrize(("who", "choice", "shows", "hides"), ROWS, ids=["vurderer", "nei", "same"])
async def test_an_answer_from_an_old_copy_changes_nothing_and_shows_the_answer_stored_now(dit, who, choice,  # noqa: F811
                                                                                          shows, hides):
    key = await register(dit)
    first = card_data(await ask_card(dit, who, key), "procurement.answer")
    assert first["based_on"] == 0
    await dit.submit(who, {**first, "answer": "vurderer"}, locale="nb-NO")
    second = card_data(await ask_card(dit, who, key), "procurement.answer")
    assert second["based_on"] == 1
    await dit.submit(who, {**second, "answer": "ja"}, locale="nb-NO")

    seen = texts(await dit.submit(who, {**second, "answer": choice}, locale="nb-NO"))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
    async with dit.db.session() as session:
        rows = (await session.scalars(select(ProcurementAnswer))).all()
    assert [(r.answer, r.changes) for r in rows] == [("ja", 1)]
