"""Consultation cards: the answer form, the receipt, and the secretariat's status at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
    ActionOpenUrl,
    ActionSubmit,
    Column,
    ColumnSet,
    Container,
    FactSet,
    InputChoice,
    InputChoiceSet,
    InputDate,
    InputText,
    TextBlock,
)
from adaptive_cards.card import Fact as FactRow

from cards.archive import archive_action
from cards.base import Translate, build, heading, para, say_button

# the verbs of this module's buttons: the handlers register under these names
CONSULTATION_ANSWER = "consultation.answer"
CONSULTATION_CANCEL_OPEN = "consultation.cancel_open"
CONSULTATION_CLOSE = "consultation.close"
CONSULTATION_CLOSE_CANCEL = "consultation.close_cancel"
CONSULTATION_EXPORT = "consultation.export"
CONSULTATION_EXTEND = "consultation.extend"
CONSULTATION_OPEN = "consultation.open"
CONSULTATION_PREVIEW = "consultation.preview"
CONSULTATION_REOPEN = "consultation.reopen"
CONSULTATION_STATUS = "consultation.status"


MAX_INPUT = 10_000


@dataclass
class QuestionView:
    key: str
    kind: str  # choice | text
    label: str
    options: list[str] = field(default_factory=list)
    required: bool = False
    option_titles: list[str] = field(default_factory=list)  # the options in the reader's language (same order)


@dataclass
class CurrentAnswer:
    kind: str
    version: int
    submitted_at: str  # formatted
    submitted_by: str
    on_behalf_of: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    own_council_date: str = ""
    note: str = ""


@dataclass
class AnswerForm:
    consultation_key: str
    revision: int
    title: str
    description: str
    link: str
    deadline: str
    days_left: int
    party: str  # "Alver kommune" or "Region Nordhordland IKS for 8 kommunar"
    questions: list[QuestionView]
    bodies: list[tuple[str, str]]  # (key, name) regional bodies that may answer jointly
    joint_only: bool = False
    current: CurrentAnswer | None = None  # the stored answer, if any
    prefill: CurrentAnswer | None = None  # what to show in the inputs (after a refused submit: what was typed)
    problem: str = ""  # shown on top when a submit was refused
    based_on: int = 0  # the stored versions this card was drawn from (sum over the party's municipalities)
    demo_note: bool = False  # parts of this consultation are illustrative demo data


def answer_card(form: AnswerForm, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(form.title), para(t("consultations.answering_for", party=form.party), subtle=True,
                                                  spacing="none")]
    if form.problem:
        items.append(TextBlock(text=form.problem, wrap=True, color="attention", weight="bolder"))
    if form.description:
        items.append(para(form.description))
    if form.demo_note:
        items.append(para(t("consultations.demo_note"), subtle=True, spacing="none"))
    items.append(FactSet(facts=[FactRow(title=t("consultations.deadline"), value=form.deadline),
                                FactRow(title=t("consultations.days_left_label"),
                                        value=t("consultations.days_left", days=form.days_left))]))
    current = form.current
    if current:
        items.append(para(t("consultations.current_answer", version=current.version, at=current.submitted_at,
                            by=current.submitted_by, kind=t(f"consultations.kind_{current.kind}")), subtle=True))
    values = form.prefill or current
    kind_default = values.kind if values and values.kind else None
    if form.joint_only:
        items.append(para(t("consultations.joint_for_all")))
    else:
        items.append(InputChoiceSet(
            id="kind", label=t("consultations.kind_label"), is_required=True, style="expanded",
            value=kind_default, error_message=t("consultations.missing_kind"),
            choices=[InputChoice(title=t(f"consultations.kind_{k}"), value=k)
                     for k in ("individual", "joint", "no_input")]))
        if form.bodies:
            items.append(InputChoiceSet(
                id="on_behalf_of", label=t("consultations.body_label"), style="compact",
                value=(next((k for k, name in form.bodies if name == values.on_behalf_of), None) if values
                       else None),
                choices=[InputChoice(title=name, value=key) for key, name in form.bodies]))
    for question in form.questions:
        value = values.answers.get(question.key) if values else None
        if question.kind == "choice":
            items.append(InputChoiceSet(id=f"q_{question.key}", label=question.label, style="expanded",
                                        value=value, choices=[
                                            InputChoice(title=title, value=o) for o, title in
                                            zip(question.options, question.option_titles or question.options,
                                                strict=False)]))
        else:
            items.append(InputText(id=f"q_{question.key}", label=question.label, is_multiline=True,
                                   max_length=MAX_INPUT, value=value))
    if not form.joint_only:
        items.append(InputDate(id="own_council_date", label=t("consultations.own_council_label"),
                               value=values.own_council_date if values and values.own_council_date else None))
    items.append(InputText(id="note", label=t("consultations.note_label"), is_multiline=True, max_length=MAX_INPUT,
                           value=values.note if values and values.note else None))
    actions: list[Any] = [ActionSubmit(
        title=t("consultations.submit_update") if current else t("consultations.submit"), style="positive",
        data={"action": CONSULTATION_ANSWER, "consultation": form.consultation_key, "revision": form.revision,
              "based_on": form.based_on})]
    if form.link:
        actions.append(ActionOpenUrl(title=t("consultations.open_document"), url=form.link))
    return build(items, actions)


@dataclass
class Receipt:
    title: str
    municipalities: list[str]
    version: int
    stored_at: str
    kind: str
    on_behalf_of: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question label, answer)
    own_council_date: str = ""
    unchanged: bool = False
    deadline: str = ""


def receipt_card(receipt: Receipt, t: Translate) -> dict[str, Any]:
    title = t("consultations.receipt_unchanged_title") if receipt.unchanged else t("consultations.receipt_title")
    facts = [FactRow(title=t("consultations.for"), value=", ".join(receipt.municipalities)),
             FactRow(title=t("consultations.kind_label"), value=t(f"consultations.kind_{receipt.kind}")),
             FactRow(title=t("consultations.version"), value=str(receipt.version)),
             FactRow(title=t("consultations.stored_at"), value=receipt.stored_at)]
    if receipt.on_behalf_of:
        facts.append(FactRow(title=t("consultations.body_label"), value=receipt.on_behalf_of))
    if receipt.own_council_date:
        facts.append(FactRow(title=t("consultations.own_council_label"), value=receipt.own_council_date))
    items: list[Any] = [heading(title), para(receipt.title, subtle=True, spacing="none"), FactSet(facts=facts)]
    for label, answer in receipt.answers:
        items.append(TextBlock(text=label, weight="bolder", wrap=True, spacing="medium"))
        items.append(para(answer if len(answer) <= 1500 else answer[:1500] + " …"))
    if receipt.deadline:
        items.append(para(t("consultations.can_edit_until", deadline=receipt.deadline), subtle=True))
    return build(items)


@dataclass
class StatusView:
    title: str
    network: str
    deadline: str
    days_left: int
    closed: bool
    members: int
    counts: dict[str, int]
    not_answered: list[str]
    consultation_key: str = ""
    export_links: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    archive_id: int | None = None  # set once closed: the "Archive package" button


_BAR_STYLE = {"joint": "accent", "individual": "good", "no_input": "warning", "missing": "attention"}


def _bar(label: str, count: int, total: int, style: str) -> ColumnSet:
    """A horizontal bar from card elements: a coloured column whose weight is the count."""
    filled = max(count, 0)
    rest = max(total - filled, 0)
    columns = [Column(width="120px", items=[TextBlock(text=label, wrap=True, size="small")]),
               Column(width="40px", items=[TextBlock(text=str(count), weight="bolder", horizontal_alignment="right")])]
    if filled:
        columns.append(Column(width=str(filled), style=style,
                              items=[TextBlock(text=" ", size="small")]))
    if rest:
        columns.append(Column(width=str(rest), items=[TextBlock(text=" ", size="small")]))
    return ColumnSet(columns=columns, spacing="small")


def status_card(view: StatusView, t: Translate) -> dict[str, Any]:
    answered = sum(view.counts.values())
    state = (t("consultations.state_closed") if view.closed
             else t("consultations.state_open", days=view.days_left))
    items: list[Any] = [heading(view.title), para(f"{view.network} · {state}", subtle=True, spacing="none"),
                        FactSet(facts=[FactRow(title=t("consultations.deadline"), value=view.deadline),
                                       FactRow(title=t("consultations.answered_label"),
                                               value=t("consultations.answered_of", answered=answered,
                                                       members=view.members))])]
    bars = Container(items=[
        _bar(t("consultations.kind_joint"), view.counts.get("joint", 0), view.members, _BAR_STYLE["joint"]),
        _bar(t("consultations.kind_individual"), view.counts.get("individual", 0), view.members,
             _BAR_STYLE["individual"]),
        _bar(t("consultations.kind_no_input"), view.counts.get("no_input", 0), view.members,
             _BAR_STYLE["no_input"]),
        _bar(t("consultations.not_answered"), len(view.not_answered), view.members, _BAR_STYLE["missing"]),
    ])
    items.append(bars)
    if view.not_answered:
        items.append(TextBlock(text=t("consultations.not_answered"), weight="bolder", wrap=True, spacing="medium"))
        items.append(para(", ".join(view.not_answered)))
    actions: list[Any] = [ActionSubmit(title=t("consultations.refresh"),
                                       data={"action": CONSULTATION_STATUS, "consultation": view.consultation_key})]
    actions += manage_actions(view.consultation_key, view.closed, t)
    actions.append(ActionSubmit(title=t("consultations.export_button"),
                                data={"action": CONSULTATION_EXPORT, "consultation": view.consultation_key}))
    actions += [ActionOpenUrl(title=title, url=url) for title, url in view.export_links]
    if view.archive_id is not None:
        actions.append(archive_action(t, "consultation", view.archive_id))
    return build(items, actions)


def export_card(t: Translate, title: str, csv_url: str, xlsx_url: str, minutes: int) -> dict[str, Any]:
    """Download links for every version of every answer (signed links that expire; ask again for new ones)."""
    return build([heading(t("consultations.export_title", title=title)),
                  para(t("consultations.export_text", minutes=minutes))],
                 [ActionOpenUrl(title=t("consultations.export_csv"), url=csv_url),
                  ActionOpenUrl(title=t("consultations.export_xlsx"), url=xlsx_url)])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery, with demo data shaped like the July 2024 DigiVestland consultation."""
    questions = [QuestionView("hovudsyn", "choice", "Hovudsyn på utkastet",
                              ["Støttar utkastet", "Støttar med endringar", "Støttar ikkje"]),
                 QuestionView("merknader", "text", "Merknader til utkastet")]
    form = AnswerForm("ny-samarbeidsavtale-2024", 1, "Innspel til utkast til ny samarbeidsavtale", "",
                      "https://forms.office.com/e/41vG7efhjX", "30. juni 2024 kl. 23:59", 7, "Alver kommune",
                      questions, [("region-nordhordland", "Region Nordhordland IKS")])
    answered = AnswerForm(**{**form.__dict__, "current": CurrentAnswer(
        "individual", 2, "20. juni 2024 kl. 10:00", "Ingrid Haugland", answers={"hovudsyn": "Støttar med endringar"})})
    return {
        "consultation-answer": answer_card(form, t),
        "consultation-answer-edit": answer_card(answered, t),
        "consultation-receipt": receipt_card(Receipt(
            "Innspel til utkast til ny samarbeidsavtale", ["Alver"], 2, "20. juni 2024 kl. 10:00", "individual",
            answers=[("Hovudsyn på utkastet", "Støttar med endringar")], deadline="30. juni 2024 kl. 23:59"), t),
        "consultation-status": status_card(StatusView(
            "Innspel til utkast til ny samarbeidsavtale", "DigiVestland", "30. juni 2024 kl. 23:59", 0, True, 40,
            {"joint": 18, "individual": 2, "no_input": 3}, ["Askvoll", "Aurland", "Bømlo"], "ny-samarbeidsavtale-2024"),
            t),
        "consultation-open-form": open_form_card(OpenForm(), t),
        "consultation-choice": choice_card(t, [("Høyring om budsjett 2027", "7. desember 2026 kl. 12:00",
                                                "høyring budsjett-2027"),
                                               ("Høyring om IKT-strategi", "14. desember 2026 kl. 23:59",
                                                "høyring ikt-strategi")]),
        "consultation-close-confirm": close_confirm_card(t, "budsjett-2027", "Høyring om budsjett 2027", 23, 40,
                                                         ["Askvoll", "Aurland"]),
        "consultation-export": export_card(t, "Innspel til utkast til ny samarbeidsavtale",
                                           "https://samarbeidsbot.example/exports/consultation/1.csv?t=…",
                                           "https://samarbeidsbot.example/exports/consultation/1.xlsx?t=…", 60),
        "consultation-open-preview": open_preview_card(OpenPreview(
            "budsjett-2027-20261207", "Høyring om budsjett 2027", "Utkast til budsjett for 2027.",
            "https://example.org/budsjett-2027", "2026-12-07T12:00:00+01:00", "7. desember 2026 kl. 12:00",
            38, ["Fedje", "Gulen"]), t),
    }


