"""Foundation acceptance 1 in the local Teams client: a DigiVestland director gets the Nynorsk
welcome card on install, and `hjelp` answers with the help card for their role."""

from __future__ import annotations


def test_director_gets_nynorsk_welcome_and_help(teams):
    client = teams("director")

    welcome = client.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")
    assert "Eg er assistenten for DigiVestland" in welcome.inner_text()
    assert client.count_cards("Eg kjenner deg ikkje att") == 0  # recognised by tenant + AAD id
    client.screenshot("welcome", docs="welcome-nn")

    client.send("hjelp")
    help_card = client.wait_card("Dette kan eg hjelpe med")
    text = help_card.inner_text()
    assert "Som kommunedirektør får du høyringar" in text
    assert "språk nn | nb | en" in text
    client.screenshot("help", docs="help-nn")


def test_language_switch_then_help_in_english(teams):
    client = teams("director")
    client.wait_card("Velkomen til Samarbeidsbot")

    client.send("språk en")
    client.wait_text("English")
    client.send("help")
    card = client.wait_card("What I can help with")
    assert "Dette kan eg hjelpe med" not in card.inner_text()
    client.send("språk nn")
    client.wait_text("nynorsk")
