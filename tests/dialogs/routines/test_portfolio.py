"""The portfolio: loaded from data/portfolio (validated, idempotent, edits kept), listed, edited by the
secretariat, and answered in Q&A from the stored rows."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from dialogs.routines.qa_portfolio import portfolio_documents
from storage.db import BUNDLED_DATA
from storage.loader import load_path
from storage.models import AuditEntry, Network
from storage.models.routines import PortfolioItem, RoutineSettings
from storage.validate import DataError
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, STRANGER, texts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, target)
    return target


async def items(db, slug: str) -> dict[str, PortfolioItem]:
    async with db.session() as session:
        net = await session.scalar(select(Network).where(Network.slug == slug))
        rows = (await session.scalars(select(PortfolioItem).where(PortfolioItem.network_id == net.id))).all()
    return {r.key: r for r in rows}


async def test_the_bundled_portfolios_and_routine_settings_are_loaded(any_db):
    dv = await items(any_db, "digivestland")
    assert sum(i.kind == "expert_group" for i in dv.values()) == 7
    assert dv["velferdsteknologi-plattform"].participants == ["4627", "4626", "4630", "4628"]
    assert all(i.illustrative for i in dv.values())
    dit = await items(any_db, "digit-midt-buskerud")
    assert {"regional-handlingsplan", "felles-sak-arkiv"} <= set(dit)
    async with any_db.session() as session:
        settings = (await session.scalars(select(RoutineSettings))).all()
    assert len(settings) == 1  # only DigIT's agreement prescribes the routines


async def test_editing_a_file_updates_in_place_and_a_teams_edit_survives_a_reload(empty_db, data_copy):
    await load_path(empty_db, data_copy)
    before = await items(empty_db, "digivestland")
    async with empty_db.session() as session:  # the secretariat edited this one in Teams
        row = await session.get(PortfolioItem, before["isms-felles"].id)
        row.status, row.edited_at = "completed", NOW
    path = data_copy / "portfolio" / "digivestland.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["projects"][0]["next_milestone"] = "Min side i alle kommunar"
    for project in doc["projects"]:
        if project["key"] == "isms-felles":
            project["status"] = "paused"
    doc["projects"] = [p for p in doc["projects"] if p["key"] != "ki-sakshandsaming"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = await load_path(empty_db, data_copy)
    assert report.updated == {"portfolio_items": 1} and report.deleted == {"portfolio_items": 1}
    after = await items(empty_db, "digivestland")
    assert after["fiks-min-side"].id == before["fiks-min-side"].id
    assert after["fiks-min-side"].next_milestone == "Min side i alle kommunar"
    assert after["isms-felles"].status == "completed"  # the Teams edit is kept
    assert "ki-sakshandsaming" not in after
    assert not (await load_path(empty_db, data_copy)).changed


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["projects"][0].update(owner="9999"), "projects[0].owner: unknown municipality '9999'"),
    (lambda d: d["projects"][1].update(status="done"), "projects[1].status"),
    (lambda d: d["routines"].update(council="digit"), "routines.council: body 'digit' is a working_group"),
    (lambda d: d["routines"].update(lead="nobody"), "routines.lead: unknown person 'nobody'"),
    (lambda d: d.update(network="nowhere"), "network: unknown network 'nowhere'"),
    (lambda d: d["expert_groups"].append(dict(d["projects"][0])), "duplicate key 'regional-handlingsplan'"),
], ids=["owner", "status", "council-kind", "lead", "network", "duplicate"])
async def test_a_broken_portfolio_file_names_file_and_field_and_writes_nothing(empty_db, data_copy, change, expected):
    path = data_copy / "portfolio" / "digit-midt-buskerud.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as err:
        await load_path(empty_db, data_copy)
    assert f"{path}: {expected}" in str(err.value) or (str(path) in str(err.value) and expected in str(err.value))
    async with empty_db.session() as session:
        assert (await session.scalars(select(Network))).first() is None


async def test_everyone_in_the_network_sees_the_portfolio_only_the_secretariat_edits(bot):
    bot.services.now = lambda: NOW
    shown = await bot.say_text(DV_DIRECTOR, "portefølje")
    assert "Portefølje – DigiVestland" in shown and "Felles tenesteplattform for velferdsteknologi" in shown
    assert "Faggrupper (7)" in shown and "Askøy" in shown and "2 800 000 kr" in shown
    assert "Trykk for å endre" not in shown
    refused = texts(await bot.submit(DV_DIRECTOR, {"action": "portfolio.edit", "item": "isms-felles"}))
    assert "Berre sekretariatet i DigiVestland kan endre porteføljen" in refused
    refused = texts(await bot.submit(DV_DIRECTOR, {"action": "portfolio.save", "item": "isms-felles",
                                                   "status": "completed"}))
    assert "Berre sekretariatet" in refused
    assert "Eg veit ikkje kven du er" in await bot.say_text(STRANGER, "portefølje")

    assert "Trykk for å endre" in await bot.say_text(DV_SECRETARIAT, "portefølje")
    form = texts(await bot.submit(DV_SECRETARIAT, {"action": "portfolio.edit", "item": "isms-felles"}))
    assert "Endre: Felles styringssystem for informasjonstryggleik" in form
    bad = texts(await bot.submit(DV_SECRETARIAT, {"action": "portfolio.save", "item": "isms-felles",
                                                  "status": "active", "budget": "mykje"}))
    assert "Budsjettet må vere eit heiltal" in bad
    saved = await bot.submit(DV_SECRETARIAT, {"action": "portfolio.save", "item": "isms-felles", "status": "completed",
                                              "budget": "500 000", "owner": "4627", "milestone": "Evaluering",
                                              "milestone_date": "2027-04-01"})
    assert "Lagra: Felles styringssystem for informasjonstryggleik" in texts(saved)
    row = (await items(bot.db, "digivestland"))["isms-felles"]
    assert (row.status, row.budget_nok, row.next_milestone, str(row.next_milestone_date)) == (
        "completed", 500000, "Evaluering", "2027-04-01")
    assert row.edited_at is not None
    again = texts(await bot.submit(DV_SECRETARIAT, {"action": "portfolio.save", "item": "isms-felles",
                                                    "status": "completed", "budget": "500000", "owner": "4627",
                                                    "milestone": "Evaluering", "milestone_date": "2027-04-01"}))
    assert "Ingenting å endre" in again
    async with bot.db.session() as session:
        audits = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "portfolio.edit"))).all()
    assert len(audits) == 1 and audits[0].details["after"]["status"] == "completed"
    unknown = texts(await bot.submit(DV_SECRETARIAT, {"action": "portfolio.edit", "item": "finst-ikkje"}))
    assert "Eg finn ikkje det prosjektet" in unknown


async def test_q_and_a_documents_come_from_the_stored_rows_and_follow_an_edit(db):
    async with db.session() as session:
        net = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        docs = {d.key: d for d in await portfolio_documents(session, net)}
        askoy = next(d for d in docs.values() if "Kva prosjekt leier Askøy?" in d.questions["nn"])
        assert "Askøy leiar 3" in askoy.answer["nn"]
        assert "Felles tenesteplattform for velferdsteknologi" in askoy.answer["nn"]
        assert "Digital innbyggjardialog" in askoy.answer["nb"] and "Askøy leder 3" in askoy.answer["nb"]
        groups = docs["portfolio:expert-groups"]
        assert "Hvilke faggrupper finnes?" in groups.questions["nb"]
        assert groups.answer["nb"].startswith("DigiVestland har 7 faggrupper: Faggruppe for arkitektur (Bergen")
        version = askoy.version
        row = await session.scalar(select(PortfolioItem).where(PortfolioItem.key == "digital-innbyggjardialog"))
        row.owner_municipality_id, row.edited_at = None, NOW
        row.owner_text = "Sekretariatet"
        await session.flush()
        docs = {d.key: d for d in await portfolio_documents(session, net)}
    askoy = next(d for d in docs.values() if "Kva prosjekt leier Askøy?" in d.questions["nn"])
    assert "Askøy leiar 2" in askoy.answer["nn"] and "Digital innbyggjardialog" not in askoy.answer["nn"]
    assert askoy.version != version


async def test_portfolio_questions_are_answered_in_q_and_a(bot):
    pytest.importorskip("dialogs.qa.index")
    answer = await bot.say_text(DV_DIRECTOR, "kva prosjekt leier Askøy?")
    assert "Felles tenesteplattform for velferdsteknologi" in answer
    groups = await bot.say_text(DV_DIRECTOR, "hvilke faggrupper finnes?")
    assert "Faggruppe for helse og velferd" in groups

