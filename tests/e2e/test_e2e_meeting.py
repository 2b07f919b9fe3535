"""A meeting announced end to end in two Teams clients at once (issue 5, acceptance 2): the secretariat
writes the meeting in Nynorsk as in an e-mail, sees what the bot understood on the confirmation card and
sends it; a steering-group member receives the invitation, answers Kjem, and the card's "Legg til i
kalenderen" link, read from the card as Teams would open it, serves a calendar with the right start."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import BotProcess, stop

# today is 2026-11-23: 15 December 2026 is a Tuesday in winter time (Europe/Oslo = UTC+01:00)
ANNOUNCEMENT = "Styringsgruppemøte 15. desember kl. 10–12 på Teams"
TITLE = "Styringsgruppemøte"
WHEN = "15. desember 2026 kl. 10:00–12:00"
DAY, WHEN_REST = "15.", "desember 2026 kl. 10:00–12:00"
RSVP = ("Kjem", "Kjem ikkje", "Kanskje")


class MeetingBot(BotProcess):
    """The bot with PUBLIC_URL set to where it really listens, so the .ics link on the card works."""

    def env(self, **extra: str) -> dict[str, str]:
        return super().env(PUBLIC_URL=f"http://127.0.0.1:{self.port}", **extra)


@pytest.fixture(scope="module")
def bot_process(tmp_path_factory):
    bot = MeetingBot(tmp_path_factory.mktemp("e2e-meeting-bot"))
    bot.start()
    yield bot
    assert bot.process is not None
    stop(bot.process)


def calendar_url(client, card) -> str:
    """The URL behind the card's "Legg til i kalenderen" link: the one the client requests on a click
    (the Playground opens it in a new window, which the browser turns into a download)."""
    link = card.get_by_role("link", name="Legg til i kalenderen", exact=True)
    shown = link.get_attribute("title")  # the Playground shows an Action.OpenUrl's URL as its tooltip
    with client.page.context.expect_event("request", lambda r: "/ics/" in r.url) as requested:
        link.click()
    assert requested.value.url == shown
    return requested.value.url


def expect_when(card) -> None:
    """The card shows when the meeting is, as text: "15. desember 2026 kl. 10:00–12:00" (a no-break space
    after the day keeps the renderer from reading "15. " as a markdown numbered list)."""
    expect(card).to_contain_text(WHEN_REST)
    assert WHEN in card.inner_text().replace("\u00a0", " ")
    expect(card.locator(f'ol[start="{DAY[:-1]}"]')).to_have_count(0)


def test_secretariat_announces_a_meeting_and_a_member_answers(teams, bot_process):
    director = teams("director")  # a steering-group member who has the app: open first, she gets the invitation
    director.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")

    secretariat = teams("secretariat")
    secretariat.wait_card("Velkomen til Samarbeidsbot", "Hei, Eirik!")
    secretariat.send(ANNOUNCEMENT)
    confirm = secretariat.wait_card("Stemmer dette?", TITLE)
    expect_when(confirm)
    expect(confirm).to_contain_text("Teams")
    expect(confirm).to_contain_text("Styringsgruppa for DigiVestland")
    expect(director.cards("Invitasjon til møte")).to_have_count(0)  # nothing is sent before the confirmation
    secretariat.screenshot("confirmation")
    secretariat.click(confirm, "Send invitasjonen")
    secretariat.wait_text(f"Sendt: «{TITLE}»")

    # the member: the invitation with RSVP buttons and the calendar link
    invitation = director.wait_card("Invitasjon til møte", TITLE, WHEN_REST)
    expect_when(invitation)
    for button in RSVP:
        expect(invitation.get_by_role("button", name=button, exact=True)).to_be_visible()
    director.screenshot("invitation", docs="meeting-invitation-nn")
    director.click(invitation, "Kjem")
    director.wait_text(f"Takk! Registrert «Kjem» for «{TITLE}», tysdag {WHEN}.")  # with the weekday

    # the .ics behind the card's link, fetched over HTTP as a calendar app would
    url = calendar_url(director, invitation)
    assert url.startswith(f"http://127.0.0.1:{bot_process.port}/ics/"), url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/calendar"
        calendar = Calendar.from_ical(response.read())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == TITLE
    # 10:00 in Oslo in December is 09:00 UTC (+01:00), 12:00 → 11:00
    assert events[0].decoded("DTSTART") == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    assert events[0].decoded("DTEND") == datetime(2026, 12, 15, 11, 0, tzinfo=UTC)
    # a link with a forged token is refused
    forged = url.split("?t=")[0] + "?t=0000"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 404

    # the secretariat sees the answer counted in "Kva skjer?"
    secretariat.send("Kva skjer?")
    listing = secretariat.wait_card(TITLE, f"{WHEN_REST} · Teams · Kjem 1 · kjem ikkje 0 · kanskje 0")
    expect_when(listing)
