"""Who is asking: the stored person behind a Teams identity, their network and language.

Roles come only from stored data (people.roles and seats), never from card data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import normalise_lang
from dialogs.language import choose
from dialogs.language import language_of as proactive_language_of
from dialogs.turn import Sender
from storage import directory
from storage.models import AuditEntry, Network, Person


@dataclass
class SeatView:
    body_key: str
    body_name: str
    body_kind: str
    role: str


@dataclass
class Viewer:
    sender: Sender
    lang: str
    person: Person | None = None
    network: Network | None = None
    seats: list[SeatView] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.person is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.person.roles) if self.person else frozenset()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_secretariat(self) -> bool:
        return self.has_role("secretariat", "secretariat_lead") or any(
            s.body_kind == "secretariat" for s in self.seats)


async def find_person(session: AsyncSession, sender: Sender) -> Person | None:
    if not sender.aad_object_id:
        return None
    return await directory.person_of_identity(session, sender.tenant_id, sender.aad_object_id)


async def link_by_address(session: AsyncSession, sender: Sender) -> Person | None:
    """Link a Teams identity to a stored person with the same e-mail or UPN, not yet linked."""
    addresses = {a.lower() for a in (sender.email, sender.upn) if a}
    if not addresses or not sender.aad_object_id:
        return None
    candidates = await directory.unlinked_with_address(session, addresses)
    if len(candidates) != 1:
        return None  # none, or ambiguous: never guess who someone is
    person = candidates[0]
    person.tenant_id, person.aad_object_id = sender.tenant_id, sender.aad_object_id
    session.add(AuditEntry(actor=sender.actor, network_id=person.network_id, action="person.link",
                           target=f"person:{person.id}", details={"by": "email/upn"}))
    await session.flush()
    return await find_person(session, sender)


async def network_for_tenant(session: AsyncSession, tenant_id: str, default_slug: str) -> Network | None:
    networks = await directory.networks(session)
    for net in networks:
        if tenant_id and tenant_id in (net.tenant_ids or []):
            return net
    return next((n for n in networks if n.slug == default_slug), None)


async def seats_of(session: AsyncSession, person: Person) -> list[SeatView]:
    rows = await directory.seats_with_bodies(session, person.id)
    return [SeatView(body_key=key, body_name=name, body_kind=kind, role=role) for role, key, name, kind in rows]


async def language_preference(session: AsyncSession, sender: Sender) -> str | None:
    return await directory.chosen_language(session, sender.tenant_id, sender.aad_object_id)


async def set_language(session: AsyncSession, sender: Sender, lang: str) -> None:
    await directory.choose_language(session, sender.tenant_id, sender.aad_object_id, lang)


async def resolve_viewer(session: AsyncSession, sender: Sender, *, locale: str | None,
                         default_network: str) -> Viewer:
    """Everything a dialog needs to know about the sender, in one place.

    Runs on every turn, so a known person costs two queries: the person with their municipality,
    organisation, network and chosen language in one, their seats in the other."""
    person = network = None
    chosen: str | None = None
    if sender.aad_object_id:
        row = await directory.identity_at_once(session, sender.tenant_id, sender.aad_object_id)
        if row is not None:
            person, network, chosen = row
    if person is None and (sender.email or sender.upn):
        person = await link_by_address(session, sender)
        if person is not None:
            network = await directory.network(session, person.network_id)
            chosen = await language_preference(session, sender)
    if person is not None:
        seats = await seats_of(session, person)
    else:
        network = await network_for_tenant(session, sender.tenant_id, default_network)
        seats = []
        chosen = await language_preference(session, sender)
    if person is not None:
        standard = person.municipality.written_standard if person.municipality else None
        fallback = choose(None, person.language, standard, network)
    else:
        fallback = network.language if network else normalise_lang(locale)
    return Viewer(sender=sender, lang=chosen or fallback, person=person, network=network, seats=seats)


async def language_of(session: AsyncSession, person: Person, network: Network) -> str:
    """The language the bot writes to a person in (nn, nb or en): dialogs.language decides."""
    return await proactive_language_of(session, person, network)
