"""The joint procurement routine (DigIT §6) as dialogues: register, ask, answer, council case,
joint procurement, the deadline, and the unhappy paths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialogs.jobs import HANDLERS
from storage.models import AuditEntry, Body, Case, Job, Person
from storage.models.routines import JointParticipant, PlannedProcurement, ProcurementAnswer
from tests.harness import DA_DIRECTOR, DV_DIRECTOR, STRANGER, card_data, message_text, texts
from tests.harness.routines import FORM, IT_LEAD, KRODSHERAD, LEAD, MODUM, NOW, SIGDAL, register


def updates(bot, user) -> list[str]:
    """The texts of the cards the bot edited in place in the user's personal chat."""
    return [message_text(r.activity) for r in bot.connector.records
            if r.op == "update" and r.conversation_id == user.personal_conversation]


async def answer(bot, user, key: str, choice: str) -> str:
    replies = await bot.submit(user, {"action": "procurement.answer", "procurement": key, "answer": choice},
                               locale="nb-NO")
    await bot.drain()
    return texts(replies)


async def council_cases(bot) -> list[Case]:
    async with bot.db.session() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


async def test_acceptance_sigdal_registers_modum_and_krodsherad_get_the_card_one_says_no_council_case(dit):
    bot = dit
    form = await bot.say(SIGDAL, "ny anskaffelse", locale="nb-NO")
    assert "For Sigdal kommune" in texts(form)
    preview = await bot.submit(SIGDAL, {"action": "procurement.preview", **FORM}, locale="nb-NO")
    shown = texts(preview)
    assert "Se over: planlagt anskaffelse" in shown and "Fagsystem for barnevern" in shown
    assert "Modum (Geir Olav Kjos)" in shown and "Krødsherad (Marit Noresjø)" in shown
    assert "7. desember 2026 kl. 23:59" in shown and "31. mars 2027" in shown

    done = texts(await bot.submit(SIGDAL, card_data(preview, "procurement.confirm"), locale="nb-NO"))
    assert "Registrert som ansk-2026-001" in done and "sendt til 2 av 2 rådmenn" in done

    for user in (MODUM, KRODSHERAD):
        got = texts(bot.connector.messages(user.personal_conversation))
        assert "Bli med på felles anskaffelse?" in got and "Sigdal planlegger reforhandling av avtale" in got
        assert "Ja" in got and "Nei" in got and "Vurderer" in got
    assert "Bli med på felles anskaffelse?" not in texts(bot.connector.messages(SIGDAL.personal_conversation))
    assert "Planlagt anskaffelse: Fagsystem for barnevern" in texts(
        bot.connector.messages(LEAD.personal_conversation))

    receipt = await answer(bot, MODUM, "ansk-2026-001", "nei")
    assert "Svaret «Nei» er lagret for Modum" in receipt and "rådmannsutvalget" in receipt.lower()

    cases = await council_cases(bot)
    assert len(cases) == 1
    async with bot.db.session() as session:
        body = await session.get(Body, cases[0].body_id)
        proposer = await session.get(Person, cases[0].created_by_id)
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == "ansk-2026-001"))
    assert body.key == "radmannsutvalget" and body.kind == "council"
    assert proposer.key == "dit-westrum"
    assert cases[0].title == "Felles anskaffelse av Fagsystem for barnevern (initiativ fra Sigdal)"
    assert "Modum" in cases[0].proposal
    assert proc.case_id == cases[0].id and proc.status == "open"

    for user in (SIGDAL, LEAD):  # the initiator and the digitalisation lead are told
        assert "Modum svarte nei på felles anskaffelse av Fagsystem for barnevern" in texts(
            bot.connector.messages(user.personal_conversation))
        # and their status card was edited in place: Modum's answer and the council case show
        edited = updates(bot, user)[-1]
        assert "Modum\nNei" in edited and "Krødsherad\nIkke svart" in edited
        assert f"Sak for rådmannsutvalget: {cases[0].key}" in edited
    assert "Svaret fra Modum nå: Nei (Geir Olav Kjos)" in updates(bot, MODUM)[-1]
    # the votes capability sent the case card to the council members (the three chief executives)
    for user in (SIGDAL, MODUM, KRODSHERAD):
        assert "Felles anskaffelse av Fagsystem for barnevern (initiativ fra Sigdal)" in texts(
            bot.connector.messages(user.personal_conversation))


