"""The routines capability's rules with plain values and in-memory rows: no database, no HTTP.

The joint procurement routine of DigIT (§6): what a municipality notices when it registers a
planned procurement (a refusal and its reason, the deadline read), when it answers (closed
rounds), and how the answers are tallied; the portfolio edit card's checks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dialogs.i18n import OSLO, t
from dialogs.refusal import Refusal
from dialogs.routines import common, portfolio, procurement
from storage.models import Municipality
from storage.models.routines import PlannedProcurement, PortfolioItem, ProcurementAnswer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MODUM = Municipality(id=1, network_id=3, number="3316", name="Modum", member=True)
SIGDAL = Municipality(id=2, network_id=3, number="3332", name="Sigdal", member=True)
KRODSHERAD = Municipality(id=3, network_id=3, number="3318", name="Krødsherad", member=True)
MEMBERS = [MODUM, SIGDAL, KRODSHERAD]


def said(refusal: Refusal, lang: str = "nb") -> str:
    return t(refusal.key, lang, **refusal.values)


def form(**fields) -> dict:
    return {"municipality": "3332", "kind": "purchase", "system": "Sak/arkiv", "deadline": "7. desember", **fields}


def refused(data: dict, fixed: Municipality | None = None) -> Refusal:
    with pytest.raises(Refusal) as caught:
        procurement.parse_form(data, "nb", NOW, MEMBERS, fixed)
    return caught.value


# --- registering --------------------------------------------------------------------------------


def test_a_filled_in_registration_becomes_a_draft_with_the_deadline_at_the_end_of_the_day():
    draft = procurement.parse_form(form(area="Arkiv", contract_end="2027-06-30", value_range="1m-5m",
                                        contact="Kari <kari@sigdal.kommune.no>", description=" Ny løysing "),
                                   "nb", NOW, MEMBERS, None)
    assert draft.municipality is SIGDAL and draft.kind == "purchase" and draft.system == "Sak/arkiv"
    assert draft.deadline == datetime(2026, 12, 7, 23, 59, tzinfo=OSLO)
    assert draft.contract_end == date(2027, 6, 30) and draft.value_range == "1m-5m"
    assert draft.description == "Ny løysing"


def test_a_municipality_user_always_registers_for_their_own_municipality_whatever_the_card_says():
    draft = procurement.parse_form(form(municipality="3316"), "nb", NOW, MEMBERS, SIGDAL)
    assert draft.municipality is SIGDAL


def test_the_lead_must_choose_a_member_municipality():
    assert said(refused(form(municipality=""))) == "Velg kommunen anskaffelsen gjelder."
    assert refused(form(municipality="0301")).values == {"value": "0301"}


@pytest.mark.parametrize(("fields", "key"), [
    ({"kind": "lease"}, "routines.missing_kind"),
    ({"kind": ""}, "routines.missing_kind"),
    ({"system": "   "}, "routines.missing_system"),
    ({"system": "s" * 201}, "routines.too_long"),
    ({"deadline": ""}, "routines.missing_deadline"),
    ({"deadline": "snart"}, "routines.deadline_unreadable"),
    ({"deadline": "i går"}, "routines.deadline_unreadable"),  # a past day: parse_when says why
    ({"deadline": "", "deadline_at": "2026-12-07T23:59:00"}, "routines.deadline_unreadable"),  # no time zone
    ({"deadline": "", "deadline_at": "2026-11-20T23:59:00+01:00"}, "routines.deadline_past"),
    ({"contract_end": "en gang i framtida"}, "routines.contract_end_unreadable"),
])
def test_a_registration_with_a_problem_is_refused_with_that_problem(fields, key):
    refusal = refused(form(**fields))
    assert refusal.key == key and said(refusal) != key


def test_a_past_deadline_tells_the_user_that_the_day_has_been():
    assert "22. november 2026 har allerede vært" in said(refused(form(deadline="i går")))


def test_an_unknown_value_range_is_stored_as_unknown_and_a_contract_end_may_be_a_phrase():
    draft = procurement.parse_form(form(value_range="enormous", contract_end="30. juni 2027"), "nb", NOW,
                                   MEMBERS, None)
    assert draft.value_range == "unknown" and draft.contract_end == date(2027, 6, 30)


def test_the_confirmed_preview_keeps_the_exact_instant():
    draft = procurement.parse_form(form(deadline="", deadline_at="2026-12-07T23:59:00+01:00"), "nb", NOW,
                                   MEMBERS, None)
    assert draft.deadline == datetime(2026, 12, 7, 22, 59, tzinfo=UTC)


def test_read_deadline_reads_relative_phrases_to_the_end_of_that_day_in_oslo():
    assert procurement.read_deadline("om to uker", "nb", NOW) == datetime(2026, 12, 7, 23, 59, tzinfo=OSLO)
    assert procurement.read_deadline("i dag", "nb", NOW) == datetime(2026, 11, 23, 23, 59, tzinfo=OSLO)
    assert procurement.read_deadline("i morgen kl. 12", "nb", NOW) == datetime(2026, 11, 24, 12, 0, tzinfo=OSLO)


def test_the_kind_of_procurement_is_named_in_the_readers_language():
    assert procurement.kind_label("purchase", "nb") == "Kjøp av ny løsning"
    assert procurement.kind_label("change", "nn") == "Byte eller endring av løysing"
    assert procurement.kind_label("renegotiation", "nb") == "Reforhandling av avtale"


def test_a_text_is_trimmed_and_refused_over_its_limit_with_the_length():
    assert common.clean("  Sak/arkiv  ") == "Sak/arkiv" and common.clean(None) == ""
    with pytest.raises(Refusal) as caught:
        common.clean("x" * 301, 300)
    assert said(caught.value) == "Teksten er for lang (301 tegn, maks 300)."


# --- answering ----------------------------------------------------------------------------------


def proc(**fields) -> PlannedProcurement:
    values = {"id": 5, "network_id": 3, "key": "ansk-2026-001", "municipality_id": SIGDAL.id, "kind": "purchase",
              "system": "Sak/arkiv", "deadline": NOW + timedelta(days=14), "status": "open"}
    return PlannedProcurement(**{**values, **fields})


def test_answers_are_taken_until_the_deadline_and_refused_from_it_naming_the_procurement():
    procurement.check_open(proc(), NOW)
    for closed in (proc(deadline=NOW), proc(status="closed")):
        with pytest.raises(Refusal) as caught:
            procurement.check_open(closed, NOW)
        assert said(caught.value).startswith("Svarrunden for ansk-2026-001 er avsluttet")


def tally(*answers: tuple[Municipality, str]) -> procurement.Tally:
    return procurement.Tally(initiator=SIGDAL, asked=[MODUM, KRODSHERAD],
                             answers={m.id: ProcurementAnswer(municipality_id=m.id, answer=a) for m, a in answers})


def test_the_tally_says_who_answered_what_and_who_has_not():
    state = tally((MODUM, "nei"))
    assert state.having("nei") == [MODUM] and state.having("ja") == [] and state.missing == [KRODSHERAD]
    assert not state.settled


def test_the_round_is_settled_when_everyone_asked_has_a_definite_answer():
    assert tally((MODUM, "ja"), (KRODSHERAD, "nei")).settled
    assert not tally((MODUM, "ja"), (KRODSHERAD, "vurderer")).settled  # still considering
    assert procurement.Tally(initiator=SIGDAL, asked=[]).settled  # nobody else to ask


def test_a_member_answers_ja_nei_or_vurderer_but_never_to_its_own_registration():
    for answer in ("ja", "nei", "vurderer"):
        procurement.check_answer(proc(), MODUM, answer, NOW)
    with pytest.raises(Refusal) as bad:
        procurement.check_answer(proc(), MODUM, "kanskje", NOW)
    assert bad.value.key == "routines.bad_answer"
    with pytest.raises(Refusal) as own:
        procurement.check_answer(proc(), SIGDAL, "ja", NOW)
    assert own.value.key == "routines.proc_own" and "ansk-2026-001" in said(own.value)
    with pytest.raises(Refusal) as late:
        procurement.check_answer(proc(deadline=NOW), MODUM, "ja", NOW)
    assert late.value.key == "routines.proc_closed"


def test_a_closed_round_ends_in_a_joint_procurement_a_council_case_both_or_neither():
    assert procurement.outcome_of(joint=True, council=True) == "joint_and_council"
    assert procurement.outcome_of(joint=True, council=False) == "joint"
    assert procurement.outcome_of(joint=False, council=True) == "council"
    assert procurement.outcome_of(joint=False, council=False) == "no_answer"


# --- the portfolio edit card ----------------------------------------------------------------------


def test_a_budget_may_be_typed_with_spaces_dots_or_kr_and_is_stored_in_whole_kroner():
    for typed in ("1 500 000", "1.500.000 kr", "1\u00a0500\u00a0000 NOK", "1500000"):
        assert portfolio.parse_edit({"status": "active", "budget": typed}, {})["budget_nok"] == 1_500_000
    assert portfolio.parse_edit({"status": "active", "budget": ""}, {})["budget_nok"] is None


def test_the_budget_shown_is_the_budget_typed_back():
    shown = portfolio.money(1_500_000, "nb")
    assert shown == "1\u00a0500\u00a0000 kr"
    assert portfolio.parse_edit({"status": "active", "budget": shown}, {})["budget_nok"] == 1_500_000
    assert portfolio.money(None, "nb") == ""


@pytest.mark.parametrize(("data", "key"), [
    ({"status": "abandoned"}, "routines.portfolio_bad_status"),
    ({"status": "active", "budget": "1,5 mill"}, "routines.portfolio_bad_budget"),
    ({"status": "active", "owner": "0301"}, "routines.unknown_municipality"),
    ({"status": "active", "milestone_date": "neste vår"}, "routines.deadline_unreadable"),
])
def test_a_portfolio_edit_with_a_problem_is_refused_with_that_problem(data, key):
    with pytest.raises(Refusal) as caught:
        portfolio.parse_edit(data, {"3332": SIGDAL.id})
    assert caught.value.key == key


def test_a_portfolio_edit_sets_the_owner_and_milestone():
    values = portfolio.parse_edit({"status": "paused", "owner": "3332", "milestone": " Pilot ",
                                   "milestone_date": "2027-03-01"}, {"3332": SIGDAL.id})
    assert values == {"status": "paused", "budget_nok": None, "next_milestone": "Pilot",
                      "next_milestone_date": date(2027, 3, 1), "owner_municipality_id": SIGDAL.id}


def test_the_owner_and_milestone_are_shown_by_name_and_date():
    item = PortfolioItem(key="p1", kind="project", name="Felles sak/arkiv", owner_municipality_id=SIGDAL.id,
                         owner_text="", next_milestone="Pilot", next_milestone_date=date(2027, 3, 1))
    assert portfolio.owner_name(item, {SIGDAL.id: "Sigdal"}) == "Sigdal"
    assert portfolio.milestone(item, "nb") == "Pilot (mandag 1. mars 2027)"
    other = PortfolioItem(key="p2", kind="expert_group", name="Faggruppe", owner_municipality_id=None,
                          owner_text="", next_milestone="", next_milestone_date=None)
    assert portfolio.owner_name(other, {}) == "–" and portfolio.milestone(other, "nb") == ""


# --- who speaks for a municipality ----------------------------------------------------------------


def viewer(roles: list[str], municipality: Municipality | None = SIGDAL, network_id: int = 3, person_id: int = 9,
           seats: list | None = None):
    from dialogs.turn import Sender
    from dialogs.viewer import Viewer
    from storage.models import Network, Person

    person = Person(id=person_id, network_id=network_id, name="Kari", roles=roles, municipality=municipality)
    return Viewer(sender=Sender("t", "a"), lang="nb", person=person,
                  network=Network(id=network_id, slug="digit-midt-buskerud", name="DigIT", language="nb"),
                  seats=seats or [])


def test_the_chief_executive_or_the_digit_representative_answers_for_their_municipality():
    assert common.speaks_for(viewer(["director"])) is SIGDAL
    assert common.speaks_for(viewer(["representative"])) is SIGDAL  # "full mandate" (DigIT §3)


def test_others_in_the_municipality_and_people_elsewhere_answer_for_none():
    assert common.speaks_for(viewer(["mayor"])) is None
    assert common.own_municipality(viewer(["mayor"])) is SIGDAL
    outside = Municipality(id=9, network_id=3, number="3305", name="Ringerike", member=False)
    assert common.speaks_for(viewer(["director"], municipality=outside)) is None
    assert common.speaks_for(viewer(["director"], network_id=1)) is None  # a municipality of another network
    assert common.speaks_for(viewer(["director"], municipality=None)) is None


def test_the_digitalisation_lead_and_the_secretariat_lead_the_routine():
    from dialogs.viewer import SeatView
    from storage.models import Person

    lead = Person(id=24, network_id=3, name="Anette Westrum")
    routines = common.Routines(settings=None, council=None, lead=lead)
    assert common.is_lead(viewer([], municipality=None, person_id=24), routines)
    assert common.is_lead(viewer(["secretariat"], municipality=None), routines)
    assert common.is_lead(viewer([], municipality=None, seats=[SeatView("sek", "Sekretariatet", "secretariat",
                                                                        "member")]), routines)
    assert not common.is_lead(viewer(["director"]), routines)
    assert not common.is_lead(viewer(["director"]), common.Routines(settings=None, council=None, lead=None))
