"""Meeting and deadline cards: the announce form, the confirmation, invitations with RSVP,
updates and cancellations, reminders, and the "Kva skjer?" list.

Pure builders: plain view data in, Adaptive Card 1.5 dict out. All dates arrive formatted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
    ActionOpenUrl,
    ActionSubmit,
    Container,
    FactSet,
    InputChoice,
    InputChoiceSet,
    InputText,
    TextBlock,
)
from adaptive_cards.card import Fact as FactRow

from cards.base import Translate, build, heading, para

# the verbs of this module's buttons: the handlers register under these names
MEETING_CANCEL = "meeting.cancel"
MEETING_CANCEL_ABORT = "meeting.cancel_abort"
MEETING_CANCEL_CONFIRM = "meeting.cancel_confirm"
MEETING_CHANGE = "meeting.change"
MEETING_CONFIRM = "meeting.confirm"
MEETING_DISCARD = "meeting.discard"
MEETING_EDIT = "meeting.edit"
MEETING_NEW = "meeting.new"
MEETING_PREVIEW = "meeting.preview"
MEETING_RSVP = "meeting.rsvp"


RSVP_CHOICES = ("yes", "no", "maybe")


@dataclass
class EventView:
    """One meeting or deadline as a reader sees it."""

    event_id: int | None
    kind: str  # meeting | deadline
    title: str
    when: str  # "28. august 2024 kl. 10:00–12:00"
    audience: str
    place: str = ""
    online_url: str = ""
    agenda: list[str] = field(default_factory=list)
    ics_url: str = ""
    sequence: int = 0
    cancelled: bool = False
    rsvp: str | None = None  # the reader's own answer
    counts: dict[str, int] | None = None  # RSVP counts, for the secretariat
    invited: int = 0


@dataclass
class FormValues:
    kind: str = "meeting"
    title: str = ""
    audience: str = ""
    when: str = ""
    place: str = ""
    link: str = ""
    agenda: str = ""
    reminders: str = "7, 1"
    event_id: int | None = None  # set when changing a meeting
    problem: str = ""
    replaces: int | None = None  # the draft whose "Rett" opened this form: its preview is then out of date


@dataclass
class Preview:
    draft_id: int
    event: EventView
    reminders: str
    recipients: int
    without_app: list[str]
    change: bool = False
    warning: str = ""  # the meeting falls on a weekend or a public holiday


def _facts(view: EventView, t: Translate) -> FactSet:
    rows = [FactRow(title=t("meetings.field_when"), value=view.when)]
    if view.place:
        rows.append(FactRow(title=t("meetings.field_place"), value=view.place))
    if view.online_url:
        rows.append(FactRow(title=t("meetings.field_link"), value=view.online_url))
    rows.append(FactRow(title=t("meetings.field_audience"), value=view.audience))
    return FactSet(facts=rows)


def _agenda(view: EventView, t: Translate) -> list[Any]:
    if not view.agenda:
        return []
    lines = "\n".join(f"{i}. {item}" for i, item in enumerate(view.agenda, 1))
    return [TextBlock(text=t("meetings.field_agenda"), weight="bolder", spacing="medium", wrap=True),
            TextBlock(text=lines, wrap=True, spacing="small")]


def form_card(values: FormValues, audiences: list[tuple[str, str]], t: Translate) -> dict[str, Any]:
    """The announce (or change) form; `audiences` are (value, label) choices."""
    items: list[Any] = [heading(t("meetings.form_title_change") if values.event_id else t("meetings.form_title")),
                        para(t("meetings.form_intro"), subtle=True, spacing="none")]
    if values.problem:
        items.append(TextBlock(text=values.problem, color="attention", wrap=True, weight="bolder"))
    items += [
        InputChoiceSet(id="kind", label=t("meetings.field_kind"), style="expanded", value=values.kind,
                       choices=[InputChoice(title=t("meetings.kind_meeting"), value="meeting"),
                                InputChoice(title=t("meetings.kind_deadline"), value="deadline")]),
        InputText(id="title", label=t("meetings.field_title"), is_required=True, max_length=300,
                  value=values.title or None, error_message=t("meetings.missing_title")),
        InputChoiceSet(id="audience", label=t("meetings.field_audience"), style="compact",
                       value=values.audience or (audiences[0][0] if audiences else None),
                       choices=[InputChoice(title=label, value=value) for value, label in audiences]),
        InputText(id="when", label=t("meetings.field_when"), is_required=True, value=values.when or None,
                  placeholder=t("meetings.when_placeholder"), error_message=t("meetings.missing_when")),
        InputText(id="place", label=t("meetings.field_place"), max_length=300, value=values.place or None),
        InputText(id="link", label=t("meetings.field_link"), value=values.link or None, placeholder="https://"),
        InputText(id="agenda", label=t("meetings.field_agenda_input"), is_multiline=True, max_length=4000,
                  value=values.agenda or None),
        InputText(id="reminders", label=t("meetings.field_reminders"), value=values.reminders or None),
    ]
    data: dict[str, Any] = {"action": MEETING_PREVIEW}
    if values.event_id:
        data["event"] = values.event_id
    if values.replaces:
        data["replaces"] = values.replaces
    return build(items, [ActionSubmit(title=t("meetings.preview_button"), style="positive", data=data)])


def preview_card(preview: Preview, t: Translate) -> dict[str, Any]:
    """What the bot understood, before anything is sent: the secretariat confirms or corrects it."""
    view = preview.event
    title = t("meetings.preview_title_change") if preview.change else t("meetings.preview_title")
    items: list[Any] = [heading(title), para(t("meetings.preview_intro"), subtle=True, spacing="none"),
                        TextBlock(text=f"{t('meetings.kind_' + view.kind)}: {view.title}", weight="bolder",
                                  size="medium", wrap=True), _facts(view, t), *_agenda(view, t)]
    if preview.warning:
        items.append(TextBlock(text=preview.warning, wrap=True, color="attention", weight="bolder"))
    items += [para(t("meetings.preview_reminders", days=preview.reminders or "—"), spacing="medium"),
              para(t("meetings.preview_recipients", count=preview.recipients))]
    if preview.without_app:
        items.append(para(t("meetings.preview_without_app", count=len(preview.without_app),
                            names=", ".join(preview.without_app[:15])), subtle=True))
    actions = [
        ActionSubmit(title=t("meetings.confirm_button_change") if preview.change else t("meetings.confirm_button"),
                     style="positive", data={"action": MEETING_CONFIRM, "draft": preview.draft_id}),
        ActionSubmit(title=t("meetings.edit_button"), data={"action": MEETING_EDIT, "draft": preview.draft_id}),
        ActionSubmit(title=t("meetings.discard_button"), data={"action": MEETING_DISCARD, "draft": preview.draft_id}),
    ]
    return build(items, actions)


def invitation_card(view: EventView, t: Translate, *, update: bool = False) -> dict[str, Any]:
    """The invitation (or its update / cancellation) with RSVP buttons and an 'add to calendar' link."""
    if view.cancelled:
        title = t("meetings.cancelled_title")
    elif update:
        title = t("meetings.updated_title")
    else:
        title = t("meetings.invitation_title") if view.kind == "meeting" else t("meetings.deadline_title")
    items: list[Any] = [heading(title),
                        TextBlock(text=view.title, weight="bolder", size="medium", wrap=True,
                                  is_subtle=view.cancelled), _facts(view, t), *_agenda(view, t)]
    if view.cancelled:
        items.append(para(t("meetings.cancelled_text"), spacing="medium"))
    elif view.rsvp:
        items.append(para(t("meetings.rsvp_current", answer=t(f"meetings.rsvp_{view.rsvp}")), subtle=True))
    actions: list[Any] = []
    if view.kind == "meeting" and not view.cancelled and view.event_id is not None:
        actions += [ActionSubmit(title=t(f"meetings.rsvp_{choice}"),
                                 data={"action": MEETING_RSVP, "event": view.event_id, "response": choice,
                                       "sequence": view.sequence, "rsvp_was": view.rsvp or ""})
                    for choice in RSVP_CHOICES]
    if view.ics_url:
        actions.append(ActionOpenUrl(title=t("meetings.add_to_calendar") if not view.cancelled
                                     else t("meetings.remove_from_calendar"), url=view.ics_url))
    if view.online_url and not view.cancelled:
        actions.append(ActionOpenUrl(title=t("meetings.join_online"), url=view.online_url))
    return build(items, actions)


def reminder_card(view: EventView, days: int, t: Translate) -> dict[str, Any]:
    key = "meetings.reminder_meeting" if view.kind == "meeting" else "meetings.reminder_deadline"
    items: list[Any] = [heading(t(key, days=days)), TextBlock(text=view.title, weight="bolder", wrap=True),
                        _facts(view, t), *_agenda(view, t)]
    if view.rsvp:
        items.append(para(t("meetings.rsvp_current", answer=t(f"meetings.rsvp_{view.rsvp}")), subtle=True))
    actions: list[Any] = []
    if view.kind == "meeting" and view.event_id is not None:
        actions += [ActionSubmit(title=t(f"meetings.rsvp_{c}"), data={"action": MEETING_RSVP, "event": view.event_id,
                                                                         "response": c, "sequence": view.sequence,
                                                                         "rsvp_was": view.rsvp or ""})
                    for c in RSVP_CHOICES]
    if view.ics_url:
        actions.append(ActionOpenUrl(title=t("meetings.add_to_calendar"), url=view.ics_url))
    return build(items, actions)


def upcoming_card(network: str, views: list[EventView], t: Translate, *, secretariat: bool,
                  other_deadlines: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """'Kva skjer?': the next meetings and deadlines; the secretariat also sees RSVP counts and can change.
    `other_deadlines`: open consultations and cases (what, title, deadline), shown below."""
    items: list[Any] = [heading(t("meetings.upcoming_title", network=network))]
    if not views and not other_deadlines:
        items.append(para(t("meetings.upcoming_none")))
    if other_deadlines:
        items.append(TextBlock(text=t("meetings.upcoming_other_title"), weight="bolder", wrap=True))
        items.append(para("\n".join(t("meetings.upcoming_other_line", what=what, title=title, deadline=deadline)
                                     for what, title, deadline in other_deadlines)))
    for view in views:
        lines = [view.when]
        if view.place or view.online_url:
            lines.append(view.place or view.online_url)
        if view.rsvp:
            lines.append(t("meetings.rsvp_current", answer=t(f"meetings.rsvp_{view.rsvp}")))
        if secretariat and view.counts is not None:
            lines.append(t("meetings.rsvp_counts", yes=view.counts.get("yes", 0), no=view.counts.get("no", 0),
                           maybe=view.counts.get("maybe", 0), none=view.counts.get("none", 0)))
        block: list[Any] = [
            TextBlock(text=f"{t('meetings.kind_' + view.kind)}: {view.title}", weight="bolder", wrap=True),
            TextBlock(text=" · ".join(lines), wrap=True, spacing="none", is_subtle=True)]
        container_actions: list[Any] = []
        if view.ics_url:
            container_actions.append(ActionOpenUrl(title=t("meetings.add_to_calendar"), url=view.ics_url))
        if secretariat and view.event_id is not None:
            container_actions += [
                ActionSubmit(title=t("meetings.change_button"), data={"action": MEETING_CHANGE, "event": view.event_id}),
                ActionSubmit(title=t("meetings.cancel_button"), data={"action": MEETING_CANCEL, "event": view.event_id})]
        items.append(Container(items=block, separator=True, spacing="medium"))
        if container_actions:
            from adaptive_cards.card import ActionSet

            items.append(ActionSet(actions=container_actions, spacing="small"))
    actions: list[Any] = []
    if secretariat:
        actions.append(ActionSubmit(title=t("meetings.new_button"), data={"action": MEETING_NEW}))
    return build(items, actions)


def cancel_confirm_card(view: EventView, t: Translate) -> dict[str, Any]:
    items: list[Any] = [heading(t("meetings.cancel_confirm_title")), TextBlock(text=view.title, weight="bolder", wrap=True),
                        _facts(view, t), para(t("meetings.cancel_confirm_text", count=view.invited))]
    return build(items, [
        ActionSubmit(title=t("meetings.cancel_yes"), style="destructive",
                     data={"action": MEETING_CANCEL_CONFIRM, "event": view.event_id, "sequence": view.sequence}),
        ActionSubmit(title=t("meetings.cancel_no"), data={"action": MEETING_CANCEL_ABORT, "event": view.event_id})])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    """Cards for the gallery, with a DigiVestland steering-group meeting."""
    view = EventView(event_id=1, kind="meeting", title="Møte i styringsgruppa: innspel til ny samarbeidsavtale",
                     when="onsdag 28. august 2024 kl. 10:00–12:00", audience="Styringsgruppa for DigiVestland (13)",
                     place="Teams", agenda=["Innspel til ny samarbeidsavtale", "Budsjett 2025", "Eventuelt"],
                     ics_url="https://bot.example.org/ics/1.ics?t=demo", invited=13)
    deadline = EventView(event_id=2, kind="deadline", title="Frist for innspel til utkast til ny samarbeidsavtale",
                         when="sundag 30. juni 2024 kl. 23:59", audience="Kommunedirektørar og ordførarar (23)",
                         online_url="https://forms.office.com/e/41vG7efhjX", ics_url="https://bot.example.org/ics/2.ics?t=demo")
    counted = EventView(**{**view.__dict__, "counts": {"yes": 7, "no": 1, "maybe": 2, "none": 3}})
    audiences = [("body:styringsgruppa", "Styringsgruppa for DigiVestland"), ("directors", "Kommunedirektørar og ordførarar")]
    return {
        "meeting_form": form_card(FormValues(title="Styringsgruppemøte", when="28. august kl. 10–12",
                                             place="Teams"), audiences, t),
        "meeting_preview": preview_card(Preview(draft_id=1, event=view, reminders="7, 1", recipients=13,
                                                without_app=["Tove Bech"]), t),
        "meeting_invitation": invitation_card(view, t),
        "meeting_updated": invitation_card(EventView(**{**view.__dict__, "sequence": 1}), t, update=True),
        "meeting_cancelled": invitation_card(EventView(**{**view.__dict__, "cancelled": True}), t),
        "deadline_notice": invitation_card(deadline, t),
        "meeting_reminder": reminder_card(EventView(**{**view.__dict__, "rsvp": "yes"}), 1, t),
        "upcoming_secretariat": upcoming_card("DigiVestland", [counted, deadline], t, secretariat=True),
        "upcoming": upcoming_card("DigiVestland", [view, deadline], t, secretariat=False),
        "meeting_cancel_confirm": cancel_confirm_card(view, t),
    }
