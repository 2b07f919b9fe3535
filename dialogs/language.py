"""Which language the bot writes to a person in, when it writes first (notices, invitations, reminders,
cases, answers from the secretariat).

The person's own choice (`språk nb` in Teams, stored as a UserPreference; else the language the data
gives for them), else their municipality's written standard (nn or nb; a neutral municipality leaves it
to the network), else the network's language. Channel posts are for many people: they go in the
network's language.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import LANGUAGES
from storage import directory
from storage.models import Network, Person


def choose(own: str | None, person_language: str | None, written_standard: str | None, network: Network | None,
           default: str = "nb") -> str:
    for candidate in (own, person_language, written_standard):
        if candidate in LANGUAGES:
            return candidate
    return (network.language if network and network.language in LANGUAGES else None) or default


async def languages_of(session: AsyncSession, person_ids: list[int], network: Network | None) -> dict[int, str]:
    """The language for each of these people (one query)."""
    rows = await directory.language_facts(session, person_ids)
    return {pid: choose(own, lang, standard, network) for pid, own, lang, standard in rows}


async def language_of(session: AsyncSession, person: Person, network: Network | None) -> str:
    return (await languages_of(session, [person.id], network)).get(person.id) or choose(None, None, None, network)
