"""Meetings in Teams, end to end over HTTP: a secretariat member announces a meeting in Nynorsk
text, sees what the bot understood, confirms; the attendees get the invitation with RSVP and a
working .ics; change and cancel reach them with a new .ics (same UID, higher SEQUENCE);
"Kva skjer?" lists what is coming; the unhappy paths get clear answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.workers.scheduler import Scheduler
from dialogs.meetings import service
from storage.models import Event, Network, OutboxMessage
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text, play
from tests.harness.meetings import (
    ANNOUNCEMENT,
    ATTENDEES,
    actions,
    announce_and_confirm,
    data_of,
    ics,
    invitations,
    url_of,
)

# the helpers live in tests/harness/meetings.py (other test modules use them too); the old names are kept here
_announce_and_confirm, _ics, _invitations = announce_and_confirm, ics, invitations


async def test_a_meeting_announced_in_nynorsk_reaches_the_attendees_with_rsvp_and_ics(meeting_bot):
    bot = meeting_bot
    preview = await bot.say(DV_SECRETARIAT, ANNOUNCEMENT)
    shown = "\n".join(message_text(m) for m in preview)
    for expected in ("Stemmer dette?", "Ingenting er sendt enno", "Styringsgruppemøte", "28. august 2027 kl. 10:00–12:00",
                     "Teams", "Styringsgruppa for DigiVestland", "Påminning 7, 1 dagar før"):
        assert expected in shown
    await bot.drain()
    async with bot.db.session() as session:  # nothing is sent before the confirmation
        assert await session.scalar(select(func.count()).select_from(Event).where(Event.source == "teams")) == 0
    assert len(bot.connector.messages(DV_CHAIR.personal_conversation)) == 1

    done = await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    assert "Sendt: «Styringsgruppemøte»" in message_text(done[0])
    for user in ATTENDEES:
        [invitation] = await _invitations(bot, user)
        text = message_text(invitation)
        assert "Invitasjon til møte" in text and "28. august 2027 kl. 10:00–12:00" in text
        assert [a["title"] for a in actions(invitation) if a["type"] == "Action.Submit"] == ["Kjem", "Kjem ikkje", "Kanskje"]
    chair_invitation = (await _invitations(bot, DV_CHAIR))[0]
    vevent = await _ics(bot, url_of(chair_invitation, "Legg til i kalenderen"))
    assert str(vevent["SUMMARY"]) == "Styringsgruppemøte"
    assert vevent.decoded("DTSTART") == datetime(2027, 8, 28, 8, 0, tzinfo=UTC)  # 10:00 summer time in Oslo
    assert vevent.decoded("DTEND") == datetime(2027, 8, 28, 10, 0, tzinfo=UTC)
    assert str(vevent["LOCATION"]) == "Teams" and int(vevent["SEQUENCE"]) == 0

    # a second press of the confirm button sends nothing again
    again = await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    assert "er alt sendt" in message_text(again[0])
    await bot.drain()
    assert len(bot.connector.messages(DV_DIRECTOR.personal_conversation)) == 2

    # RSVP: kjem, then the double click
    rsvp = data_of(await _invitations(bot, DV_DIRECTOR), "meeting.rsvp")
    assert rsvp["response"] == "yes"
    assert "Registrert «Kjem»" in message_text((await bot.submit(DV_DIRECTOR, rsvp))[0])
    assert "alt svart «Kjem»" in message_text((await bot.submit(DV_DIRECTOR, rsvp))[0])

    # the secretariat sees the RSVP counts in "Kva skjer?"
    listing = message_text((await bot.say(DV_SECRETARIAT, "Kva skjer?"))[0])
    assert "Styringsgruppemøte" in listing and "Kjem 1 · kjem ikkje 0 · kanskje 0" in listing


async def test_ics_links_need_a_valid_signature(meeting_bot):
    bot = meeting_bot
    await _announce_and_confirm(bot)
    url = url_of((await _invitations(bot, DV_CHAIR))[0], "Legg til i kalenderen")
    assert (await bot.http.get(url.replace("t=", "t=0"))).status == 404
    assert (await bot.http.get(url.split("?")[0])).status == 404
    event_id = int(url.split("/ics/")[1].split(".")[0])
    assert (await bot.http.get(url.replace(f"/ics/{event_id}.", f"/ics/{event_id + 1}."))).status == 404
    # hostile ids and tokens are "not found" too, never a server error
    base = url.split("/ics/")[0]
    assert (await bot.http.get(f"{base}/ics/%C2%B2.ics?t=x")).status == 404  # "²" is a digit to str.isdigit
    assert (await bot.http.get(f"{base}/ics/{event_id}.ics?t=%C3%B8")).status == 404
    assert (await bot.http.get(f"{base}/ics/{'9' * 30}.ics?t=x")).status == 404
    assert (await bot.http.get(f"{base}/exports/notice/1.csv?t=1.2.%C3%B8")).status == 404


async def test_change_and_cancel_send_updates_with_a_new_ics(meeting_bot):
    bot = meeting_bot
    await _announce_and_confirm(bot)
    [first] = await _invitations(bot, DV_CHAIR)
    original = await _ics(bot, url_of(first, "Legg til i kalenderen"))
    event_id = data_of([first], "meeting.rsvp")["event"]
    listing = await bot.say(DV_SECRETARIAT, "kva skjer")
    form = await bot.submit(DV_SECRETARIAT, data_of(listing, "meeting.change", event_id))
    assert "Endre møte eller frist" in message_text(form[0])
    submitted = {**data_of(form, "meeting.preview"), "kind": "meeting", "title": "Styringsgruppemøte",
                 "audience": "body:styringsgruppa", "when": "29. august 2027 kl. 13–15", "place": "Bergen rådhus",
                 "reminders": "7, 1", "agenda": "- Budsjett 2028\n- Eventuelt"}
    preview = await bot.submit(DV_SECRETARIAT, submitted)
    assert "Stemmer endringa?" in message_text(preview[0]) and "29. august 2027 kl. 13:00–15:00" in message_text(preview[0])
    await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    [_, changed] = await _invitations(bot, DV_CHAIR, 2)
    assert "Møtet er endra" in message_text(changed) and "Budsjett 2028" in message_text(changed)
    updated = await _ics(bot, url_of(changed, "Legg til i kalenderen"))
    assert str(updated["UID"]) == str(original["UID"]) and int(updated["SEQUENCE"]) == 1
    assert updated.decoded("DTSTART") == datetime(2027, 8, 29, 11, 0, tzinfo=UTC)

    # an RSVP on the old invitation is stored but tells the new time
    stale = data_of([first], "meeting.rsvp")
    reply = await bot.submit(DV_CHAIR, stale)
    assert "møtet er endra" in "\n".join(message_text(m) for m in reply)

    ask = await bot.submit(DV_SECRETARIAT, data_of(listing, "meeting.cancel", event_id))
    assert "Avlyse?" in message_text(ask[0])
    await bot.submit(DV_SECRETARIAT, data_of(ask, "meeting.cancel_confirm"))
    again = await bot.submit(DV_SECRETARIAT, data_of(ask, "meeting.cancel_confirm"))
    assert "alt avlyst" in message_text(again[0])
    [*_, cancelled] = await _invitations(bot, DV_CHAIR, 3)
    assert "Avlyst" in message_text(cancelled)
    gone = await _ics(bot, url_of(cancelled, "Oppdater kalenderen"))
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 2 and str(gone["UID"]) == str(original["UID"])
    listing = await bot.say(DV_SECRETARIAT, "Kva skjer?")
    assert all(a["data"].get("event") != event_id for a in actions(listing[0]) if a.get("data"))
    assert "avlyst" in message_text((await bot.submit(DV_DIRECTOR, stale))[0])


async def test_whats_coming_lists_the_users_own_meetings_and_deadlines(meeting_bot):
    bot = meeting_bot
    director = message_text((await bot.say(DV_DIRECTOR, "Kva skjer?"))[0])
    assert "Kva skjer i DigiVestland" in director
    assert "Kvartalsmøte i styringsgruppa" in director  # a seat in the steering group
    assert "Møte i Digitaliseringsutvalet Vestland" not in director  # the resource group is not his
    assert "Kjem 0" not in director  # RSVP counts are for the secretariat
    assert "Frist for innspel" not in director  # past deadlines are not "coming"
    secretariat = message_text((await bot.say(DV_SECRETARIAT, "hva skjer?"))[0])
    assert "Møte i Digitaliseringsutvalet Vestland" in secretariat and "ikkje svart" in secretariat
    assert secretariat.index("Møte i Digitaliseringsutvalet Vestland") < secretariat.index("Kvartalsmøte i styringsgruppa")
    await bot.say(DV_DIRECTOR, "language en")
    english = message_text((await bot.say(DV_DIRECTOR, "What's coming?"))[0])
    assert "What's coming in DigiVestland" in english and "10 December 2026 at 10:00–12:00" in english


async def test_reminders_go_to_the_audience_once_and_not_to_those_who_declined(meeting_bot):
    bot = meeting_bot
    await _announce_and_confirm(bot)
    declined = data_of(await _invitations(bot, DV_OBSERVER), "meeting.rsvp") | {"response": "no"}
    await bot.submit(DV_OBSERVER, declined)
    start = datetime(2027, 8, 28, 8, 0, tzinfo=UTC)
    scheduler = Scheduler(bot.services)
    bot.services.now = lambda: start - timedelta(days=7) + timedelta(minutes=5)
    report = await scheduler.run_due()
    async with bot.db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        audience = await service.audience_people(session, network, "body:styringsgruppa")
    assert len(report.done) == 1 and report.queued == len(audience) - 1  # all seat holders but the one who declined
    assert (await scheduler.run_due()).ran == 0
    bot.services.now = lambda: start + timedelta(hours=1)  # the bot was down past the meeting
    report = await scheduler.run_due()
    assert report.skipped and not report.done
    async with bot.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.batch.like("event:%:reminder:%")))).all()
    assert len(rows) == len(audience) - 1 and len({r.person_id for r in rows}) == len(rows)
    assert "Påminning: møte om 7 dagar" in message_text({"attachments": [{"content": rows[0].payload["card"]}]})


@pytest.mark.parametrize(("user", "said", "expected"), [
    (DV_DIRECTOR, ANNOUNCEMENT, "Berre sekretariatet i DigiVestland kan kunngjere møte og fristar. Ta kontakt med"),
    (DV_SECRETARIAT, "nytt møte: Styringsgruppemøte ein gong snart", "Eg fann ingen dato eller tid i"),
    (DV_SECRETARIAT, "Styringsgruppemøte 20. november 2026 kl. 10", "er alt passert"),
    (DV_SECRETARIAT, "Styringsgruppemøte 12. desember kl. 12–10", "ikkje etter"),
    (DV_SECRETARIAT, "Styringsgruppemøte tysdag 10. desember kl. 10", "torsdag"),
    (DV_SECRETARIAT, "nytt møte", "Kunngjer møte eller frist"),
    (DV_SECRETARIAT, "Frist for rapport 15. januar", "Frist: Frist for rapport"),
])
async def test_announcement_dialogue(meeting_bot, user, said, expected):
    reply = await meeting_bot.say(user, said)
    assert expected in "\n".join(message_text(m) for m in reply)


async def test_announcing_in_bokmal_and_english(meeting_bot):
    bot = meeting_bot
    await bot.say(DV_SECRETARIAT, "språk nb")
    preview = await bot.say(DV_SECRETARIAT, "Møte i ressursgruppa tirsdag 8. desember klokken 9–11 i Bergen rådhus\n"
                                            "- Budsjett 2027\n- Eventuelt")
    text = message_text(preview[0])
    assert "Stemmer dette?" in text and "8. desember 2026 kl. 09:00–11:00" in text and "Bergen rådhus" in text
    assert "Budsjett 2027" in text and "Digitaliseringsutvalet" in text or "ressursgruppa" in text.lower()
    await bot.say(DV_SECRETARIAT, "language en")
    preview = await bot.say(DV_SECRETARIAT, "Steering group meeting 3 December 10am–12pm on Teams")
    text = message_text(preview[0])
    assert "Is this right?" in text and "3 December 2026 at 10:00–12:00" in text


async def test_a_question_about_meetings_is_left_to_the_qa(meeting_bot):
    reply = await meeting_bot.say(DV_DIRECTOR, "Kor ofte har styringsgruppa møte?")
    assert "Berre sekretariatet" not in message_text(reply[0])


# The announcement as a table (who, sends or presses, must show, must not show): nothing goes out before
# the secretariat confirms; then each seat holder gets the invitation.
ANNOUNCING = [
    (DV_SECRETARIAT, ANNOUNCEMENT, ["Stemmer dette?", "Ingenting er sendt enno", "28. august 2027 kl. 10:00–12:00"],
     []),
    (DV_CHAIR, None, [], ["Styringsgruppemøte"]),
    (DV_SECRETARIAT, {"press": "Send invitasjonen"}, [], ["Ingenting er sendt enno"]),
    (DV_CHAIR, None, ["Styringsgruppemøte", "28. august 2027"], []),
    (DV_DIRECTOR, None, ["Styringsgruppemøte", "28. august 2027"], []),
]


async def test_an_announced_meeting_reaches_the_seat_holders_only_after_the_confirmation_as_a_table(meeting_bot):
    await play(meeting_bot, ANNOUNCING)
