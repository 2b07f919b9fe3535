"""Notices in Teams: the secretariat sends to the steering group, members get it, the report shows each state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.models import Job, OutboxMessage
from storage.models.notices import Notice
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text, play
from tests.harness.notices import actions, compose, count
from tests.harness.notices import pressed as texts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


async def test_a_notice_to_the_steering_group_reaches_members_and_the_report_shows_each_state(bot):
    for user in (DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT):
        await bot.install(user)
    bot.connector.removed_conversations.add(DV_OBSERVER.personal_conversation)  # removed the bot, unnoticed
    preview, confirm = await compose(bot)
    assert "Møtet 12. desember er flytta til kl. 13." in message_text(preview)
    confirm_text = message_text(confirm)
    assert "Styringsgruppa for DigiVestland (12 mottakarar)" in confirm_text and "9 av dei har ikkje installert appen" in confirm_text
    assert await count(bot, OutboxMessage) == 0  # a preview sends nothing

    sent = await texts(bot, DV_SECRETARIAT, actions(confirm)["notice.send"])
    assert "lagd i kø til 12 mottakarar" in sent
    await bot.drain()
    for user in (DV_CHAIR, DV_DIRECTOR):
        got = [m for m in bot.connector.messages(user.personal_conversation) if "flytta til kl. 13" in message_text(m)]
        assert len(got) == 1
    assert not any("flytta til kl. 13" in message_text(m)
                   for m in bot.connector.messages(DV_OBSERVER.personal_conversation))
    report = await texts(bot, DV_SECRETARIAT, {"action": "notice.report", "notice": actions(confirm)["notice.send"]["notice"]})
    assert "Sendt\n2" in report and "Ikkje nådd\n10" in report
    assert "Har ikkje installert appen" in report and "Har fjerna appen" in report
    async with bot.db.session() as session:
        observer = (await session.execute(select(OutboxMessage.status, OutboxMessage.attempts).where(
            OutboxMessage.error.like("removed%")))).all()
    assert observer == [("unreachable", 1)]  # no retries

    again = await texts(bot, DV_SECRETARIAT, actions(confirm)["notice.send"])  # double click on "Send"
    notice_id = actions(confirm)["notice.send"]["notice"]
    assert "alt send" in again
    assert await count(bot, OutboxMessage, OutboxMessage.batch == f"notice:{notice_id}") == 12  # nobody twice


async def test_recipients_acknowledge_once_and_the_report_counts_it(bot):
    await bot.install(DV_DIRECTOR)
    _preview, confirm = await bot.submit(DV_SECRETARIAT, {
        "action": "notice.preview", "title": "Les dette", "text": "Ny rutine for **innkjøp**.", "audience": "role:director",
        "acknowledge": "true", "link1_title": "Rutinen", "link1_url": "https://example.org/rutine.pdf"})
    notice_id = actions(confirm)["notice.send"]["notice"]
    await bot.submit(DV_SECRETARIAT, actions(confirm)["notice.send"])
    await bot.drain()
    [card] = [m for m in bot.connector.messages(DV_DIRECTOR.personal_conversation) if "Ny rutine" in message_text(m)]
    buttons = card["attachments"][0]["content"]["actions"]
    assert [b.get("title") for b in buttons] == ["Rutinen", "Stadfest at du har lese"]
    ack = buttons[1]["data"]
    assert "Takk! Du har stadfesta" in await texts(bot, DV_DIRECTOR, ack)
    await texts(bot, DV_DIRECTOR, ack)  # pressed twice
    report = await texts(bot, DV_SECRETARIAT, {"action": "notice.report", "notice": notice_id})
    assert "Stadfesta lese\n1" in report


@pytest.mark.parametrize(("user", "expected"), [
    (DV_DIRECTOR, "Berre sekretariatet i DigiVestland kan sende kunngjeringar. Spør "),
    (DV_CHAIR, "Berre sekretariatet i DigiVestland kan sende kunngjeringar."),
])
async def test_only_the_secretariat_sends_and_others_are_told_who_can(bot, user, expected):
    text = await bot.say_text(user, "kunngjering til styringsgruppa: hei")
    assert expected in text and "Eirik Nesheim" in text
    assert expected in await texts(bot, user, {"action": "notice.send", "notice": 1})
    assert await count(bot, Notice) == 0 and await count(bot, OutboxMessage) == 0


@pytest.mark.parametrize(("fields", "expected"), [
    ({"audience": "app", "text": "Hei"}, "Mottakarlista for «Alle som har appen» er tom"),  # nobody has the app
    ({"audience": "kommunar: Atlantis", "text": "Hei"}, "Eg kjenner ikkje att kommunen: atlantis"),
    ({"audience": "role:director", "text": ""}, "Skriv ein tekst."),
    ({"audience": "role:director", "text": "Hei", "link1_url": "ftp://x"}, "ikkje ei gyldig lenkje"),
    ({"audience": "role:director", "text": "Hei", "when": "i går kl. 9"}, "har alt vore"),
])
async def test_a_bad_or_empty_notice_is_refused_before_anything_is_queued(bot, fields, expected):
    text = await texts(bot, DV_SECRETARIAT, {"action": "notice.preview", **fields})
    assert expected in text and "Ny kunngjering" in text  # the form again, with the reason
    assert await count(bot, Notice) == 0 and await count(bot, OutboxMessage) == 0


async def test_a_scheduled_notice_waits_for_its_time_and_can_be_cancelled(bot):
    await bot.install(DV_DIRECTOR)
    _preview, confirm = await bot.submit(DV_SECRETARIAT, {
        "action": "notice.preview", "text": "Påminning", "audience": "role:director", "when": "fredag kl. 9"})
    assert "Vert sendt fredag 27. november 2026 kl. 09:00" in message_text(confirm)
    notice_id = actions(confirm)["notice.send"]["notice"]
    scheduled = await texts(bot, DV_SECRETARIAT, actions(confirm)["notice.send"])
    assert "vert sendt fredag 27. november 2026 kl. 09:00" in scheduled and "Planlagd" in scheduled
    assert await count(bot, Job, Job.key == f"notice:{notice_id}:send", Job.status == "pending") == 1
    assert await count(bot, OutboxMessage, OutboxMessage.batch == f"notice:{notice_id}") == 0

    stopped = await texts(bot, DV_SECRETARIAT, {"action": "notice.cancel", "notice": notice_id})
    assert "stoppa" in stopped
    assert await count(bot, Job, Job.key.like("notice:%"), Job.status == "pending") == 0
    from dialogs.jobs import HANDLERS

    assert await HANDLERS["notice.send"](bot.services, {"notice": notice_id}) == []  # the job finds it cancelled
    assert await count(bot, OutboxMessage, OutboxMessage.batch == f"notice:{notice_id}") == 0


# The same notice as a table (who, sends or presses, must show, must not show): the secretariat writes and
# sends it, the members who have the app get it, the report counts who was reached.
NOTICE = [
    (DV_SECRETARIAT, "kunngjering til styringsgruppa: Møtet 12. desember er flytta til kl. 13.",
     ["Møtet 12. desember er flytta til kl. 13.", "Styringsgruppa for DigiVestland (12 mottakarar)"],
     ["lagd i kø"]),
    (DV_SECRETARIAT, {"press": "Send"}, ["lagd i kø til 12 mottakarar"], []),
    (DV_CHAIR, None, ["Møtet 12. desember er flytta til kl. 13."], []),
    (DV_DIRECTOR, None, ["Møtet 12. desember er flytta til kl. 13."], []),
]


async def test_a_notice_is_written_sent_and_received_as_a_table(bot):
    for user in (DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT):
        await bot.install(user)
    await play(bot, NOTICE)
