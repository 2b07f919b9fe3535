"""Cards for the cooperation routines: planned procurement (form, preview, the members' question,
live status), project checks, disagreements and the portfolio. Pure: view data in, card out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
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

from cards.base import Translate, build, heading, para

# the verbs of this module's buttons: the handlers register under these names
DISAGREEMENT_RAISE = "disagreement.raise"
PORTFOLIO_EDIT = "portfolio.edit"
PORTFOLIO_SAVE = "portfolio.save"
PORTFOLIO_SHOW = "portfolio.show"
PROCUREMENT_ANSWER = "procurement.answer"
PROCUREMENT_CANCEL = "procurement.cancel"
PROCUREMENT_CONFIRM = "procurement.confirm"
PROCUREMENT_EDIT = "procurement.edit"
PROCUREMENT_PREVIEW = "procurement.preview"
PROCUREMENT_STATUS = "procurement.status"
PROJECT_CHECK = "project.check"
PROJECT_REGISTER = "project.register"


MAX_INPUT = 4000
KINDS = ("purchase", "change", "renegotiation")
VALUE_RANGES = ("lt100k", "100k-1m", "1m-5m", "gt5m", "unknown")
ANSWERS = ("ja", "nei", "vurderer")
VERDICTS = ("fits", "overlaps", "unclear")
STATUSES = ("planned", "active", "paused", "completed")


def _problem(items: list[Any], problem: str) -> None:
    if problem:
        items.append(TextBlock(text=problem, wrap=True, color="attention", weight="bolder"))


def _facts(rows: list[tuple[str, str]]) -> FactSet:
    return FactSet(facts=[FactRow(title=title, value=value) for title, value in rows if value])


# --- planned procurement ------------------------------------------------------------------------


@dataclass
class ProcurementForm:
    municipalities: list[tuple[str, str]] = field(default_factory=list)  # (number, name): only for the lead
    own_municipality: str = ""
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def procurement_form_card(form: ProcurementForm, t: Translate) -> dict[str, Any]:
    v = form.values
    items: list[Any] = [heading(t("routines.form_title")), para(t("routines.form_intro"), subtle=True)]
    _problem(items, form.problem)
    if form.own_municipality:
        items.append(para(t("routines.form_for", municipality=form.own_municipality)))
    else:
        items.append(InputChoiceSet(id="municipality", label=t("routines.municipality_label"), is_required=True,
                                    style="compact", value=v.get("municipality") or None,
                                    error_message=t("routines.missing_municipality"),
                                    choices=[InputChoice(title=name, value=number)
                                             for number, name in form.municipalities]))
    items += [
        InputChoiceSet(id="kind", label=t("routines.kind_label"), is_required=True, style="expanded",
                       value=v.get("kind") or "purchase", error_message=t("routines.missing_kind"),
                       choices=[InputChoice(title=t(f"routines.kind_{k}"), value=k) for k in KINDS]),
        InputText(id="system", label=t("routines.system_label"), is_required=True, max_length=200,
                  value=v.get("system") or None, error_message=t("routines.missing_system")),
        InputText(id="area", label=t("routines.area_label"), max_length=200, value=v.get("area") or None),
        InputDate(id="contract_end", label=t("routines.contract_end_label"), value=v.get("contract_end") or None),
        InputChoiceSet(id="value_range", label=t("routines.value_label"), style="compact",
                       value=v.get("value_range") or "unknown",
                       choices=[InputChoice(title=t(f"routines.value_{r}"), value=r) for r in VALUE_RANGES]),
        InputText(id="contact", label=t("routines.contact_label"), max_length=300, value=v.get("contact") or None),
        InputText(id="description", label=t("routines.description_label"), is_multiline=True, max_length=MAX_INPUT,
                  value=v.get("description") or None),
        InputText(id="deadline", label=t("routines.deadline_label"), is_required=True,
                  placeholder=t("routines.deadline_placeholder"), value=v.get("deadline") or None,
                  error_message=t("routines.missing_deadline")),
    ]
    return build(items, [ActionSubmit(title=t("routines.preview_button"), style="positive",
                                      data={"action": PROCUREMENT_PREVIEW})])


@dataclass
class ProcurementSummary:
    key: str
    municipality: str
    kind: str  # translated
    system: str
    area: str
    contract_end: str
    value_range: str  # translated
    contact: str
    description: str
    deadline: str


def _summary_items(s: ProcurementSummary, t: Translate) -> list[Any]:
    items: list[Any] = [_facts([
        (t("routines.municipality_label"), s.municipality), (t("routines.kind_label"), s.kind),
        (t("routines.system_label"), s.system), (t("routines.area_label"), s.area),
        (t("routines.contract_end_label"), s.contract_end), (t("routines.value_label"), s.value_range),
        (t("routines.contact_label"), s.contact), (t("routines.answer_deadline"), s.deadline)])]
    if s.description:
        items.append(para(s.description))
    return items


@dataclass
class ProcurementPreview:
    summary: ProcurementSummary
    asked: list[str]  # "Modum (Geir Olav Kjos)"
    without_app: list[str]
    data: dict[str, Any]  # everything the confirm button sends back


def procurement_preview_card(p: ProcurementPreview, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("routines.preview_title")), *_summary_items(p.summary, t),
                        para(t("routines.preview_asked", names=", ".join(p.asked) or "–"))]
    if p.without_app:
        items.append(para(t("routines.preview_without_app", names=", ".join(p.without_app)), subtle=True))
    items.append(para(t("routines.preview_rule"), subtle=True))
    return build(items, [
        ActionSubmit(title=t("routines.send_button"), style="positive", data={**p.data, "action": PROCUREMENT_CONFIRM}),
        ActionSubmit(title=t("routines.edit_button"), data={**p.data, "action": PROCUREMENT_EDIT}),
        ActionSubmit(title=t("routines.cancel_button"), data={"action": PROCUREMENT_CANCEL}),
    ])


@dataclass
class AskView:
    summary: ProcurementSummary
    for_municipality: str
    current: str = ""  # translated current answer of this municipality
    answered_by: str = ""
    closed: str = ""  # why answering is over, when it is
    based_on: int = 0  # the answer version the card shows (0: not answered), so an older copy is recognised


def ask_card(view: AskView, t: Translate) -> dict[str, Any]:
    s = view.summary
    items: list[Any] = [heading(t("routines.ask_title")),
                        para(t("routines.ask_intro", municipality=s.municipality, system=s.system,
                                   kind=s.kind.lower(), ref=s.key), spacing="none"),
                        *_summary_items(s, t), para(t("routines.ask_rule"), subtle=True)]
    if view.current:
        items.append(para(t("routines.ask_current", municipality=view.for_municipality, answer=view.current,
                            by=view.answered_by), subtle=False))
    if view.closed:
        items.append(TextBlock(text=view.closed, wrap=True, weight="bolder"))
        return build(items)
    items.append(para(t("routines.ask_change_until", deadline=s.deadline), subtle=True))
    return build(items, [ActionSubmit(title=t(f"routines.answer_{a}"), style="positive" if a == "ja" else None,
                                      data={"action": PROCUREMENT_ANSWER, "procurement": s.key, "answer": a,
                                            "based_on": view.based_on})
                         for a in ANSWERS])


@dataclass
class StatusView:
    summary: ProcurementSummary
    rows: list[tuple[str, str]]  # (municipality, answer or "Ikke svart")
    outcome: str = ""
    case: str = ""  # "sak-2026-001 – …"
    joint: list[str] = field(default_factory=list)
    open_: bool = True


def status_card(view: StatusView, t: Translate) -> dict[str, Any]:
    s = view.summary
    items: list[Any] = [heading(t("routines.status_title", system=s.system)),
                        para(t("routines.status_sub", ref=s.key, municipality=s.municipality), subtle=True,
                             spacing="none"),
                        *_summary_items(s, t), TextBlock(text=t("routines.status_answers"), weight="bolder")]
    items.append(Container(items=[ColumnSet(columns=[
        Column(width="stretch", items=[TextBlock(text=name, wrap=True)]),
        Column(width="auto", items=[TextBlock(text=answer, wrap=True, weight="bolder")])]) for name, answer in view.rows]))
    if view.case:
        items.append(para(t("routines.status_case", case=view.case)))
    if view.joint:
        items.append(para(t("routines.status_joint", names=", ".join(view.joint))))
    if view.outcome:
        items.append(TextBlock(text=view.outcome, wrap=True, weight="bolder"))
    actions = [ActionSubmit(title=t("routines.refresh_button"),
                            data={"action": PROCUREMENT_STATUS, "procurement": s.key})] if view.open_ else []
    return build(items, actions)


# --- project checks and disagreements ----------------------------------------------------------


@dataclass
class ProjectForm:
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    municipality: str = ""


def project_form_card(form: ProjectForm, t: Translate) -> dict[str, Any]:
    v = form.values
    items: list[Any] = [heading(t("routines.project_form_title")), para(t("routines.project_form_intro"), subtle=True)]
    _problem(items, form.problem)
    if form.municipality:
        items.append(para(t("routines.form_for", municipality=form.municipality)))
    items += [InputText(id="title", label=t("routines.project_title_label"), is_required=True, max_length=300,
                        value=v.get("title") or None, error_message=t("routines.missing_title")),
              InputText(id="description", label=t("routines.description_label"), is_multiline=True,
                        max_length=MAX_INPUT, value=v.get("description") or None)]
    return build(items, [ActionSubmit(title=t("routines.project_send"), style="positive",
                                      data={"action": PROJECT_REGISTER, "token": v.get("token", "")})])


@dataclass
class ProjectCheckView:
    key: str
    title: str
    municipality: str
    description: str
    registered_by: str
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (who, verdict, comment)
    mine: str = ""  # the viewer's verdict key, if any


def project_check_card(view: ProjectCheckView, t: Translate, *, ask: bool = True) -> dict[str, Any]:
    items: list[Any] = [heading(t("routines.check_title", title=view.title)),
                        para(t("routines.check_intro", municipality=view.municipality, ref=view.key,
                               by=view.registered_by), subtle=True, spacing="none")]
    if view.description:
        items.append(para(view.description))
    items.append(para(t("routines.check_rule"), subtle=True))
    if view.checks:
        items.append(TextBlock(text=t("routines.check_answers"), weight="bolder"))
        items.append(_facts([(who, f"{verdict}{' – ' + comment if comment else ''}")
                             for who, verdict, comment in view.checks]))
    else:
        items.append(para(t("routines.check_none_yet"), subtle=True))
    if not ask:
        return build(items)
    items += [InputChoiceSet(id="verdict", label=t("routines.verdict_label"), style="expanded", is_required=True,
                             value=view.mine or None, error_message=t("routines.missing_verdict"),
                             choices=[InputChoice(title=t(f"routines.verdict_{v}"), value=v) for v in VERDICTS]),
              InputText(id="comment", label=t("routines.comment_label"), is_multiline=True, max_length=MAX_INPUT)]
    return build(items, [ActionSubmit(title=t("routines.check_send"), style="positive",
                                      data={"action": PROJECT_CHECK, "project": view.key})])


@dataclass
class DisagreementForm:
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    council: str = ""


def disagreement_form_card(form: DisagreementForm, t: Translate) -> dict[str, Any]:
    v = form.values
    items: list[Any] = [heading(t("routines.disagreement_title")),
                        para(t("routines.disagreement_intro", council=form.council), subtle=True)]
    _problem(items, form.problem)
    items += [InputText(id="title", label=t("routines.disagreement_subject"), is_required=True, max_length=300,
                        value=v.get("title") or None, error_message=t("routines.missing_title")),
              InputText(id="description", label=t("routines.disagreement_description"), is_multiline=True,
                        is_required=True, max_length=MAX_INPUT, value=v.get("description") or None,
                        error_message=t("routines.missing_description"))]
    return build(items, [ActionSubmit(title=t("routines.disagreement_send"), style="positive",
                                      data={"action": DISAGREEMENT_RAISE, "token": v.get("token", "")})])


# --- portfolio ----------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    key: str
    kind: str  # project | expert_group
    name: str
    owner: str
    participants: str
    status: str  # translated
    budget: str
    milestone: str
    illustrative: bool = False


@dataclass
class PortfolioView:
    network: str
    rows: list[PortfolioRow]
    editable: bool = False


def portfolio_card(view: PortfolioView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("routines.portfolio_title", network=view.network))]
    for kind in ("project", "expert_group"):
        rows = [r for r in view.rows if r.kind == kind]
        if not rows:
            continue
        items.append(TextBlock(text=t(f"routines.portfolio_{kind}s", count=len(rows)), weight="bolder",
                               size="medium", spacing="large"))
        for r in rows:
            block: list[Any] = [TextBlock(text=r.name + (" *" if r.illustrative else ""), weight="bolder", wrap=True),
                                _facts([(t("routines.owner_label"), r.owner),
                                        (t("routines.participants_label"), r.participants),
                                        (t("routines.status_label"), r.status),
                                        (t("routines.budget_label"), r.budget),
                                        (t("routines.milestone_label"), r.milestone)])]
            if view.editable:
                block.append(ColumnSet(columns=[Column(width="auto", items=[TextBlock(
                    text=t("routines.portfolio_edit_hint"), is_subtle=True, size="small")])]))
            items.append(Container(items=block, separator=True,
                                   select_action=ActionSubmit(data={"action": PORTFOLIO_EDIT, "item": r.key})
                                   if view.editable else None))
    if any(r.illustrative for r in view.rows):
        items.append(para(t("routines.portfolio_illustrative"), subtle=True))
    return build(items)


@dataclass
class PortfolioEdit:
    key: str
    name: str
    status: str
    budget: str
    milestone: str
    milestone_date: str
    owner: str  # kommunenummer
    municipalities: list[tuple[str, str]]
    problem: str = ""


def portfolio_edit_card(e: PortfolioEdit, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("routines.portfolio_edit_title", name=e.name))]
    _problem(items, e.problem)
    items += [
        InputChoiceSet(id="status", label=t("routines.status_label"), style="compact", value=e.status,
                       choices=[InputChoice(title=t(f"routines.status_{s}"), value=s) for s in STATUSES]),
        InputChoiceSet(id="owner", label=t("routines.owner_label"), style="compact", value=e.owner or None,
                       choices=[InputChoice(title=name, value=number) for number, name in e.municipalities]),
        InputText(id="budget", label=t("routines.budget_input_label"), value=e.budget or None, max_length=20),
        InputText(id="milestone", label=t("routines.milestone_label"), value=e.milestone or None, max_length=300),
        InputDate(id="milestone_date", label=t("routines.milestone_date_label"), value=e.milestone_date or None),
    ]
    return build(items, [ActionSubmit(title=t("routines.save_button"), style="positive",
                                      data={"action": PORTFOLIO_SAVE, "item": e.key}),
                         ActionSubmit(title=t("routines.cancel_button"), data={"action": PORTFOLIO_SHOW})])


# --- gallery -------------------------------------------------------------------------------------


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Demo cards for the card gallery (DigIT data)."""
    summary = ProcurementSummary(
        key="ansk-2026-001", municipality="Sigdal", kind=t("routines.kind_renegotiation"),
        system="Fagsystem for barnevern", area="Oppvekst", contract_end="31. mars 2027",
        value_range=t("routines.value_1m-5m"), contact="Kari Lunde Bråthen", description="",
        deadline="7. desember 2026 kl. 23:59")
    return {
        "procurement-form": procurement_form_card(ProcurementForm(own_municipality="Sigdal"), t),
        "procurement-preview": procurement_preview_card(ProcurementPreview(
            summary=summary, asked=["Modum (Geir Olav Kjos)", "Krødsherad (Marit Noresjø)"], without_app=[],
            data={}), t),
        "procurement-ask": ask_card(AskView(summary=summary, for_municipality="Modum"), t),
        "procurement-status": status_card(StatusView(
            summary=summary, rows=[("Krødsherad", t("routines.answer_ja")), ("Modum", t("routines.answer_nei"))],
            case="sak-2026-001", joint=["Sigdal", "Krødsherad"]), t),
        "project-form": project_form_card(ProjectForm(municipality="Sigdal"), t),
        "project-check": project_check_card(ProjectCheckView(
            key="prosj-2026-001", title="Digitalt besøksregister", municipality="Sigdal",
            description="Digital innsjekking for besøkende på sykehjemmet.", registered_by="Kari Lunde Bråthen"), t),
        "disagreement-form": disagreement_form_card(DisagreementForm(council="Rådmannsutvalget i Midt-Buskerud"), t),
        "portfolio": portfolio_card(PortfolioView(network="DigIT Midt-Buskerud", rows=[PortfolioRow(
            key="felles-sak-arkiv", kind="project", name="Felles sak- og arkivsystem", owner="Modum",
            participants="Modum, Sigdal, Krødsherad", status=t("routines.status_active"), budget="2 400 000 kr",
            milestone="Kravspesifikasjon klar (1. februar 2027)", illustrative=True)]), t),
    }
