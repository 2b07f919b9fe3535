"""A Teams channel in the local client: the bot hears a channel message only when it is @mentioned;
`@Samarbeidsbot hjelp` gets the help card and `@Samarbeidsbot <question>` the answer, so the mention
text is stripped before the command or question is read."""

from __future__ import annotations

from playwright.sync_api import expect

CHANNEL = "Kunngjeringar"


def test_mentioning_the_bot_in_a_channel_gets_help_and_an_answer(teams):
    client = teams("director")
    client.wait_card("Velkomen til Samarbeidsbot")
    client.open_chat(CHANNEL)

    client.mention_bot("hjelp")
    help_card = client.wait_card("Dette kan eg hjelpe med")
    expect(help_card).to_contain_text("språk nn | nb | en")

    client.mention_bot("Kven leiar styringsgruppa?")
    answer = client.wait_card("Byggjer på", "5.1 Leiar for styringsgruppa")
    expect(answer).to_contain_text("kommunaldirektøren for byrådsavdeling finans, næring og eigedom i Bergen kommune")
    assert client.count_cards("Det veit eg ikkje") == 0  # "Samarbeidsbot" was not read as part of the question
    client.screenshot("mention", docs="channel-mention-nn")
