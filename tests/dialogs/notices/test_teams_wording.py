"""What a Teams user sees around a notice (issue 17, points 7–9), as dialogue tables of
(who, sends or presses, must show, must not show):

- the notice says who sent it and on behalf of which body;
- pressing "Stadfest at du har lese" a second time says it is already registered, not a second "Takk!";
- stopping a scheduled notice says what happened in words ("none of the 5 get it"), not "Stoppa 0" or
  "(0 meldingar vart ikkje sende)";
- Send on an older preview, after a newer one was made, sends nothing and says why;
- the CSV export is in the reader's language with Norwegian local times.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from yarl import URL

from dialogs.i18n import format_when
from storage.models import OutboxMessage
from storage.models.notices import Notice, NoticeAck
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Oslo


@pytest.fixture(autouse=True)
async def installed(bot):
    bot.services.now = lambda: NOW
    for user in (DV_SECRETARIAT, DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)


async def notice_id(bot, title: str) -> int:
    async with bot.db.session() as session:
        return await session.scalar(select(Notice.id).where(Notice.title == title).order_by(Notice.id.desc()))


def preview(title: str, text: str, audience: str = "role:director", **more: str) -> dict:
    return {"action": "notice.preview", "title": title, "text": text, "audience": audience, **more}


async def test_the_notice_names_its_sender_and_a_second_read_confirmation_says_it_is_registered(bot):
    await play(bot, [
        (DV_SECRETARIAT, preview("Les dette", "Ny rutine for innkjøp.", acknowledge="true"),
         ["Les dette", "Sendt av Eirik Nesheim på vegner av Sekretariat for DigiVestland"], []),
        (DV_SECRETARIAT, {"press": "Send"}, ["lagd i kø til"], []),
        (DV_DIRECTOR, None, ["Les dette", "Sendt av Eirik Nesheim på vegner av Sekretariat for DigiVestland",
                             "Stadfest at du har lese"], []),
        (DV_DIRECTOR, {"press": "Stadfest at du har lese"}, ["Takk! Du har stadfesta at du har lese «Les dette»"],
         ["alt stadfesta"]),
    ])
    again = {"action": "notice.ack", "notice": await notice_id(bot, "Les dette")}
    await play(bot, [
        (DV_DIRECTOR, again, ["Du har alt stadfesta at du har lese «Les dette»",
                              "Det vart registrert måndag 23. november 2026 kl. 10:00"], ["Takk!"]),
    ])
    async with bot.db.session() as session:
        assert len((await session.scalars(select(NoticeAck))).all()) == 1


async def test_stopping_a_scheduled_notice_says_that_nobody_gets_it(bot):
    await play(bot, [
        (DV_SECRETARIAT, preview("Flytta møte", "Møtet er flytta.", "body:styringsgruppa", when="i morgon kl. 9"),
         ["Vert sendt tysdag 24. november 2026 kl. 09:00"], []),
        (DV_SECRETARIAT, {"press": "Send"}, ["Kunngjeringa vert sendt tysdag 24. november 2026 kl. 09:00",
                                             "Planlagd", "Stopp sendinga"], ["Stoppa"]),
        (DV_SECRETARIAT, {"press": "Stopp sendinga"},
         ["Kunngjeringa «Flytta møte» er stoppa før ho vart send", "Ingen av mottakarane (12) får ho"],
         ["(0 meldingar", "0 meldingar"]),
    ])
    report = {"action": "notice.report", "notice": await notice_id(bot, "Flytta møte")}
    await play(bot, [
        (DV_SECRETARIAT, report, ["Stoppa før ho vart send: ingen av mottakarane fekk ho.",
                                  "Fekk ho ikkje (stoppa)\n12"], ["Stoppa\n0"]),
    ])


async def test_stopping_a_notice_part_way_says_how_many_had_it_and_how_many_will_not_get_it(bot):
    bot.connector.fail_next[DV_CHAIR.personal_conversation] = [503] * 5  # Teams busy: the chair's copy waits
    await play(bot, [
        (DV_SECRETARIAT, preview("Ny sakliste", "Sjå vedlegget.", "body:styringsgruppa"), ["Stemmer dette?"], []),
        (DV_SECRETARIAT, {"press": "Send"}, ["lagd i kø til 12 mottakarar"], []),
        (DV_DIRECTOR, None, ["Sjå vedlegget."], []),
    ])
    stop = {"action": "notice.cancel", "notice": await notice_id(bot, "Ny sakliste")}
    await play(bot, [
        (DV_SECRETARIAT, stop, ["Sendinga av «Ny sakliste» er stoppa. 2 av 12 mottakarar hadde alt fått ho; "
                                "dei 10 andre får ho ikkje."], ["0 meldingar", "(1 meldingar"]),
        (DV_CHAIR, None, [], ["Sjå vedlegget."]),
    ])


async def test_cancel_on_a_preview_says_nothing_was_sent(bot):
    await play(bot, [
        (DV_SECRETARIAT, preview("Utkast", "Berre eit utkast."), ["Stemmer dette?"], []),
        (DV_SECRETARIAT, {"press": "Avbryt"}, ["Greitt, kunngjeringa er forkasta. Ingenting er sendt."],
         ["0 meldingar", "stoppa"]),
        (DV_DIRECTOR, None, [], ["Berre eit utkast"]),
    ])


async def test_send_on_an_older_preview_sends_nothing_and_says_why(bot):
    await play(bot, [
        (DV_SECRETARIAT, preview("Versjon 1", "Fyrste utkast."), ["Versjon 1", "Stemmer dette?"], []),
        (DV_SECRETARIAT, preview("Versjon 2", "Retta utkast."), ["Versjon 2", "Stemmer dette?"], []),
    ])
    old = {"action": "notice.send", "notice": await notice_id(bot, "Versjon 1")}
    await play(bot, [
        (DV_SECRETARIAT, old, ["Denne førehandsvisinga av «Versjon 1» er erstatta av ei nyare («Versjon 2»)",
                               "ingenting er sendt", "Retta utkast.", "Stemmer dette?"], ["lagd i kø"]),
        (DV_DIRECTOR, None, [], ["Fyrste utkast", "Retta utkast"]),
        (DV_SECRETARIAT, {"press": "Send"}, ["lagd i kø til"], []),
        (DV_DIRECTOR, None, ["Retta utkast."], ["Fyrste utkast"]),
    ])
    async with bot.db.session() as session:
        assert (await session.scalar(select(Notice.status).where(Notice.title == "Versjon 1"))) == "superseded"


async def test_the_csv_export_is_in_the_readers_language_with_oslo_times(bot):
    await play(bot, [
        (DV_SECRETARIAT, "språk en", [], []),
        (DV_SECRETARIAT, preview("Moved", "The meeting is moved.", "body:styringsgruppa"), ["Moved"], []),
        (DV_SECRETARIAT, {"press": "Send"}, [], []),
    ])
    await bot.drain()
    [answer] = await bot.submit(DV_SECRETARIAT, {"action": "notice.export", "notice": await notice_id(bot, "Moved")})
    [link] = [b["url"] for b in answer["attachments"][0]["content"]["actions"] if b.get("type") == "Action.OpenUrl"]
    parts = urlsplit(link)
    async with bot.http.get(bot.server.make_url(URL(f"{parts.path}?{parts.query}", encoded=True))) as response:
        body = await response.text()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Name", "Email", "Status", "Reason", "Sent (Norwegian time)", "Confirmed read (Norwegian time)"]
    statuses = {row[2] for row in rows[1:]}
    assert "Sent" in statuses and statuses <= {"Sent", "Not reached", "Failed", "Queued"}, statuses
    async with bot.db.session() as session:
        sent = (await session.scalars(select(OutboxMessage.sent_at).where(
            OutboxMessage.batch.like("notice:%"), OutboxMessage.status == "sent"))).all()
    shown = {row[4] for row in rows[1:] if row[2] == "Sent"}
    assert shown == {format_when(s.replace(tzinfo=s.tzinfo or UTC), "en") for s in sent}
    assert all(" at " in s and "T" not in s.split(" at ")[1] and "+00:00" not in s for s in shown), shown
    assert "Download CSV" in message_text(answer)
