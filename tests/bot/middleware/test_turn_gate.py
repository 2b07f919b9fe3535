"""Turns beyond MAX_CONCURRENT_TURNS wait, and are served in the order they came (bot/middleware/turn_gate.py)."""

from __future__ import annotations

import asyncio

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.middleware.turn_gate import TurnGate


async def test_at_most_the_limit_work_at_once_and_the_rest_in_arrival_order() -> None:
    running, most, finished = 0, 0, []

    async def logic(context: TurnContext) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.02)
        running -= 1
        finished.append(context.activity.text)
        await context.send_activity(f"svar {context.activity.text}")

    adapter = TestAdapter(logic)
    gate = TurnGate(2)
    adapter.use(gate)
    turns = []
    for n in range(10):
        turns.append(asyncio.create_task(adapter.receive_activity(Activity(type=ActivityTypes.message, text=str(n)))))
        await asyncio.sleep(0)  # they arrive one after the other
    await asyncio.gather(*turns)
    assert most == 2
    assert finished == [str(n) for n in range(10)]
    assert [a.text for a in adapter.activity_buffer] == [f"svar {n}" for n in range(10)]
    assert gate.waiting == 0


async def test_a_failing_turn_gives_its_place_to_the_next() -> None:
    async def logic(context: TurnContext) -> None:
        if context.activity.text == "feil":
            raise RuntimeError("boom")
        await context.send_activity("ok")

    adapter = TestAdapter(logic)
    adapter.use(TurnGate(1))
    with pytest.raises(RuntimeError):
        await adapter.receive_activity(Activity(type=ActivityTypes.message, text="feil"))
    await asyncio.wait_for(adapter.receive_activity(Activity(type=ActivityTypes.message, text="neste")), 2)
    assert [a.text for a in adapter.activity_buffer] == ["ok"]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        TurnGate(0)
