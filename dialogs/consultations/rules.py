"""Who may answer a consultation, for which municipalities, and what a valid answer is.

Pure rules (values in, values or a Refusal out): the answering party is the municipality (or,
for a joint answer from a regional body, every member municipality it covers), decided from the
sender's stored person, never from card data. The steps that read and store answers are in
`dialogs/consultations/service.py`, the queries in `storage/consultations.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dialogs.consultations.status import KINDS, is_closed
from dialogs.refusal import Refusal
from dialogs.viewer import Viewer
from storage.models import Consultation, ConsultationResponse, Municipality, Organisation

MAX_TEXT = 10_000
ANSWERING_ROLES = ("director", "mayor", "representative", "coordinator")


@dataclass
class Party:
    """Who answers: one municipality, or a regional body for the members it covers."""

    municipalities: list[Municipality]
    organisation: Organisation | None = None  # set when a regional body answers jointly

    @property
    def label(self) -> str:
        if self.organisation:
            return self.organisation.name
        return self.municipalities[0].name


@dataclass
class Draft:
    kind: str
    answers: dict[str, str] = field(default_factory=dict)
    on_behalf_of: Organisation | None = None
    own_council_date: date | None = None
    note: str = ""

    def content(self) -> tuple:
        return (self.kind, sorted(self.answers.items()), self.on_behalf_of.id if self.on_behalf_of else None,
                self.own_council_date, self.note)


def party_for(viewer: Viewer, covered: list[Municipality]) -> Party:
    """The municipality (or regional body) the viewer answers for, or a Refusal saying why not.

    `covered`: the member municipalities the viewer's regional body covers (empty when they are not in one)."""
    person = viewer.person
    if person is None or viewer.network is None:
        raise Refusal("consultations.refused_unknown")
    if person.organisation is not None and person.organisation.kind == "regional_body" and covered:
        return Party(municipalities=list(covered), organisation=person.organisation)
    municipality = person.municipality
    if municipality is None or municipality.network_id != viewer.network.id:
        raise Refusal("consultations.refused_no_municipality")
    if not municipality.member:
        raise Refusal("consultations.refused_not_member", municipality=municipality.name)
    if not viewer.has_role(*ANSWERING_ROLES):
        raise Refusal("consultations.refused_role", municipality=municipality.name)
    return Party(municipalities=[municipality])


def covering(organisations: list[Organisation], number: str) -> list[Organisation]:
    """The regional bodies that cover the municipality with this kommunenummer."""
    return [o for o in organisations if number in (o.covers or [])]


def check_open(consultation: Consultation, now: datetime) -> None:
    if consultation.status == "draft":
        raise Refusal("consultations.refused_draft")
    if is_closed(consultation, now):
        raise Refusal("consultations.closed", contact=consultation.contact or "")


def parse_form(consultation: Consultation, form: dict[str, Any], party: Party,
               bodies: list[Organisation]) -> Draft:
    """Validate the submitted card inputs; a Refusal names what is missing or wrong."""
    kind = str(form.get("kind") or "")
    if party.organisation is not None:
        kind = "joint"
    if kind not in KINDS:
        raise Refusal("consultations.missing_kind")
    draft = Draft(kind=kind, note=str(form.get("note") or "").strip())
    if kind == "joint":
        if party.organisation is not None:
            draft.on_behalf_of = party.organisation
        else:
            chosen = str(form.get("on_behalf_of") or "")
            draft.on_behalf_of = next((o for o in bodies if o.key == chosen), None)
            if draft.on_behalf_of is None:
                raise Refusal("consultations.missing_body")
    if kind == "no_input":
        raw = str(form.get("own_council_date") or "").strip()
        if raw:
            try:
                draft.own_council_date = date.fromisoformat(raw)
            except ValueError:
                raise Refusal("consultations.bad_date", value=raw) from None
    missing = []
    for question in consultation.questions or []:
        value = str(form.get(f"q_{question['key']}") or "").strip()
        if len(value) > MAX_TEXT:
            raise Refusal("consultations.too_long", length=len(value), limit=MAX_TEXT)
        if question.get("kind") == "choice" and value:
            allowed = {opt.get(lang) for opt in question.get("options", []) for lang in ("nn", "nb", "en")}
            if value not in allowed:
                raise Refusal("consultations.bad_choice")
        if value:
            draft.answers[question["key"]] = value
        elif kind == "individual" and question.get("required"):
            missing.append(question["key"])
    if len(draft.note) > MAX_TEXT:
        raise Refusal("consultations.too_long", length=len(draft.note), limit=MAX_TEXT)
    if kind == "individual" and not draft.answers:
        raise Refusal("consultations.missing_answers")
    if missing:
        raise Refusal("consultations.missing_fields", fields=", ".join(missing))
    return draft


def same_answer(response: ConsultationResponse, draft: Draft) -> bool:
    """An identical resubmission (a double click): nothing new to store."""
    return (response.kind, sorted((response.answers or {}).items()), response.on_behalf_of_id,
            response.own_council_date, response.note or "") == draft.content()


