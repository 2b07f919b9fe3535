"""Each municipality's written standard: a DigiVestland person with no language of their own whose
municipality writes Bokmål (Stord, illustrative demo data) gets notices in Bokmål; the network's
Nynorsk is for the others; the person's own choice wins over both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Municipality, OutboxMessage, Person
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, TeamsUser, message_text
from tests.harness.votes import join

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STORD = TeamsUser("dv-direktor-stord", "Kjetil Økland", "a5a5a5a5-0000-0000-0000-000000004614",
                  "kjetil.okland@stord.kommune.no")


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


class Notice:
    """The secretariat previews and sends a notice (with 'confirm you have read') to every director."""

    def __init__(self, text: str):
        self.text = text


class Inbox:
    """What the person finds in their personal chat: the notice card with this text."""

    def __init__(self, text: str):
        self.text = text


NB_ACK, NN_ACK = "Bekreft at du har lest", "Stadfest at du har lese"

# (who, sends or presses, must show, must not show)
DIALOGUE: list[tuple[TeamsUser, Any, str, str]] = [
    (STORD, "hjelp", "Dette kan jeg hjelpe med", "Dette kan eg hjelpe med"),
    (DV_DIRECTOR, "hjelp", "Dette kan eg hjelpe med", "Dette kan jeg hjelpe med"),
    (DV_SECRETARIAT, Notice("Ny rutine for innkjøp."), "Kunngjeringa er lagd i kø til 10 mottakarar", "Bekreft"),
    (STORD, Inbox("Ny rutine for innkjøp."), NB_ACK, NN_ACK),
    (DV_DIRECTOR, Inbox("Ny rutine for innkjøp."), NN_ACK, NB_ACK),
    (STORD, "språk nn", "Språket er no nynorsk.", "bokmål"),
    (DV_SECRETARIAT, Notice("Møtet er flytta til kl. 13."), "Møtet er flytta til kl. 13.", "Bekreft"),
    (STORD, Inbox("Møtet er flytta til kl. 13."), NN_ACK, NB_ACK),  # their own choice now
]


async def step(bot, who: TeamsUser, action: Any) -> str:
    if isinstance(action, str):
        return await bot.say_text(who, action)
    if isinstance(action, Notice):
        preview, confirm = await bot.submit(who, {"action": "notice.preview", "text": action.text,
                                                   "audience": "role:director", "acknowledge": "true"})
        send = next(a["data"] for a in confirm["attachments"][0]["content"]["actions"]
                    if a.get("data", {}).get("action") == "notice.send")
        replies = await bot.submit(who, send)
        await bot.drain()
        return "\n".join([message_text(preview), message_text(confirm), *(message_text(m) for m in replies)])
    cards = [message_text(m) for m in bot.connector.messages(who.personal_conversation) if action.text in message_text(m)]
    assert cards, f"{who.key} got no notice {action.text!r}"
    return cards[-1]


async def test_a_person_without_a_choice_gets_notices_in_their_municipality_s_written_standard(bot):
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == STORD.key))
        stord = await session.get(Municipality, person.municipality_id)
    assert person.language is None and stord.written_standard == "nb" and stord.written_standard_illustrative
    await join(bot, STORD, DV_DIRECTOR)

    for who, action, must, must_not in DIALOGUE:
        shown = await step(bot, who, action)
        assert must in shown, f"{who.key} / {action!r}: expected {must!r} in {shown!r}"
        assert must_not not in shown, f"{who.key} / {action!r}: did not expect {must_not!r}"

    async with bot.db.session() as session:
        languages = (await session.execute(select(OutboxMessage.batch, OutboxMessage.language)
                                           .where(OutboxMessage.person_id == person.id)
                                           .order_by(OutboxMessage.id))).all()
    assert [lang for batch, lang in languages if batch.startswith("notice:")] == ["nb", "nn"]
