"""Agreement cards: the clause diff of a draft, commenting on a clause in a consultation, the input
summary for the secretariat, registering a council's decision (tiltreding) and the accession status."""

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

# the verbs of this module's buttons
AGREEMENT_COMMENT = "agreement.comment"
AGREEMENT_ACCESSION = "agreement.accession"
AGREEMENT_STATUS = "agreement.status"

MAX_SHOWN = 1500
MAX_CLAUSES_SHOWN = 25


def _short(text: str, limit: int = MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problem(text: str) -> TextBlock:
    return TextBlock(text=text, wrap=True, color="attention", weight="bolder")


def _section(text: str) -> TextBlock:
    return TextBlock(text=text, weight="bolder", wrap=True, spacing="medium")


@dataclass
class ChangeView:
    kind: str  # added | removed | changed
    label: str  # "5.2 Styringsgruppe"
    detail: str  # the marked words, or the clause text


@dataclass
class DiffView:
    title: str
    old_label: str
    new_label: str
    counts: dict[str, int]
    changes: list[ChangeView]


def diff_card(view: DiffView, t: Translate) -> dict[str, Any]:
    c = view.counts
    items: list[Any] = [heading(view.title),
                        para(t("agreements.diff_against", old=view.old_label, new=view.new_label), subtle=True),
                        FactSet(facts=[FactRow(title=t(f"agreements.change_{k}"), value=str(c.get(k, 0)))
                                       for k in ("added", "removed", "changed", "unchanged")])]
    for change in view.changes[:MAX_CLAUSES_SHOWN]:
        items.append(_section(f"{t('agreements.change_' + change.kind)}: {change.label}"))
        items.append(para(_short(change.detail, 600)))
    if len(view.changes) > MAX_CLAUSES_SHOWN:
        items.append(para(t("agreements.more_changes", count=len(view.changes) - MAX_CLAUSES_SHOWN), subtle=True))
    return build(items)


@dataclass
class CommentForm:
    consultation: str
    clause_key: str
    label: str  # "5.2 Styringsgruppe"
    text: str  # the clause text
    change: str  # added | changed | unchanged
    changed_words: str  # for a changed clause: the marked words
    party: str  # "Alver kommune" or "Region Nordhordland IKS (for 8 kommunar)"
    deadline: str
    current: str = ""  # the current comment, if any
    version: int = 0
    problem: str = ""


def comment_card(form: CommentForm, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("agreements.comment_title", label=form.label)),
                        para(t("agreements.comment_for", party=form.party, deadline=form.deadline), subtle=True)]
    if form.problem:
        items.append(_problem(form.problem))
    items.append(_section(t("agreements.clause_text")))
    items.append(para(_short(form.text)))
    if form.change == "changed" and form.changed_words:
        items.append(_section(t("agreements.what_changed")))
        items.append(para(_short(form.changed_words)))
    elif form.change == "added":
        items.append(para(t("agreements.clause_new"), subtle=True))
    if form.version:
        items.append(para(t("agreements.current_version", version=form.version), subtle=True))
    items.append(InputText(id="comment", label=t("agreements.comment_label"), is_multiline=True,
                           value=form.current, max_length=4000))
    actions = [ActionSubmit(title=t("agreements.comment_send"),
                            data={"action": AGREEMENT_COMMENT, "consultation": form.consultation,
                                  "clause": form.clause_key})]
    return build(items, actions)


@dataclass
class SummaryClause:
    label: str
    change: str
    comments: list[tuple[str, str, str]]  # (party and who, on behalf of, text)


@dataclass
class SummaryView:
    title: str
    version_label: str
    answered: int
    members: int
    positions: list[tuple[str, int]]
    clauses: list[SummaryClause]
    export_links: list[tuple[str, str]] = field(default_factory=list)


def summary_card(view: SummaryView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("agreements.summary_title") + ": " + view.version_label),
                        para(view.title, subtle=True),
                        _section(t("agreements.positions")),
                        para(t("agreements.answered_of", answered=view.answered, members=view.members)),
                        FactSet(facts=[FactRow(title=label, value=str(count)) for label, count in view.positions])]
    shown = [c for c in view.clauses if c.comments]
    if not shown:
        items.append(para(t("agreements.no_comments")))
    for clause in shown[:MAX_CLAUSES_SHOWN]:
        items.append(_section(f"{clause.label} ({t('agreements.comment_count', count=len(clause.comments))})"))
        for who, behalf, text in clause.comments:
            items.append(Container(items=[para(f"**{who}** · {behalf}", subtle=True),
                                          para(_short(text, 400), spacing="none")]))
    from adaptive_cards.card import ActionOpenUrl

    return build(items, [ActionOpenUrl(title=title, url=url) for title, url in view.export_links])


@dataclass
class AccessionForm:
    version_label: str
    municipality: str
    number: str
    effective: str
    current: str = ""  # what is registered now, said in words
    problem: str = ""
    values: dict[str, str] = field(default_factory=dict)