async def test_all_yes_records_a_joint_procurement_with_its_participants(dit):
    key = await register(dit)
    assert "lagret for Modum" in await answer(dit, MODUM, key, "ja")
    assert "lagret for Krødsherad" in await answer(dit, KRODSHERAD, key, "ja")
    async with dit.db.session() as session:
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
        names = (await session.scalars(select(JointParticipant.municipality_id))).all()
    assert (proc.status, proc.outcome, proc.closed_reason) == ("closed", "joint", "all_answered")
    assert len(names) == 3
    assert await council_cases(dit) == []
    told = texts(dit.connector.messages(SIGDAL.personal_conversation))
    assert "Svarrunden for ansk-2026-001 (Fagsystem for barnevern) er avsluttet. Det blir felles anskaffelse." in told
    status = texts(await dit.say(SIGDAL, f"anskaffelse {key}", locale="nb-NO"))
    assert "Felles anskaffelse med: Sigdal, Krødsherad, Modum" in status
    async with dit.db.session() as session:  # the deadline job is no longer pending
        job = await session.scalar(select(Job).where(Job.kind == "procurement.deadline"))
    assert job.status == "cancelled"


async def test_one_yes_one_no_gives_a_joint_procurement_and_a_council_case(dit):
    key = await register(dit)
    await answer(dit, KRODSHERAD, key, "ja")
    await answer(dit, MODUM, key, "nei")
    async with dit.db.session() as session:
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
    assert proc.outcome == "joint_and_council" and len(await council_cases(dit)) == 1


async def test_no_answer_by_the_deadline_closes_and_reports_who_did_not_answer(dit):
    key = await register(dit)
    await answer(dit, KRODSHERAD, key, "vurderer")
    async with dit.db.session() as session:
        job = await session.scalar(select(Job).where(Job.kind == "procurement.deadline"))
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
    assert job.run_at == proc.deadline and job.payload == {"procurement": proc.id}

    handler = HANDLERS["procurement.deadline"]
    assert await handler(dit.services, job.payload) == []  # not due yet: nothing happens
    dit.services.now = lambda: proc.deadline + timedelta(minutes=1)
    replies = await handler(dit.services, job.payload)
    to = {r.to_person: r.text for r in replies if getattr(r, "to_person", None)}
    async with dit.db.session() as session:
        sigdal = await session.scalar(select(Person).where(Person.key == "dit-direktor-sigdal"))
        lead = await session.scalar(select(Person).where(Person.key == "dit-westrum"))
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
    assert set(to) == {sigdal.id, lead.id}
    assert "Svarte ikke innen fristen: Modum." in to[sigdal.id]
    assert (proc.status, proc.outcome, proc.closed_reason) == ("closed", "no_answer", "deadline")
    assert await handler(dit.services, job.payload) == []  # running twice changes nothing

    late = await answer(dit, MODUM, key, "ja")
    assert "Svarrunden for ansk-2026-001 er avsluttet" in late
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcurementAnswer)) == 1


async def test_a_double_click_stores_one_answer_and_opens_one_case(dit):
    key = await register(dit)
    await answer(dit, MODUM, key, "nei")
    again = await answer(dit, MODUM, key, "nei")
    assert "Modum har allerede svart «Nei». Ingenting er endret" in again
    async with dit.db.session() as session:
        rows = (await session.scalars(select(ProcurementAnswer))).all()
        audits = await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "procurement.answer"))
    assert [(r.answer, r.changes) for r in rows] == [("nei", 0)] and audits == 1
    assert len(await council_cases(dit)) == 1


