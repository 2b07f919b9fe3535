"""Consultation export in Teams: "Eksporter svara" on the secretariat's status card and the `eksport`
command give signed CSV and Excel links (as for notices); others are refused, forged links get 404."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest

from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, message_text
from tests.harness.consultations import answer


def links(reply: dict) -> dict[str, str]:
    card = reply["attachments"][0]["content"]
    return {a["title"]: a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"}


def button(reply: dict, title: str) -> dict[str, Any]:
    card = reply["attachments"][0]["content"]
    return next(a["data"] for a in card["actions"] if a["title"] == title)


async def fetch(bot, url: str):
    parts = urlsplit(url)
    return await bot.http.get(bot.url.replace("/api/messages", parts.path) + "?" + parts.query)


async def test_the_status_card_exports_every_answer_as_csv_and_excel(bot, consultation):  # noqa: F811
    await bot.submit(DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet"))
    status = await bot.say(DV_SECRETARIAT, "høyring")
    pressed = await bot.submit(DV_SECRETARIAT, button(status[0], "Eksporter svara"))
    assert "Eksport: Høyring om prioriteringar 2027" in message_text(pressed[0])
    urls = links(pressed[0])
    csv = await fetch(bot, urls["Last ned CSV"])
    assert csv.status == 200
    body = (await csv.read()).decode("utf-8-sig")
    assert "municipality" in body.splitlines()[0] and "Alver" in body and "Støttar utkastet" in body
    xlsx = await fetch(bot, urls["Last ned Excel"])
    assert xlsx.status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(await xlsx.read())).active
    assert any("Alver" in [str(c) for c in row] for row in sheet.iter_rows(values_only=True))
    forged = await fetch(bot, urls["Last ned CSV"].replace("t=", "t=1"))
    assert forged.status == 404
    other_format = await fetch(bot, urls["Last ned CSV"].replace(".csv?", ".xlsx?"))
    assert other_format.status == 404  # the token is made for one format


ROWS = [
    (DV_SECRETARIAT, "eksport", ["Eksport: Høyring om prioriteringar 2027", "Last ned CSV"], ["Det veit eg ikkje"]),
    (DV_DIRECTOR, "eksport", ["Berre sekretariatet i DigiVestland kan eksportere"], ["Last ned CSV"]),
]


@pytest.mark.parametrize(("who", "says", "shows", "hides"), ROWS, ids=["secretariat", "director"])
async def test_the_export_command(bot, consultation, who, says, shows, hides):  # noqa: F811
    seen = "\n".join(message_text(m) for m in await bot.say(who, says))
    for fragment in shows:
        assert fragment in seen, fragment
    for fragment in hides:
        assert fragment not in seen, fragment
