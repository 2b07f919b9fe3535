"""Helpers for the votes capability's tests: the steering group's members as Teams users, opening a case
through the form, pressing a case card's buttons, and reading what the person sees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from storage.models import AuditEntry, Case, Vote
from tests.harness import (
    DV_CHAIR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    TeamsUser,
    actions_in,
    card_texts,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ASKOY = TeamsUser("dv-direktor-askoy", "Håkon Strand", "a5a5a5a5-0000-0000-0000-000000000101",
                  "hakon.strand@askoy.kommune.no")
BJORNAFJORDEN = TeamsUser("dv-direktor-bjornafjorden", "Liv Tveit Aase", "a5a5a5a5-0000-0000-0000-000000000102",
                          "liv.tveit.aase@bjornafjorden.kommune.no")
MEMBERS = (DV_CHAIR, DV_DIRECTOR, ASKOY, BJORNAFJORDEN, DV_OBSERVER)


async def join(bot, *users: TeamsUser) -> None:
    """Each user installs the app (personal chat); users without a fixed id are linked by e-mail."""
    for user in users:
        bot.member(user)
        await bot.install(user)


def card_of(activity_or_body: dict[str, Any]) -> dict[str, Any]:
    if "attachments" in activity_or_body:
        return activity_or_body["attachments"][0]["content"]
    return activity_or_body["value"]


def text_of(body: dict[str, Any]) -> str:
    """What the user sees after pressing: the replacing card's text, or the message text."""
    value = body["value"]
    return "\n".join(card_texts(value)) if isinstance(value, dict) else str(value)


def executes(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute button in a card (nested action sets included, the refresh action not)."""
    return actions_in(card, "Action.Execute", behind_refresh=False)


def vote_buttons(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in executes(card) if a.get("verb") == "vote.cast"]


async def open_case(bot, *, title: str = "Felles innkjøp av sak/arkivsystem", deadline: str = "1. desember kl. 12",
                    **extra: str) -> int:
    """The secretariat fills in the form and confirms it; returns the new case id."""
    replies = await bot.submit(DV_SECRETARIAT, {
        "action": "vote.draft", "body": "styringsgruppa", "title": title,
        "proposal": "Styringsgruppa ber sekretariatet førebu eit felles innkjøp.", "deadline": deadline, **extra})
    confirm = card_of(replies[0])
    send = next(a["data"] for a in confirm["actions"] if a["data"]["action"] == "vote.open")
    await bot.submit(DV_SECRETARIAT, send)
    async with bot.db.session() as session:
        return await session.scalar(select(func.max(Case.id)).where(Case.title == title))


async def all_voters(bot) -> list[TeamsUser]:
    """Every voting member of the steering group as a Teams user, joined (linked by e-mail if needed)."""
    from storage.models import Body, Person, Seat

    known = {u.key: u for u in (DV_CHAIR, DV_DIRECTOR)}
    async with bot.db.session() as session:
        people = (await session.scalars(select(Person).join(Seat, Seat.person_id == Person.id).join(
            Body, Body.id == Seat.body_id).where(Body.key == "styringsgruppa",
                                                 Seat.role.in_(("chair", "voting_member"))).order_by(Seat.id))).all()
    users = [known.get(p.key) or TeamsUser(p.key, p.name, f"a5a5a5a5-0000-0000-0000-{p.id:012d}", p.email)
             for p in people]
    await join(bot, *users)
    return users


async def vote_rows(bot, case_id: int) -> list[Vote]:
    async with bot.db.session() as session:
        return list((await session.scalars(select(Vote).where(Vote.case_id == case_id).order_by(Vote.id))).all())


async def refused_entries(bot) -> list[AuditEntry]:
    async with bot.db.session() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == "vote.refused"))).all())


def updates(bot, conversation: str) -> list[dict[str, Any]]:
    return [r.activity for r in bot.connector.records if r.op == "update" and r.conversation_id == conversation]


async def press(bot, user: TeamsUser, verb: str, case_id: int, **data: Any) -> str:
    """Press a button; wait until the other copies are updated (as a person would, before the next click)."""
    body = await bot.execute(user, verb, {"case": case_id, **data})
    await bot.drain()
    return text_of(body)
