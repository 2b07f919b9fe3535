"""Every kind of button the bot sends, clicked in the Playground at least once. The "say" buttons
(welcome, help, "Du kan òg spørje") were messageBack and did nothing here; they are plain Action.Submit
now. The other kinds are clicked in the flows' own tests: Action.Submit (every form), Action.Execute
(test_e2e_vote "Einig"), Action.ShowCard (test_e2e_consultation "Opne igjen"), Action.ToggleVisibility
(test_e2e_question "Vis heile punktet"), Action.OpenUrl (test_e2e_meeting "Legg til i kalenderen")."""

from __future__ import annotations

from playwright.sync_api import expect

CLAUSE = "5.1 Leiar for styringsgruppa"


def test_the_welcome_cards_buttons_and_the_suggestions_under_an_answer_work(teams):
    client = teams("director")
    welcome = client.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")

    client.click(welcome, "Kven leiar styringsgruppa?")
    answer = client.wait_card("Byggjer på", CLAUSE)
    expect(answer).to_contain_text("Bergen kommune")

    client.click(welcome, "Hjelp")
    client.wait_card("Dette kan eg hjelpe med")

    related = answer.get_by_role("button").filter(has_text="?").first  # "Du kan òg spørje:" buttons
    expect(answer).to_contain_text("Du kan òg spørje")
    before = client.count_cards("Byggjer på")
    title = related.inner_text().strip()
    related.click()
    expect(client.cards("Byggjer på")).to_have_count(before + 1)
    assert title
    assert not [e for e in client.errors if "msTeams" in e], client.errors