@dataclass
class OpenForm:
    title: str = ""
    description: str = ""
    link: str = ""
    deadline: str = ""
    problem: str = ""


def open_form_card(form: OpenForm, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("consultations.open_title"))]
    if form.problem:
        items.append(TextBlock(text=form.problem, wrap=True, color="attention", weight="bolder"))
    items += [
        InputText(id="title", label=t("consultations.open_field_title"), is_required=True, max_length=300,
                  value=form.title or None, error_message=t("consultations.open_missing_title")),
        InputText(id="description", label=t("consultations.open_field_description"), is_multiline=True,
                  max_length=MAX_INPUT, value=form.description or None),
        InputText(id="link", label=t("consultations.open_field_link"), value=form.link or None,
                  placeholder="https://"),
        InputText(id="deadline", label=t("consultations.open_field_deadline"), is_required=True,
                  value=form.deadline or None, placeholder=t("consultations.open_deadline_example"),
                  error_message=t("consultations.open_missing_deadline")),
        para(t("consultations.open_questions_note"), subtle=True),
    ]
    return build(items, [ActionSubmit(title=t("consultations.open_preview"), style="positive",
                                      data={"action": CONSULTATION_PREVIEW})])


@dataclass
class OpenPreview:
    key: str
    title: str
    description: str
    link: str
    deadline_iso: str
    deadline_text: str
    with_app: int
    without_app: list[str]


