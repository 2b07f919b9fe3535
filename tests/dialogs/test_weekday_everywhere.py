"""Every date the bot shows people carries its weekday, in nn, nb and en (issue 17, point 9): deadlines of
consultations and cases, the secretariat's status card, meetings in "kva skjer", scheduled notices.
One rule (`dialogs.i18n.format_day` / `format_when`) used everywhere. Table: (who, sends or presses,
must show, must not show)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import Consultation, Network
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Oslo
QUESTIONS = [
    {"key": "hovudsyn", "kind": "choice", "required": True,
     "label": {"nn": "Hovudsyn", "nb": "Hovedsyn", "en": "Overall view"},
     "options": [{"nn": "Støttar", "nb": "Støtter", "en": "Supports"},
                 {"nn": "Støttar ikkje", "nb": "Støtter ikke", "en": "Does not support"}]},
]
CASE = {"action": "vote.draft", "body": "styringsgruppa", "title": "Felles innkjøp",
        "proposal": "Styringsgruppa ber sekretariatet førebu eit felles innkjøp.", "deadline": "1. desember kl. 12"}

DIALOGUE = [
    # the consultation's deadline (Thursday 3 December 2026, 10:00) on the answer card and the status card
    (DV_DIRECTOR, "høyring", ["torsdag 3. desember 2026 kl. 10:00"], ["\n3. desember 2026"]),
    (DV_SECRETARIAT, "høyring", ["torsdag 3. desember 2026 kl. 10:00"], []),
    # a case's deadline on the secretariat's confirmation and on the member's card
    (DV_SECRETARIAT, CASE, ["tysdag 1. desember 2026 kl. 12:00"], []),
    (DV_SECRETARIAT, {"press": "Opne saka og send ut"}, [], []),
    (DV_CHAIR, None, ["tysdag 1. desember 2026 kl. 12:00"], []),
    # a scheduled notice
    (DV_SECRETARIAT, {"action": "notice.preview", "text": "Påminning", "audience": "role:director",
                      "when": "fredag kl. 9"}, ["Vert sendt fredag 27. november 2026 kl. 09:00"], []),
    # Bokmål and English: the same dates, with their weekday in that language
    (DV_DIRECTOR, "språk nb", [], []),
    (DV_DIRECTOR, "høring", ["torsdag 3. desember 2026 kl. 10:00"], []),
    (DV_DIRECTOR, "hva skjer", ["torsdag 10. desember 2026 kl. 10:00–12:00"], []),
    (DV_DIRECTOR, "language en", [], []),
    (DV_DIRECTOR, "consultation", ["Thursday 3 December 2026 at 10:00"], ["torsdag"]),
    (DV_DIRECTOR, "what's on", ["Thursday 10 December 2026 at 10:00–12:00", "Tuesday 1 December 2026 at 12:00"],
     []),
]


@pytest.fixture(autouse=True)
async def consultation(bot):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="test-hoyring", title="Høyring om prioriteringar 2027",
                                 deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS,
                                 contact="Tove Bech", source="teams", revision=1))
    for user in (DV_SECRETARIAT, DV_CHAIR, DV_DIRECTOR):
        await bot.install(user)


async def test_every_date_shown_carries_its_weekday_in_each_language(bot):
    await play(bot, DIALOGUE)
