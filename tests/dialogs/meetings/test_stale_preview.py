"""An older preview of a meeting, corrected since with "Rett", sends nothing when its "Send invitasjonen"
is pressed: it says why, and the corrected one is what goes out (once). Table: (who, sends or presses,
must show, must not show)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.models import Event
from storage.models.meetings import MeetingDraft
from tests.harness import DV_CHAIR, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def installed(bot):
    bot.services.now = lambda: NOW
    for user in (DV_SECRETARIAT, DV_CHAIR):
        await bot.install(user)


async def test_confirming_a_corrected_preview_sends_nothing_and_says_why(bot):
    await play(bot, [
        (DV_SECRETARIAT, "Styringsgruppemøte 9. desember 2026 kl. 10–12 på Teams",
         ["Stemmer dette?", "onsdag 9. desember 2026 kl. 10:00–12:00"], []),
        (DV_SECRETARIAT, {"press": "Rett"}, ["Vis kva som blir sendt"], []),
        (DV_SECRETARIAT, {"press": "Vis kva som blir sendt", "kind": "meeting", "title": "Styringsgruppemøte",
                          "audience": "body:styringsgruppa", "when": "10. desember 2026 kl. 13–15", "place": "Teams",
                          "reminders": "7, 1"},
         ["torsdag 10. desember 2026 kl. 13:00–15:00"], []),
    ])
    async with bot.db.session() as session:
        first = await session.scalar(select(MeetingDraft.id).order_by(MeetingDraft.id))
    await play(bot, [
        (DV_SECRETARIAT, {"action": "meeting.confirm", "draft": first},
         ["er retta sidan (med «Rett»), så ingenting er sendt"], ["Sendt:"]),
        (DV_CHAIR, None, [], ["Invitasjon til møte"]),
    ])
    await play(bot, [
        (DV_SECRETARIAT, "Styringsgruppemøte 11. desember 2026 kl. 10 på Teams", ["Stemmer dette?"], []),
    ])
    async with bot.db.session() as session:
        corrected = (await session.scalars(select(MeetingDraft.id).order_by(MeetingDraft.id))).all()[1]
    await play(bot, [
        (DV_SECRETARIAT, {"action": "meeting.confirm", "draft": corrected}, ["Sendt:"], []),
        (DV_CHAIR, None, ["Invitasjon til møte", "torsdag 10. desember 2026 kl. 13:00–15:00"], ["9. desember"]),
    ])
    async with bot.db.session() as session:
        assert len((await session.scalars(select(Event).where(Event.source == "teams"))).all()) == 1
