"""More than one open consultation: `høyring` offers a choice, and each is reachable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Consultation, Network
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, buttons, message_text
from tests.harness.consultations import NOW, QUESTIONS


async def add_second(bot) -> None:
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="ikt-strategi", title="Høyring om IKT-strategi",
                                 deadline=NOW + timedelta(days=20), status="open", questions=QUESTIONS,
                                 source="teams", revision=1))


ROWS = [
    # (who, must show on the choice, then presses, must show after)
    (DV_DIRECTOR, "Høyring om IKT-strategi", ["Høyring om IKT-strategi", "Svar for Alver kommune"]),
    (DV_DIRECTOR, "Høyring om prioriteringar 2027", ["Høyring om prioriteringar 2027", "Svar for Alver kommune"]),
    (DV_SECRETARIAT, "Høyring om IKT-strategi", ["Høyring om IKT-strategi", "0 av 40 kommunar"]),
]


async def test_several_open_consultations_are_a_choice_and_each_is_reachable(bot, consultation):  # noqa: F811
    await add_second(bot)
    for who, title, after in ROWS:
        choice = await bot.say(who, "høyring")
        text = "\n".join(message_text(m) for m in choice)
        assert "Fleire høyringar er opne" in text and "Høyring om IKT-strategi" in text
        assert "Høyring om prioriteringar 2027" in text
        pressed = next(b for b in buttons(choice) if b["title"] == title)
        seen = "\n".join(message_text(m) for m in await bot.submit(who, pressed["data"]))
        for fragment in after:
            assert fragment in seen, (who.key, fragment)
        other = ({"Høyring om IKT-strategi", "Høyring om prioriteringar 2027"} - {title}).pop()
        assert other not in seen
