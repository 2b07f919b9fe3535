"""Consultation reminders (7 and 1 day before the deadline by default) reach only the directors
and mayors of municipalities that have not answered — never those who answered themselves or
through a joint answer of a regional body — and follow the deadline when it is extended or closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.workers.scheduler import Scheduler
from dialogs.consultations import manage, reminders
from dialogs.services import Services
from storage.models import (
    ConsultationResponse,
    Job,
    Municipality,
    Network,
    Organisation,
    OutboxMessage,
    Person,
)
from tests.harness import Clock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=14)


async def _open(db):
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        consultation = await manage.open_consultation(session, network, title="Høyring om budsjett 2027",
                                                      deadline=DEADLINE, now=NOW, actor="test")
        munis = {m.number: m for m in (await session.scalars(select(Municipality).where(
            Municipality.network_id == network.id))).all()}
        region = await session.scalar(select(Organisation).where(Organisation.network_id == network.id,
                                                                 Organisation.key == "region-nordhordland"))
        answers = [("4627", "individual", None), ("4624", "no_input", None)]
        answers += [(number, "joint", region.id) for number in region.covers if number in munis]
        for number, kind, org in answers:
            session.add(ConsultationResponse(consultation_id=consultation.id, municipality_id=munis[number].id,
                                             kind=kind, on_behalf_of_id=org, submitted_at=NOW))
        return consultation.id, network.id, {n for n, _, _ in answers}


async def _reminded(db, batch: str = "consultation:%:reminder:%") -> list[Person]:
    async with db.session() as session:
        ids = (await session.scalars(select(OutboxMessage.person_id).where(OutboxMessage.batch.like(batch)))).all()
        people = (await session.scalars(select(Person).options(selectinload(Person.municipality))
                                        .where(Person.id.in_(ids)))).all()
        assert len(ids) == len(set(ids)), "someone was reminded twice"
        return list(people)


async def _expected(db, network_id: int, answered: set[str]) -> set[str]:
    """Directors and mayors of member municipalities that have not answered, from the stored data."""
    async with db.session() as session:
        people = (await session.scalars(select(Person).options(selectinload(Person.municipality)).where(
            Person.network_id == network_id))).all()
    return {p.key for p in people if p.municipality and p.municipality.member
            and p.municipality.number not in answered and {"director", "mayor"} & set(p.roles)}


async def test_reminders_reach_only_non_responders_with_a_controlled_clock(any_db):
    consultation_id, network_id, answered = await _open(any_db)
    async with any_db.session() as session:
        keys = {j.key: j.run_at for j in (await session.scalars(select(Job).where(Job.kind == reminders.KIND))).all()}
    assert keys == {f"consultation:{consultation_id}:reminder:7d": DEADLINE - timedelta(days=7),
                    f"consultation:{consultation_id}:reminder:1d": DEADLINE - timedelta(days=1)}

    clock = Clock(NOW + timedelta(days=3))
    scheduler = Scheduler(Services(db=any_db, now=clock))
    assert (await scheduler.run_due()).ran == 0  # too early: nothing

    clock.now = DEADLINE - timedelta(days=7) + timedelta(minutes=1)
    report = await scheduler.run_due()
    assert report.done == [f"consultation:{consultation_id}:reminder:7d"]
    reminded = await _reminded(any_db)
    keys_reminded = {p.key for p in reminded}
    assert keys_reminded == await _expected(any_db, network_id, answered)
    assert "dv-direktor-oygarden" in keys_reminded  # has not answered
    # answered themselves, or through Region Nordhordland's joint answer, or "no input": never reminded
    assert not keys_reminded & {"dv-direktor-askoy", "dv-direktor-bjornafjorden", "dv-direktor-alver",
                                "dv-ordforar-alver", "dv-nordhordland", "dv-sekretariat-1"}
    async with any_db.session() as session:
        row = await session.scalar(select(OutboxMessage).join(Person, Person.id == OutboxMessage.person_id)
                                   .where(Person.key == "dv-direktor-oygarden"))
    assert "Øygarden" in row.payload["text"] and "Høyring om budsjett 2027" in row.payload["text"]
    assert row.payload["card"] is not None  # the answer card comes with the reminder

    # Øygarden answers before the last reminder: it is left out then
    async with any_db.session() as session:
        oygarden = await session.scalar(select(Municipality).where(Municipality.number == "4626"))
        session.add(ConsultationResponse(consultation_id=consultation_id, municipality_id=oygarden.id,
                                         kind="individual", submitted_at=clock.now))
    clock.now = DEADLINE - timedelta(hours=23)
    await scheduler.run_due()
    async with any_db.session() as session:
        last = (await session.scalars(select(Person.key).join(OutboxMessage, OutboxMessage.person_id == Person.id)
                                      .where(OutboxMessage.batch.like("%:reminder:1d:%")))).all()
    assert last and "dv-direktor-oygarden" not in last
    assert set(last) == await _expected(any_db, network_id, answered | {"4626"})
    assert (await scheduler.run_due()).ran == 0  # and nothing again


async def test_extending_moves_the_reminders_and_closing_cancels_them(any_db):
    consultation_id, _network_id, _answered = await _open(any_db)
    clock = Clock(DEADLINE - timedelta(days=7) + timedelta(minutes=1))
    scheduler = Scheduler(Services(db=any_db, now=clock))
    await scheduler.run_due()
    first = len(await _reminded(any_db))
    assert first > 0

    new_deadline = DEADLINE + timedelta(days=14)
    async with any_db.session() as session:
        from storage.models import Consultation

        consultation = await session.get(Consultation, consultation_id)
        await manage.change_deadline(session, consultation, new_deadline, now=clock.now, actor="test")
    clock.now = DEADLINE - timedelta(hours=23)  # the old "1 day before": nothing any more
    assert (await scheduler.run_due()).ran == 0
    clock.now = new_deadline - timedelta(days=7) + timedelta(minutes=1)  # the new "7 days before"
    assert len((await scheduler.run_due()).done) == 1
    # a new round for the new deadline, each person once in it
    assert len(await _reminded(any_db, f"consultation:%:reminder:7d:{new_deadline:%Y%m%d}")) == first
    async with any_db.session() as session:
        rows = (await session.scalars(select(OutboxMessage.dedupe_key))).all()
    assert len(rows) == 2 * first and all(f"{new_deadline:%Y%m%d}" in k for k in rows[first:])

    async with any_db.session() as session:
        consultation = await session.get(Consultation, consultation_id)
        await manage.close(session, consultation, actor="test")
    clock.now = new_deadline - timedelta(hours=2)
    assert (await scheduler.run_due()).ran == 0
    async with any_db.session() as session:
        statuses = {j.key: j.status for j in (await session.scalars(select(Job))).all()}
    assert statuses[f"consultation:{consultation_id}:reminder:1d"] == "cancelled"


async def test_custom_days_and_an_open_consultation_from_data_get_reminders(any_db):
    consultation_id, _network_id, _answered = await _open(any_db)
    async with any_db.session() as session:
        from storage.models import Consultation

        consultation = await session.get(Consultation, consultation_id)
        await reminders.set_days(session, consultation, [3], now=NOW)
        loaded = await session.scalar(select(Consultation).where(Consultation.key == "ny-samarbeidsavtale-2024"))
        loaded.status, loaded.deadline = "open", NOW + timedelta(days=10)  # as if loaded open from data/
    assert await reminders.sync_open(Services(db=any_db, now=lambda: NOW)) >= 1
    async with any_db.session() as session:
        pending = {j.key for j in (await session.scalars(select(Job).where(Job.status == "pending"))).all()}
    assert f"consultation:{consultation_id}:reminder:3d" in pending
    assert f"consultation:{consultation_id}:reminder:7d" not in pending
    assert f"consultation:{loaded.id}:reminder:7d" in pending and f"consultation:{loaded.id}:reminder:1d" in pending
