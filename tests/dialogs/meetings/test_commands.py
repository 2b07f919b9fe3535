"""Meeting commands are whole words: "kunngjering …" (a notice) or "announcement" is not "kunngjer"."""

import pytest

from dialogs.meetings.parse import strip_command


@pytest.mark.parametrize(("text", "rest", "commanded"), [
    ("kunngjer: Styringsgruppemøte 3. mars kl. 10", "Styringsgruppemøte 3. mars kl. 10", True),
    ("nytt møte", "", True),
    ("announce – Steering group 3 March 10am", "Steering group 3 March 10am", True),
    ("kunngjering til styringsgruppa: Nytt møte", "kunngjering til styringsgruppa: Nytt møte", False),
    ("kunngjøring til alle: hei", "kunngjøring til alle: hei", False),
    ("announcement to all", "announcement to all", False),
])
def test_commands_are_whole_words(text, rest, commanded):
    assert strip_command(text) == (rest, commanded)
