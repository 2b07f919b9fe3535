"""The meetings capability's rules with plain values and in-memory rows: no database, no HTTP.

What the secretariat notices: what the bot read from an announcement (title, day, time, place,
agenda, reminders), what it refuses; what an attendee's calendar gets from the .ics file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from dialogs.dates import WhenError, parse_when
from dialogs.i18n import OSLO
from dialogs.meetings import ics, parse, service
from storage.models import Event, Network

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Oslo
DV = Network(id=1, slug="digivestland", name="DigiVestland", language="nn")


# --- reading an announcement ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "rest", "given"), [
    ("nytt møte: Fagsamling 3. desember", "Fagsamling 3. desember", True),
    ("Kunngjer møte – Styremøte i morgon", "Styremøte i morgon", True),
    ("announce meeting Board 5 December", "Board 5 December", True),
    ("ny frist: Innspel 10. desember", "Innspel 10. desember", True),
    ("nytt møterom 3. mai", "nytt møterom 3. mai", False),  # a word that only starts like the command
    ("Styringsgruppemøte 28. august", "Styringsgruppemøte 28. august", False),
])
def test_a_leading_command_is_taken_off_and_noticed(text, rest, given):
    assert parse.strip_command(text) == (rest, given)


def test_a_title_starting_with_frist_is_a_deadline_and_frist_later_in_it_is_not():
    assert parse.looks_like_deadline("Frist for innspel")
    assert parse.looks_like_deadline("Svarfrist budsjett")
    assert parse.looks_like_deadline("Deadline for comments")
    assert not parse.looks_like_deadline("Møte om fristar")
    assert not parse.looks_like_deadline("Fristande tilbod")


@pytest.mark.parametrize("text", ["Søknadsfrist 15. januar", "Innspelsfrist for budsjett 10. desember"])
def test_a_compound_frist_word_is_a_deadline(text):
    assert parse.parse_announcement(text, "nn", NOW).kind == "deadline"


def test_the_date_phrase_is_found_where_it_sits_in_the_headline():
    text = "Styringsgruppemøte 28. august kl. 10–12 på Teams"
    start, end = parse.date_span(text, "nn")
    assert text[start:end] == "28. august kl. 10–12"
    assert parse.date_span("Møte om budsjett på Teams", "nn") is None


def test_the_standard_announcement_reads_as_title_time_span_and_place():
    got = parse.parse_announcement("Styringsgruppemøte 28. august kl. 10–12 på Teams", "nn", NOW)
    assert (got.kind, got.title, got.place) == ("meeting", "Styringsgruppemøte", "Teams")
    assert got.when.start == datetime(2027, 8, 28, 10, 0, tzinfo=OSLO)  # August has passed this year
    assert got.when.end == datetime(2027, 8, 28, 12, 0, tzinfo=OSLO)
    assert got.when_text == "28. august kl. 10–12"


def test_further_lines_give_agenda_place_link_and_reminder_days():
    got = parse.parse_announcement(
        "nytt møte: Fagsamling 3. desember kl. 9\n- Budsjett 2027\n2) Årsmelding\nStad: Bergen rådhus\n"
        "Lenkje: https://teams.microsoft.com/l/meetup-join/abc\nPåminning: 3, 1\nFor: kommunedirektørane",
        "nn", NOW)
    assert got.title == "Fagsamling" and got.when.start == datetime(2026, 12, 3, 9, 0, tzinfo=OSLO)
    assert got.agenda == ["Budsjett 2027", "Årsmelding"]
    assert got.place == "Bergen rådhus" and got.online_url == "https://teams.microsoft.com/l/meetup-join/abc"
    assert got.remind_days == [3, 1] and got.audience_hint == "kommunedirektørane"


def test_a_teams_link_in_the_headline_is_the_link_and_the_place_is_teams():
    got = parse.parse_announcement("Meeting https://teams.microsoft.com/l/abc. 5 December at 10", "en", NOW)
    assert got.online_url == "https://teams.microsoft.com/l/abc" and got.place == "Teams"
    assert got.when.start == datetime(2026, 12, 5, 10, 0, tzinfo=OSLO) and got.title == "Meeting"


def test_a_deadline_on_a_day_is_a_deadline_for_the_whole_day():
    got = parse.parse_announcement("Frist for innspel 10. desember", "nn", NOW)
    assert got.kind == "deadline" and got.title == "Frist for innspel"
    assert got.when.start == date(2026, 12, 10) and not got.when.has_time
    assert service.times_of(got.when, "deadline") == (datetime(2026, 12, 10, 23, 59, tzinfo=OSLO), None, False)


def test_an_announcement_without_a_date_or_with_an_impossible_one_is_not_guessed():
    with pytest.raises(parse.Unreadable):
        parse.parse_announcement("Møte om budsjett", "nn", NOW)
    with pytest.raises(parse.Unreadable):
        parse.parse_announcement("nytt møte:", "nn", NOW)
    with pytest.raises(WhenError) as error:
        parse.parse_announcement("Styringsgruppemøte 30. februar kl. 10", "nn", NOW)
    assert error.value.code == "invalid_date" and "30. februar" in error.value.message("nn")


def test_relative_days_are_read_from_the_clock_in_oslo():
    got = parse.parse_announcement("kunngjer: Styremøte i morgon kl. 14", "nn", NOW)
    assert got.title == "Styremøte" and got.when.start == datetime(2026, 11, 24, 14, 0, tzinfo=OSLO)


def test_an_agenda_after_saker_on_the_headline_is_the_agenda_not_the_place():
    got = parse.parse_announcement("Styringsgruppemøte 28. august kl. 10–12 på Teams. Saker: budsjett; årsmelding",
                                   "nn", NOW)
    assert got.place == "Teams" and got.agenda == ["budsjett", "årsmelding"]


def test_an_agenda_after_saker_on_its_own_line_is_the_agenda():
    got = parse.parse_announcement("Styringsgruppemøte 28. august kl. 10–12 på Teams\nSaker: budsjett; årsmelding",
                                   "nn", NOW)
    assert got.place == "Teams" and got.agenda == ["budsjett", "årsmelding"]


def test_a_meeting_that_has_begun_is_past_and_one_later_today_is_not():
    assert parse.is_past(parse_when("i dag kl. 8", "nn", NOW), NOW)
    assert not parse.is_past(parse_when("i dag kl. 11", "nn", NOW), NOW)
    assert parse.is_past(parse_when("i går", "nn", NOW), NOW)
    assert not parse.is_past(parse_when("i dag", "nn", NOW), NOW)  # a whole day is not past on that day


def test_yesterday_is_past_just_after_midnight_in_oslo():
    just_after_midnight = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 on 24 November in Oslo
    assert parse.is_past(parse_when("23. november 2026", "nn", just_after_midnight), just_after_midnight)


# --- reminders, times and what a draft holds ----------------------------------------------------


@pytest.mark.parametrize(("raw", "days"), [
    ("7, 1", [7, 1]), ("1 og 7 dagar", [7, 1]), ("3;3;1", [3, 1]), ("14 days", [14]),
    ("", []), ("ingen", []), ("None", []), ("0", []),
    ("kvar veke", None), ("7, 61", None), ("7 og litt", None),
])
def test_reminder_days_are_read_or_refused(raw, days):
    assert service.parse_days(raw) == days


@pytest.mark.parametrize(("raw", "days"), [("1 dag", [1]), ("3 days, 1 day", [3, 1]), ("7, 1 dagar før", [7, 1])])
def test_reminder_days_in_the_words_the_bot_itself_uses_are_read(raw, days):
    assert service.parse_days(raw) == days


def test_the_default_reminders_are_seven_and_one_days_before_unless_configured(monkeypatch):
    monkeypatch.delenv("MEETING_REMINDER_DAYS", raising=False)
    assert service.default_days() == [7, 1]
    monkeypatch.setenv("MEETING_REMINDER_DAYS", "2,14,2")
    assert service.default_days() == [14, 2]
    monkeypatch.setenv("MEETING_REMINDER_DAYS", "snart")
    assert service.default_days() == [7, 1]


def test_a_meeting_on_a_day_alone_is_all_day_from_midnight_in_oslo():
    assert service.times_of(parse_when("3. desember", "nn", NOW), "meeting") == (
        datetime(2026, 12, 3, 0, 0, tzinfo=OSLO), None, True)


@pytest.mark.parametrize(("starts", "ends", "all_day", "lang", "shown"), [
    (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 3, 11, 0, tzinfo=UTC), False, "nn",
     "torsdag 3. desember 2026 kl. 10:00–12:00"),
    (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), None, False, "en", "Thursday 3 December 2026 at 10:00"),
    (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC), False, "nb",
     "torsdag 3. desember 2026 kl. 10:00 – fredag 4. desember 2026 kl. 10:00"),
    (datetime(2026, 12, 2, 23, 0, tzinfo=UTC), None, True, "nn", "torsdag 3. desember 2026"),
])
def test_the_time_of_a_meeting_is_shown_in_oslo_norwegian_style_with_the_weekday(starts, ends, all_day, lang, shown):
    assert service.when_text(starts, ends, all_day, lang) == shown


def test_a_draft_plan_survives_being_stored_as_json_and_read_back():
    plan = service.Plan(kind="meeting", title="Styringsgruppemøte", audience="body:styringsgruppa",
                        starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=OSLO),
                        ends_at=datetime(2026, 12, 3, 12, 0, tzinfo=OSLO), all_day=False, place="Teams",
                        online_url="", agenda=["Budsjett"], remind_days=[7, 1], when_text="3. desember kl. 10–12")
    again = service.Plan.from_dict(plan.as_dict())
    assert again == plan and isinstance(plan.as_dict()["starts_at"], str)


# --- calendar files ---------------------------------------------------------------------------


def event(**fields) -> Event:
    values = {"id": 12, "network_id": 1, "key": "styringsgruppe-2026-12-03", "kind": "meeting",
              "title": "Styringsgruppemøte", "starts_at": datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
              "ends_at": datetime(2026, 12, 3, 11, 0, tzinfo=UTC), "all_day": False, "place": "Bergen rådhus",
              "online_url": "", "description": "", "status": "scheduled", "sequence": 0}
    return Event(**{**values, **fields})


def vevent(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, next(c for c in calendar.walk() if c.name == "VEVENT")


def test_a_meeting_file_has_the_time_place_agenda_and_a_uid_that_never_changes():
    calendar, found = vevent(ics.build_ics(event(online_url="https://teams.microsoft.com/l/x"), DV,
                                           agenda=["Budsjett 2027", "Årsmelding"], now=NOW))
    assert str(calendar["method"]) == "PUBLISH" and str(found["status"]) == "CONFIRMED"
    assert str(found["summary"]) == "Styringsgruppemøte" and str(found["location"]) == "Bergen rådhus"
    assert found.decoded("dtstart") == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert found.decoded("dtend") == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert str(found["uid"]) == "styringsgruppe-2026-12-03.digivestland@samarbeidsbot"
    assert str(found["description"]) == "1. Budsjett 2027\n2. Årsmelding\nhttps://teams.microsoft.com/l/x"
    assert str(found["url"]) == "https://teams.microsoft.com/l/x"


def test_a_change_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_says_cancel():
    _cal, first = vevent(ics.build_ics(event(), DV, now=NOW))
    calendar, cancelled = vevent(ics.build_ics(event(status="cancelled", sequence=2), DV, now=NOW))
    assert cancelled["uid"] == first["uid"] and int(cancelled["sequence"]) == 2 > int(first["sequence"])
    assert str(calendar["method"]) == "CANCEL" and str(cancelled["status"]) == "CANCELLED"


def test_a_meeting_without_an_end_lasts_an_hour_and_a_deadline_a_minute():
    _cal, meeting = vevent(ics.build_ics(event(ends_at=None), DV, now=NOW))
    assert meeting.decoded("dtend") - meeting.decoded("dtstart") == timedelta(hours=1)
    _cal, deadline = vevent(ics.build_ics(event(kind="deadline", ends_at=None, place=""), DV, now=NOW))
    assert deadline.decoded("dtend") - deadline.decoded("dtstart") == timedelta(minutes=1)
    assert "location" not in deadline and "description" not in deadline


def test_an_all_day_event_is_the_day_in_oslo():
    _cal, found = vevent(ics.build_ics(event(all_day=True, ends_at=None,
                                             starts_at=datetime(2026, 12, 2, 23, 0, tzinfo=UTC)), DV, now=NOW))
    assert found.decoded("dtstart") == date(2026, 12, 3) and found.decoded("dtend") == date(2026, 12, 4)


def test_a_calendar_link_opens_only_with_the_token_for_that_event_and_that_key():
    key = b"k" * 32
    token = ics.token_for(key, 12)
    assert len(token) == 32 and ics.verify(key, 12, token)
    assert not ics.verify(key, 13, token)  # another meeting
    assert not ics.verify(b"x" * 32, 12, token)  # another installation's key
    assert not ics.verify(key, 12, "") and not ics.verify(key, 12, None)
    assert not ics.verify(key, 12, token[:-1] + ("0" if token[-1] != "0" else "1"))


def test_a_calendar_token_with_a_non_ascii_letter_is_simply_wrong():
    assert not ics.verify(b"k" * 32, 12, "ø")