async def test_an_answer_can_be_changed_until_the_deadline(dit):
    key = await register(dit)
    await answer(dit, MODUM, key, "vurderer")
    assert "«Ja» er lagret for Modum" in await answer(dit, MODUM, key, "ja")
    async with dit.db.session() as session:
        rows = (await session.scalars(select(ProcurementAnswer))).all()
    assert [(r.answer, r.changes) for r in rows] == [("ja", 1)]


async def test_confirming_twice_registers_once_and_sends_once(dit):
    await dit.say(SIGDAL, "ny anskaffelse", locale="nb-NO")
    preview = await dit.submit(SIGDAL, {"action": "procurement.preview", **FORM}, locale="nb-NO")
    confirm = card_data(preview, "procurement.confirm")
    await dit.submit(SIGDAL, confirm, locale="nb-NO")
    again = texts(await dit.submit(SIGDAL, confirm, locale="nb-NO"))
    assert "allerede registrert som ansk-2026-001" in again
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(PlannedProcurement)) == 1
    cards = [m for m in dit.connector.messages(MODUM.personal_conversation)
             if "Bli med på felles anskaffelse?" in message_text(m)]
    assert len(cards) == 1


async def link_it_lead(bot) -> None:
    """The IT lead (a DigIT member without a municipality) gets a Teams identity."""
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dit-orsten"))
        person.tenant_id, person.aad_object_id = IT_LEAD.tenant, IT_LEAD.aad


@pytest.mark.parametrize(("user", "expected"), [
    (DV_DIRECTOR, "Samarbeidsavtalen i DigiVestland har ingen rutine for felles anskaffingar"),
    (DA_DIRECTOR, "Samarbeidsavtalen i Digitale Akershus har ingen rutine for felles anskaffelser"),
    (IT_LEAD, "Bare medlemskommunene i DigIT Midt-Buskerud og digitaliseringssjefen kan registrere"),
    (STRANGER, "Eg veit ikkje kven du er"),
], ids=["digivestland", "digitale-akershus", "no-municipality", "unknown-person"])
async def test_who_may_not_register(dit, user, expected):
    await link_it_lead(dit)
    text = await dit.say_text(user, "ny anskaffelse", locale="nb-NO")
    assert expected in text
    refused = texts(await dit.submit(user, {"action": "procurement.confirm", **FORM, "token": "0" * 32,
                                            "deadline_at": "2026-12-07T23:59:00+01:00"}, locale="nb-NO"))
    assert expected.split(" kan ")[0] in refused
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(PlannedProcurement)) == 0


async def test_unhappy_answers_non_member_own_municipality_unknown_key_bad_answer(dit):
    await link_it_lead(dit)
    key = await register(dit)
    assert "Eg veit ikkje kven du er" in await answer(dit, STRANGER, key, "ja")
    assert "DigiVestland har ingen rutine" in await answer(dit, DV_DIRECTOR, key, "ja")
    assert "Bare rådmannen eller DigIT-representanten i en medlemskommune" in await answer(dit, IT_LEAD, key, "ja")
    assert "Kommunen din registrerte ansk-2026-001 selv" in await answer(dit, SIGDAL, key, "ja")
    assert "Jeg finner ikke den anskaffelsen" in await answer(dit, MODUM, "ansk-2026-999", "ja")
    assert "Velg Ja, Nei eller Vurderer" in await answer(dit, MODUM, key, "kanskje")
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcurementAnswer)) == 0


async def test_the_lead_registers_for_a_municipality_and_an_unknown_one_is_refused(dit):
    form = texts(await dit.say(LEAD, "ny anskaffelse", locale="nb-NO"))
    assert "Kommune" in form and "Modum" in form
    refused = texts(await dit.submit(LEAD, {"action": "procurement.preview", **FORM, "municipality": "4601"},
                                     locale="nb-NO"))
    assert "Kommunen «4601» er ikke medlem i samarbeidet" in refused
    preview = await dit.submit(LEAD, {"action": "procurement.preview", **FORM, "municipality": "3316"},
                               locale="nb-NO")
    assert "Krødsherad (Marit Noresjø)" in texts(preview) and "Modum (Geir" not in texts(preview)


