"""Q&A cards: the answer with its clauses, the honest "I don't know", and the secretariat's answer form.

Every button carries only what the handler needs to find stored rows again (a fact key, an escalated
question id); who may do what is checked against stored roles when the button is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
    ActionSet,
    ActionSubmit,
    ActionToggleVisibility,
    Container,
    InputText,
    InputToggle,
    TargetElement,
    TextBlock,
)

from cards.base import Translate, build, para, say_button

# the verbs of this module's buttons: the handlers register under these names
QA_ANSWER_ESCALATED = "qa.answer_escalated"
QA_ASK = "qa.ask"
QA_ESCALATE = "qa.escalate"
QA_FEEDBACK = "qa.feedback"


MAX_ANSWER = 4000
MAX_CLAUSE_TEXT = 16000  # all clause texts on one card together: stays under Teams' 28 KB


@dataclass
class ClauseView:
    title: str  # "7 Leiar for styringsgruppa"
    version: str  # "Samarbeidsavtale 2020"
    text: str = ""


@dataclass
class AnswerView:
    question: str
    answer: str
    key: str  # what answered (fact key …), stored with feedback
    clauses: list[ClauseView] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. typo corrections


@dataclass
class DontKnowView:
    question: str
    network: str
    lang: str
    other_network: bool = False
    suggestions: list[str] = field(default_factory=list)
    can_escalate: bool = True


@dataclass
class EscalationView:
    id: int
    question: str
    asker: str
    network: str
    asked_at: str
    lang: str
    status: str = "open"  # open | answered
    answer: str = ""
    answered_by: str = ""
    answered_at: str = ""
    saved: bool = False
    problem: str = ""


def _ask_button(question: str) -> dict[str, Any]:
    spec = say_button(question, question, {"action": QA_ASK, "q": question})
    return ActionSubmit(title=spec["title"][:80], data=spec["data"])


def answer_blocks(text: str) -> list[TextBlock]:
    """One text block per line: Teams' markdown joins single line breaks, so a list of members written
    as "• …" lines would read as one paragraph with the bullets inline."""
    lines = [line for line in text[:MAX_ANSWER].split("\n") if line.strip()]
    if len(lines) <= 1:
        return [TextBlock(text=text[:MAX_ANSWER], wrap=True)]
    return [TextBlock(text=line, wrap=True, **({"spacing": "none"} if n and line.lstrip().startswith(("•", "-"))
                                               else {"spacing": "small"} if n else {}))
            for n, line in enumerate(lines)]


def answer_card(view: AnswerView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [*answer_blocks(view.answer)]
    budget = MAX_CLAUSE_TEXT
    items += [para(note, subtle=True, spacing="small") for note in view.notes]
    if view.clauses or view.other_sources:
        items.append(TextBlock(text=t("qa.based_on"), weight="bolder", spacing="medium", wrap=True))
    for number, clause in enumerate(view.clauses):
        label = t("qa.clause_of", title=clause.title, version=clause.version) if clause.version else clause.title
        items.append(para(label, spacing="none"))
        if clause.text and budget > 0:
            target = f"clause-{number}"
            shown = clause.text if len(clause.text) <= budget else clause.text[:budget - 1] + "…"
            budget -= len(shown)
            items.append(Container(id=target, is_visible=False, items=[para(shown, subtle=True)]))
            items.append(ActionSet(actions=[ActionToggleVisibility(
                title=t("qa.show_clause"), target_elements=[TargetElement(element_id=target)])], spacing="none"))
    for source in view.other_sources:
        items.append(para(source, spacing="none"))
    if view.related:
        items.append(TextBlock(text=t("qa.related"), weight="bolder", spacing="medium", wrap=True))
        items.append(ActionSet(actions=[_ask_button(q) for q in view.related[:3]]))
    # "fact", not "key": a data field named "key" breaks the Agents Playground's card renderer
    feedback = {"fact": view.key, "q": view.question[:500]}
    actions = [ActionSubmit(title=t("qa.useful"), data={"action": QA_FEEDBACK, "useful": True, **feedback}),
               ActionSubmit(title=t("qa.not_useful"), data={"action": QA_FEEDBACK, "useful": False, **feedback})]
    return build(items, actions)


def dont_know_card(view: DontKnowView, t: Translate) -> dict[str, Any]:
    text = t("qa.dont_know_other_network" if view.other_network else "qa.dont_know", network=view.network)
    items: list[Any] = [TextBlock(text=t("qa.dont_know_title"), weight="bolder", size="medium", wrap=True),
                        para(text)]
    if view.suggestions:
        items.append(TextBlock(text=t("qa.did_you_mean"), weight="bolder", spacing="medium", wrap=True))
        items.append(ActionSet(actions=[_ask_button(q) for q in view.suggestions[:3]]))
    actions: list[Any] = []
    if view.can_escalate:
        items.append(para(t("qa.escalate_offer"), spacing="medium"))
        actions.append(ActionSubmit(title=t("qa.escalate_button"), style="positive", data={
            "action": QA_ESCALATE, "q": view.question[:1000], "lang": view.lang}))
    return build(items, actions)


def escalation_card(view: EscalationView, t: Translate) -> dict[str, Any]:
    """What the secretariat sees: the question and, while open, a form to answer it."""
    items: list[Any] = [
        TextBlock(text=t("qa.secretariat_title"), weight="bolder", size="medium", wrap=True),
        TextBlock(text=view.question, wrap=True, size="medium"),
        para(t("qa.secretariat_from", name=view.asker, network=view.network, when=view.asked_at, language=view.lang),
             subtle=True, spacing="none"),
    ]
    if view.status == "answered":
        items.append(TextBlock(text=t("qa.answered_by", name=view.answered_by, when=view.answered_at),
                               weight="bolder", spacing="medium", wrap=True))
        items.append(para(view.answer))
        if view.saved:
            items.append(para(t("qa.saved_note"), subtle=True))
        return build(items)
    items.append(para(t("qa.secretariat_hint"), subtle=True))
    if view.problem:
        items.append(TextBlock(text=view.problem, wrap=True, color="attention", weight="bolder"))
    items.append(InputText(id="answer", label=t("qa.answer_label"), placeholder=t("qa.answer_placeholder"),
                           is_multiline=True, max_length=MAX_ANSWER, value=view.answer or None))
    items.append(InputToggle(id="save", title=t("qa.save_toggle"), value="false", value_on="true",
                             value_off="false"))
    return build(items, [ActionSubmit(title=t("qa.send_answer"), style="positive",
                                      data={"action": QA_ANSWER_ESCALATED, "id": view.id})])


def reply_card(question: str, answer: str, answered_by: str, t: Translate) -> dict[str, Any]:
    """The secretariat's answer, delivered to the person who asked."""
    return build([
        TextBlock(text=t("qa.reply_title"), weight="bolder", size="medium", wrap=True),
        para(t("qa.your_question", question=question), subtle=True, spacing="none"),
        TextBlock(text=answer, wrap=True, spacing="medium"),
        para(answered_by, subtle=True),
    ])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery, with demo data shaped like DigiVestland's agreement."""
    answer = AnswerView(
        question="Kven leiar styringsgruppa?",
        answer="Styringsgruppa blir leia av kommunaldirektøren for byrådsavdeling finans, næring og eigedom i "
               "Bergen kommune, eller den han utpeikar.",
        key="leiar-styringsgruppa",
        clauses=[ClauseView("Leiar for styringsgruppa", "Samarbeidsavtale 2020",
                            "Kommunaldirektøren for Bergen kommune byrådsavdeling finans, næring og eiendom, eller "
                            "den han utpeikar, leiar styringsgruppa.")],
        related=["Kven kallar inn til møte i styringsgruppa?", "Korleis fattar styringsgruppa avgjerder?"])
    escalation = EscalationView(7, "Kva er vêret i Bergen i morgon?", "Alver director", "DigiVestland",
                                "23. november 2026 kl. 09:00", "nn")
    answered = EscalationView(**{**escalation.__dict__, "status": "answered", "answer": "Sjå yr.no.",
                                 "answered_by": "Tove Bech", "answered_at": "23. november 2026 kl. 09:30",
                                 "saved": True})
    return {
        "qa-answer": answer_card(answer, t),
        "qa-dont-know": dont_know_card(DontKnowView("Kva er vêret i Bergen i morgon?", "DigiVestland", "nn"), t),
        "qa-escalation": escalation_card(escalation, t),
        "qa-escalation-answered": escalation_card(answered, t),
        "qa-reply": reply_card("Kva er vêret i Bergen i morgon?", "Sjå yr.no.", "Tove Bech", t),
    }
