"""The steps of the consultations capability that read and store answers: whom a person answers for,
which regional bodies may answer jointly, and appending a new answer version.

Rows come from `storage.consultations`; `rules` decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations import rules
from dialogs.consultations.rules import Draft, Party
from dialogs.viewer import Viewer
from storage import consultations as stored
from storage import directory
from storage.models import AuditEntry, Consultation, ConsultationResponse, Municipality, Organisation
from storage.queries import lock_row


async def answering_party(session: AsyncSession, viewer: Viewer) -> Party:
    """The municipality (or regional body) the viewer answers for, or a Refusal saying why not."""
    person, covered = viewer.person, []
    if (person is not None and viewer.network is not None and person.organisation is not None
            and person.organisation.kind == "regional_body"):
        covered = await directory.members(session, viewer.network.id, list(person.organisation.covers or []))
    return rules.party_for(viewer, covered)


async def regional_bodies_for(session: AsyncSession, network_id: int, number: str) -> list[Organisation]:
    """The network's regional bodies that cover this municipality (they may answer on its behalf)."""
    return rules.covering(await directory.organisations(session, network_id, "regional_body"), number)


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
        latest = await stored.latest_response(session, consultation.id, municipality.id)
        if latest is not None and rules.same_answer(latest, draft):
            results.append(Stored(municipality, latest, new=False))
            continue
        version = await stored.highest_version(session, consultation.id, municipality.id) + 1
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
