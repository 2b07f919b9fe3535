"""Dates in meeting cards carry the weekday, and a meeting on a weekend or a Norwegian public holiday is
flagged in the preview before anything is sent. Table: (who, announces, must show, must not show)."""

from __future__ import annotations

import pytest

from tests.harness import DV_SECRETARIAT, message_text

ROWS = [
    (DV_SECRETARIAT, "Styringsgruppemøte 28. august 2027 kl. 10–12 på Teams",
     ["laurdag 28. august 2027 kl. 10:00–12:00", "Merk: laurdag 28. august 2027 er i helga"], ["høgtidsdag"]),
    (DV_SECRETARIAT, "Styringsgruppemøte 17. mai 2027 kl. 10–12 på Teams",
     ["måndag 17. mai 2027", "er ein offentleg høgtidsdag", "Grunnlovsdag"], ["i helga"]),
    (DV_SECRETARIAT, "Styringsgruppemøte 26. august 2027 kl. 10–12 på Teams",
     ["torsdag 26. august 2027 kl. 10:00–12:00"], ["Merk:"]),
]


@pytest.mark.parametrize(("who", "says", "shows", "hides"), ROWS, ids=["saturday", "17 May", "thursday"])
async def test_the_preview_shows_the_weekday_and_warns_of_weekends_and_holidays(meeting_bot, who, says,  # noqa: F811
                                                                                 shows, hides):
    seen = "\n".join(message_text(m) for m in await meeting_bot.say(who, says))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