async def test_bad_form_input_keeps_what_was_typed(dit):
    await dit.say(SIGDAL, "ny anskaffelse", locale="nb-NO")
    missing = texts(await dit.submit(SIGDAL, {"action": "procurement.preview", **FORM, "system": ""}, locale="nb-NO"))
    assert "Skriv hvilket system" in missing and "Oppvekst" in missing
    past = texts(await dit.submit(SIGDAL, {"action": "procurement.preview", **FORM, "deadline": "1. januar 2020"},
                                  locale="nb-NO"))
    assert "Fagsystem for barnevern" in past and "Jeg forsto ikke fristen" in past


async def test_the_routine_rules_on_every_database(any_db):
    """Register, a double answer, a changed answer, Nei → one council case, then the deadline (SQLite + PostgreSQL)."""
    from dialogs.routines import procurement as rules
    from dialogs.routines import service
    from dialogs.routines.common import routines_of
    from dialogs.services import Services
    from storage.models import Municipality, Network

    clock = {"now": NOW}
    services = Services(db=any_db, now=lambda: clock["now"])
    async with any_db.session() as session:
        net = await session.scalar(select(Network).where(Network.slug == "digit-midt-buskerud"))
        routines = await routines_of(session, net)
        munis = {m.name: m for m in (await session.scalars(select(Municipality).where(
            Municipality.network_id == net.id))).all()}
        people = {p.key: p for p in (await session.scalars(select(Person).where(Person.network_id == net.id))).all()}
        draft = rules.Draft(municipality=munis["Sigdal"], kind="change", system="Økonomisystem", area="",
                            contract_end=None, value_range="gt5m", contact="", description="",
                            deadline=NOW + timedelta(days=7))
        proc, new = await service.register(session, net, draft, person=people["dit-direktor-sigdal"], token="b" * 32,
                                         now=NOW, actor="test")
        again, new_again = await service.register(session, net, draft, person=None, token="b" * 32, now=NOW,
                                                actor="test")
        assert new and not new_again and again.id == proc.id and proc.key == "ansk-2026-001"
        assert (await service.find(session, net, "ANSK-2026-001 ", lock=True)).id == proc.id  # row lock on PostgreSQL
        krod, modum = people["dit-direktor-krodsherad"], people["dit-direktor-modum"]
        assert await service.record_answer(session, proc, munis["Krødsherad"], krod, "vurderer", now=NOW, actor="t")
        assert not await service.record_answer(session, proc, munis["Krødsherad"], krod, "vurderer", now=NOW, actor="t")
        assert await service.record_answer(session, proc, munis["Modum"], modum, "nei", now=NOW, actor="t")
        first = await service.settle(session, services, routines, proc)
        second = await service.settle(session, services, routines, proc)
        assert first.council.new and second.council is None and not first.closed
        clock["now"] = proc.deadline
        with pytest.raises(rules.Refusal):
            await service.record_answer(session, proc, munis["Krødsherad"], krod, "ja", now=clock["now"], actor="t")
        closed = await service.settle(session, services, routines, proc, at_deadline=True)
        assert closed.closed and proc.outcome == "council" and proc.closed_reason == "deadline"
        assert [m.name for m in (await service.tally(session, proc)).having("vurderer")] == ["Krødsherad"]
    async with any_db.session() as session:
        cases = (await session.scalars(select(Case))).all()
        assert len(cases) == 1 and cases[0].created_by_id == people["dit-westrum"].id


