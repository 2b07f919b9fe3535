"""Acceptance: a DigiVestland steering-group case from the form to the outcome, through Teams activities.

The people: Sigurd Vikøren (Bergen, chair), Ingrid Haugland (Alver), Håkon Strand (Askøy) and
Liv Tveit Aase (Bjørnafjorden) vote; Kari Vangsnes (KS) observes; Eirik Nesheim is the secretariat.
Askøy and Bjørnafjorden have no fixed Teams id in data/: they are linked by e-mail on first contact,
as a real member would be.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialogs.jobs import HANDLERS
from dialogs.turn import Reply
from storage.models import AuditEntry, Case
from tests.harness import (
    DV_CHAIR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    card_texts,
    message_text,
    play,
)
from tests.harness.votes import (
    ASKOY,
    BJORNAFJORDEN,
    MEMBERS,
    NOW,
    all_voters,
    card_of,
    executes,
    join,
    open_case,
    press,
    text_of,
    updates,
    vote_buttons,
    vote_rows,
)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


# --- the acceptance dialogue ---------------------------------------------------------------------


async def test_form_confirmation_and_distribution_to_the_seat_holders(bot):
    await join(bot, *MEMBERS)
    form = await bot.say_text(DV_SECRETARIAT, "ny sak")
    assert "Ny sak" in form and "Forslag til vedtak" in form and "Frist for å røyste" in form

    replies = await bot.submit(DV_SECRETARIAT, {
        "action": "vote.draft", "body": "styringsgruppa", "title": "Felles innkjøp", "proposal": "Vi kjøper inn.",
        "deadline": "1. desember kl. 12", "consent": "true"})
    confirm = message_text(replies[0])
    assert "Stadfest ny sak" in confirm and "1. desember 2026 kl. 12:00" in confirm
    assert "Einig / Avstår / Ueinig / Innsigelse" in confirm
    assert "10 med røysterett, 2 observatørar" in confirm and "Ingenting er sendt enno" in confirm
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 0  # the confirmation opens nothing

    send = next(a["data"] for a in card_of(replies[0])["actions"] if a["data"]["action"] == "vote.open")
    receipt = "\n".join(message_text(m) for m in await bot.submit(DV_SECRETARIAT, send))
    assert "Saka er opna og send ut" in receipt and "5 av 12" in receipt
    again = "\n".join(message_text(m) for m in await bot.submit(DV_SECRETARIAT, send))  # double click on send
    assert "Saka er alt opna" in again
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 1

    for user in MEMBERS:
        cards = [card_of(m) for m in bot.connector.messages(user.personal_conversation)
                 if m.get("attachments") and "Felles innkjøp" in message_text(m)]
        assert len(cards) == 1, user.key  # once each, even after the double click
        card = cards[0]
        assert card["refresh"]["action"]["verb"] == "vote.refresh"
        assert user.teams_id in card["refresh"]["userIds"]
        assert vote_buttons(card) == []  # the shared copy has no buttons: each user gets their own view
        assert "0 av 10 har røysta" in "\n".join(card_texts(card))


async def test_a_case_is_voted_on_changed_and_adopted_by_consensus(bot):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, visibility="after_vote")

    await bot.drain()
    observer = await bot.execute(DV_OBSERVER, "vote.refresh", {"case": case_id})
    assert vote_buttons(observer["value"]) == []
    assert "observatør" in text_of(observer)

    member = await bot.execute(DV_DIRECTOR, "vote.refresh", {"case": case_id})
    assert vote_buttons(member["value"]) == ["Einig", "Avstår", "Ueinig"]
    assert "Resultatet blir vist når du har røysta" in text_of(member)

    steps = [  # (who, option, reason, what they must see on the replacing card)
        (DV_DIRECTOR, "einig", "", ["Røysta di er registrert: Einig", "1 av 10 har røysta", "Einig"]),
        (ASKOY, "ueinig", "", ["Skriv ei grunngjeving når du røystar Ueinig", "1 av 10 har røysta"]),
        (ASKOY, "ueinig", "Kostnaden er ikkje avklart.", ["Røysta di er registrert: Ueinig", "2 av 10 har røysta",
                                                         "Håkon Strand: Ueinig – Kostnaden er ikkje avklart."]),
        (ASKOY, "einig", "", ["Røysta di er registrert: Einig", "versjon 2", "2 av 10 har røysta"]),
        (BJORNAFJORDEN, "avstar", "", ["Røysta di er registrert: Avstår", "3 av 10 har røysta"]),
        (DV_CHAIR, "einig", "", ["4 av 10 har røysta"]),
    ]
    for user, option, reason, expected in steps:
        seen = await press(bot, user, "vote.cast", case_id, option=option, reason=reason)
        for fragment in expected:
            assert fragment in seen, (user.key, option, fragment, seen)
    await bot.drain()

    rows = await vote_rows(bot, case_id)
    assert [(r.option, r.version) for r in rows if r.person_id == rows[1].person_id] == [("ueinig", 1), ("einig", 2)]
    async with bot.db.session() as session:
        changes = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "vote.cast"))).all()
    assert len(changes) == 5 and changes[2].details["previous"] == "ueinig"

    # the posted copies were edited in place: everyone sees the turnout, no buttons on the shared copy
    latest = updates(bot, DV_OBSERVER.personal_conversation)[-1]
    assert "4 av 10 har røysta" in message_text(latest) and vote_buttons(card_of(latest)) == []
    assert "Kostnaden" not in message_text(latest)  # results after one's own vote: the observer has none

    chair_view = await press(bot, DV_CHAIR, "vote.refresh", case_id)
    assert "Har ikkje røysta enno" in chair_view and "Rune Hjelmås" in chair_view and "Lukk saka no" in chair_view
    assert "Ingrid Haugland" not in chair_view.split("Har ikkje røysta enno")[1]
    assert "Har ikkje røysta enno" not in await press(bot, DV_DIRECTOR, "vote.refresh", case_id)

    closed = await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    assert "Konsensus: forslaget er vedteke." in closed
    await bot.drain()
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        assert (case.status, case.outcome, case.closed_reason) == ("closed", "adopted", "chair")
    latest = updates(bot, DV_OBSERVER.personal_conversation)[-1]
    assert "Konsensus: forslaget er vedteke." in message_text(latest)
    assert "Einig" in message_text(latest) and "3" in message_text(latest)  # counts shown after close
    # the secretariat who opened the case is told the outcome
    told = message_text(bot.connector.messages(DV_SECRETARIAT.personal_conversation)[-1])
    assert "er lukka" in told and "vedteke" in told


async def test_without_consensus_the_chair_records_the_decision(bot):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Budsjett 2027", visibility="at_once")
    assert "0 av 10" in await press(bot, DV_DIRECTOR, "vote.refresh", case_id)
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    seen = await press(bot, ASKOY, "vote.cast", case_id, option="ueinig", reason="For høg kostnad.")
    assert "Håkon Strand: Ueinig – For høg kostnad." in seen

    not_yet = await press(bot, DV_CHAIR, "vote.decide", case_id, decision="Vedteke.")
    assert "framleis open" in not_yet

    bot.services.now = lambda: NOW + timedelta(days=9)  # past the deadline: the scheduled job closes it
    later = await HANDLERS["case.close"](bot.services, {"case": case_id})
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        chair_id = case.decided_by_id
        assert (case.status, case.outcome, case.closed_reason) == ("closed", "awaiting_chair", "deadline")
    decision_cards = [r for r in later if isinstance(r, Reply) and r.card and r.to_person is not None]
    assert len(decision_cards) == 1 and "Leiaren avgjer" in "\n".join(card_texts(decision_cards[0].card))
    assert await HANDLERS["case.close"](bot.services, {"case": case_id}) == []  # a job that runs twice

    late = await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="avstar")
    assert "Saka er lukka" in late and "leiaren avgjer" in late
    assert len(await vote_rows(bot, case_id)) == 2

    chair_view = await bot.execute(DV_CHAIR, "vote.refresh", {"case": case_id})
    assert any(a["verb"] == "vote.decide" for a in executes(chair_view["value"]))
    assert "Du er ikkje" not in text_of(chair_view)
    refused = await press(bot, DV_DIRECTOR, "vote.decide", case_id, decision="Eg bestemmer.")
    assert "Berre leiaren" in refused
    empty = await press(bot, DV_CHAIR, "vote.decide", case_id, decision="  ")
    assert "Skriv avgjerda" in empty
    done = await press(bot, DV_CHAIR, "vote.decide", case_id, decision="Vedteke med kostnadsramme på 2 mill.")
    assert "Avgjort av leiar (Sigurd Vikøren): Vedteke med kostnadsramme på 2 mill." in done
    twice = await press(bot, DV_CHAIR, "vote.decide", case_id, decision="Noko anna.")
    assert "alt registrert" in twice
    await bot.drain()
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        assert case.outcome == "decided_by_chair" and case.outcome_text.startswith("Vedteke med")
        assert case.decided_by_id is not None and chair_id is None
    latest = updates(bot, DV_OBSERVER.personal_conversation)[-1]
    assert "Avgjort av leiar (Sigurd Vikøren)" in message_text(latest)


async def test_closes_itself_when_everyone_has_voted(bot):
    await join(bot, DV_CHAIR, DV_DIRECTOR)
    case_id = await open_case(bot, title="Lita sak", close_all="true")
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        body_voters = 10
        assert case.close_when_all_voted
    voters = await all_voters(bot)
    assert len(voters) == body_voters
    for user in voters[:-1]:
        await press(bot, user, "vote.cast", case_id, option="einig")
    last = await press(bot, voters[-1], "vote.cast", case_id, option="avstar")
    # the last seat is Stord's director: no language of his own, so his municipality's Bokmål (data/)
    assert voters[-1].key == "dv-direktor-stord" and "10 av 10 har stemt" in last and "Konsensus" in last
    async with bot.db.session() as session:
        case = await session.get(Case, case_id)
        assert (case.status, case.outcome, case.closed_reason) == ("closed", "adopted", "all_voted")


async def test_reminder_a_day_before_goes_only_to_those_who_have_not_voted(bot):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Påminning", deadline="1. desember kl. 12")
    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    async with bot.db.session() as session:
        from storage.models import Job

        jobs = {j.kind: j for j in (await session.scalars(select(Job))).all() if j.key.startswith(f"case:{case_id}:")}
    assert jobs["case.reminder"].run_at == jobs["case.close"].run_at - timedelta(days=1)
    bot.services.now = lambda: jobs["case.reminder"].run_at
    replies = await HANDLERS["case.reminder"](bot.services, {"case": case_id})
    async with bot.db.session() as session:
        from storage.models import Person

        people = {r.to_person: await session.get(Person, r.to_person) for r in replies}
    names = {p.name for p in people.values()}
    assert len(names) == 9 and "Ingrid Haugland" not in names and "Kari Vangsnes" not in names
    # each in their language: Stord's director has none of his own, so his municipality's Bokmål (data/)
    assert all(("du har ikke stemt" if people[r.to_person].key == "dv-direktor-stord" else "du har ikkje røysta")
               in "\n".join(card_texts(r.card)) for r in replies)
    assert len({r.dedupe_key for r in replies}) == 9


# --- the chair closes a case, as a dialogue table: (who, sends or presses, must show, must not show) ----

CLOSE_TITLE = "Felles vedlikehald av kartløysing"
CLOSING = [
    (DV_SECRETARIAT, "ny sak", ["Ny sak", "Forslag til vedtak"], ["Berre sekretariatet"]),
    (DV_SECRETARIAT, {"press": "Vidare", "body": "styringsgruppa", "title": CLOSE_TITLE,
                      "deadline": "1. desember kl. 12", "proposal": "Styringsgruppa sluttar seg til."},
     ["Stadfest ny sak", "Ingenting er sendt enno"], []),
    (DV_SECRETARIAT, {"press": "Opne saka og send ut"}, ["Saka er opna og send ut"], []),
    (DV_DIRECTOR, None, [CLOSE_TITLE, "Einig", "Ueinig"], ["Røysta di er registrert"]),
    (DV_DIRECTOR, {"press": "Einig"}, ["Røysta di er registrert: Einig"], ["Skriv ei grunngjeving"]),
    (DV_DIRECTOR, "saker", [CLOSE_TITLE], ["Lukk saka no"]),  # a member cannot close the case
    (DV_CHAIR, "saker", [CLOSE_TITLE], []),
    (DV_CHAIR, {"press": "Vis saka"}, [CLOSE_TITLE, "Lukk saka no"], []),
    (DV_CHAIR, {"press": "Lukk saka no"}, ["Lukke saka no?", "kan ikkje røyste etterpå", "Ja, lukk saka"],
     ["Konsensus"]),  # asked first: nothing is closed yet
    (DV_CHAIR, {"press": "Ja, lukk saka"}, ["Konsensus: forslaget er vedteke."], ["Lukke saka no?"]),
]


async def test_the_chair_closes_a_case_after_saying_yes_to_what_closing_does(bot):
    for user in MEMBERS:
        bot.member(user)
        await bot.install(user)
    await play(bot, CLOSING)
    async with bot.db.session() as session:
        case = await session.scalar(select(Case).where(Case.title == CLOSE_TITLE))
    assert (case.status, case.outcome) == ("closed", "adopted")
