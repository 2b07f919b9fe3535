"""A fixed corpus of hostile HTTP bodies (issue 16): deep nesting, lone surrogates, NUL bytes, huge
integers, malformed addressing (serviceUrl, conversation, recipient), mention entities that are not
objects, over-long fields. Posted to the real app on SQLite and PostgreSQL: not one answer ≥ 500, and
the bot still answers a normal question afterwards."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.harness import BOT_ID, DV_CHAIR, DV_DIRECTOR, BotHarness

HUGE = [2**63, 2**64, 2**70, -(2**63) - 1, "9" * 30, "²", "١٢", "1e309", " 7 ", "-1", "0x10", 1.5]


def _raw_cases() -> list[tuple[str, bytes]]:
    deep_list = b"[" * 1000 + b"]" * 1000
    deep_obj = b'{"a":' * 5000 + b"1" + b"}" * 5000
    deep_in_activity = (b'{"type": "message", "text": "hei", "value": ' + b"[" * 3000 + b"]" * 3000 + b"}")
    very_deep = b"[" * 100_000 + b"]" * 100_000
    return [("deep list", deep_list), ("deep object", deep_obj), ("deep inside an activity", deep_in_activity),
            ("very deep", very_deep[:200_000]), ("lone surrogate escape", b'{"type": "message", "text": "\\ud800"}'),
            ("huge number", b'{"type": "message", "id": ' + b"9" * 5000 + b"}"),
            ("NUL in body", b'{"type": "message\\u0000", "text": "\\u0000"}')]


def _activity_cases(bot: BotHarness) -> list[tuple[str, dict[str, Any]]]:
    def msg(**extra: Any) -> dict[str, Any]:
        extra.setdefault("text", "kven leiar styringsgruppa?")
        return bot.activity(DV_DIRECTOR, **extra)

    def with_(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
        node = body
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
        return body

    cases: list[tuple[str, dict[str, Any]]] = []
    for url in ["not a url", "http://[::1", "http://exa mple.org/", "ftp://127.0.0.1/", "http://127.0.0.1:0/",
                "http://\ud800.example/", "http://ü.example/\x00", "", 12345, ["http://x"], {"a": 1},
                "http://127.0.0.1:99999/", "javascript:alert(1)", "http://" + "a" * 5000 + "/"]:
        cases.append((f"serviceUrl {str(url)[:30]!r}", msg(serviceUrl=url)))
    for conv in ["x", 5, [], {"id": 5}, {"id": None}, {"id": "\x00"}, {"id": "\ud800"}, {"id": "a" * 20_000},
                 {"id": "a/b/../c?x=1#y"}, {"id": {"nested": 1}}, {"id": "ok", "conversationType": ["x"]},
                 {"id": "ok", "tenantId": "\x00" * 10},
                 # ids are path segments of every reply URL: braces and dot-segments broke the reply
                 # (bench fuzz, 100,000-case run of issue 16)
                 {"id": "a{b"}, {"id": "a}b"}, {"id": ".."}, {"id": "."}]:
        cases.append((f"conversation {str(conv)[:30]!r}", msg(conversation=conv)))
    for rec in ["x", 5, {"id": 5}, {"id": "\ud800"}, {"id": "\x00"}, {"id": "r" * 20_000}, {"name": ["x"]}]:
        cases.append((f"recipient {str(rec)[:30]!r}", msg(recipient=rec)))
    for text in ["\ud800 lone surrogate", "hei \udfff\ud800", "\x00", "hjelp\x00", "a" * 200_000,
                 "høyring \ud83d"]:
        cases.append((f"text {text[:20]!r}", msg(text=text)))
    for path, value in [("from.name", "\ud800"), ("from.name", "\x00" * 10), ("from.name", "n" * 100_000),
                        ("from.aadObjectId", "\x00"), ("from.aadObjectId", "x" * 20_000),
                        ("from.aadObjectId", "\ud800"), ("from.id", "\x00"), ("from.id", "i" * 20_000),
                        ("channelData.tenant.id", "\x00"), ("channelData.tenant.id", "t" * 20_000),
                        ("channelData.tenant.id", "\ud800"), ("locale", "\ud800"), ("locale", "\x00"),
                        ("locale", "l" * 20_000), ("id", "\x00"), ("id", "\ud800"), ("id", "x" * 20_000),
                        ("channelId", "\x00"), ("channelId", "c" * 20_000),
                        # the activity id is a path segment of the reply URL; the first and the last were
                        # found by bench fuzz at 100,000 cases (SQLite, PostgreSQL) and failed the turn
                        ("id", "C\U000930d6\U0005070e{6"), ("id", "a{b"), ("id", "a}b"), ("id", ".."), ("id", "."),
                        ("id", "aé"), ("id", "a b"), ("id", ""),
                        ("id", "%s %(x)s {x} {0}")]:
        cases.append((f"{path} {value[:10]!r}", with_(msg(), path, value)))
    for mentioned in ["x", [1], 5, None, True, {"id": 5}, {"id": ["x"]}]:
        cases.append((f"mention {mentioned!r}", msg(text="<at>Samarbeidsbot</at> hjelp", entities=[
            {"type": "mention", "text": "<at>Samarbeidsbot</at>", "mentioned": mentioned}])))
    cases.append(("mention text not a string", msg(entities=[{"type": "mention", "text": 5, "mentioned": {}}])))
    cases.append(("entities not a list", msg(entities={"type": "mention"})))
    for verb in ["vote.cast", "vote.show", "vote.refresh", "vote.close", "consultation.status", "notice.ack",
                 "notice.report", "consultation.answer"]:
        for value in HUGE:
            data = {"case": value, "notice": value, "consultation": value, "id": value, "option": value}
            for user in (DV_DIRECTOR, DV_CHAIR):
                cases.append((f"{verb} {value!r}", bot.activity(
                    user, type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"})))
                cases.append((f"{verb} submit {value!r}", bot.activity(user, value={**data, "action": verb})))
    for text in ["stem 9223372036854775808", "sak ²", "sak 99999999999999999999", "høyring \x00",
                 "vote 9223372036854775808", "sak 1" + "0" * 40]:
        cases.append((f"text {text!r}", msg(text=text)))
    install = bot.activity(DV_DIRECTOR, type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    cases.append(("install with NUL name", with_(install, "from.name", "\x00\ud800")))
    cases.append(("install long conversation", bot.activity(DV_DIRECTOR, type="conversationUpdate",
                                                            membersAdded=[{"id": BOT_ID}],
                                                            conversation={"id": "c" * 20_000})))
    cases.append(("install serviceUrl broken", bot.activity(DV_DIRECTOR, type="conversationUpdate",
                                                            membersAdded=[{"id": BOT_ID}], serviceUrl="x y")))
    return cases


def _dumps(body: dict[str, Any]) -> bytes:
    # lone surrogates are legal in JSON text (\\udXXX escapes), not in UTF-8: escape them as a client would
    return json.dumps(body).encode()


@pytest.fixture
async def hostile_bot(any_db):
    harness = BotHarness(any_db, DEFAULT_NETWORK="digivestland")
    await harness.start()
    yield harness
    await harness.stop()


async def test_no_hostile_body_gets_a_server_error(hostile_bot, caplog):
    bot = hostile_bot
    caplog.set_level(logging.ERROR, logger="samarbeidsbot.app")
    failures: list[str] = []
    for name, raw in _raw_cases():
        response = await bot.post(None, raw=raw)
        if response.status >= 500:
            failures.append(f"{name}: HTTP {response.status} {(await response.text())[:120]}")
    for name, body in _activity_cases(bot):
        response = await bot.post(None, raw=_dumps(body))
        if response.status >= 500:
            failures.append(f"{name}: HTTP {response.status} {(await response.text())[:120]}")
    await bot.drain()
    assert failures == [], "\n".join(failures)
    failed_turns = [r.getMessage() for r in caplog.records if r.getMessage().startswith("turn failed")]
    assert failed_turns == []  # refused at the edge or handled: no turn ended in the apology
    # and the bot is still itself afterwards
    assert await bot.say_text(DV_DIRECTOR, "hjelp")
