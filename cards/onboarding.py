"""Welcome, help, unknown-user and apology cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import ActionSet, ActionSubmit, FactSet, TextBlock
from adaptive_cards.card import Fact as FactRow

from cards.base import Translate, build, heading, para, say_button


@dataclass
class WelcomeData:
    name: str
    network_name: str | None
    role_text: str | None = None  # "kommunedirektør – Alver kommune"
    example_question: str = ""


def welcome_card(data: WelcomeData, t: Translate) -> dict[str, Any]:
    items = [heading(t("core.welcome_title")),
             para(t("core.hello", name=data.name) if data.name else t("core.hello_anonymous"))]
    if data.network_name:
        items.append(para(t("core.welcome_network", network=data.network_name)))
    if data.role_text:
        items.append(para(data.role_text, subtle=True))
    actions = [ActionSubmit(**say_button(t("core.btn_help"), t("core.btn_help").lower()))]
    if data.example_question:
        items.append(para(t("core.try_for_example"), spacing="medium"))
        items.append(TextBlock(text=f"«{data.example_question}»", wrap=True, is_subtle=True))
        actions.insert(0, ActionSubmit(**say_button(data.example_question, data.example_question)))
    return build(items, actions)


@dataclass
class HelpData:
    network_name: str | None
    role_text: str | None
    seats: list[tuple[str, str]] = field(default_factory=list)  # (body name, seat role text)
    role_notes: list[str] = field(default_factory=list)
    example_question: str = ""
    known: bool = True
    # what this person may do: (command as typed, what it does); each gets a button that sends it
    commands: list[tuple[str, str]] = field(default_factory=list)
    typed_only: list[tuple[str, str]] = field(default_factory=list)  # commands that need more words


def help_card(data: HelpData, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("core.help_title"))]
    if data.network_name:
        items.append(para(data.network_name, subtle=True, spacing="none"))
    items += [para(t("core.help_ask", example=data.example_question)), para(t("core.help_language")),
              para(t("core.help_help")), para(t("core.help_channel"), subtle=True)]
    items.append(TextBlock(text=t("core.help_roles_title"), weight="bolder", wrap=True, spacing="large"))
    if not data.known:
        items.append(para(t("core.help_unknown")))
    if data.role_text:
        items.append(para(data.role_text))
    if data.seats:
        items.append(para(t("core.help_seats")))
        items.append(FactSet(facts=[FactRow(title=body, value=role) for body, role in data.seats]))
    items += [para(note) for note in data.role_notes]
    if data.commands or data.typed_only:
        items.append(TextBlock(text=t("core.help_commands_title"), weight="bolder", wrap=True, spacing="large"))
        items.append(para("\n".join(f"- **{word}** – {what}" for word, what in data.commands + data.typed_only)))
    if data.commands:
        items.append(ActionSet(actions=[ActionSubmit(**say_button(word, word)) for word, _what in data.commands]))
    actions = []
    if data.example_question:
        actions.append(ActionSubmit(**say_button(data.example_question, data.example_question)))
    return build(items, actions)


def unknown_user_card(network_name: str | None, contact: str | None, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("core.unknown_title"))]
    if network_name:
        items += [para(t("core.unknown_body", network=network_name)), para(t("core.unknown_can"))]
    else:
        items.append(para(t("core.unknown_no_network")))
    if contact:
        items.append(para(t("core.contact_secretariat", contact=contact), subtle=True))
    actions = [ActionSubmit(**say_button(t("core.btn_help"), t("core.btn_help").lower()))]
    return build(items, actions)


def apology_card(reference: str, t: Translate) -> dict[str, Any]:
    return build([heading(t("core.error_title")), para(t("core.error_body", ref=reference))])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery, with a DigiVestland director as the reader."""
    question = t("core.example_question")
    return {
        "welcome": welcome_card(WelcomeData("Ingrid", "DigiVestland", "kommunedirektør – Alver", question), t),
        "help": help_card(HelpData("DigiVestland", "kommunedirektør – Alver",
                                   [("Styringsgruppa for DigiVestland", "medlem med røysterett")],
                                   [t("core.help_director")], question), t),
        "unknown-user": unknown_user_card("DigiVestland", "Tove Bech tove.bech@bergen.kommune.no", t),
        "apology": apology_card("a1b2c3d4", t),
    }
