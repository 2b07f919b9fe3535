"""Property-based tests over whole HTTP bodies: damaged activities, odd types, huge and unusual
unicode text, missing fields, arbitrary JSON and bytes. For every one: no 5xx, no unhandled
exception in the turn, and a failed turn leaves nothing behind. (`samarbeidsbot bench fuzz`
runs the same strategies for 100,000 cases.)

The bot runs on its own event loop in a thread, so that hypothesis drives plain functions and
can shrink a failing case to the smallest one.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from bot.bench.fuzz import activities, invariants
from bot.bench.loopback import DEMO_USERS
from tests.harness.fuzz import CI


def test_random_activities_never_break_the_bot(fuzz_bot):
    @CI
    @given(case=activities(fuzz_bot.bot))
    def one(case):
        problems = fuzz_bot.call(fuzz_bot.fuzzer.run(case))
        assert not problems, problems

    one()
    assert fuzz_bot.call(invariants(fuzz_bot.bot.db)) == []


@pytest.mark.parametrize("damage", [
    {"id": {"": 1}}, {"id": 12345}, {"conversation": {"id": ""}}, {"conversation": {"id": "a/b/../c?x=1"}},
    {"recipient": None}, {"from": None}, {"from": {"id": None, "aadObjectId": ["x"]}},
    {"text": "\ud800 lone surrogate"}, {"value": "not a dict"}, {"text": None}])
def test_broken_addressing_is_answered_without_5xx_and_writes_nothing(fuzz_bot, damage):
    """Fields only the Bot Connector sets, broken: the bot may be unable to reply, but it answers the
    HTTP request without a server error and stores nothing from the turn."""
    body = fuzz_bot.bot.activity(DEMO_USERS[0], text="kven leiar styringsgruppa?")
    for key, value in damage.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) and isinstance(body.get(key), dict) else value
    before = fuzz_bot.call(fuzz_bot.fuzzer.counts())
    status, _body = fuzz_bot.call(fuzz_bot.bot.post(body))
    assert status < 500
    assert fuzz_bot.call(fuzz_bot.fuzzer.counts()) == before


def test_a_conversation_update_with_null_members_is_ignored(fuzz_bot):
    body = fuzz_bot.bot.activity(DEMO_USERS[0], type="conversationUpdate")
    body["membersAdded"] = [None, {"id": body["recipient"]["id"]}]
    fuzz_bot.check(body)
