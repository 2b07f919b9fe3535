"""An older copy of a notice's confirmation card changes nothing once the notice has gone out.

Each preview is its own draft, so "Send" on a confirmation card sends exactly what that card showed;
pressed again on the same (older) copy after sending, it sends nothing a second time and answers
with the report as it stands. Table: (who, presses on the old card, must show, must not show).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.models import OutboxMessage
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT
from tests.harness.notices import actions, compose, count
from tests.harness.notices import pressed as texts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


ROWS = [
    (DV_SECRETARIAT, "notice.send", ["Kunngjeringa er alt send"], ["lagd i kø"]),
]


@pytest.mark.parametrize(("who", "verb", "shows", "hides"), ROWS, ids=["send again"])
async def test_an_old_confirmation_card_sends_nothing_again(bot, who, verb, shows, hides):
    for user in (DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT):
        await bot.install(user)
    _preview, confirm = await compose(bot)
    old = actions(confirm)
    assert "lagd i kø" in await texts(bot, who, old["notice.send"])
    await bot.drain()
    queued = await count(bot, OutboxMessage)

    seen = await texts(bot, who, old[verb])
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
    await bot.drain()
    assert await count(bot, OutboxMessage) == queued
