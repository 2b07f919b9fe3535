"""Archive export cards: the secretariat's button on a closed consultation, case or notice, and the
signed download link to the package for KS Fiks Arkiv."""

from __future__ import annotations

from typing import Any

from adaptive_cards.card import ActionOpenUrl, ActionSubmit, InputText

from cards.base import Translate, build, heading, para

# the verb of the "Archive package" button: dialogs.archive.handlers registers under it
ARCHIVE_EXPORT = "archive.export"
# the secretariat's public-access mark: offentleg, or unnateke with the legal basis typed in
ARCHIVE_MARK = "archive.mark"


def archive_action(t: Translate, kind: str, ident: int) -> ActionSubmit:
    """The button on a consultation's status card, a case card (secretariat) and a notice report."""
    return ActionSubmit(title=t("archive.button"), data={"action": ARCHIVE_EXPORT, "kind": kind, "id": ident})


def archive_link_card(t: Translate, title: str, url: str, minutes: int, access: str, *, kind: str = "",
                      ident: int = 0, basis: str = "", notice: str = "") -> dict[str, Any]:
    """The download link for the archive package (signed, for this person, expires; press again for a new one),
    and the form to mark the record offentleg or unnateke (with its legal basis) before downloading."""
    items: list[Any] = [heading(t("archive.link_title", title=title))]
    if notice:
        items.append(para(notice))
    items.append(para(t("archive.link_text", minutes=minutes, access=access)))
    actions: list[Any] = [ActionOpenUrl(title=t("archive.link_button"), url=url)]
    if kind:
        items.append(InputText(id="legal_basis", label=t("archive.mark_label"), placeholder="Offl. § 14",
                               max_length=200, value=basis or None))
        data = {"action": ARCHIVE_MARK, "kind": kind, "id": ident}
        actions += [ActionSubmit(title=t("archive.mark_exempt_button"), data={**data, "access": "unnateke"}),
                    ActionSubmit(title=t("archive.mark_open_button"), data={**data, "access": "offentleg"})]
    return build(items, actions)


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    return {"archive_link": archive_link_card(
        t, "Innspel til utkast til ny samarbeidsavtale for DigiVestland",
        "https://samarbeidsbot.example.org/exports/archive/consultation/1.zip?t=…", 60, t("archive.access_open"),
        kind="consultation", ident=1)}
