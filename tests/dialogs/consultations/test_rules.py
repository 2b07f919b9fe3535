"""The consultations capability's rules with plain values and in-memory rows: no database, no HTTP.

What a director notices: whether the consultation still takes answers, which problem in the
answer card is named, how many days are left; what the secretariat notices: the export cells.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from dialogs.consultations import export, manage, rules, status, views
from dialogs.i18n import OSLO, t
from dialogs.refusal import Refusal
from storage.models import Consultation, Municipality, Organisation

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUESTIONS = [
    {"key": "hovudsyn", "kind": "choice", "required": True,
     "label": {"nn": "Hovudsyn på utkastet", "nb": "Hovedsyn på utkastet", "en": "Overall view"},
     "options": [{"nn": "Støttar utkastet", "nb": "Støtter utkastet", "en": "Supports the draft"},
                 {"nn": "Støttar ikkje", "nb": "Støtter ikke", "en": "Does not support"}]},
    {"key": "merknader", "kind": "text", "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}},
]
ALVER = Municipality(id=1, network_id=1, number="4631", name="Alver", member=True)
MASFJORDEN = Municipality(id=2, network_id=1, number="4634", name="Masfjorden", member=True)
NORDHORDLAND = Organisation(id=7, network_id=1, key="region-nordhordland", name="Region Nordhordland",
                            kind="regional_body", covers=["4631", "4634"])


def said(refusal: Refusal, lang: str = "nn") -> str:
    return t(refusal.key, lang, **refusal.values)


def consultation(*, status_: str = "open", deadline: datetime = NOW + timedelta(days=10)) -> Consultation:
    return Consultation(id=3, network_id=1, key="test-hoyring", title="Høyring om prioriteringar 2027",
                        deadline=deadline, status=status_, questions=QUESTIONS, revision=1,
                        contact="Tove Bech <tove.bech@bergen.kommune.no>")


ALONE = rules.Party(municipalities=[ALVER])
JOINTLY = rules.Party(municipalities=[ALVER, MASFJORDEN], organisation=NORDHORDLAND)


def parse(form: dict, party: rules.Party = ALONE, bodies: list[Organisation] | None = None) -> rules.Draft:
    return rules.parse_form(consultation(), form, party, [NORDHORDLAND] if bodies is None else bodies)


# --- open or closed ---------------------------------------------------------------------------


def test_an_open_consultation_before_its_deadline_takes_answers():
    rules.check_open(consultation(), NOW)
    rules.check_open(consultation(deadline=NOW), NOW)  # up to the deadline itself
    assert not status.is_closed(consultation(deadline=NOW), NOW)


def test_after_the_deadline_it_is_closed_and_the_refusal_names_whom_to_contact():
    for closed in (consultation(deadline=NOW - timedelta(seconds=1)), consultation(status_="closed")):
        assert status.is_closed(closed, NOW)
        with pytest.raises(Refusal) as refused:
            rules.check_open(closed, NOW)
        assert refused.value.key == "consultations.closed"
        assert refused.value.values == {"contact": "Tove Bech <tove.bech@bergen.kommune.no>"}


def test_a_draft_consultation_is_not_open_yet_and_says_so():
    with pytest.raises(Refusal) as refused:
        rules.check_open(consultation(status_="draft"), NOW)
    assert said(refused.value) == "Høyringa er ikkje opna enno."
    assert not status.is_closed(consultation(status_="draft", deadline=NOW - timedelta(days=1)), NOW)


@pytest.mark.parametrize(("deadline", "now", "left"), [
    (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 10),
    (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), datetime(2026, 12, 3, 6, 0, tzinfo=UTC), 0),  # on the day
    (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), datetime(2026, 12, 5, 6, 0, tzinfo=UTC), -2),
    # 00:30 on 4 December in Oslo is 23:30 on 3 December in UTC: the Oslo day counts
    (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), datetime(2026, 12, 3, 12, 0, tzinfo=UTC), 1),
    (datetime(2026, 12, 4, 12, 0, tzinfo=UTC), datetime(2026, 12, 3, 23, 30, tzinfo=UTC), 0),
])
def test_days_left_counts_calendar_days_in_oslo(deadline, now, left):
    assert status.days_left(deadline, now) == left


# --- the answer card --------------------------------------------------------------------------


def test_an_individual_answer_keeps_what_was_typed_trimmed():
    draft = parse({"kind": "individual", "q_hovudsyn": "Støttar utkastet", "q_merknader": "  Kapittel 3 er bra. ",
                   "note": " takk "})
    assert draft.kind == "individual" and draft.on_behalf_of is None
    assert draft.answers == {"hovudsyn": "Støttar utkastet", "merknader": "Kapittel 3 er bra."}
    assert draft.note == "takk"


def test_a_choice_may_be_given_in_any_of_the_three_languages_but_nothing_else():
    assert parse({"kind": "individual", "q_hovudsyn": "Does not support"}).answers == {"hovudsyn": "Does not support"}
    with pytest.raises(Refusal) as refused:
        parse({"kind": "individual", "q_hovudsyn": "Støttar nesten"})
    assert said(refused.value) == "Eit av vala finst ikkje på høyringa."


def test_no_kind_chosen_is_refused():
    for kind in ("", "maybe", None):
        with pytest.raises(Refusal) as refused:
            parse({"kind": kind, "q_hovudsyn": "Støttar utkastet"})
        assert said(refused.value) == "Vel korleis de svarar."


def test_an_individual_answer_without_any_answer_is_refused():
    with pytest.raises(Refusal) as refused:
        parse({"kind": "individual", "q_hovudsyn": "  "})
    assert said(refused.value) == "Fyll ut minst eitt av spørsmåla for eige innspel."


def test_an_individual_answer_missing_a_required_question_names_it():
    with pytest.raises(Refusal) as refused:
        parse({"kind": "individual", "q_merknader": "Berre merknader"})
    assert said(refused.value) == "Desse felta manglar: hovudsyn"


def test_a_joint_answer_from_a_municipality_must_name_the_regional_body():
    with pytest.raises(Refusal) as refused:
        parse({"kind": "joint"})
    assert said(refused.value) == "Vel det regionale organet som svarar for dykk."
    with pytest.raises(Refusal):
        parse({"kind": "joint", "on_behalf_of": "region-sunnfjord"})  # not one that covers us
    draft = parse({"kind": "joint", "on_behalf_of": "region-nordhordland"})
    assert draft.on_behalf_of is NORDHORDLAND and draft.answers == {}


def test_a_regional_body_always_answers_jointly_for_itself_whatever_the_card_says():
    draft = parse({"kind": "individual", "on_behalf_of": "someone-else"}, party=JOINTLY, bodies=[])
    assert draft.kind == "joint" and draft.on_behalf_of is NORDHORDLAND
    assert JOINTLY.label == "Region Nordhordland" and ALONE.label == "Alver"


def test_no_input_may_carry_the_councils_own_date_and_refuses_a_date_that_is_not_one():
    draft = parse({"kind": "no_input", "own_council_date": "2026-12-10"})
    assert draft.own_council_date == date(2026, 12, 10) and draft.answers == {}
    assert parse({"kind": "no_input", "own_council_date": " "}).own_council_date is None
    with pytest.raises(Refusal) as refused:
        parse({"kind": "no_input", "own_council_date": "10. desember"})
    assert said(refused.value) == "«10. desember» er ikkje ein dato."


def test_a_text_over_ten_thousand_characters_is_refused_and_nothing_stored():
    for form in ({"kind": "individual", "q_hovudsyn": "Støttar utkastet", "q_merknader": "x" * 10_001},
                 {"kind": "no_input", "note": "y" * 10_001}):
        with pytest.raises(Refusal) as refused:
            parse(form)
        assert said(refused.value) == "Teksten er for lang (10001 teikn). Maks er 10000. Ingenting er lagra."
    assert parse({"kind": "individual", "q_merknader": "x" * 10_000,
                  "q_hovudsyn": "Støttar utkastet"}).answers["merknader"] == "x" * 10_000


def test_the_same_answer_twice_has_the_same_content_and_a_changed_one_does_not():
    first = parse({"kind": "individual", "q_hovudsyn": "Støttar utkastet", "q_merknader": "A"})
    again = parse({"kind": "individual", "q_merknader": "A", "q_hovudsyn": "Støttar utkastet"})
    changed = parse({"kind": "individual", "q_hovudsyn": "Støttar utkastet", "q_merknader": "B"})
    assert first.content() == again.content() != changed.content()


def test_the_questions_are_shown_in_the_readers_language_with_values_in_the_networks():
    shown = views.questions_of(consultation(), "en", "nn")
    assert [(q.key, q.label, q.required) for q in shown] == [("hovudsyn", "Overall view", True),
                                                            ("merknader", "Remarks", False)]
    assert shown[0].options == ["Støttar utkastet", "Støttar ikkje"]  # what is stored is the network's wording


# --- the secretariat's side -------------------------------------------------------------------


@pytest.mark.parametrize(("title", "key"), [
    ("Høyring om prioriteringar 2027", "hoyring-om-prioriteringar-2027"),
    ("Ærlig talt: Økonomi & Så vidare", "aerlig-talt-okonomi-sa-vidare"),
    ("!!!", "hoyring"),
    ("x" * 80, "x" * 60),
])
def test_a_new_consultation_gets_a_readable_key_from_its_title(title, key):
    assert manage.slug(title) == key


def test_export_cells_show_oslo_time_plain_dates_and_nothing_for_none():
    assert export._cell(datetime(2026, 12, 3, 11, 0, tzinfo=UTC)) == "2026-12-03T12:00:00+01:00"
    assert export._cell(date(2026, 12, 10)) == "2026-12-10"
    assert export._cell(["4631", "4634"]) == "4631; 4634"
    assert export._cell(None) == "" and export._cell(3) == 3


def test_the_csv_export_opens_in_excel_with_norwegian_letters():
    data = export.to_csv(["municipality", "answer:hovudsyn"], [{"municipality": "Bjørnafjorden",
                                                                "answer:hovudsyn": "Støttar ikkje"}])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [{"municipality": "Bjørnafjorden", "answer:hovudsyn": "Støttar ikkje"}]


def test_the_status_counts_each_kind_and_lists_who_has_not_answered():
    state = status.ConsultationStatus(
        network="digivestland", key="test-hoyring", title="T", deadline=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        closed=False, days_left=10, members=3, by_kind={"joint": 1, "individual": 1, "no_input": 0},
        municipalities=[status.MunicipalityState("4631", "Alver", kind="joint"),
                        status.MunicipalityState("4634", "Masfjorden"),
                        status.MunicipalityState("4601", "Bergen", kind="individual")])
    assert state.answered == 2 and [m.name for m in state.not_answered] == ["Masfjorden"]
    shown = state.as_json()
    assert shown["deadline"] == datetime(2026, 12, 3, 12, 0, tzinfo=OSLO).isoformat()
    assert shown["not_answered"] == [{"number": "4634", "name": "Masfjorden"}]
    assert [r["name"] for r in shown["responses"]] == ["Alver", "Bergen"]


def test_reminders_go_seven_and_one_days_before_unless_configured_within_sixty_days(monkeypatch):
    from dialogs.consultations import reminders

    monkeypatch.delenv("CONSULTATION_REMINDER_DAYS", raising=False)
    assert reminders.default_days() == (7, 1)
    monkeypatch.setenv("CONSULTATION_REMINDER_DAYS", "3, 14,3")
    assert reminders.default_days() == (14, 3)
    for unusable in ("sju", "0", "90", ""):
        monkeypatch.setenv("CONSULTATION_REMINDER_DAYS", unusable)
        assert reminders.default_days() == (7, 1)


def test_a_new_consultation_asks_the_overall_view_required_and_remarks_optional():
    assert [(q["key"], q["kind"], q["required"]) for q in manage.DEFAULT_QUESTIONS] == [
        ("hovudsyn", "choice", True), ("merknader", "text", False)]
    draft = rules.parse_form(Consultation(questions=manage.DEFAULT_QUESTIONS), {"kind": "individual",
                             "q_hovudsyn": "Støtter med endringer"}, ALONE, [])
    assert draft.answers == {"hovudsyn": "Støtter med endringer"}


# --- whom a person answers for (from the stored person and the municipalities already read) ---


def viewer_of(*, roles: list[str], municipality: Municipality | None = ALVER,
              organisation: Organisation | None = None):
    from dialogs.turn import Sender
    from dialogs.viewer import Viewer
    from storage.models import Network, Person

    network = Network(id=1, slug="digivestland", name="DigiVestland", language="nn")
    person = Person(id=5, network_id=1, name="Kari Nilsen", roles=roles, municipality=municipality,
                    organisation=organisation)
    return Viewer(sender=Sender("t", "a"), lang="nn", person=person, network=network)


def test_a_director_answers_for_her_own_member_municipality():
    party = rules.party_for(viewer_of(roles=["director"]), [])
    assert [m.name for m in party.municipalities] == ["Alver"] and party.organisation is None
    assert party.label == "Alver"


def test_a_regional_body_answers_jointly_for_the_members_it_covers():
    party = rules.party_for(viewer_of(roles=["coordinator"], municipality=None, organisation=NORDHORDLAND),
                            [ALVER, MASFJORDEN])
    assert party.label == "Region Nordhordland" and len(party.municipalities) == 2


def test_who_may_not_answer_is_told_why():
    outsider = Municipality(id=9, network_id=1, number="4601", name="Bergen", member=False)
    cases = [(viewer_of(roles=["director"], municipality=None), "consultations.refused_no_municipality"),
             (viewer_of(roles=["director"], municipality=outsider), "consultations.refused_not_member"),
             (viewer_of(roles=["adviser"]), "consultations.refused_role")]
    for viewer, key in cases:
        with pytest.raises(Refusal) as refused:
            rules.party_for(viewer, [])
        assert refused.value.key == key
    assert "Bergen" in said(rules.Refusal("consultations.refused_not_member", municipality="Bergen"))


def test_only_regional_bodies_that_cover_the_municipality_are_offered_for_a_joint_answer():
    other = Organisation(id=8, network_id=1, key="region-sunnhordland", name="Sunnhordland",
                         kind="regional_body", covers=["4613"])
    assert rules.covering([NORDHORDLAND, other], "4631") == [NORDHORDLAND]
    assert rules.covering([NORDHORDLAND, other], "4601") == []


def test_a_stored_answer_that_matches_the_form_is_the_same_answer():
    from storage.models import ConsultationResponse

    draft = parse({"kind": "individual", "q_hovudsyn": "Støttar utkastet", "q_merknader": "A"})
    stored = ConsultationResponse(kind="individual", answers={"merknader": "A", "hovudsyn": "Støttar utkastet"},
                                  on_behalf_of_id=None, own_council_date=None, note="")
    assert rules.same_answer(stored, draft)
    stored.answers = {"hovudsyn": "Støttar ikkje"}
    assert not rules.same_answer(stored, draft)
