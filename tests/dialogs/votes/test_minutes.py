"""Minutes of a case (Markdown, CSV) through `samarbeidsbot case minutes`, the case list, and the rules
on both databases (consensus, versions, visibility that only tightens, closing once)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dialogs.votes import rules, service
from storage.models import Body, Case, Network, Person
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, message_text, run_cli
from tests.harness.votes import ASKOY, BJORNAFJORDEN, MEMBERS, join, open_case, press

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


async def test_minutes_list_the_votes_the_outcome_and_who_decided(bot, monkeypatch, tmp_path):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Felles innkjøp", visibility="after_close")
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    await press(bot, ASKOY, "vote.cast", case_id, option="ueinig", reason="Kostnaden | er uklar.")
    await press(bot, ASKOY, "vote.cast", case_id, option="avstar")
    await press(bot, BJORNAFJORDEN, "vote.cast", case_id, option="ueinig", reason="Ikkje no.")

    code, open_md, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "minutes", str(case_id))
    assert code == 0 and "Saka er open" in open_md and "3 av 10 har røysta" in open_md
    assert "Ikkje no." not in open_md and "Resultatet blir vist når saka er lukka" in open_md  # still hidden

    await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    await press(bot, DV_CHAIR, "vote.decide", case_id, decision="Vi utset saka til neste møte.")

    code, md, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "minutes", "SAK-2026-001",
                                       "--network", "digivestland")
    assert code == 0
    assert "## Protokoll: SAK-2026-001 Felles innkjøp" in md and "Forslag til vedtak" in md
    assert "| Ingrid Haugland (Alver og kommunane i Nordhordland) | Einig |" in md
    assert "| Håkon Strand (Askøy kommune) | Avstår |" in md  # the current vote, not the first
    assert "| Liv Tveit Aase (Bjørnafjorden kommune) | Ueinig | Ikkje no. |" in md
    assert "- Einig: 1" in md and "- Ueinig: 1" in md and "- Avstår: 1" in md
    assert "Avgjort av leiar (Sigurd Vikøren): Vi utset saka til neste møte." in md
    assert "Har ikkje røysta: " in md and "Rune Hjelmås" in md and "lukka av leiaren" in md

    out = tmp_path / "sak.csv"
    code, said, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "minutes", str(case_id),
                                         "--out", str(out))
    assert code == 0 and "csv" in said
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4  # every version of every vote
    askoy = [r for r in rows if r["person"] == "Håkon Strand"]
    assert [(r["option"], r["version"], r["current"]) for r in askoy] == [("Ueinig", "1", "no"), ("Avstår", "2", "yes")]
    assert askoy[0]["reason"] == "Kostnaden | er uklar."
    assert {r["outcome"] for r in rows} == {"decided_by_chair"} and rows[0]["decided_by"] == "Sigurd Vikøren"

    code, en, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "minutes", str(case_id),
                                       "--lang", "en")
    assert "## Minutes" in en and "Decided by the chair (Sigurd Vikøren)" in en

    code, listed, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "list", "--network",
                                           "digivestland", "--json")
    assert code == 0 and '"outcome": "decided_by_chair"' in listed and '"voted": 3' in listed

    in_chat = await bot.say_text(DV_OBSERVER, "protokoll sak-2026-001")
    assert "Protokoll" in in_chat and "Ingrid Haugland" in in_chat


async def test_minutes_cli_refuses_unknown_cases(bot, monkeypatch):
    code, _, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "minutes", "sak-1999-001")
    assert code == 2
    code, _, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "list", "--network", "nowhere")
    assert code == 2


async def test_the_case_list_in_chat_shows_turnout_and_my_vote(bot):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Liste")
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    mine = await bot.say_text(DV_DIRECTOR, "saker")
    assert "Liste" in mine and "1 av 10 har røysta" in mine and "Du røysta Einig" in mine
    assert "Du er observatør" in await bot.say_text(DV_OBSERVER, "saker")


async def test_a_configured_team_channel_gets_the_case_card(bot, monkeypatch):
    channel = "19:styringsgruppa@thread.tacv2"
    await bot.say(DV_CHAIR, "hjelp", conversation_type="channel", conversation_id=channel)
    code, listed, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "channel", "--network",
                                           "digivestland", "--body", "styringsgruppa", "--list")
    assert channel in listed
    code, _, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "case", "channel", "--network",
                                      "digivestland", "--body", "styringsgruppa", "--conversation", channel)
    assert code == 0
    case_id = await open_case(bot, title="Kanal")
    await bot.drain()
    posted = [m for m in bot.connector.messages(channel) if "Kanal" in message_text(m)]
    assert len(posted) == 1 and posted[0]["attachments"][0]["content"]["refresh"]["action"]["data"] == {
        "case": case_id}


# --- rules on both databases ----------------------------------------------------------------------


async def _steering(session) -> tuple[Network, Body, list[Person]]:
    network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
    body = await session.scalar(select(Body).where(Body.network_id == network.id, Body.key == "styringsgruppa"))
    holders = await service.seat_holders(session, body, NOW)
    return network, body, [h.person for h in holders if h.votes]


async def test_rules_consensus_versions_visibility_and_closing_once(any_db):
    async with any_db.session() as session:
        network, body, voters = await _steering(session)
        draft = rules.parse_draft({"body": "styringsgruppa", "title": "T", "proposal": "P", "deadline": "fredag",
                                   "visibility": "at_once", "consent": "true"}, "nn", NOW, [body])
        assert [o["key"] for o in draft.options] == ["einig", "avstar", "ueinig", "innsigelse"]
        assert draft.deadline.isoformat() == "2026-11-27T23:59:00+01:00"
        case, new = await service.open_case(session, network, draft, creator=None, actor="test", now=NOW, token="t1")
        again, new_again = await service.open_case(session, network, draft, creator=None, actor="test", now=NOW,
                                                 token="t1")
        assert new and not new_again and again.id == case.id and case.key == "sak-2026-001"

        first = await service.cast_vote(session, case, voters[0], None, "einig", "", now=NOW, actor="test")
        same = await service.cast_vote(session, case, voters[0], None, "einig", "", now=NOW, actor="test")
        changed = await service.cast_vote(session, case, voters[0], None, "avstar", "", now=NOW, actor="test")
        assert (first.new, same.new, changed.new, changed.vote.version) == (True, False, True, 2)
        with pytest.raises(rules.Refusal) as refused:
            rules.validate_vote(case, "innsigelse", "", "nb")
        assert refused.value.key == "votes.reason_required" and refused.value.values["option"] == "Innsigelse"

        assert await service.tighten_visibility(session, case, "after_vote", now=NOW, actor="test")
        with pytest.raises(rules.Refusal):
            await service.tighten_visibility(session, case, "at_once", now=NOW, actor="test")

        await service.cast_vote(session, case, voters[1], None, "innsigelse", "Nei.", now=NOW, actor="test")
        assert not await service.all_voted(session, case, NOW)
        assert await service.close_case(session, case, reason="chair", now=NOW, actor="test")
        assert not await service.close_case(session, case, reason="deadline", now=NOW, actor="test")
        assert case.outcome == "awaiting_chair"  # an objection blocks consensus
        assert await service.decide(session, case, voters[0], "Vedteke.", now=NOW, actor="test")
        assert not await service.decide(session, case, voters[0], "Anna.", now=NOW, actor="test")
        assert (case.outcome, case.outcome_text) == ("decided_by_chair", "Vedteke.")


@pytest.mark.parametrize(("votes", "outcome"), [
    (["einig", "einig", "avstar"], "adopted"),
    (["avstar"], "adopted"),
    (["einig", "ueinig"], "awaiting_chair"),
    ([], "awaiting_chair"),  # nobody voted: no consensus to record, the chair decides
])
async def test_consensus_means_no_ueinig_among_the_votes_cast(db, votes, outcome):
    async with db.session() as session:
        network, body, voters = await _steering(session)
        draft = rules.Draft(body=body, title="T", proposal="P", deadline=NOW + timedelta(days=2),
                            options=rules.default_options())
        case, _ = await service.open_case(session, network, draft, creator=None, actor="test", now=NOW)
        for person, option in zip(voters, votes, strict=False):
            await service.cast_vote(session, case, person, None, option, "r", now=NOW, actor="test")
        await service.close_case(session, case, reason="deadline", now=NOW, actor="test")
        assert (await session.get(Case, case.id)).outcome == outcome
