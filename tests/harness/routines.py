"""Helpers for the routines capability's tests: the DigIT people as Teams users (a fixture installs the app
for them), the procurement form, and registering a planned procurement through the dialogue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.models.routines import PlannedProcurement
from tests.harness import DIT_DIRECTOR, TeamsUser, card_data, texts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SIGDAL = DIT_DIRECTOR
MODUM = TeamsUser("dit-direktor-modum", "Geir Olav Kjos", "00000000-0000-0000-0000-000000000022")
KRODSHERAD = TeamsUser("dit-direktor-krodsherad", "Marit Noresjø", "00000000-0000-0000-0000-000000000023")
LEAD = TeamsUser("dit-westrum", "Anette Westrum", "00000000-0000-0000-0000-000000000024")
IT_LEAD = TeamsUser("dit-orsten", "Håvard Orsten", "00000000-0000-0000-0000-0000000000b1")

FORM = {"kind": "renegotiation", "system": "Fagsystem for barnevern", "area": "Oppvekst",
        "contract_end": "2027-03-31", "value_range": "1m-5m", "contact": "Kari Lunde Bråthen",
        "deadline": "7. desember"}


@pytest.fixture
async def dit(bot):
    """The DigIT people have the app (personal chats), and the clock is the test's."""
    bot.services.now = lambda: NOW
    for user in (SIGDAL, MODUM, KRODSHERAD, LEAD):
        await bot.install(user, locale="nb-NO")
    return bot


async def register(bot, user=SIGDAL, **changes) -> str:
    """Sigdal registers through text command → form → preview → confirm; returns the key."""
    form = await bot.say(user, "ny anskaffelse", locale="nb-NO")
    assert "Planlagt anskaffelse" in texts(form)
    preview = await bot.submit(user, {"action": "procurement.preview", **FORM, **changes}, locale="nb-NO")
    confirm = card_data(preview, "procurement.confirm")
    await bot.submit(user, confirm, locale="nb-NO")
    await bot.drain()
    async with bot.db.session() as session:
        return (await session.scalars(select(PlannedProcurement.key).order_by(PlannedProcurement.id.desc()))).first()