def open_preview_card(preview: OpenPreview, t: Translate) -> dict[str, Any]:
    facts = [FactRow(title=t("consultations.open_field_title"), value=preview.title),
             FactRow(title=t("consultations.deadline"), value=preview.deadline_text),
             FactRow(title=t("consultations.open_recipients"), value=t("consultations.open_recipients_count",
                                                                        count=preview.with_app))]
    if preview.link:
        facts.append(FactRow(title=t("consultations.open_field_link"), value=preview.link))
    items: list[Any] = [heading(t("consultations.open_confirm_title")), FactSet(facts=facts)]
    if preview.description:
        items.append(para(preview.description))
    if preview.without_app:
        items.append(para(t("consultations.open_without_app", names=", ".join(preview.without_app)), subtle=True))
    data = {"action": CONSULTATION_OPEN, "consultation_key": preview.key, "title": preview.title,
            "description": preview.description, "link": preview.link, "deadline": preview.deadline_iso}
    return build(items, [ActionSubmit(title=t("consultations.open_send"), style="positive", data=data),
                         ActionSubmit(title=t("consultations.open_cancel"), data={"action": CONSULTATION_CANCEL_OPEN})])


def choice_card(t: Translate, consultations: list[tuple[str, str, str]]) -> dict[str, Any]:
    """More than one consultation is open: one button per consultation (title, deadline, what it says)."""
    items: list[Any] = [heading(t("consultations.choose_title"))]
    items += [para(t("consultations.choose_line", title=title, deadline=deadline))
              for title, deadline, _says in consultations]
    return build(items, [ActionSubmit(**say_button(title[:60], says)) for title, _deadline, says in consultations])


