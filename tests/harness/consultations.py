"""Helpers for the consultations capability's tests: an open consultation in DigiVestland (a fixture),
the answer card's data, stored answer versions, and the secretariat's preview of a new consultation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.models import Consultation, ConsultationResponse, Municipality, Network, Person
from tests.harness import DV_SECRETARIAT, TeamsUser, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COORDINATOR = TeamsUser("dv-nordhordland", "Marianne Sæbø", "00000000-0000-0000-0000-0000000000a1")
QUESTIONS = [
    {"key": "hovudsyn", "kind": "choice", "required": True,
     "label": {"nn": "Hovudsyn på utkastet", "nb": "Hovedsyn på utkastet", "en": "Overall view"},
     "options": [{"nn": "Støttar utkastet", "nb": "Støtter utkastet", "en": "Supports the draft"},
                 {"nn": "Støttar med endringar", "nb": "Støtter med endringer", "en": "Supports with changes"},
                 {"nn": "Støttar ikkje", "nb": "Støtter ikke", "en": "Does not support"}]},
    {"key": "merknader", "kind": "text", "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}},
]


@pytest.fixture
async def consultation(bot):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="test-hoyring", title="Høyring om prioriteringar 2027",
                                 deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS,
                                 contact="Tove Bech <tove.bech@bergen.kommune.no>", source="teams", revision=1))
        # the coordinator of Region Nordhordland gets a Teams identity
        person = await session.scalar(select(Person).where(Person.key == "dv-nordhordland"))
        person.tenant_id, person.aad_object_id = COORDINATOR.tenant, COORDINATOR.aad
    return "test-hoyring"


def answer(**fields):
    return {"action": "consultation.answer", "consultation": "test-hoyring", "revision": 1, **fields}


async def versions(bot, number: str) -> list[ConsultationResponse]:
    async with bot.db.session() as session:
        return list((await session.scalars(
            select(ConsultationResponse).join(Consultation).join(
                Municipality, Municipality.id == ConsultationResponse.municipality_id)
            .where(Consultation.key == "test-hoyring", Municipality.number == number)
            .order_by(ConsultationResponse.version))).all())


async def total_responses(bot) -> int:
    async with bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(ConsultationResponse))


async def preview(bot, **fields):
    """The secretariat previews a new consultation: (the confirmation card, its text)."""
    replies = await bot.submit(DV_SECRETARIAT, {"action": "consultation.preview", **fields})
    return replies[0]["attachments"][0]["content"], message_text(replies[0])
