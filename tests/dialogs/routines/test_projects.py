"""Project checks (DigIT §5) and disagreements (§7) as dialogues."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.models import Body, Case, Person
from storage.models.routines import InnovationProject, ProjectCheck
from tests.harness import DV_DIRECTOR, STRANGER, TeamsUser, card_data, message_text, texts
from tests.harness.routines import KRODSHERAD, LEAD, MODUM, SIGDAL

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Two DigIT representatives get Teams identities for these tests.
REP_MODUM = TeamsUser("dit-aspheim", "Anne-Bjørg Aspheim", "00000000-0000-0000-0000-0000000000c1")
REP_SIGDAL = TeamsUser("dit-harm", "Jostein Harm", "00000000-0000-0000-0000-0000000000c2")


@pytest.fixture
async def dit(bot):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        for user in (REP_MODUM, REP_SIGDAL):
            person = await session.scalar(select(Person).where(Person.key == user.key))
            person.tenant_id, person.aad_object_id = user.tenant, user.aad
    for user in (SIGDAL, MODUM, KRODSHERAD, LEAD, REP_MODUM, REP_SIGDAL):
        await bot.install(user, locale="nb-NO")
    return bot


async def register_project(bot, user=REP_SIGDAL, title="Digitalt besøksregister") -> str:
    form = await bot.say(user, "nytt prosjekt", locale="nb-NO")
    assert "Tjenesteinnovasjonsprosjekt til avsjekk" in texts(form)
    data = card_data(form, "project.register")
    done = texts(await bot.submit(user, {**data, "title": title, "description": "Innsjekking på sykehjemmet."},
                                  locale="nb-NO"))
    assert "registrert som prosj-2026-001" in done
    await bot.drain()
    return "prosj-2026-001"


async def test_a_project_is_checked_by_the_digit_members_and_the_answers_are_kept(dit):
    await register_project(dit)
    got = texts(dit.connector.messages(REP_MODUM.personal_conversation))
    assert "Avsjekk: Digitalt besøksregister" in got and "I henhold til regionalt arbeid" in got
    assert "Avsjekk: Digitalt besøksregister" in texts(dit.connector.messages(LEAD.personal_conversation))
    # the one who registered is not asked to check their own project
    assert "Din vurdering" not in texts(dit.connector.messages(REP_SIGDAL.personal_conversation))

    saved = texts(await dit.submit(REP_MODUM, {"action": "project.check", "project": "prosj-2026-001",
                                               "verdict": "overlaps", "comment": "Modum piloterer det samme."},
                                   locale="nb-NO"))
    assert "Avsjekken din av Digitalt besøksregister er lagret: Overlapper med pågående arbeid" in saved
    again = texts(await dit.submit(REP_MODUM, {"action": "project.check", "project": "prosj-2026-001",
                                               "verdict": "overlaps", "comment": "Modum piloterer det samme."},
                                   locale="nb-NO"))
    assert "allerede lagret den samme avsjekken" in again
    await dit.submit(LEAD, {"action": "project.check", "project": "prosj-2026-001", "verdict": "fits"},
                     locale="nb-NO")
    await dit.drain()
    async with dit.db.session() as session:
        project = await session.scalar(select(InnovationProject).where(InnovationProject.key == "prosj-2026-001"))
        checks = (await session.execute(select(Person.key, ProjectCheck.verdict, ProjectCheck.comment).join(
            Person, Person.id == ProjectCheck.person_id).where(ProjectCheck.project_id == project.id)
            .order_by(ProjectCheck.id))).all()
    assert [tuple(c) for c in checks] == [("dit-aspheim", "overlaps", "Modum piloterer det samme."),
                                          ("dit-westrum", "fits", "")]
    told = texts(dit.connector.messages(REP_SIGDAL.personal_conversation))
    assert "Anne-Bjørg Aspheim har sjekket Digitalt besøksregister: Overlapper med pågående arbeid" in told


async def test_project_check_unhappy_paths(dit):
    await register_project(dit)
    # a chief executive is not a member of DigIT: may not check
    refused = texts(await dit.submit(MODUM, {"action": "project.check", "project": "prosj-2026-001",
                                             "verdict": "fits"}, locale="nb-NO"))
    assert "Bare medlemmene i DigIT kan sjekke prosjekter" in refused
    unknown = texts(await dit.submit(REP_MODUM, {"action": "project.check", "project": "prosj-2026-404",
                                                 "verdict": "fits"}, locale="nb-NO"))
    assert "Jeg finner ikke det prosjektet" in unknown
    no_verdict = texts(await dit.submit(REP_MODUM, {"action": "project.check", "project": "prosj-2026-001"},
                                        locale="nb-NO"))
    assert "Velg en vurdering" in no_verdict
    assert "ingen rutine" in await dit.say_text(DV_DIRECTOR, "nytt prosjekt")
    assert "Eg veit ikkje kven du er" in await dit.say_text(STRANGER, "nytt prosjekt")
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProjectCheck)) == 0


async def test_registering_the_same_project_form_twice_keeps_one(dit):
    form = await dit.say(SIGDAL, "nytt prosjekt", locale="nb-NO")
    data = {**card_data(form, "project.register"), "title": "Velferdsteknologi"}
    await dit.submit(SIGDAL, data, locale="nb-NO")
    again = texts(await dit.submit(SIGDAL, data, locale="nb-NO"))
    assert "allerede registrert som prosj-2026-001" in again
    missing = texts(await dit.submit(SIGDAL, {**card_data(form, "project.register"), "title": " "}, locale="nb-NO"))
    assert "Skriv en tittel" in missing
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InnovationProject)) == 1


async def test_a_disagreement_becomes_a_council_case_proposed_by_the_lead(dit):
    form = await dit.say(MODUM, "meld uenighet", locale="nb-NO")
    assert "Avtalen punkt 7" in texts(form) and "Rådmannsutvalget i Midt-Buskerud" in texts(form)
    data = {**card_data(form, "disagreement.raise"), "title": "Fordeling av lisenskostnader",
            "description": "Modum mener fordelingen bør følge innbyggertall."}
    opened = texts(await dit.submit(MODUM, data, locale="nb-NO"))
    assert "lagt frem for Rådmannsutvalget i Midt-Buskerud" in opened
    await dit.drain()
    async with dit.db.session() as session:
        cases = (await session.scalars(select(Case))).all()
        body = await session.get(Body, cases[0].body_id)
        proposer = await session.get(Person, cases[0].created_by_id)
    assert len(cases) == 1 and cases[0].title == "Uenighet: Fordeling av lisenskostnader"
    assert body.key == "radmannsutvalget" and proposer.key == "dit-westrum"
    assert "Modum mener fordelingen" in cases[0].background and "Geir Olav Kjos" in cases[0].background
    assert "Geir Olav Kjos har meldt uenighet" in texts(dit.connector.messages(LEAD.personal_conversation))

    again = texts(await dit.submit(MODUM, data, locale="nb-NO"))  # the same form sent twice
    assert f"allerede lagt frem som {cases[0].key}" in again
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 1


async def test_disagreement_unhappy_paths(dit):
    form = await dit.say(KRODSHERAD, "meld uenighet", locale="nb-NO")
    empty = texts(await dit.submit(KRODSHERAD, {**card_data(form, "disagreement.raise"), "title": "Lisenser"},
                                   locale="nb-NO"))
    assert "Skriv hva uenigheten gjelder" in empty and "Lisenser" in empty
    stale = texts(await dit.submit(KRODSHERAD, {"action": "disagreement.raise", "title": "x", "description": "y"},
                                   locale="nb-NO"))
    assert "ikke gyldig lenger" in stale
    assert "ingen rutine" in await dit.say_text(DV_DIRECTOR, "meld usemje")
    assert "Eg veit ikkje kven du er" in await dit.say_text(STRANGER, "meld usemje")
    async with dit.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 0
    assert all("Uenighet" not in message_text(m) for m in dit.connector.messages(LEAD.personal_conversation))
