"""Q&A in the local Teams client: a DigiVestland director asks who chairs the steering group and gets
the answer as the agreement states it, with the clause cited and shown on demand; a question outside
the agreement gets the honest "I don't know" and the offer to send it to the secretariat, which works."""

from __future__ import annotations

from playwright.sync_api import expect

CHAIR = "kommunaldirektøren for byrådsavdeling finans, næring og eigedom i Bergen kommune"
CLAUSE = "5.1 Leiar for styringsgruppa (Samarbeidsavtale 2020)"
# the clause's own wording (agreement of 2020, section 5.1), shown when the person asks to see it
CLAUSE_TEXT = "Kommunaldirektøren for Bergen kommune byrådsavdeling finans, næring og eiendom"
WEATHER = "Kva er vêret i Bergen i morgon?"


def test_director_asks_who_chairs_the_steering_group_and_then_something_out_of_scope(teams):
    client = teams("director")
    client.wait_card("Velkomen til Samarbeidsbot")

    client.send("Kven leiar styringsgruppa?")
    answer = client.wait_card("Byggjer på", CLAUSE)
    expect(answer).to_contain_text(CHAIR)
    expect(answer).to_contain_text("eller den han utpeikar")
    clause = answer.get_by_text(CLAUSE_TEXT)
    expect(clause).to_be_hidden()  # the clause's text is folded away until asked for
    client.click(answer, "Vis heile punktet")
    expect(clause).to_be_visible()
    client.screenshot("answer", docs="question-nn")
    client.click(answer, "Nyttig")
    client.wait_text("Takk for tilbakemeldinga!")

    client.send(WEATHER)
    dont_know = client.wait_card("Det veit eg ikkje", "Send spørsmålet til sekretariatet")
    expect(dont_know).to_contain_text("eg vil ikkje gjette")
    expect(dont_know).to_contain_text("Sekretariatet kan svare deg")
    assert client.count_cards(WEATHER, "Byggjer på") == 0  # no made-up answer with a source
    client.screenshot("dont-know")
    client.click(dont_know, "Send spørsmålet til sekretariatet")
    client.wait_text("Spørsmålet er sendt til sekretariatet i DigiVestland")
