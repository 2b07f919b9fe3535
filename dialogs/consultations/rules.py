"""Who may answer a consultation, for which municipalities, and what a valid answer is.

Plain functions over stored data: the answering party is the municipality (or,
for a joint answer from a regional body, every member municipality it covers),
decided from the sender's stored person, never from card data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations.status import KINDS, is_closed
from dialogs.refusal import Refusal
from dialogs.viewer import Viewer
from storage.models import AuditEntry, Consultation, ConsultationResponse, Municipality, Organisation
from storage.queries import lock_row

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


async def answering_party(session: AsyncSession, viewer: Viewer) -> Party:
    """The municipality (or regional body) the viewer answers for, or a Refusal saying why not."""
    person = viewer.person
    if person is None or viewer.network is None:
        raise Refusal("consultations.refused_unknown")
    if person.organisation is not None and person.organisation.kind == "regional_body":
        covered = (await session.scalars(select(Municipality).where(
            Municipality.network_id == viewer.network.id, Municipality.member.is_(True),
            Municipality.number.in_(person.organisation.covers or [])).order_by(Municipality.name))).all()
        if covered:
            return Party(municipalities=list(covered), organisation=person.organisation)
    municipality = person.municipality
    if municipality is None or municipality.network_id != viewer.network.id:
        raise Refusal("consultations.refused_no_municipality")
    if not municipality.member:
        raise Refusal("consultations.refused_not_member", municipality=municipality.name)
    if not viewer.has_role(*ANSWERING_ROLES):
        raise Refusal("consultations.refused_role", municipality=municipality.name)
    return Party(municipalities=[municipality])


async def regional_bodies_for(session: AsyncSession, network_id: int, number: str) -> list[Organisation]:
    orgs = (await session.scalars(select(Organisation).where(
        Organisation.network_id == network_id, Organisation.kind == "regional_body"))).all()
    return [o for o in orgs if number in (o.covers or [])]


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


@dataclass
class Stored:
    municipality: Municipality
    response: ConsultationResponse
    new: bool


async def store(session: AsyncSession, consultation: Consultation, party: Party, draft: Draft,
                viewer: Viewer, now: datetime) -> list[Stored]:
    """Append a new version per municipality; an identical resubmission (a double click) adds nothing.

    Answers to one consultation are written one after the other (the consultation row is locked until
    the turn commits): 20 different answers at once for one municipality became versions 1…20, not
    twelve and a unique-key failure."""
    await lock_row(session, Consultation, consultation.id)
    results = []
    for municipality in party.municipalities:
        latest = await session.scalar(
            select(ConsultationResponse).where(ConsultationResponse.consultation_id == consultation.id,
                                               ConsultationResponse.municipality_id == municipality.id)
            .order_by(ConsultationResponse.version.desc()).limit(1))
        if latest is not None and _same(latest, draft):
            results.append(Stored(municipality, latest, new=False))
            continue
        version = (await session.scalar(select(func.max(ConsultationResponse.version)).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.municipality_id == municipality.id)) or 0) + 1
        response = ConsultationResponse(
            consultation_id=consultation.id, municipality_id=municipality.id, version=version, kind=draft.kind,
            on_behalf_of_id=draft.on_behalf_of.id if draft.on_behalf_of else None,
            submitted_by_id=viewer.person.id if viewer.person else None, answers=draft.answers,
            own_council_date=draft.own_council_date, note=draft.note, submitted_at=now, source="teams")
        session.add(response)
        session.add(AuditEntry(actor=viewer.sender.actor, network_id=consultation.network_id,
                               action="consultation.answer", target=f"{consultation.key}/{municipality.number}",
                               details={"version": version, "kind": draft.kind}))
        results.append(Stored(municipality, response, new=True))
    await session.flush()
    return results


def _same(response: ConsultationResponse, draft: Draft) -> bool:
    return (response.kind, sorted((response.answers or {}).items()), response.on_behalf_of_id,
            response.own_council_date, response.note or "") == draft.content()
