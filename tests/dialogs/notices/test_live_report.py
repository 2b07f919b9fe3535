"""The author's report card follows the delivery as it happens, without pressing "Oppdater"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app_keys import BOT_KEY
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


def report_edits(bot, activity_id: str) -> list[str]:
    return [message_text(r.activity) for r in bot.connector.records
            if r.op == "update" and r.conversation_id == DV_SECRETARIAT.personal_conversation
            and r.activity_id == activity_id]


async def test_the_posted_report_card_is_edited_as_deliveries_happen_and_ends_showing_every_state(bot):
    for user in (DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)
    bot.connector.removed_conversations.add(DV_OBSERVER.personal_conversation)
    engine = bot.app[BOT_KEY].engine
    engine.progress.every = 0.3  # the coalescing interval (3 s in production) made short for the test
    _preview, confirm = await bot.say(DV_SECRETARIAT, "kunngjering til styringsgruppa: Møtet er flytta til kl. 13.")
    send = next(a["data"] for a in confirm["attachments"][0]["content"]["actions"]
                if a["data"]["action"] == "notice.send")
    replies = await bot.submit(DV_SECRETARIAT, send)
    [report] = [m for m in replies if "Rapport" in message_text(m)]
    assert "I kø\n12" in message_text(report) and "Sendt\n0" in message_text(report)
    posted = [r for r in bot.connector.records if r.op in ("send", "reply") and r.activity is report][0]

    await bot.drain()

    edits = report_edits(bot, posted.activity_id)
    assert edits, "the report card was never edited"
    final = edits[-1]
    assert "I kø\n0" in final and "Sendt\n2" in final and "Ikkje nådd\n10" in final
    assert "Har fjerna appen" in final and "Har ikkje installert appen" in final
    assert "Sendt" in final.split("\n")[1]  # the status line: the notice is done
    assert len(edits) <= 3  # coalesced: not one edit per recipient
    assert not any(r.op == "update" and r.conversation_id != DV_SECRETARIAT.personal_conversation
                   for r in bot.connector.records)  # only the author's card is edited


async def test_a_large_notice_edits_the_report_a_few_times_not_once_per_result(bot):
    """Results written over a while (rows throttled by Teams) give a few coalesced edits, the last one final."""
    for user in (DV_CHAIR, DV_DIRECTOR):
        await bot.install(user)
    engine = bot.app[BOT_KEY].engine
    engine.progress.every = 0.4
    bot.connector.fail_next[DV_CHAIR.personal_conversation] = [503, 503]  # retried after backoff: arrives later
    _preview, confirm = await bot.say(DV_SECRETARIAT, "kunngjering til styringsgruppa: Ny sakliste.")
    send = next(a["data"] for a in confirm["attachments"][0]["content"]["actions"]
                if a["data"]["action"] == "notice.send")
    replies = await bot.submit(DV_SECRETARIAT, send)
    [report] = [m for m in replies if "Rapport" in message_text(m)]
    posted = [r for r in bot.connector.records if r.op in ("send", "reply") and r.activity is report][0]
    await bot.drain()
    edits = report_edits(bot, posted.activity_id)
    assert 1 <= len(edits) <= 4
    assert "Sendt\n2" in edits[-1] and "I kø\n0" in edits[-1]
