"""`kva skjer` also lists open consultations and the deadlines of open cases (in the reader's bodies)."""

from __future__ import annotations

import pytest

from tests.harness import DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, STRANGER, message_text
from tests.harness.votes import join, open_case

ROWS = [
    # (who, must show, must not show)
    (DV_DIRECTOR, ["Andre fristar", "Høyring: **Høyring om prioriteringar 2027**", "Sak SAK-", "Felles innkjøp"],
     []),
    (DV_SECRETARIAT, ["Høyring om prioriteringar 2027", "Felles innkjøp"], []),
    (DV_OBSERVER, ["Høyring om prioriteringar 2027", "Felles innkjøp"], []),  # observes the steering group
]


@pytest.mark.parametrize(("who", "shows", "hides"), ROWS, ids=["director", "secretariat", "observer"])
async def test_whats_on_lists_open_consultations_and_case_deadlines(bot, consultation, who, shows,  # noqa: F811
                                                                     hides):
    await join(bot, DV_DIRECTOR)
    await open_case(bot, deadline="1. desember kl. 12")
    seen = "\n".join(message_text(m) for m in await bot.say(who, "kva skjer"))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
    assert "frist tysdag 1. desember 2026 kl. 12:00" in seen or who is STRANGER