async def test_the_scheduler_runs_the_deadline_and_the_initiator_and_lead_are_told(dit):
    from bot.workers.scheduler import Scheduler

    key = await register(dit)
    await answer(dit, KRODSHERAD, key, "ja")
    async with dit.db.session() as session:
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
    dit.services.now = lambda: proc.deadline + timedelta(hours=1)
    report = await Scheduler(dit.services).run_due()
    # the reminder was due too, but after the deadline it sends nothing
    assert f"procurement:{proc.id}:deadline" in report.done and report.queued == 2
    await dit.drain()
    for user in (SIGDAL, LEAD):
        told = texts(dit.connector.messages(user.personal_conversation))
        assert "Svarrunden for ansk-2026-001 (Fagsystem for barnevern) er avsluttet. Det blir felles anskaffelse." \
            in told and "Svarte ikke innen fristen: Modum." in told
    assert "Felles anskaffelse med: Sigdal, Krødsherad" in updates(dit, SIGDAL)[-1]
    assert (await Scheduler(dit.services).run_due()).ran == 0


async def test_a_council_case_is_opened_once_per_token_through_the_votes_capability(any_db):
    """dialogs/routines/council.py: one case for the council, proposed by the lead, however often it is asked."""
    from dialogs.routines.common import routines_of
    from dialogs.routines.council import open_council_case
    from dialogs.services import Services
    from storage.models import Network

    services = Services(db=any_db, now=lambda: NOW)
    async with any_db.session() as session:
        net = await session.scalar(select(Network).where(Network.slug == "digit-midt-buskerud"))
        routines = await routines_of(session, net)
        kwargs = dict(council=routines.council, proposer=routines.lead, title="Uenighet: lisenser",
                      proposal="Rådmannsutvalget beslutter.", background="Bakgrunn", token="disagreement-x",
                      actor="test")
        first = await open_council_case(session, services, net, **kwargs)
        second = await open_council_case(session, services, net, **kwargs)
        assert first.new and not second.new and second.case.id == first.case.id
        assert first.replies and not second.replies  # the case cards go out once
        body = await session.get(Body, first.case.body_id)
        assert (body.key, first.case.title, first.case.created_by_id) == (
            "radmannsutvalget", "Uenighet: lisenser", routines.lead.id)
        assert [o["key"] for o in first.case.options] == ["einig", "avstar", "ueinig"]


async def test_a_member_can_fetch_the_question_card_again_and_answer_from_it(dit):
    key = await register(dit)
    got = await dit.say(MODUM, f"anskaffelse {key}", locale="nb-NO")
    shown = texts(got)
    assert "Planlagt anskaffelse: Fagsystem for barnevern" in shown and "Bli med på felles anskaffelse?" in shown
    assert "lagret for Modum" in texts(await dit.submit(MODUM, card_data(got, "procurement.answer"), locale="nb-NO"))
    # the initiator sees the status only: Sigdal does not answer its own procurement
    assert "Bli med på felles anskaffelse?" not in await dit.say_text(SIGDAL, f"anskaffelse {key}", locale="nb-NO")


async def test_two_days_before_the_deadline_those_without_a_definite_answer_are_reminded(dit):
    from bot.workers.scheduler import Scheduler

    key = await register(dit)  # deadline 7 December 23:59
    await answer(dit, MODUM, key, "ja")
    await answer(dit, KRODSHERAD, key, "vurderer")
    async with dit.db.session() as session:
        proc = await session.scalar(select(PlannedProcurement).where(PlannedProcurement.key == key))
        job = await session.scalar(select(Job).where(Job.kind == "procurement.reminder"))
    assert job.run_at == proc.deadline - timedelta(days=2)
    dit.services.now = lambda: job.run_at + timedelta(minutes=5)
    report = await Scheduler(dit.services).run_due()
    assert report.done == [job.key] and report.queued == 1
    await dit.drain()
    reminded = texts(dit.connector.messages(KRODSHERAD.personal_conversation))
    assert "Påminnelse: Krødsherad har ikke svart på om dere vil være med på felles anskaffelse" in reminded
    assert "Påminnelse" not in texts(dit.connector.messages(MODUM.personal_conversation))
