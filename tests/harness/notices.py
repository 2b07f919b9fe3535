"""Helpers for the notices tests (and the archive's, which need a sent notice): composing a notice, its card's
buttons, what a press shows, counting rows."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, card_actions, message_text


async def sent_notice(bot) -> tuple[int, dict]:
    """A notice to the steering group, sent and delivered; returns its id and the author's report card."""
    for user in (DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)
    bot.connector.removed_conversations.add(DV_OBSERVER.personal_conversation)
    _preview, confirm = await bot.say(DV_SECRETARIAT, "kunngjering til styringsgruppa: Møtet er flytta til kl. 13.")
    send = next(b["data"] for b in card_actions(confirm) if b.get("data", {}).get("action") == "notice.send")
    replies = await bot.submit(DV_SECRETARIAT, send)
    await bot.drain()
    [report] = [m for m in replies if "Rapport" in message_text(m)]
    return send["notice"], report


def actions(message) -> dict[str, dict]:
    """The data of a message's card buttons, by their action."""
    card = message["attachments"][0]["content"]
    return {a["data"]["action"]: a["data"] for a in card.get("actions", []) if "data" in a}


async def pressed(bot, user, data) -> str:
    """What the user reads after submitting `data` (every reply, one a line)."""
    return "\n".join(message_text(m) for m in await bot.submit(user, data))


async def count(bot, model, *where) -> int:
    """How many rows of `model` match."""
    async with bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def compose(bot, text="kunngjering til styringsgruppa: Møtet 12. desember er flytta til kl. 13."):
    """The secretariat writes a notice: (the preview, the confirmation card)."""
    preview, confirm = await bot.say(DV_SECRETARIAT, text)
    return preview, confirm
