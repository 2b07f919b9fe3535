"""`hjelp` lists what this person may do, by role, in their language, with a button per command.

Table: (who, says, must show, must not show). Pressing a command's button runs the command.
"""

from __future__ import annotations

import pytest

from tests.harness import (
    DIT_DIRECTOR,
    DV_CHAIR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    buttons,
    message_text,
)

ROWS = [
    (DV_DIRECTOR, "hjelp", ["Dette kan du gjere", "**høyring**", "**kva skjer**", "**saker**", "svar på ei open høyring"],
     ["**ny høyring**", "**kunngjering**", "**eksport**"]),
    (DV_SECRETARIAT, "hjelp", ["Dette kan du gjere", "**ny høyring**", "**nytt møte**", "**ny sak**", "**kunngjering**", "**eksport**",
                               "**protokoll SAK-…**", "**kva skjer**", "**høyring**"], ["svar på ei open høyring"]),
    (DV_CHAIR, "hjelp", ["**saker**", "**kva skjer**"], ["**ny høyring**", "**kunngjering**"]),
    (DV_OBSERVER, "hjelp", ["**saker**", "**kva skjer**"], ["**ny høyring**", "svar på ei open høyring", "**ny sak**"]),
    (DV_DIRECTOR, "help", ["What you can do", "**consultation**", "**what's on**", "**cases**"], ["**new consultation**"]),
    (DIT_DIRECTOR, "hjelp", ["**ny anskaffelse**", "**anskaffelser**", "**hva skjer**"], ["**ny høring**"]),
]


@pytest.mark.parametrize(("who", "says", "shows", "hides"), ROWS,
                         ids=["director", "secretariat", "chair", "observer", "director-en", "digit-director"])
async def test_help_lists_this_persons_commands(bot, who, says, shows, hides):
    if says == "help":
        await bot.say(who, "språk en")
    replies = await bot.say(who, says, locale="nb-NO" if who is DIT_DIRECTOR else "nn-NO")
    seen = "\n".join(message_text(m) for m in replies)
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment


async def test_a_command_button_in_help_runs_the_command(bot):
    help_card = await bot.say(DV_SECRETARIAT, "hjelp")
    pressed = next(b for b in buttons(help_card) if b["title"] == "ny høyring")
    form = "\n".join(message_text(m) for m in await bot.submit(DV_SECRETARIAT, pressed["data"]))
    assert "Tittel" in form or "Ny høyring" in form, form
