"""The typing indicator a user sees while a message turn is slow (bot/middleware/typing_indicator.py).

Each case is (how long the turn takes before it answers, what the user sees in order). Driven
through botbuilder's TestAdapter, which records what the bot sends.
"""

from __future__ import annotations

import asyncio

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.middleware.typing_indicator import TypingIndicator


def adapter_with(indicator: TypingIndicator, before: float, after: float = 0.0) -> TestAdapter:
    """A bot that works `before` seconds, answers, then works `after` seconds more."""
    async def logic(context: TurnContext) -> None:
        await asyncio.sleep(before)
        await context.send_activity("svar")
        await asyncio.sleep(after)

    adapter = TestAdapter(logic)
    adapter.use(indicator)
    return adapter


def seen(adapter: TestAdapter) -> list[str]:
    return ["typing" if a.type == ActivityTypes.typing else a.text for a in adapter.activity_buffer]


@pytest.mark.parametrize(("before", "after", "expected"), [
    (0.0, 0.0, ["svar"]),  # a quick answer: no indicator
    (0.5, 0.0, ["typing", "svar"]),  # slow: one indicator first
    (2.0, 0.0, ["typing", "typing", "typing", "svar"]),  # very slow: at most max_count
    (0.0, 0.8, ["svar"]),  # work after the answer: no indicator hanging after the message
])
async def test_what_the_user_sees(before: float, after: float, expected: list[str]) -> None:
    adapter = adapter_with(TypingIndicator(delay=0.2, period=0.6, max_count=3), before, after)
    await adapter.receive_activity(Activity(type=ActivityTypes.message, text="kva kostar det?"))
    await asyncio.sleep(0.05)  # let a late indicator show itself if there were one
    assert seen(adapter) == expected


async def test_no_indicators_while_the_bot_is_overloaded() -> None:
    indicator = TypingIndicator(delay=0.05, period=0.1, max_count=3, max_in_flight=2)
    adapter = adapter_with(indicator, before=0.4)
    await asyncio.gather(*(adapter.receive_activity(Activity(type=ActivityTypes.message, text=f"spm {n}"))
                           for n in range(3)))
    assert seen(adapter) == ["svar"] * 3
    assert indicator.shed == 3 and indicator.sent == 0


async def test_only_message_turns_show_typing() -> None:
    adapter = adapter_with(TypingIndicator(delay=0.05), before=0.3)
    await adapter.receive_activity(Activity(type=ActivityTypes.conversation_update))
    assert seen(adapter) == ["svar"]


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TypingIndicator(period=0)
