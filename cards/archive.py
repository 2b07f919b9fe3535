"""Archive export cards: the secretariat's button on a closed consultation, case or notice, and the
signed download link to the package for KS Fiks Arkiv."""

from __future__ import annotations

from typing import Any

from adaptive_cards.card import ActionOpenUrl, ActionSubmit

from cards.base import Translate, build, heading, para

# the verb of the "Archive package" button: dialogs.archive.handlers registers under it
ARCHIVE_EXPORT = "archive.export"


def archive_action(t: Translate, kind: str, ident: int) -> ActionSubmit:
    """The button on a consultation's status card, a case card (secretariat) and a notice report."""
    return ActionSubmit(title=t("archive.button"), data={"action": ARCHIVE_EXPORT, "kind": kind, "id": ident})


def archive_link_card(t: Translate, title: str, url: str, minutes: int, access: str) -> dict[str, Any]:
    """The download link for the archive package (signed, for this person, expires; press again for a new one)."""
    return build([heading(t("archive.link_title", title=title)),
                  para(t("archive.link_text", minutes=minutes, access=access))],
                 [ActionOpenUrl(title=t("archive.link_button"), url=url)])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    return {"archive_link": archive_link_card(
        t, "Innspel til utkast til ny samarbeidsavtale for DigiVestland",
        "https://samarbeidsbot.example.org/exports/archive/consultation/1.zip?t=…", 60, t("archive.access_open"))}
