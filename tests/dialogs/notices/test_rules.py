"""The notices capability's rules with plain values and in-memory rows: no database, no HTTP.

What a recipient notices: the notice card (title, text, links, the acknowledge button); what the
secretariat notices: the reasons in the report, which report a delivery updates, the CSV link.
"""

from __future__ import annotations

import pytest

from cards.notices import NOTICE_ACK, notice_card
from dialogs.notices import export, progress, service
from dialogs.onboarding import translator
from storage.models.notices import Notice
from tests.harness import card_texts


def notice(**fields) -> Notice:
    values = {"id": 42, "network_id": 1, "title": "Møtet er flytta", "text": "Møtet 12. desember er flytta til kl. 13.",
              "links": [], "acknowledge": False, "audience": "body:styringsgruppa", "language": "nn"}
    return Notice(**{**values, **fields})


def submits(card: dict) -> list[dict]:
    return [a for a in card.get("actions", []) if a.get("type") == "Action.Submit"]


# --- which report a delivery belongs to -------------------------------------------------------


def test_the_outbox_batch_of_a_notice_leads_back_to_its_report_card():
    assert service.batch_of(42) == "notice:42"
    refresh = progress.report_refresh(service.batch_of(42))
    assert refresh is not None and (refresh.kind, refresh.subject) == ("notice.report", "42")


def test_other_batches_update_no_notice_report():
    for batch in ("event:3:invite", "consultation:7:reminder:1", "notice:", "notice:abc", "notice:4;drop", ""):
        assert progress.report_refresh(batch) is None


# --- what a recipient sees --------------------------------------------------------------------


def test_a_notice_shows_its_title_and_text_and_no_button_when_no_acknowledgement_is_asked():
    card = notice_card(service.view_of(notice()), translator("nn"))
    assert card_texts(card)[:2] == ["Møtet er flytta", "Møtet 12. desember er flytta til kl. 13."]
    assert submits(card) == []


def test_a_notice_asking_for_acknowledgement_has_the_button_for_this_notice():
    card = notice_card(service.view_of(notice(acknowledge=True)), translator("nn"))
    [button] = submits(card)
    assert button["title"] == "Stadfest at du har lese"
    assert button["data"] == {"action": NOTICE_ACK, "notice": 42}