def close_confirm_card(t: Translate, key: str, title: str, answered: int, members: int,
                       not_answered: list[str]) -> dict[str, Any]:
    """Asked before "Lukk høyringa": what closing does, and who has not answered."""
    items: list[Any] = [heading(t("consultations.close_confirm_title", title=title)),
                        para(t("consultations.close_confirm_text", answered=answered, members=members,
                               missing=len(not_answered)))]
    if not_answered:
        items.append(para(", ".join(not_answered), subtle=True))
    return build(items, [
        ActionSubmit(title=t("consultations.close_confirm_yes"), style="destructive",
                     data={"action": CONSULTATION_CLOSE, "consultation": key, "confirmed": "yes"}),
        ActionSubmit(title=t("consultations.close_confirm_no"), data={"action": CONSULTATION_CLOSE_CANCEL})])


def manage_actions(key: str, closed: bool, t: Translate) -> list[Any]:
    """The secretariat's buttons under the status card: change the deadline, close, reopen."""
    from adaptive_cards.card import ActionShowCard, AdaptiveCard

    def deadline_card(verb: str) -> AdaptiveCard:
        return (AdaptiveCard.new().version("1.5")
                .add_item(InputText(id="deadline", label=t("consultations.open_field_deadline"), is_required=True,
                                    placeholder=t("consultations.open_deadline_example"),
                                    error_message=t("consultations.open_missing_deadline")))
                .add_action(ActionSubmit(title=t("consultations.save"), data={"action": verb, "consultation": key}))
                .create())

    if closed:
        return [ActionShowCard(title=t("consultations.reopen"), card=deadline_card(CONSULTATION_REOPEN))]
    return [ActionShowCard(title=t("consultations.extend"), card=deadline_card(CONSULTATION_EXTEND)),
            ActionSubmit(title=t("consultations.close_now"), data={"action": CONSULTATION_CLOSE, "consultation": key})]
