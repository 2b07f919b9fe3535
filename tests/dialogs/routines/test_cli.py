"""`samarbeidsbot procurement …` and `samarbeidsbot portfolio list` on a fresh database file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dialogs.routines import procurement as rules
from dialogs.routines import service
from dialogs.routines.common import routines_of
from dialogs.services import Services
from storage.db import Database
from storage.models import Municipality, Network, Person
from tests.harness import run_cli

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _procurement_with_a_no(url: str) -> None:
    db = Database(url)
    services = Services(db=db, now=lambda: NOW)
    async with db.session() as session:
        net = await session.scalar(select(Network).where(Network.slug == "digit-midt-buskerud"))
        munis = {m.name: m for m in (await session.scalars(select(Municipality).where(
            Municipality.network_id == net.id))).all()}
        modum = await session.scalar(select(Person).where(Person.key == "dit-direktor-modum"))
        draft = rules.Draft(municipality=munis["Sigdal"], kind="purchase", system="Lønnssystem", area="Økonomi",
                            contract_end=None, value_range="unknown", contact="", description="",
                            deadline=NOW + timedelta(days=14))
        proc, _ = await service.register(session, net, draft, person=None, token="a" * 32, now=NOW, actor="test")
        await service.record_answer(session, proc, munis["Modum"], modum, "nei", now=NOW, actor="test")
        await service.settle(session, services, await routines_of(session, net), proc)
    await db.dispose()


def test_portfolio_and_procurement_from_the_command_line(monkeypatch, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    code, out, _ = run_cli(monkeypatch, url, "portfolio", "list", "--network", "digivestland", "--json")
    assert code == 0
    items = {i["key"]: i for i in json.loads(out)}
    assert items["velferdsteknologi-plattform"]["owner"] == "Askøy"
    assert sum(i["kind"] == "expert_group" for i in items.values()) == 7

    code, out, _ = run_cli(monkeypatch, url, "procurement", "list", "--network", "digit-midt-buskerud")
    assert code == 0 and "no planned procurements in DigIT Midt-Buskerud" in out

    asyncio.run(_procurement_with_a_no(url))
    code, out, _ = run_cli(monkeypatch, url, "procurement", "status", "ansk-2026-001",
                           "--network", "digit-midt-buskerud", "--json")
    data = json.loads(out)
    assert code == 0 and data["answers"] == {"Krødsherad": None, "Modum": "nei"}
    assert data["not_answered"] == ["Krødsherad"] and data["council_case"]["title"].startswith("Felles anskaffelse")
    code, out, _ = run_cli(monkeypatch, url, "procurement", "status", "ansk-2026-001", "--network",
                           "digit-midt-buskerud")
    assert "Modum: nei" in out and "Krødsherad: no answer" in out and "council case:" in out

    code, _, err = run_cli(monkeypatch, url, "procurement", "status", "ansk-2026-404", "--network",
                           "digit-midt-buskerud")
    assert code == 2 and "no procurement 'ansk-2026-404'" in err
    code, _, err = run_cli(monkeypatch, url, "portfolio", "list", "--network", "nowhere")
    assert code == 2 and "unknown network 'nowhere'" in err
