"""An older copy of a consultation answer card never overwrites a newer stored answer.

The Playground (and Teams, when an old message is re-rendered) shows a card as it was first sent:
pressing its button again submits what the card was drawn from. Table: (who, presses, must show,
must not show); after every row the stored versions are unchanged.
"""

from __future__ import annotations

import pytest

from tests.harness import DV_DIRECTOR, message_text
from tests.harness.consultations import answer, versions


def card_data(reply: dict) -> dict:
    """The data of the answer card's submit button, as the client sends it back."""
    card = reply["attachments"][0]["content"]
    return next(a["data"] for a in card["actions"] if a["data"].get("action") == "consultation.answer")


OLD_JOINT = dict(kind="joint", on_behalf_of="region-nordhordland", note="Gamle merknader")
NEW_OWN = dict(kind="individual", q_hovudsyn="Støttar med endringar", q_merknader="Kapittel 3 må endrast.")

ROWS = [
    # (who, presses the first card again with, must show, must not show)
    (DV_DIRECTOR, OLD_JOINT, ["Svaret er alt endra sidan dette kortet vart laga", "versjon 2",
                              "Ingenting frå det gamle kortet er lagra", "Lagra svar: versjon 2, Eige innspel"],
     ["Kvittering: svaret er lagra", "Versjon\n3"]),
    (DV_DIRECTOR, dict(kind="no_input"), ["Svaret er alt endra sidan dette kortet vart laga", "Eige innspel"],
     ["Kvittering"]),
    # the same press as the newest answer (a double click on the old card) stores nothing and says so
    (DV_DIRECTOR, NEW_OWN, ["Svaret var alt lagra (uendra)"], ["Svaret er alt endra", "Versjon\n3"]),
]


@pytest.mark.parametrize(("who", "fields", "shows", "hides"), ROWS, ids=["old joint", "other kind", "same as now"])
async def test_an_old_card_changes_nothing_and_shows_what_is_stored_now(bot, consultation, who,  # noqa: F811
                                                                          fields, shows, hides):
    first = card_data((await bot.say(who, "høyring"))[0])  # the card before any answer
    assert first["based_on"] == 0
    stored = message_text((await bot.submit(who, {**first, **OLD_JOINT}))[0])
    assert "Versjon\n1" in stored
    second = card_data((await bot.say(who, "høyring"))[0])  # drawn from version 1
    assert second["based_on"] == 1
    assert "Versjon\n2" in message_text((await bot.submit(who, {**second, **NEW_OWN}))[0])

    text = "\n".join(message_text(m) for m in await bot.submit(who, {**second, **fields}))
    for fragment in shows:
        assert fragment in text, fragment
    for fragment in hides:
        assert fragment not in text, fragment
    assert [(v.version, v.kind) for v in await versions(bot, "4631")] == [(1, "joint"), (2, "individual")]


async def test_a_card_from_before_any_answer_cannot_overwrite_the_first_answer(bot, consultation):  # noqa: F811
    data = answer(kind="individual", q_hovudsyn="Støttar utkastet")  # drawn when nothing was stored
    assert "Versjon\n1" in message_text((await bot.submit(DV_DIRECTOR, data))[0])
    text = message_text((await bot.submit(DV_DIRECTOR, {**data, "q_hovudsyn": "Støttar ikkje"}))[0])
    assert "Svaret er alt endra" in text
    assert [v.answers["hovudsyn"] for v in await versions(bot, "4631")] == ["Støttar utkastet"]


async def test_the_english_answer_card_shows_its_options_in_english(bot, consultation):  # noqa: F811
    await bot.say(DV_DIRECTOR, "language en")
    card = (await bot.say(DV_DIRECTOR, "consultation"))[0]["attachments"][0]["content"]
    choices = next(i for i in card["body"] if i.get("id") == "q_hovudsyn")["choices"]
    assert [c["title"] for c in choices] == ["Supports the draft", "Supports with changes", "Does not support"]
    assert choices[0]["value"] == "Støttar utkastet"  # stored in the network's language, as before
