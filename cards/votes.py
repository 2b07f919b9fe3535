"""Case (sak) cards: the form and confirmation for opening a case, the case card with its per-user
views, the chair's decision card and the list of open cases.

The case card every posted copy shows (`personal` unset) has no buttons: it carries a `refresh`
(Action.Execute `vote.refresh`, `userIds` = the seat holders) so that Teams asks the bot for
each listed user's own view — with the option buttons for voting members only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
    ActionExecute,
    ActionSet,
    ActionSubmit,
    Container,
    FactSet,
    InputChoice,
    InputChoiceSet,
    InputText,
    InputToggle,
    TextBlock,
)
from adaptive_cards.card import Fact as FactRow

from cards.archive import archive_action
from cards.base import Translate, build, heading, para

# the verbs of this module's buttons: the handlers register under these names
VOTE_CAST = "vote.cast"
VOTE_CLOSE = "vote.close"
VOTE_DECIDE = "vote.decide"
VOTE_DRAFT = "vote.draft"
VOTE_EDIT = "vote.edit"
VOTE_OPEN = "vote.open"
VOTE_REFRESH = "vote.refresh"
VOTE_SHOW = "vote.show"
VOTE_VISIBILITY = "vote.visibility"


MAX_SHOWN_REASON = 300
MAX_TITLE = 300
MAX_TEXT = 4000
MAX_REASON = 2000


def _refresh(case_id: int, user_ids: list[str]) -> dict[str, Any]:
    refresh: dict[str, Any] = {"action": {"type": "Action.Execute", "verb": VOTE_REFRESH,
                                          "data": {"case": case_id}}}
    if user_ids:
        refresh["userIds"] = list(user_ids)[:60]
    return refresh


def _short(text: str, limit: int = MAX_SHOWN_REASON) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _execute(title: str, verb: str, data: dict[str, Any], style: str | None = None) -> ActionExecute:
    kwargs: dict[str, Any] = {"title": title, "verb": verb, "data": data}
    if style:
        kwargs["style"] = style
    return ActionExecute(**kwargs)


def _submit(title: str, verb: str, data: dict[str, Any], style: str | None = None) -> ActionSubmit:
    """Form steps use Action.Submit: a message turn, so the distribution it starts is sent in the background."""
    kwargs: dict[str, Any] = {"title": title, "data": {**data, "action": verb}}
    if style:
        kwargs["style"] = style
    return ActionSubmit(**kwargs)


def _problem(text: str) -> TextBlock:
    return TextBlock(text=text, wrap=True, color="attention", weight="bolder")


def _notice(text: str) -> TextBlock:
    return TextBlock(text=text, wrap=True, color="good", weight="bolder")


def _section(title: str) -> TextBlock:
    return TextBlock(text=title, weight="bolder", wrap=True, spacing="medium")


# --- the case card --------------------------------------------------------------------------


@dataclass
class OptionView:
    key: str
    label: str
    needs_reason: bool = False


@dataclass
class CaseView:
    case_id: int
    key: str
    title: str
    body: str
    proposal: str
    options: list[OptionView]
    deadline: str  # formatted
    visibility: str  # at_once | after_vote | after_close
    voted: int
    total: int
    revision: int
    background: str = ""
    status: str = "open"  # open | closed
    outcome: str = ""  # adopted | awaiting_chair | decided_by_chair | not_adopted
    outcome_text: str = ""
    decided_by: str = ""
    closed_reason: str = ""  # deadline | all_voted | chair
    closed_at: str = ""
    counts: list[tuple[str, int]] | None = None  # (option label, count); None: not shown to this reader
    objections: list[tuple[str, str, str]] = field(default_factory=list)  # (name, option label, reason)
    refresh_user_ids: list[str] = field(default_factory=list)
    # the reader's own view (vote.refresh); all unset on the copy everyone shares
    note: str = ""  # "You follow this case as an observer, without a vote"
    my_vote: str = ""  # option label
    my_reason: str = ""
    my_version: int = 0
    can_vote: bool = False
    missing: list[str] | None = None  # who has not voted (chair and secretariat)
    can_close: bool = False
    can_decide: bool = False
    tighten_to: list[str] = field(default_factory=list)
    problem: str = ""
    notice: str = ""
    reason_prefill: str | None = None
    decision_prefill: str = ""
    can_archive: bool = False  # secretariat, once closed and decided: the "Archive package" button
    confirm_close: str = ""  # set when the chair pressed "Lukk saka no": what closing now will do


def outcome_line(view: CaseView, t: Translate) -> str:
    if view.outcome == "adopted":
        return t("votes.outcome_adopted")
    if view.outcome == "awaiting_chair":
        return t("votes.outcome_awaiting_chair")
    if view.outcome == "decided_by_chair":
        return t("votes.outcome_decided", name=view.decided_by or "—", text=view.outcome_text)
    if view.outcome == "not_adopted":
        return t("votes.outcome_not_adopted")
    return ""


def case_card(view: CaseView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(view.title), para(f"{view.key.upper()} · {view.body}", subtle=True, spacing="none")]
    if view.problem:
        items.append(_problem(view.problem))
    if view.notice:
        items.append(_notice(view.notice))
    if view.status == "closed":
        reason = t(f"votes.closed_reason_{view.closed_reason}") if view.closed_reason else ""
        items.append(TextBlock(text=t("votes.state_closed", at=view.closed_at, reason=reason), wrap=True,
                               weight="bolder"))
        items.append(TextBlock(text=outcome_line(view, t), wrap=True, weight="bolder",
                               color="good" if view.outcome in ("adopted", "decided_by_chair") else "warning"))
    else:
        items.append(para(t("votes.state_open", deadline=view.deadline), subtle=True))
    if view.background:
        items += [_section(t("votes.background")), para(view.background)]
    items += [_section(t("votes.proposal")), para(view.proposal)]
    facts = [FactRow(title=t("votes.deadline"), value=view.deadline),
             FactRow(title=t("votes.visibility_label"), value=t(f"votes.visibility_{view.visibility}")),
             FactRow(title=t("votes.turnout_label"), value=t("votes.turnout", voted=view.voted, total=view.total))]
    items.append(FactSet(facts=facts))
    if view.counts is not None:
        items.append(_section(t("votes.results")))
        items.append(FactSet(facts=[FactRow(title=label, value=str(count)) for label, count in view.counts]))
        for name, label, reason in view.objections:
            items.append(para(t("votes.objection_line", name=name, option=label, reason=_short(reason)),
                              subtle=True))
    elif view.status == "open":
        hidden = f"votes.hidden_{view.visibility}"
        if view.visibility == "after_vote" and (view.note or not view.can_vote):
            # observers, others and the shared copy: "when you have voted" is not theirs to do
            hidden = "votes.hidden_after_vote_others"
        items.append(para(t(hidden), subtle=True))
    if view.missing is not None and view.status == "open":
        items.append(_section(t("votes.missing_voters")))
        items.append(para(", ".join(view.missing) if view.missing else t("votes.missing_none")))
    if view.my_vote:
        line = t("votes.my_vote" if view.status == "open" else "votes.my_vote_closed", option=view.my_vote,
                 version=view.my_version)
        if view.my_reason:
            line += "\n\n" + t("votes.my_reason", reason=_short(view.my_reason))
        items.append(para(line, spacing="medium"))
    if view.note:
        items.append(para(view.note, subtle=True, spacing="medium"))
    if view.can_vote:
        needing = [o.label for o in view.options if o.needs_reason]
        label = t("votes.reason_label", options=" / ".join(needing)) if needing else t("votes.reason_optional")
        prefill = view.reason_prefill if view.reason_prefill is not None else view.my_reason
        items.append(InputText(id="reason", label=label, is_multiline=True, max_length=MAX_REASON,
                               value=prefill or None))
        items.append(ActionSet(actions=[
            _execute(o.label, VOTE_CAST, {"case": view.case_id, "option": o.key, "based_on": view.my_version},
                     style="positive" if o.key == "einig" else None)
            for o in view.options]))
    if view.can_decide:
        items.append(_section(t("votes.decide_title")))
        items.append(InputText(id="decision", label=t("votes.decision_label"), is_multiline=True,
                               max_length=MAX_TEXT, value=view.decision_prefill or None))
        items.append(ActionSet(actions=[_execute(t("votes.decide_button"), VOTE_DECIDE,
                                                 {"case": view.case_id, "source": "case"}, style="positive")]))
    manage = []
    if view.can_close and view.confirm_close:
        items.append(TextBlock(text=view.confirm_close, wrap=True, weight="bolder", color="attention",
                               spacing="medium"))
        items.append(ActionSet(actions=[
            _execute(t("votes.close_confirm_yes"), VOTE_CLOSE,
                     {"case": view.case_id, "revision": view.revision, "confirmed": "yes"}, style="destructive"),
            _execute(t("votes.close_confirm_no"), VOTE_REFRESH, {"case": view.case_id})]))
    elif view.can_close:
        manage.append(_execute(t("votes.close_button"), VOTE_CLOSE,
                               {"case": view.case_id, "revision": view.revision}, style="destructive"))
    for visibility in view.tighten_to:
        manage.append(_execute(t(f"votes.tighten_{visibility}"), VOTE_VISIBILITY,
                               {"case": view.case_id, "visibility": visibility}))
    if view.can_archive:
        manage.append(archive_action(t, "case", view.case_id))
    if manage:
        items.append(ActionSet(actions=manage, spacing="medium"))
    card = build(items)
    card["refresh"] = _refresh(view.case_id, view.refresh_user_ids)
    return card


# --- the chair's decision card ----------------------------------------------------------------


@dataclass
class DecisionView:
    case_id: int
    key: str
    title: str
    body: str
    proposal: str
    counts: list[tuple[str, int]]
    objections: list[tuple[str, str, str]] = field(default_factory=list)
    decided: bool = False
    outcome_text: str = ""
    decided_by: str = ""
    problem: str = ""
    notice: str = ""


def decision_card(view: DecisionView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("votes.decide_card_title")),
                        para(f"{view.key.upper()} · {view.title} · {view.body}", subtle=True, spacing="none")]
    if view.problem:
        items.append(_problem(view.problem))
    if view.notice:
        items.append(_notice(view.notice))
    items += [para(t("votes.decide_intro")), _section(t("votes.proposal")), para(view.proposal),
              _section(t("votes.results")),
              FactSet(facts=[FactRow(title=label, value=str(count)) for label, count in view.counts])]
    for name, label, reason in view.objections:
        items.append(para(t("votes.objection_line", name=name, option=label, reason=_short(reason)), subtle=True))
    if view.decided:
        items.append(TextBlock(text=t("votes.outcome_decided", name=view.decided_by, text=view.outcome_text),
                               wrap=True, weight="bolder", color="good", spacing="medium"))
        return build(items)
    items.append(InputText(id="decision", label=t("votes.decision_label"), is_multiline=True, max_length=MAX_TEXT,
                           is_required=True, error_message=t("votes.decision_missing")))
    return build(items, [_execute(t("votes.decide_button"), VOTE_DECIDE, {"case": view.case_id, "source": "decision"},
                                  style="positive")])


# --- opening a case: form, confirmation, receipt -----------------------------------------------


@dataclass
class FormView:
    bodies: list[tuple[str, str]]  # (key, name)
    values: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def case_form_card(view: FormView, t: Translate) -> dict[str, Any]:
    v = view.values
    items: list[Any] = [heading(t("votes.form_title")), para(t("votes.form_intro"), subtle=True, spacing="none")]
    if view.problem:
        items.append(_problem(view.problem))
    data: dict[str, Any] = {}
    if len(view.bodies) == 1:
        items.append(FactSet(facts=[FactRow(title=t("votes.body_label"), value=view.bodies[0][1])]))
        data["body"] = view.bodies[0][0]
    else:
        items.append(InputChoiceSet(id="body", label=t("votes.body_label"), style="compact", is_required=True,
                                    error_message=t("votes.missing_body"), value=v.get("body") or None,
                                    choices=[InputChoice(title=name, value=key) for key, name in view.bodies]))
    items += [
        InputText(id="title", label=t("votes.title_label"), max_length=MAX_TITLE, is_required=True,
                  error_message=t("votes.missing_title"), value=v.get("title") or None),
        InputText(id="background", label=t("votes.background"), is_multiline=True, max_length=MAX_TEXT,
                  value=v.get("background") or None),
        InputText(id="proposal", label=t("votes.proposal"), is_multiline=True, max_length=MAX_TEXT,
                  is_required=True, error_message=t("votes.missing_proposal"), value=v.get("proposal") or None),
        InputText(id="deadline", label=t("votes.deadline_label"), placeholder=t("votes.deadline_placeholder"),
                  is_required=True, error_message=t("votes.missing_deadline"), value=v.get("deadline") or None),
        InputChoiceSet(id="visibility", label=t("votes.visibility_label"), style="expanded",
                       value=v.get("visibility") or "after_vote",
                       choices=[InputChoice(title=t(f"votes.visibility_{k}"), value=k)
                                for k in ("at_once", "after_vote", "after_close")]),
        InputToggle(id="close_all", title=t("votes.close_all_label"), value=v.get("close_all") or "false",
                    value_on="true", value_off="false", wrap=True),
        InputToggle(id="consent", title=t("votes.consent_label"), value=v.get("consent") or "false",
                    value_on="true", value_off="false", wrap=True),
    ]
    return build(items, [_submit(t("votes.form_next"), VOTE_DRAFT, data, style="positive")])


@dataclass
class ConfirmView:
    body: str
    title: str
    proposal: str
    deadline: str
    visibility: str
    close_all: bool
    options: list[str]
    voters: int
    observers: int
    unreachable: list[str]
    data: dict[str, Any]  # everything the send button carries (validated again on send)
    background: str = ""


def confirm_card(view: ConfirmView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("votes.confirm_title")), para(t("votes.confirm_intro"), subtle=True,
                                                                spacing="none"),
                        TextBlock(text=view.title, weight="bolder", size="medium", wrap=True)]
    if view.background:
        items += [_section(t("votes.background")), para(view.background)]
    items += [_section(t("votes.proposal")), para(view.proposal)]
    items.append(FactSet(facts=[
        FactRow(title=t("votes.body_label"), value=view.body),
        FactRow(title=t("votes.options_label"), value=" / ".join(view.options)),
        FactRow(title=t("votes.deadline"), value=view.deadline),
        FactRow(title=t("votes.visibility_label"), value=t(f"votes.visibility_{view.visibility}")),
        FactRow(title=t("votes.close_all_short"), value=t("votes.yes") if view.close_all else t("votes.no")),
        FactRow(title=t("votes.recipients_label"),
                value=t("votes.recipients", voters=view.voters, observers=view.observers)),
    ]))
    if view.unreachable:
        items.append(para(t("votes.unreachable", names=", ".join(view.unreachable)), subtle=True))
    items.append(para(t("votes.confirm_nothing_sent"), subtle=True, spacing="medium"))
    return build(items, [_submit(t("votes.confirm_send"), VOTE_OPEN, view.data, style="positive"),
                         _submit(t("votes.confirm_edit"), VOTE_EDIT, view.data)])


@dataclass
class OpenedView:
    key: str
    title: str
    body: str
    deadline: str
    sent: int
    total: int
    unreachable: list[str] = field(default_factory=list)
    again: bool = False  # the same draft was confirmed twice: nothing new was opened


def opened_card(view: OpenedView, t: Translate) -> dict[str, Any]:
    title = t("votes.opened_again_title") if view.again else t("votes.opened_title")
    items: list[Any] = [heading(title), para(f"{view.key.upper()} · {view.title}", subtle=True, spacing="none"),
                        FactSet(facts=[FactRow(title=t("votes.body_label"), value=view.body),
                                       FactRow(title=t("votes.deadline"), value=view.deadline),
                                       FactRow(title=t("votes.sent_label"),
                                               value=t("votes.sent", sent=view.sent, total=view.total))])]
    if view.unreachable:
        items.append(para(t("votes.unreachable", names=", ".join(view.unreachable)), subtle=True))
    items.append(para(t("votes.opened_hint"), subtle=True))
    return build(items)


# --- the list of open cases -----------------------------------------------------------------------


@dataclass
class ListItem:
    case_id: int
    key: str
    title: str
    body: str
    state: str  # formatted: "open until …" / "awaiting the chair's decision"
    turnout: str
    mine: str = ""  # "You voted Agree" / "You have not voted" / "Observer"


def case_list_card(items_in: list[ListItem], network: str, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("votes.list_title")), para(network, subtle=True, spacing="none")]
    for entry in items_in:
        lines = [entry.state, entry.turnout] + ([entry.mine] if entry.mine else [])
        items.append(Container(separator=True, spacing="medium", items=[
            TextBlock(text=f"{entry.key.upper()} · {entry.title}", weight="bolder", wrap=True),
            para(" · ".join(lines), subtle=True, spacing="none"),
            ActionSet(actions=[_submit(t("votes.show_button"), VOTE_SHOW, {"case": entry.case_id})]),
        ]))
    return build(items)


# --- gallery ------------------------------------------------------------------------------------


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery, with demo data shaped like a DigiVestland steering-group case."""
    options = [OptionView("einig", "Einig"), OptionView("avstar", "Avstår"), OptionView("ueinig", "Ueinig", True)]
    base = CaseView(
        case_id=1, key="sak-2026-004", title="Felles innkjøp av sak/arkivsystem", body="Styringsgruppa for DigiVestland",
        background="Fleire kommunar skal byte sak/arkivsystem dei neste tre åra.",
        proposal="Styringsgruppa ber sekretariatet førebu eit felles innkjøp med oppstart i 2027.",
        options=options, deadline="1. desember 2026 kl. 12:00", visibility="after_vote", voted=7, total=10,
        revision=1, refresh_user_ids=["29:dv-direktor-alver", "29:dv-leiar", "29:dv-observator-ks"])
    voter = CaseView(**{**base.__dict__, "can_vote": True})
    voted = CaseView(**{**base.__dict__, "can_vote": True, "my_vote": "Einig", "my_version": 1,
                        "counts": [("Einig", 6), ("Avstår", 0), ("Ueinig", 1)],
                        "objections": [("Kari Nordmann", "Ueinig", "Kostnaden er ikkje avklart.")]})
    observer = CaseView(**{**base.__dict__, "note": t("votes.note_observer")})
    chair = CaseView(**{**base.__dict__, "can_vote": True, "can_close": True, "tighten_to": ["after_close"],
                        "missing": ["Askøy", "Stryn", "Stord"]})
    closed = CaseView(**{**base.__dict__, "status": "closed", "outcome": "decided_by_chair",
                         "outcome_text": "Forslaget er vedteke med tillegg om kostnadsrammer.",
                         "decided_by": "Sigurd Vikøren", "closed_reason": "deadline",
                         "closed_at": "1. desember 2026 kl. 12:00", "voted": 9,
                         "counts": [("Einig", 7), ("Avstår", 1), ("Ueinig", 1)]})
    decision = DecisionView(1, "sak-2026-004", base.title, base.body, base.proposal,
                            [("Einig", 7), ("Avstår", 1), ("Ueinig", 1)],
                            [("Kari Nordmann", "Ueinig", "Kostnaden er ikkje avklart.")])
    form = FormView(bodies=[("styringsgruppa", "Styringsgruppa for DigiVestland")])
    confirm = ConfirmView(body=base.body, title=base.title, proposal=base.proposal,
                          deadline="tysdag 1. desember 2026 kl. 12:00", visibility="after_vote", close_all=True,
                          options=["Einig", "Avstår", "Ueinig"], voters=10, observers=2, unreachable=["Stord"],
                          data={"body": "styringsgruppa"})
    return {
        "case": case_card(base, t),
        "case-voter": case_card(voter, t),
        "case-voted": case_card(voted, t),
        "case-observer": case_card(observer, t),
        "case-chair": case_card(chair, t),
        "case-closed": case_card(closed, t),
        "case-decision": decision_card(decision, t),
        "case-form": case_form_card(form, t),
        "case-confirm": confirm_card(confirm, t),
        "case-opened": opened_card(OpenedView("sak-2026-004", base.title, base.body, confirm.deadline, 11, 12,
                                              ["Stord"]), t),
        "case-list": case_list_card([ListItem(1, "sak-2026-004", base.title, base.body,
                                              "Open til 1. desember 2026 kl. 12:00", "7 av 10 har røysta",
                                              "Du har ikkje røysta")], "DigiVestland", t),
    }
