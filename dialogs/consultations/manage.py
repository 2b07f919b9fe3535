"""The secretariat's side of a consultation: open, extend, close, reopen — and who gets the card.

Shared by the Teams dialogs and the CLI. Every change is audited; a deadline
must lie in the future; the answering parties are the member municipalities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations import closing, reminders
from dialogs.consultations.rules import ANSWERING_ROLES, Refusal
from storage import consultations as stored_consultations
from storage import directory
from storage.conversations import personal_conversations
from storage.models import (
    AuditEntry,
    Consultation,
    Network,
    Person,
)

MAX_TITLE = 300

DEFAULT_QUESTIONS = [
    {"key": "hovudsyn", "kind": "choice", "required": True,
     "label": {"nn": "Hovudsyn på utkastet", "nb": "Hovedsyn på utkastet", "en": "Overall view of the draft"},
     "options": [{"nn": "Støttar utkastet", "nb": "Støtter utkastet", "en": "Supports the draft"},
                 {"nn": "Støttar med endringar", "nb": "Støtter med endringer", "en": "Supports with changes"},
                 {"nn": "Støttar ikkje", "nb": "Støtter ikke", "en": "Does not support"}]},
    {"key": "merknader", "kind": "text", "required": False,
     "label": {"nn": "Merknader til utkastet (per kapittel)", "nb": "Merknader til utkastet (per kapittel)",
               "en": "Remarks on the draft (per chapter)"}},
]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
                                       .replace("Æ", "Ae").replace("Ø", "O").replace("Å", "A"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60] or "hoyring"


async def open_consultation(session: AsyncSession, network: Network, *, title: str, deadline: datetime,
                            now: datetime, actor: str, description: str = "", link: str = "",
                            questions: list[dict] | None = None, contact: str = "", key: str | None = None,
                            source: str = "teams") -> Consultation:
    title = title.strip()
    if not title:
        raise Refusal("consultations.open_missing_title")
    if len(title) > MAX_TITLE:
        raise Refusal("consultations.too_long", length=len(title), limit=MAX_TITLE)
    if deadline <= now:
        raise Refusal("consultations.deadline_past")
    if link and not re.match(r"^https?://\S+$", link):
        raise Refusal("consultations.bad_link", value=link)
    base = key or f"{slug(title)}-{deadline:%Y%m%d}"
    candidate, n = base, 1
    while await stored_consultations.key_taken(session, network.id, candidate):
        n += 1
        candidate = f"{base}-{n}"
    consultation = Consultation(network_id=network.id, key=candidate, title=title, description=description.strip(),
                                link=link.strip(), deadline=deadline, status="open", sent_at=now,
                                questions=questions or DEFAULT_QUESTIONS, contact=contact, source=source, revision=1)
    session.add(consultation)
    await session.flush()
    session.add(AuditEntry(actor=actor, network_id=network.id, action="consultation.open", target=candidate,
                           details={"deadline": deadline.isoformat(), "title": title}))
    await reminders.schedule_for(session, consultation, now=now)
    await closing.schedule_close(session, consultation)
    return consultation


async def change_deadline(session: AsyncSession, consultation: Consultation, deadline: datetime, *, now: datetime,
                          actor: str) -> None:
    """Extend (or reopen with) a new deadline; answers already given stay."""
    if deadline <= now:
        raise Refusal("consultations.deadline_past")
    before = consultation.deadline
    consultation.deadline = deadline
    reopened = consultation.status == "closed" or before <= now
    consultation.status = "open"
    session.add(AuditEntry(actor=actor, network_id=consultation.network_id,
                           action="consultation.reopen" if reopened else "consultation.extend",
                           target=consultation.key, details={"from": before.isoformat(), "to": deadline.isoformat()}))
    await reminders.schedule_for(session, consultation, now=now)
    await closing.schedule_close(session, consultation)


async def close(session: AsyncSession, consultation: Consultation, *, actor: str) -> bool:
    if consultation.status == "closed":
        return False
    consultation.status = "closed"
    session.add(AuditEntry(actor=actor, network_id=consultation.network_id, action="consultation.close",
                           target=consultation.key))
    await reminders.cancel_for(session, consultation)
    await closing.schedule_close(session, consultation)
    return True


@dataclass
class Recipient:
    person: Person
    conversation_id: str | None  # None: has not installed the app


async def recipients(session: AsyncSession, network: Network) -> list[Recipient]:
    """Directors (and mayors, regional-body coordinators) of the member municipalities."""
    members = {m.id for m in await directory.members(session, network.id)}
    bodies = {o.id for o in await directory.organisations(session, network.id, "regional_body")}
    people = await directory.people_of(session, network.id, by_name=True)
    chosen = [p for p in people if set(p.roles or []) & set(ANSWERING_ROLES)
              and (p.municipality_id in members or p.organisation_id in bodies)]
    refs = await personal_conversations(session, [p.id for p in chosen])
    return [Recipient(person=p, conversation_id=refs[p.id].conversation_id if p.id in refs else None)
            for p in chosen]
