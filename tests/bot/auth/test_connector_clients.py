"""Connector clients are reused across turns (bot/auth/connector_clients.py), and never mixed up.

A reply must reach the Bot Connector the activity came from (Teams has one per region), also
when several regions talk to the bot at once; and a second turn must not build a new client.
"""

from __future__ import annotations

import asyncio

from bot.app_keys import ADAPTER_KEY
from bot.standins.connector import FakeConnector
from tests.harness import DV_CHAIR, DV_DIRECTOR, BotHarness


async def test_each_reply_goes_to_the_region_it_came_from(bot: BotHarness) -> None:
    other_region = FakeConnector(enforce_limits=False)
    await other_region.start()
    try:
        turns = []
        for _ in range(3):
            turns.append(bot.activity(DV_DIRECTOR, text="hjelp"))
            elsewhere = bot.activity(DV_CHAIR, text="hjelp")
            elsewhere["serviceUrl"] = other_region.url
            turns.append(elsewhere)
        for response in await asyncio.gather(*(bot.post(t) for t in turns)):
            assert response.status == 200
        here = bot.connector.messages(DV_DIRECTOR.personal_conversation)
        there = other_region.messages(DV_CHAIR.personal_conversation)
        assert len(here) == 3 and len(there) == 3
        assert not bot.connector.messages(DV_CHAIR.personal_conversation)
        assert not other_region.messages(DV_DIRECTOR.personal_conversation)
        # one client per region, not one per turn
        authentication = bot.app[ADAPTER_KEY].bot_framework_authentication
        assert {key[1] for key in authentication._connectors} == {bot.connector.url, other_region.url}
        assert len(authentication._token_clients) == 1
    finally:
        await other_region.stop()
