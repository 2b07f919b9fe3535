"""Language and wording a Teams user noticed (issue 17, point 8). Table: (who, sends or presses, must show,
must not show); the members list is checked on the card itself (one block per line)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

DIALOGUE = [
    # "Medlemmer", not "Medlemer"
    (DV_SECRETARIAT, "ny sak", ["Medlemmer med røysterett"], ["Medlemer ", "medlemene"]),
    # the directors' audience holds the mayors too: it says so
    (DV_SECRETARIAT, "nytt møte", ["Kommunedirektørar og ordførarar"], ["Kommunedirektørane"]),
    # the July 2024 consultation, reopened: the data's own note is not shown, the bot says it in its words
    (DV_SECRETARIAT, "høyring", ["Opne igjen"], []),
    (DV_SECRETARIAT, {"press": "Lagre", "deadline": "om to veker"}, [], []),
    (DV_DIRECTOR, "høyring", ["Innspel til utkast til ny samarbeidsavtale", "Demodata:"],
     ["er illustrative", "illustrativ"]),
    # in English the card is English, the options' titles too (their stored values stay the canonical ones)
    (DV_DIRECTOR, "language en", [], []),
    (DV_DIRECTOR, "consultation", ["How are you answering?", "Supports the draft", "Does not support it",
                                   "Demo data:"], ["Demodata:", "Korleis svarar"]),
]


@pytest.fixture(autouse=True)
async def installed(bot):
    bot.services.now = lambda: NOW
    for user in (DV_SECRETARIAT, DV_DIRECTOR):
        await bot.install(user)


async def test_spelling_audiences_and_data_notes(bot):
    await play(bot, DIALOGUE)


def blocks(card: dict) -> list[str]:
    return [b["text"] for b in card.get("body", []) if b.get("type") == "TextBlock"]


async def test_the_members_of_a_body_are_a_list_without_a_doubled_role(bot):
    [answer] = await bot.say(DV_DIRECTOR, "Kven sit i styringsgruppa?")
    shown = blocks(answer["attachments"][0]["content"])
    members = [b for b in shown if b.startswith("•")]
    assert len(members) >= 10, shown  # one block per member: Teams shows each on its own line
    assert not any(b.count("•") > 1 for b in shown), shown
    assert any("Ein representant for KS – observatør" in b for b in members), members
    assert not any("observatør (observatør)" in b for b in shown), shown