def accession_card(form: AccessionForm, t: Translate) -> dict[str, Any]:
    v = form.values
    items: list[Any] = [heading(t("agreements.accession_form_title", label=form.version_label)),
                        para(t("agreements.accession_form_for", municipality=form.municipality,
                               effective=form.effective), subtle=True)]
    if form.problem:
        items.append(_problem(form.problem))
    if form.current:
        items.append(para(form.current))
    items += [
        InputChoiceSet(id="outcome", label=t("agreements.outcome_label"), style="expanded", value=v.get("outcome", ""),
                       choices=[InputChoice(title=t(f"agreements.status_{k}"), value=k)
                                for k in ("joined", "joined_with_reservations", "declined", "planned")]),
        InputText(id="body", label=t("agreements.body_label"), placeholder=t("agreements.body_placeholder"),
                  value=v.get("body", ""), max_length=100),
        InputDate(id="meeting_date", label=t("agreements.meeting_label"), value=v.get("meeting_date", "")),
        InputText(id="case_number", label=t("agreements.case_label"), placeholder="165/19",
                  value=v.get("case_number", ""), max_length=40),
        InputText(id="funding", label=t("agreements.funding_label"), value=v.get("funding", ""), max_length=2000),
        InputText(id="reservations", label=t("agreements.reservations_label"), is_multiline=True,
                  value=v.get("reservations", ""), max_length=2000),
        InputText(id="protocol_url", label=t("agreements.protocol_label"), style="url",
                  value=v.get("protocol_url", ""), max_length=500),
        InputDate(id="planned_date", label=t("agreements.planned_label"), value=v.get("planned_date", "")),
    ]
    actions = [ActionSubmit(title=t("agreements.accession_send"),
                            data={"action": AGREEMENT_ACCESSION, "municipality": form.number})]
    return build(items, actions)


@dataclass
class AccessionStatusView:
    version_label: str
    effective: str
    counts: dict[str, int]
    total: int
    lists: list[tuple[str, list[str]]]  # (status label, municipality names)
    illustrative_note: bool = False
    export_links: list[tuple[str, str]] = field(default_factory=list)


_STYLE = {"joined": "good", "planned": "accent", "not_yet": "warning", "declined": "attention"}


def _bar(label: str, count: int, total: int, style: str) -> ColumnSet:
    columns = [Column(width="120px", items=[TextBlock(text=label, wrap=True, size="small")]),
               Column(width="40px", items=[TextBlock(text=str(count), weight="bolder", horizontal_alignment="right")])]
    if count:
        columns.append(Column(width=str(count), style=style, items=[TextBlock(text=" ", size="small")]))
    if total - count > 0:
        columns.append(Column(width=str(total - count), items=[TextBlock(text=" ", size="small")]))
    return ColumnSet(columns=columns, spacing="small")


def accession_status_card(view: AccessionStatusView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("agreements.accession_title", label=view.version_label)),
                        para(t("agreements.effective_from", day=view.effective), subtle=True),
                        para(t("agreements.accession_counts", **view.counts, total=view.total))]
    items.append(Container(items=[_bar(t(f"agreements.status_{k}"), view.counts[k], view.total, _STYLE[k])
                                  for k in ("joined", "planned", "not_yet", "declined")]))
    for label, names in view.lists:
        if names:
            items.append(_section(f"{label} ({len(names)})"))
            items.append(para(", ".join(names)))
    if view.illustrative_note:
        items.append(para(t("agreements.illustrative_note"), subtle=True))
    from adaptive_cards.card import ActionOpenUrl

    actions: list[Any] = [ActionSubmit(title=t("agreements.refresh"), data={"action": AGREEMENT_STATUS})]
    actions += [ActionOpenUrl(title=title, url=url) for title, url in view.export_links]
    return build(items, actions)


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery: the DigiVestland draft (test document) and Bærum's decision of 18.06.2019."""
    diff = DiffView("Endringar i Utkast til ny samarbeidsavtale", "Samarbeidsavtale 2020", "Utkast 2025",
                    {"added": 1, "removed": 1, "changed": 2, "unchanged": 12},
                    [ChangeView("changed", "5.2 Styringsgruppe",
                                "Styringsgruppa møtest ~~kvartalsvis~~ **minst fire gonger i året** og elles ved behov."),
                     ChangeView("removed", "7 Ressursgruppe", "Det blir etablert ei ressursgruppe …"),
                     ChangeView("added", "11 Tiltreding", "Avtalen gjeld for den enkelte kommune frå kommunen sitt "
                                                         "vedtak om å tiltre avtalen.")])
    form = CommentForm("ny-samarbeidsavtale-2024", "styringsgruppe", "5.2 Styringsgruppe",
                       "Styringsgruppa møtest minst fire gonger i året og elles ved behov.", "changed",
                       "Styringsgruppa møtest ~~kvartalsvis~~ **minst fire gonger i året** og elles ved behov.",
                       "Alver", "30. juni 2024 kl. 23:59")
    summary = SummaryView("Innspel til utkast til ny samarbeidsavtale", "Utkast 2025", 23, 40,
                          [("Støttar med endringar", 18), ("Støttar utkastet", 2)],
                          [SummaryClause("9 Varigheit", "changed", [
                              ("Region Nordhordland IKS (Marianne Sæbø)", "på vegner av Alver, Austrheim, Fedje",
                               "Varigheita bør vere fire år.")])])
    accession = AccessionForm("Samarbeidsavtale for Digitale Akershus", "Bærum", "3201", "1. januar 2020",
                              values={"outcome": "joined", "body": "Formannskapet", "meeting_date": "2019-06-18",
                                      "case_number": "165/19", "funding": "inntil kr 3,- pr innbygger i HP for 2020-23"})
    status = AccessionStatusView("Utkast 2025", "1. januar 2025", {"joined": 2, "planned": 1, "not_yet": 37,
                                                                   "declined": 0}, 40,
                                 [(t("agreements.status_joined"), ["Alver", "Askøy"]),
                                  (t("agreements.status_planned"), ["Bjørnafjorden"])], illustrative_note=True)
    return {
        "agreement-diff": diff_card(diff, t),
        "agreement-comment": comment_card(form, t),
        "agreement-summary": summary_card(summary, t),
        "agreement-accession": accession_card(accession, t),
        "agreement-accession-status": accession_status_card(status, t),
    }
