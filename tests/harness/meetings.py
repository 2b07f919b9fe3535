"""Helpers for the meetings tests: the steering group's meeting announced through the dialogue, the
invitations it sends, the buttons on its cards and the .ics files behind their links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import icalendar
import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, actions_in, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANNOUNCEMENT = "Styringsgruppemøte 28. august kl. 10–12 på Teams"
ATTENDEES = (DV_CHAIR, DV_DIRECTOR, DV_OBSERVER)  # seats in Styringsgruppa for DigiVestland


def actions(activity: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button (Action.*) on the activity's cards, nested action sets included."""
    return [a for attachment in activity.get("attachments") or [] for a in actions_in(attachment.get("content"))]


def data_of(messages: list[dict[str, Any]], action: str, event: int | None = None) -> dict[str, Any]:
    for message in messages:
        for a in actions(message):
            if (a.get("data") or {}).get("action") == action and event in (None, a["data"].get("event")):
                return {k: v for k, v in a["data"].items() if k != "msteams"}
    raise AssertionError(f"no {action} button in {[message_text(m) for m in messages]}")


def url_of(message: dict[str, Any], title: str) -> str:
    return next(a["url"] for a in actions(message) if a.get("type") == "Action.OpenUrl" and a.get("title") == title)


@pytest.fixture
async def meeting_bot(bot):
    """The bot at the test's clock, with a public URL for .ics links, and the secretariat and the steering
    group's members with the app installed."""
    bot.services.now = lambda: NOW
    bot.services.public_url = str(bot.server.make_url("")).rstrip("/")
    for user in (DV_SECRETARIAT, *ATTENDEES):
        await bot.install(user)
    return bot


async def invitations(bot, user, count: int = 1) -> list[dict[str, Any]]:
    """The first `count` messages after the welcome card in the user's personal chat."""
    await bot.drain()
    installed = 1  # the welcome card
    messages = await bot.connector.wait_for_messages(installed + count, user.personal_conversation, timeout=15)
    return messages[installed:]


async def ics(bot, url: str) -> icalendar.Event:
    response = await bot.http.get(url)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/calendar"
    calendar = icalendar.Calendar.from_ical(await response.read())
    return next(c for c in calendar.walk() if c.name == "VEVENT")


async def announce_and_confirm(bot) -> tuple[list[dict], list[dict]]:
    """The secretariat announces ANNOUNCEMENT and confirms the preview: (preview, what confirming said)."""
    preview = await bot.say(DV_SECRETARIAT, ANNOUNCEMENT)
    done = await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    return preview, done
