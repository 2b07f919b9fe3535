"""Buttons that say something for the user (welcome, help, "Du kan òg spørje", "Meinte du") are plain
Action.Submit buttons the router answers as if the text was typed: Teams' messageBack (data.msteams)
does nothing in the Agents Playground ("Cannot add property msTeams, object is not extensible").

Table: (who, presses the button titled, on the card from, must show, must not show).
"""

from __future__ import annotations

import pytest

from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, buttons, message_text


async def _card(bot, who, source: str) -> list[dict]:
    if source == "install":
        return await bot.install(who)
    return await bot.say(who, source)


ROWS = [
    (DV_DIRECTOR, "install", "Kven leiar styringsgruppa?", ["5.1"], ["Det veit eg ikkje"]),
    (DV_DIRECTOR, "install", "Hjelp", ["Dette kan eg hjelpe med"], ["Det veit eg ikkje"]),
    (DV_SECRETARIAT, "hjelp", "Kven leiar styringsgruppa?", ["5.1"], ["Det veit eg ikkje"]),
]


@pytest.mark.parametrize(("who", "source", "title", "shows", "hides"), ROWS,
                         ids=["welcome question", "welcome help", "help question"])
async def test_a_say_button_is_answered_as_if_typed(bot, who, source, title, shows, hides):
    card = await _card(bot, who, source)
    pressed = next(b for b in buttons(card) if b["title"] == title)
    assert "msteams" not in pressed["data"]  # no messageBack: it does nothing in the Playground
    seen = "\n".join(message_text(m) for m in await bot.submit(who, pressed["data"]))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment


async def test_suggestion_buttons_under_an_answer_ask_that_question(bot):
    answer = await bot.say(DV_DIRECTOR, "Kven leiar styringsgruppa?")
    suggested = [b for b in buttons(answer) if b["data"].get("action") == "qa.ask"]
    assert suggested, "the answer offers related questions"
    assert all("msteams" not in b["data"] for b in suggested)
    seen = "\n".join(message_text(m) for m in await bot.submit(DV_DIRECTOR, suggested[0]["data"]))
    assert seen.strip() and "Dette kortet kjenner eg ikkje" not in seen