def test_a_notice_shows_at_most_three_links_titled_or_by_their_address():
    links = [{"title": "Rutinen", "url": "https://example.org/rutine.pdf"},
             {"title": "", "url": "https://example.org/b"},
             {"title": "C", "url": "https://example.org/c"}, {"title": "D", "url": "https://example.org/d"}]
    card = notice_card(service.view_of(notice(links=links)), translator("nb"))
    opened = [(a["title"], a["url"]) for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert opened == [("Rutinen", "https://example.org/rutine.pdf"), ("https://example.org/b", "https://example.org/b"),
                      ("C", "https://example.org/c")]


def test_the_view_does_not_share_the_stored_link_list():
    stored = notice(links=[{"title": "A", "url": "https://example.org/a"}])
    view = service.view_of(stored)
    view.links.append({"title": "B", "url": "https://example.org/b"})
    assert len(stored.links) == 1


# --- the report -------------------------------------------------------------------------------


def test_delivery_problems_are_explained_in_the_readers_language():
    assert service.reason_text("not_installed", "nn") == "Har ikkje installert appen"
    assert service.reason_text("removed: 403 from Teams", "nn") == "Har fjerna appen"
    assert service.reason_text("blocked", "en") == "Has blocked the bot"
    assert service.reason_text("throttled:429", "nb") != "throttled:429"


def test_an_unexplained_error_is_shown_as_it_is_and_none_as_a_dash():
    assert service.reason_text("HTTP 500: internal error", "nn") == "HTTP 500: internal error"
    assert service.reason_text("", "nn") == "—"
    assert service.reason_text(None, "nn") == "—"


def test_the_report_as_json_carries_each_count_and_problem():
    report = service.Report(notice_id=42, title="Møtet er flytta", status="sent", recipients=12,
                            counts={"queued": 0, "sent": 2, "failed": 0, "unreachable": 10, "cancelled": 0},
                            acknowledged=1, problems=[("Kari Vangsnes", "unreachable", "Har fjerna appen")])
    shown = report.as_json()
    assert (shown["sent"], shown["unreachable"], shown["recipients"], shown["acknowledged"]) == (2, 10, 12, 1)
    assert shown["problems"] == [{"name": "Kari Vangsnes", "status": "unreachable", "reason": "Har fjerna appen"}]


def test_audience_words_in_nynorsk_bokmal_and_english_name_the_same_roles():
    assert {service.ROLE_WORDS[w] for w in ("kommunedirektørar", "kommunedirektører", "directors")} == {"director"}
    assert {service.ROLE_WORDS[w] for w in ("ordførarar", "ordførere", "mayors")} == {"mayor"}
    assert {"alle", "all", "nettverket"} <= service.NETWORK_WORDS


# --- the CSV link -----------------------------------------------------------------------------


def test_a_csv_link_names_the_person_and_expiry_and_is_signed_for_this_notice_only():
    key = b"k" * 32
    token = export.token_for(key, 42, 7, 1_800_000_000)
    person, expires, mac = token.split(".")
    assert (person, expires, len(mac)) == ("7", "1800000000", 32)
    assert export.token_for(key, 42, 7, 1_800_000_000) == token  # every instance signs alike
    others = {export.token_for(key, 43, 7, 1_800_000_000).split(".")[2],  # another notice
              export.token_for(key, 42, 8, 1_800_000_000).split(".")[2],  # made for someone else
              export.token_for(key, 42, 7, 1_800_003_600).split(".")[2],  # a later expiry
              export.token_for(b"x" * 32, 42, 7, 1_800_000_000).split(".")[2]}  # another key
    assert mac not in others and len(others) == 4


def test_a_csv_link_lives_an_hour():
    assert export.LINK_LIFETIME.total_seconds() == 3600


# --- what the secretariat types -------------------------------------------------------------------


def test_the_quick_form_names_the_audience_before_the_colon_and_keeps_the_text_whole():
    from dialogs.notices.handlers import _QUICK

    match = _QUICK.match("kunngjering til styringsgruppa: Møtet 12. desember er flytta til kl. 13:00.\nMvh Eirik")
    assert match["audience"] == "styringsgruppa"
    assert match["text"] == "Møtet 12. desember er flytta til kl. 13:00.\nMvh Eirik"  # a later colon stays
    assert _QUICK.match("kunngjering til styringsgruppa") is None  # no text: the form instead


@pytest.mark.parametrize(("typed", "audience", "text"), [
    ("kunngjering til kommunar: Alver, Stryn: Husk fristen", "kommunar: Alver, Stryn", "Husk fristen"),
    ("notice to role:director: Remember the deadline", "role:director", "Remember the deadline"),
])
def test_the_quick_form_takes_an_audience_that_holds_a_colon(typed, audience, text):
    from dialogs.notices.handlers import _QUICK

    match = _QUICK.match(typed)
    assert (match["audience"], match["text"]) == (audience, text)


def test_the_form_is_asked_for_by_name_only():
    from dialogs.notices.handlers import _FORM

    for text in ("kunngjering", "Ny kunngjøring", "new notice", "notice "):
        assert _FORM.match(text)
    for text in ("kunngjeringar", "kunngjering til alle: hei", "kva er ei kunngjering"):
        assert not _FORM.match(text)


def test_only_https_links_go_on_a_notice():
    from dialogs.notices.handlers import _URL

    assert _URL.match("https://example.org/rutine.pdf")
    for bad in ("http://example.org", "ftp://x", "https://exa mple.org", "javascript:alert(1)"):
        assert not _URL.match(bad)
