"""CSV export from the report card: a signed, expiring download link served by the bot, for the secretariat only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from yarl import URL

from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, message_text
from tests.harness.notices import sent_notice

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


def buttons(message) -> list[dict]:
    return message["attachments"][0]["content"].get("actions", [])


async def export_link(bot, user, notice_id: int) -> str:
    [answer] = await bot.submit(user, {"action": "notice.export", "notice": notice_id})
    [link] = [b["url"] for b in buttons(answer) if b.get("type") == "Action.OpenUrl"]
    assert "Last ned CSV" in message_text(answer) and "60 minutt" in message_text(answer)
    return link


async def get(bot, path_and_query: str) -> tuple[int, str, dict]:
    url = bot.server.make_url(URL(path_and_query, encoded=True))
    async with bot.http.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


def local(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_the_author_downloads_every_recipients_state_as_csv_from_the_report_card(bot):
    notice_id, report = await sent_notice(bot)
    export = next(b["data"] for b in buttons(report) if b.get("data", {}).get("action") == "notice.export")
    assert next(b["title"] for b in buttons(report) if b.get("data") == export) == "Eksporter CSV"
    link = await export_link(bot, DV_SECRETARIAT, export["notice"])
    assert urlsplit(link).path == f"/exports/notice/{notice_id}.csv"

    status, body, headers = await get(bot, local(link))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert f'filename="notice-{notice_id}.csv"' in headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 12  # every recipient once
    by_status = {}
    for row in rows:
        by_status[row["Status"]] = by_status.get(row["Status"], 0) + 1
    assert by_status == {"Sendt": 2, "Ikkje nådd": 10}  # in the author's language
    assert {r["Grunn"] for r in rows if r["Status"] == "Ikkje nådd"} == {
        "Har fjerna appen", "Har ikkje installert appen"}
    assert all(r["Sendt (norsk tid)"] for r in rows if r["Status"] == "Sendt")


async def test_a_bad_foreign_or_expired_link_is_404(bot):
    notice_id, _report = await sent_notice(bot)
    link = await export_link(bot, DV_SECRETARIAT, notice_id)
    token = parse_qs(urlsplit(link).query)["t"][0]
    person, expires, mac = token.split(".")
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    for path in (f"/exports/notice/{notice_id}.csv",  # no token
                 f"/exports/notice/{notice_id}.csv?t={person}.{expires}.{flipped}",  # tampered
                 f"/exports/notice/{notice_id}.csv?t={int(person) + 1}.{expires}.{mac}",  # someone else's
                 f"/exports/notice/{notice_id}.csv?t={person}.{int(expires) + 3600}.{mac}",  # longer life
                 f"/exports/notice/{notice_id + 1}.csv?t={token}",  # another notice
                 f"/exports/notice/x.csv?t={token}"):
        status, body, _ = await get(bot, path)
        assert status == 404, path
        assert "Møtet" not in body
    assert (await get(bot, local(link)))[0] == 200
    bot.services.now = lambda: NOW + timedelta(minutes=61)
    assert (await get(bot, local(link)))[0] == 404  # expired


async def test_only_the_secretariat_gets_a_link(bot):
    notice_id, _report = await sent_notice(bot)
    [answer] = await bot.submit(DV_DIRECTOR, {"action": "notice.export", "notice": notice_id})
    text = message_text(answer)
    assert "Berre sekretariatet i DigiVestland" in text
    assert not answer.get("attachments")  # a refusal in words, no card with a link


async def test_a_link_stops_working_when_its_holder_leaves_the_secretariat(bot):
    from sqlalchemy import select

    from storage.models import Person, Seat

    notice_id, _report = await sent_notice(bot)
    link = await export_link(bot, DV_SECRETARIAT, notice_id)
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == DV_SECRETARIAT.aad))
        person.roles = [r for r in (person.roles or []) if r not in ("secretariat", "secretariat_lead")]
        for seat in (await session.scalars(select(Seat).where(Seat.person_id == person.id))).all():
            seat.person_id = None
    assert (await get(bot, local(link)))[0] == 404
