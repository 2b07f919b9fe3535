"""An older copy of an invitation never overwrites a newer RSVP.

The RSVP buttons carry `rsvp_was`, the answer the card showed. Table: (who, presses on the
invitation as first sent, must show, must not show); the stored answer stays.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Rsvp
from tests.harness import DV_DIRECTOR, message_text
from tests.harness.meetings import announce_and_confirm as _announce_and_confirm
from tests.harness.meetings import data_of
from tests.harness.meetings import invitations as _invitations

ROWS = [
    # (who, presses on the invitation as first sent, must show, must not show)
    (DV_DIRECTOR, "yes", ["Du har alt svart «Kjem ikkje»", "Ingenting er endra", "Ditt svar: Kjem ikkje"],
     ["Registrert «Kjem»"]),
    (DV_DIRECTOR, "maybe", ["Du har alt svart «Kjem ikkje»"], ["Registrert «Kanskje»"]),
    (DV_DIRECTOR, "no", ["alt svart «Kjem ikkje»"], ["Ingenting er endra. Her er invitasjonen"]),  # same as stored
]


@pytest.mark.parametrize(("who", "response", "shows", "hides"), ROWS, ids=["yes", "maybe", "same"])
async def test_an_rsvp_from_an_old_invitation_changes_nothing_and_shows_the_answer_stored_now(
        meeting_bot, who, response, shows, hides):  # noqa: F811
    bot = meeting_bot
    await _announce_and_confirm(bot)
    invitation = await _invitations(bot, who)
    first = data_of(invitation, "meeting.rsvp")
    assert first["rsvp_was"] == ""
    await bot.submit(who, {**first, "response": "yes"})
    await bot.submit(who, {**first, "rsvp_was": "yes", "response": "no"})  # from a card that showed «Kjem»

    seen = "\n".join(message_text(m) for m in await bot.submit(who, {**first, "response": response}))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
    async with bot.db.session() as session:
        assert [r.response for r in (await session.scalars(select(Rsvp))).all()] == ["no"]

