"""Notice cards: the compose form, the notice itself, the author's confirmation and live report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adaptive_cards.card import (
    ActionOpenUrl,
    ActionSubmit,
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
NOTICE_ACK = "notice.ack"
NOTICE_CANCEL = "notice.cancel"
NOTICE_EXPORT = "notice.export"
NOTICE_PREVIEW = "notice.preview"
NOTICE_REPORT = "notice.report"
NOTICE_RETRY = "notice.retry"
NOTICE_SEND = "notice.send"



@dataclass
class NoticeView:
    id: int
    title: str
    text: str
    links: list[dict[str, str]] = field(default_factory=list)
    acknowledge: bool = False
    sender_name: str = ""  # who wrote it
    sender_body: str = ""  # on behalf of (the network's secretariat)


@dataclass
class ReportView:
    id: int
    title: str
    status: str
    recipients: int
    counts: dict[str, int]
    acknowledged: int
    problems: list[tuple[str, str, str]]
    author_aad: str = ""


def notice_card(view: NoticeView, t: Translate) -> dict[str, Any]:
    items: list[Any] = []
    if view.title:
        items.append(heading(view.title))
    items.append(para(view.text))  # TextBlock renders Teams' markdown subset
    if view.sender_name or view.sender_body:
        key = "notices.sender_line" if view.sender_name and view.sender_body else "notices.sender_only"
        items.append(para(t(key, name=view.sender_name or view.sender_body, body=view.sender_body),
                          subtle=True, spacing="medium"))
    actions: list[Any] = [ActionOpenUrl(title=link["title"] or link["url"], url=link["url"]) for link in view.links[:3]]
    if view.acknowledge:
        actions.append(ActionSubmit(title=t("notices.ack_button"), style="positive",
                                    data={"action": NOTICE_ACK, "notice": view.id}))
    return build(items, actions)


def form_card(t: Translate, bodies: list[tuple[str, str]], values: dict[str, Any] | None = None,
              error: str = "") -> dict[str, Any]:
    v = values or {}
    items: list[Any] = [heading(t("notices.form_title"))]
    if error:
        items.append(TextBlock(text=error, wrap=True, color="attention"))
    choices = [InputChoice(title=t("notices.audience_app_choice"), value="app"),
               InputChoice(title=t("notices.audience_network_choice"), value="network"),
               InputChoice(title=t("notices.role_director"), value="role:director"),
               InputChoice(title=t("notices.role_mayor"), value="role:mayor")]
    choices += [InputChoice(title=name, value=f"body:{key}") for key, name in bodies]
    items += [
        InputText(id="title", label=t("notices.field_title"), max_length=200, value=v.get("title") or None),
        InputText(id="text", label=t("notices.field_text"), is_multiline=True, max_length=4000, is_required=True,
                  value=v.get("text") or None, error_message=t("notices.text_missing")),
        InputChoiceSet(id="audience", label=t("notices.field_audience"), choices=choices,
                       value=v.get("audience") or "app"),
        InputText(id="municipalities", label=t("notices.field_municipalities"),
                  placeholder="Alver, Stryn", value=v.get("municipalities") or None),
    ]
    for i in range(1, 4):
        items.append(InputText(id=f"link{i}_title", label=t("notices.field_link_title", n=i),
                               value=v.get(f"link{i}_title") or None))
        items.append(InputText(id=f"link{i}_url", label=t("notices.field_link_url", n=i), placeholder="https://",
                               value=v.get(f"link{i}_url") or None))
    items += [
        InputToggle(id="acknowledge", title=t("notices.field_ack"), value="true" if v.get("acknowledge") == "true"
                    else "false"),
        InputText(id="when", label=t("notices.field_when"), placeholder=t("notices.when_placeholder"),
                  value=v.get("when") or None),
    ]
    return build(items, [ActionSubmit(title=t("notices.preview_button"), style="positive",
                                      data={"action": NOTICE_PREVIEW})])


def confirm_card(t: Translate, notice_id: int, audience: str, count: int, when: str,
                 not_installed: int) -> dict[str, Any]:
    items: list[Any] = [heading(t("notices.confirm_title")),
                        para(t("notices.confirm_audience", audience=audience, count=count))]
    if not_installed:
        items.append(para(t("notices.confirm_not_installed", count=not_installed), subtle=True))
    items.append(para(t("notices.confirm_when", when=when) if when else t("notices.confirm_now")))
    return build(items, [
        ActionSubmit(title=t("notices.send_button"), style="positive", data={"action": NOTICE_SEND, "notice": notice_id}),
        ActionSubmit(title=t("notices.cancel_button"), data={"action": NOTICE_CANCEL, "notice": notice_id}),
    ])


def report_card(view: ReportView, t: Translate) -> dict[str, Any]:
    c = view.counts
    status = view.status
    if status == "cancelled":  # say how far it got, in words
        status = "cancelled_before" if not (c.get("sent", 0) + c.get("failed", 0) + c.get("unreachable", 0)) \
            else "cancelled_midway"
    facts = [FactRow(title=t(f"notices.count_{key}"), value=str(value)) for key, value in (
        ("recipients", view.recipients), ("queued", c.get("queued", 0)), ("sent", c.get("sent", 0)),
        ("acknowledged", view.acknowledged), ("failed", c.get("failed", 0)), ("unreachable", c.get("unreachable", 0)))]
    if view.status == "cancelled":  # only a stopped notice has a stopped count ("Stoppa 0" said nothing)
        facts.append(FactRow(title=t("notices.count_cancelled"), value=str(c.get("cancelled", 0))))
    items: list[Any] = [
        heading(t("notices.report_title", title=view.title or f"#{view.id}")),
        para(t(f"notices.status_{status}", recipients=view.recipients, stopped=c.get("cancelled", 0)), subtle=True),
        FactSet(facts=facts),
    ]
    if view.problems:
        items.append(para(t("notices.problems"), spacing="medium"))
        items.append(FactSet(facts=[FactRow(title=name, value=reason) for name, _status, reason in view.problems]))
    actions: list[Any] = [ActionSubmit(title=t("notices.refresh_button"),
                                       data={"action": NOTICE_REPORT, "notice": view.id}),
                          ActionSubmit(title=t("notices.export_button"),
                                       data={"action": NOTICE_EXPORT, "notice": view.id})]
    if c.get("failed", 0) + c.get("unreachable", 0):
        actions.append(ActionSubmit(title=t("notices.retry_button"), data={"action": NOTICE_RETRY, "notice": view.id}))
    if view.status == "sent":
        actions.append(archive_action(t, "notice", view.id))
    if view.status in ("scheduled", "sending"):
        actions.append(ActionSubmit(title=t("notices.stop_button"), data={"action": NOTICE_CANCEL, "notice": view.id}))
    return build(items, actions)


def export_card(t: Translate, title: str, url: str, minutes: int) -> dict[str, Any]:
    """The download link for the CSV report (a signed link that expires; press the button again for a new one)."""
    return build([heading(t("notices.export_title", title=title)), para(t("notices.export_text", minutes=minutes))],
                 [ActionOpenUrl(title=t("notices.export_link"), url=url)])


def examples(t: Translate) -> dict[str, dict[str, Any]]:
    view = NoticeView(id=1, title="Styringsgruppemøte flytta", text="Møtet **12. desember** er flytta til kl. 13.",
                      links=[{"title": "Sakliste", "url": "https://example.org/sakliste.pdf"}], acknowledge=True,
                      sender_name="Tove Bech", sender_body="Sekretariat for DigiVestland")
    report = ReportView(id=1, title=view.title, status="sending", recipients=12,
                        counts={"queued": 2, "sent": 8, "failed": 0, "unreachable": 2, "cancelled": 0},
                        acknowledged=5, problems=[("Ola Nordmann", "unreachable", t("notices.reason_not_installed"))])
    return {
        "notice": notice_card(view, t),
        "notice_form": form_card(t, [("styringsgruppa", "Styringsgruppa")]),
        "notice_confirm": confirm_card(t, 1, "Styringsgruppa", 12, "", 2),
        "notice_report": report_card(report, t),
        "notice_export": export_card(t, view.title, "https://samarbeidsbot.example.org/exports/notice/1.csv?t=…", 60),
    }
