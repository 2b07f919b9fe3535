"""The votes capability's rules with plain values and in-memory rows: no database, no HTTP.

Each test states what a steering-group member or the secretariat would notice: which buttons a
case has, a refusal and its reason, when a case is due, what the counts say.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dialogs.i18n import OSLO, t
from dialogs.keys import next_key
from dialogs.refusal import Refusal
from dialogs.votes import rules
from storage import directory
from storage.models import Body, Case, Person, Seat, Vote

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Oslo


def said(refusal: Refusal, lang: str = "nn") -> str:
    """What the user reads for a refusal."""
    return t(refusal.key, lang, **refusal.values)


def case(*, consent: bool = False, status: str = "open", visibility: str = "after_vote",
         deadline: datetime = NOW + timedelta(days=7)) -> Case:
    return Case(id=4, network_id=1, body_id=2, key="sak-2026-004", title="Felles innkjøp", proposal="Vi kjøper inn.",
                options=rules.default_options(consent), deadline=deadline, visibility=visibility, status=status,
                outcome="", revision=1)


def votes(*options: str) -> list[Vote]:
    return [Vote(case_id=4, person_id=i, option=o, reason="", version=1) for i, o in enumerate(options, 1)]


STYRINGSGRUPPA = Body(id=2, network_id=1, key="styringsgruppa", kind="steering_group", name="Styringsgruppa")
FAGGRUPPA = Body(id=3, network_id=1, key="faggruppa", kind="expert_group", name="Faggruppa")


# --- options ----------------------------------------------------------------------------------


def test_a_case_offers_einig_avstar_ueinig_and_only_ueinig_needs_a_reason():
    options = rules.default_options()
    assert [o["key"] for o in options] == ["einig", "avstar", "ueinig"]
    assert [rules.option_label(o, "nn") for o in options] == ["Einig", "Avstår", "Ueinig"]
    assert [rules.option_label(o, "nb") for o in options] == ["Enig", "Avstår", "Uenig"]
    assert [rules.option_label(o, "en") for o in options] == ["Agree", "Abstain", "Disagree"]
    assert [o["key"] for o in options if o["needs_reason"]] == ["ueinig"]


def test_a_consent_round_adds_innsigelse_which_needs_a_reason_and_blocks():
    options = rules.default_options(consent=True)
    assert [o["key"] for o in options] == ["einig", "avstar", "ueinig", "innsigelse"]
    assert options[-1]["needs_reason"] and options[-1]["blocks_consensus"]
    assert rules.blocking(case(consent=True)) == {"ueinig", "innsigelse"}
    assert rules.blocking(case()) == {"ueinig"}


def test_an_option_label_falls_back_to_bokmal_then_to_its_key():
    assert rules.option_label({"key": "x", "label": {"nb": "Enig", "en": "Agree"}}, "nn") == "Enig"
    assert rules.option_label({"key": "x", "label": {"en": "Agree"}}, "nn") == "Agree"
    assert rules.option_label({"key": "x"}, "nn") == "x"


def test_label_of_names_an_option_in_the_readers_language_and_an_unknown_key_as_itself():
    assert rules.label_of(case(), "ueinig", "nb") == "Uenig"
    assert rules.find_option(case(), "innsigelse") is None
    assert rules.label_of(case(), "innsigelse", "nn") == "innsigelse"
    assert rules.find_option(case(consent=True), "innsigelse")["label"]["en"] == "Objection"


# --- the form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("True", True), ("1", True), ("ja", True), (" on ", True), ("yes", True), (True, True),
    ("false", False), ("", False), (None, False), ("nei", False), ("0", False), (False, False),
])
def test_a_toggle_is_on_only_for_the_values_a_card_sends_for_on(value, expected):
    assert rules.truthy(value) is expected


def test_a_deadline_with_a_time_is_that_time_in_oslo():
    deadline = rules.read_deadline("1. desember kl. 12", "nn", NOW)
    assert deadline == datetime(2026, 12, 1, 12, 0, tzinfo=OSLO)


def test_a_deadline_on_a_whole_day_is_one_minute_to_midnight_that_day_in_oslo():
    deadline = rules.read_deadline("3. desember", "nb", NOW)
    assert deadline.astimezone(OSLO).replace(tzinfo=None) == datetime(2026, 12, 3, 23, 59)


def test_an_unreadable_deadline_is_refused_with_the_words_that_were_not_understood():
    with pytest.raises(Refusal) as refused:
        rules.read_deadline("når det passar", "nn", NOW)
    assert refused.value.key == "votes.deadline_unreadable"
    assert "Eg forstod ikkje fristen" in said(refused.value) and "når det passar" in said(refused.value)


def test_a_deadline_now_or_before_is_refused_and_one_a_minute_ahead_is_not():
    for past in (NOW, NOW - timedelta(days=1)):
        with pytest.raises(Refusal) as refused:
            rules.check_deadline(past, NOW)
        assert said(refused.value) == "Fristen er alt passert. Vel ein frist fram i tid."
    rules.check_deadline(NOW + timedelta(minutes=1), NOW)


def form(**fields):
    return {"body": "styringsgruppa", "title": "Felles innkjøp", "proposal": "Vi kjøper inn.",
            "deadline": "1. desember kl. 12", **fields}


def test_a_filled_in_form_becomes_a_draft_with_the_body_deadline_and_options():
    draft = rules.parse_draft(form(consent="true", close_all="on"), "nn", NOW, [STYRINGSGRUPPA, FAGGRUPPA])
    assert draft.body is STYRINGSGRUPPA and draft.title == "Felles innkjøp"
    assert draft.deadline == datetime(2026, 12, 1, 12, 0, tzinfo=OSLO)
    assert draft.visibility == "after_vote" and draft.close_when_all_voted and draft.consent
    assert [o["key"] for o in draft.options][-1] == "innsigelse"


def test_the_only_body_is_chosen_when_the_form_names_none_but_not_when_there_are_two():
    assert rules.parse_draft(form(body=""), "nn", NOW, [STYRINGSGRUPPA]).body is STYRINGSGRUPPA
    with pytest.raises(Refusal) as refused:
        rules.parse_draft(form(body=""), "nn", NOW, [STYRINGSGRUPPA, FAGGRUPPA])
    assert refused.value.key == "votes.missing_body"


@pytest.mark.parametrize(("fields", "key"), [
    ({"body": "kommunestyret"}, "votes.missing_body"),
    ({"title": "   "}, "votes.missing_title"),
    ({"proposal": ""}, "votes.missing_proposal"),
    ({"deadline": ""}, "votes.missing_deadline"),
    ({"deadline": "i fjor på denne tida"}, "votes.deadline_unreadable"),
    ({"deadline": "i dag kl. 8"}, "votes.deadline_past"),  # 10:00 in Oslo now
    ({"deadline": "1. desember 2025"}, "votes.deadline_past"),
    ({"deadline_at": "2026-12-01T12:00:00"}, "votes.deadline_unreadable"),  # no time zone: not what we sent
    ({"deadline_at": "snart"}, "votes.deadline_unreadable"),
    ({"deadline_at": "2026-11-01T12:00:00+01:00"}, "votes.deadline_past"),
    ({"visibility": "never"}, "votes.bad_visibility"),
])
def test_a_form_with_a_problem_is_refused_with_that_problem(fields, key):
    with pytest.raises(Refusal) as refused:
        rules.parse_draft(form(**fields), "nn", NOW, [STYRINGSGRUPPA, FAGGRUPPA])
    assert refused.value.key == key
    assert said(refused.value) != key  # the catalogue has words for it


def test_a_title_or_proposal_over_the_limit_is_refused_with_its_length():
    with pytest.raises(Refusal) as refused:
        rules.parse_draft(form(title="x" * 301), "nn", NOW, [STYRINGSGRUPPA])
    assert said(refused.value) == "Teksten er for lang (301 teikn; maks 300)."
    with pytest.raises(Refusal) as refused:
        rules.parse_draft(form(background="y" * 4001), "nn", NOW, [STYRINGSGRUPPA])
    assert refused.value.values == {"length": 4001, "limit": 4000}
    assert rules.parse_draft(form(title="x" * 300), "nn", NOW, [STYRINGSGRUPPA]).title == "x" * 300


def test_the_confirmed_draft_keeps_the_exact_instant_shown_on_the_confirmation_card():
    draft = rules.parse_draft(form(deadline="", deadline_at="2026-12-01T12:00:00+01:00"), "nn", NOW,
                              [STYRINGSGRUPPA])
    assert draft.deadline == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


# --- casting a vote ---------------------------------------------------------------------------


def test_einig_and_avstar_need_no_reason():
    assert rules.validate_vote(case(), "einig", "", "nn")["key"] == "einig"
    assert rules.validate_vote(case(), "avstar", "", "nn")["key"] == "avstar"


def test_ueinig_without_a_reason_is_refused_naming_the_option_in_the_voters_language():
    with pytest.raises(Refusal) as refused:
        rules.validate_vote(case(), "ueinig", "", "nn")
    assert said(refused.value) == "Skriv ei grunngjeving når du røystar Ueinig."
    with pytest.raises(Refusal) as refused:
        rules.validate_vote(case(), "ueinig", "", "nb")
    assert refused.value.values == {"option": "Uenig"}
    assert rules.validate_vote(case(), "ueinig", "Vi har eigen avtale til 2028.", "nn")["key"] == "ueinig"


def test_an_option_the_case_does_not_have_is_refused_and_the_attempt_logged():
    for key in ("innsigelse", "EINIG", "", "ja"):
        with pytest.raises(Refusal) as refused:
            rules.validate_vote(case(), key, "grunn", "nn")
        assert "Det valet finst ikkje i denne saka" in said(refused.value)


def test_a_reason_over_2000_characters_is_refused_and_2000_is_accepted():
    with pytest.raises(Refusal) as refused:
        rules.validate_vote(case(), "ueinig", "r" * 2001, "nn")
    assert refused.value.values == {"length": 2001, "limit": 2000}
    assert rules.validate_vote(case(), "ueinig", "r" * 2000, "nn")["key"] == "ueinig"


def test_a_voter_identity_inside_card_data_is_tampering():
    assert rules.forged_keys({"case": 4, "option": "einig", "reason": "", "revision": 1}) == []
    assert rules.forged_keys({"case": 4, "person": 9, "aad_object_id": "x", "on_behalf_of": "4601"}) == [
        "person", "aad_object_id", "on_behalf_of"]
    assert rules.forged_keys({"voter": None}) == ["voter"]  # whatever its value


@pytest.mark.parametrize(("raw", "expected"), [
    (4, 4), ("4", 4), (" 12 ", 12), ("00012", 12),
    (True, None), (False, None), ("4a", None), ("-4", None), ("", None), (None, None), (4.0, None),
    ("2147483647", 2147483647), ("123456789012", None), ([4], None),
])
def test_only_an_integer_or_digits_refer_to_a_case(raw, expected):
    assert rules.case_id_of({"case": raw}) == expected


@pytest.mark.parametrize("raw", [2**31, "2147483648", "99999999999", 10**30])
def test_a_number_no_case_id_can_be_refers_to_no_case(raw):
    assert rules.case_id_of({"case": raw}) is None


def test_a_card_without_a_case_refers_to_none():
    assert rules.case_id_of({}) is None


# --- closing, counting, showing ---------------------------------------------------------------


def test_consensus_needs_at_least_one_vote_and_no_blocking_one():
    assert not rules.is_consensus(case(), [])
    assert rules.is_consensus(case(), votes("einig", "avstar", "einig"))
    assert rules.is_consensus(case(), votes("avstar"))  # abstaining does not block
    assert not rules.is_consensus(case(), votes("einig", "einig", "ueinig"))
    assert not rules.is_consensus(case(consent=True), votes("einig", "innsigelse"))


def test_a_case_is_due_from_its_deadline_while_open():
    deadline = NOW + timedelta(hours=1)
    assert not rules.due(case(deadline=deadline), NOW)
    assert rules.due(case(deadline=deadline), deadline)
    assert rules.due(case(deadline=deadline), deadline + timedelta(seconds=1))
    assert not rules.due(case(deadline=deadline, status="closed"), deadline + timedelta(days=1))


def test_counts_list_every_option_in_order_zero_included():
    counts = rules.counts_of(case(), votes("ueinig", "einig", "einig"))
    assert list(counts.items()) == [("einig", 2), ("avstar", 0), ("ueinig", 1)]
    assert rules.counts_of(case(consent=True), []) == {"einig": 0, "avstar": 0, "ueinig": 0, "innsigelse": 0}


@pytest.mark.parametrize(("visibility", "status", "has_voted", "visible"), [
    ("at_once", "open", False, True),
    ("after_vote", "open", False, False),
    ("after_vote", "open", True, True),
    ("after_close", "open", True, False),
    ("after_close", "closed", False, True),
    ("after_vote", "closed", False, True),
])
def test_counts_are_shown_as_the_case_promised(visibility, status, has_voted, visible):
    assert rules.results_visible(case(visibility=visibility, status=status), has_voted=has_voted) is visible


def test_visibility_may_only_be_tightened_in_the_stated_order():
    assert rules.VISIBILITIES == ("at_once", "after_vote", "after_close")


# --- seats ------------------------------------------------------------------------------------


def test_the_day_of_a_seat_is_the_day_in_oslo():
    assert rules.oslo_today(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert rules.oslo_today(datetime(2026, 11, 30, 22, 59, tzinfo=UTC)) == date(2026, 11, 30)


def test_only_the_chair_and_voting_members_vote():
    person = Person(id=1, network_id=1, name="Ingrid Haugland")
    for role, votes_ in (("chair", True), ("voting_member", True), ("observer", False)):
        holder = rules.Holder(person=person, seat=Seat(id=1, body_id=2, key="s", role=role), role=role)
        assert holder.votes is votes_


# --- minutes ----------------------------------------------------------------------------------


def minutes(**fields):
    from dialogs.votes.minutes import Minutes, VoteLine

    first = VoteLine("Ingrid Haugland", "Alver", "voting_member", "Einig", "", 1, "24. november 2026 kl. 10:00")
    changed = VoteLine("Ingrid Haugland", "Alver", "voting_member", "Ueinig", "Dyrt | og\nuklart", 2,
                       "25. november 2026 kl. 10:00")
    chair = VoteLine("Sigurd Vikøren", "", "chair", "Einig", "", 1, "26. november 2026 kl. 10:00")
    values = dict(key="sak-2026-004", title="Felles innkjøp", network="DigiVestland", body="Styringsgruppa",
                  background="", proposal="Vi kjøper inn.", deadline="1. desember 2026 kl. 12:00", status="closed",
                  closed_at="1. desember 2026 kl. 12:00", closed_reason="fristen gjekk ut",
                  outcome="Ikkje semje: leiaren avgjer.", outcome_code="awaiting_chair", decided_by="", decision="",
                  voted=2, total=10, counts=[("Einig", 1), ("Avstår", 0), ("Ueinig", 1)], votes=[changed, chair],
                  history=[first, changed, chair], not_voted=["Håkon Strand"])
    return Minutes(**{**values, **fields})


def test_the_minutes_of_a_closed_case_list_each_vote_with_its_reason_on_one_line():
    from dialogs.votes.minutes import to_markdown

    text = to_markdown(minutes(), "nn")
    assert text.startswith("## Protokoll: SAK-2026-004 Felles innkjøp\n")
    assert "- Einig: 1\n- Avstår: 0\n- Ueinig: 1" in text
    assert "| Ingrid Haugland (Alver) | Ueinig | Dyrt \\| og uklart |" in text  # a pipe cannot break the table
    assert "| Sigurd Vikøren | Einig |  |" in text
    assert "Har ikkje røysta: Håkon Strand" in text and "(fristen gjekk ut)" in text


def test_the_minutes_of_an_open_case_show_the_turnout_but_neither_counts_nor_votes():
    from dialogs.votes.minutes import to_csv, to_markdown

    open_ = minutes(status="open", closed_at="", closed_reason="", counts=None, votes=None, outcome_code="")
    text = to_markdown(open_, "nn")
    assert "2 av 10 har røysta" in text and "Resultatet blir vist når saka er lukka." in text
    assert "Ingrid Haugland" not in text and "- Einig" not in text
    rows = to_csv(open_).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("sak-2026-004,Felles innkjøp,Styringsgruppa,,") and ",open," in rows[1]


def test_the_csv_minutes_have_one_row_per_vote_version_and_mark_the_current_one():
    import csv
    import io

    from dialogs.votes.minutes import CSV_COLUMNS, to_csv

    data = to_csv(minutes())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["person"], r["option"], r["version"], r["current"]) for r in rows] == [
        ("Ingrid Haugland", "Einig", "1", "no"), ("Ingrid Haugland", "Ueinig", "2", "yes"),
        ("Sigurd Vikøren", "Einig", "1", "yes")]
    assert rows[1]["reason"] == "Dyrt | og\nuklart" and {r["outcome"] for r in rows} == {"awaiting_chair"}


@pytest.mark.parametrize(("outcome", "shown"), [
    ("adopted", "Konsensus: forslaget er vedteke."),
    ("awaiting_chair", "Ikkje konsensus: leiaren avgjer."),
    ("decided_by_chair", "Avgjort av leiar (Sigurd Vikøren): Sekretariatet førebur innkjøpet."),
    ("", "Saka er open; resultatet er ikkje klart."),
])
def test_the_minutes_state_the_outcome_in_words(outcome, shown):
    from dialogs.votes.minutes import _outcome

    decided = case(status="open" if not outcome else "closed")
    decided.outcome, decided.outcome_text = outcome, "Sekretariatet førebur innkjøpet."
    assert _outcome(decided, "nn", "Sigurd Vikøren") == shown


# --- seats, keys and closing, from rows already read -------------------------------------------


def seat(seat_id: int, role: str, person_id: int, *, valid_to: date | None = None) -> Seat:
    return Seat(id=seat_id, body_id=2, key=f"s{seat_id}", role=role, person_id=person_id, valid_to=valid_to)


def test_a_person_with_two_seats_counts_once_with_the_stronger_role_and_an_ended_seat_counts_not():
    ingrid, odd, kari = (Person(id=i, network_id=1, name=n) for i, n in ((1, "Ingrid"), (2, "Odd"), (3, "Kari")))
    rows = [(seat(1, "observer", 1), ingrid), (seat(2, "chair", 1), ingrid),
            (seat(3, "voting_member", 2, valid_to=date(2026, 1, 31)), odd), (seat(4, "voting_member", 3), kari)]
    chosen = rules.strongest_seats(rows, rules.oslo_today(NOW))
    assert {pid: s.role for pid, (s, _p) in chosen.items()} == {1: "chair", 3: "voting_member"}
    assert rules.strongest_role([seat(1, "observer", 1), seat(2, "chair", 1)], rules.oslo_today(NOW)) == "chair"
    assert rules.strongest_role([seat(3, "voting_member", 2, valid_to=date(2026, 1, 31))], NOW.date()) is None


def test_case_keys_count_up_within_the_oslo_year():
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Oslo
    assert rules.key_prefix(new_year) == "sak-2027-"
    assert next_key("sak-2027-", []) == "sak-2027-001"
    assert next_key("sak-2026-", ["sak-2026-002", "sak-2026-010", "sak-2026-x", "ansk-2026-099"]) == "sak-2026-011"


def test_the_refusal_names_the_secretariat_lead_with_an_address_before_other_secretariat_members():
    people = [Person(id=1, name="Siri", roles=["secretariat"], email="siri@example.no"),
              Person(id=2, name="Tove", roles=["secretariat_lead"], email=""),
              Person(id=3, name="Per", roles=["secretariat_lead"], email="per@example.no")]
    assert directory.contact_of(people) == "Per <per@example.no>"
    assert directory.contact_of(people[:2]) == "Siri <siri@example.no>"
    assert directory.contact_of([]) == ""


def test_consensus_adopts_and_one_disagreement_leaves_it_to_the_chair():
    assert rules.outcome_of(case(), votes("einig", "avstar")) == "adopted"
    assert rules.outcome_of(case(), votes("einig", "ueinig")) == "awaiting_chair"
    assert rules.outcome_of(case(), []) == "awaiting_chair"


def test_a_case_closes_early_only_when_every_current_voter_has_voted_and_observers_do_not_count():
    person = [Person(id=i, network_id=1, name=f"P{i}") for i in (1, 2, 3)]
    holders = [rules.Holder(person=person[0], seat=seat(1, "chair", 1), role="chair"),
               rules.Holder(person=person[1], seat=seat(2, "voting_member", 2), role="voting_member"),
               rules.Holder(person=person[2], seat=seat(3, "observer", 3), role="observer")]
    cast = {v.person_id: v for v in votes("einig", "einig", "avstar")}
    assert rules.of_voters(cast, holders).keys() == {1, 2}
    assert rules.everyone_voted(holders, rules.of_voters(cast, holders))
    assert not rules.everyone_voted(holders, {1: cast[1]})
    assert not rules.everyone_voted(holders[2:], {})  # nobody with a vote: never "everyone voted"


def test_results_may_be_hidden_longer_but_never_shown_earlier_than_promised():
    assert rules.visibility_tightened(case(visibility="after_vote"), "after_close") is True
    assert rules.visibility_tightened(case(visibility="after_vote"), "after_vote") is False
    with pytest.raises(Refusal) as looser:
        rules.visibility_tightened(case(visibility="after_vote"), "at_once")
    assert looser.value.key == "votes.visibility_looser"
    with pytest.raises(Refusal) as closed:
        rules.visibility_tightened(case(status="closed"), "after_close")
    assert closed.value.key == "votes.closed_no_change"
