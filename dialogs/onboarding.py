"""Welcome, help and language: the first things a new user meets."""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from cards.onboarding import HelpData, WelcomeData, help_card, unknown_user_card, welcome_card
from dialogs.i18n import LANGUAGES, t
from dialogs.routines import common as routines
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import Viewer, set_language
from dialogs.votes import service as votes_service
from storage import directory
from storage.models import AuditEntry


def translator(lang: str):
    return partial(_t, lang)


def _t(lang: str, key: str, **values: object) -> str:
    return t(key, lang, **values)


def role_text(viewer: Viewer) -> str | None:
    """'kommunedirektør – Alver kommune' in the viewer's language, from stored roles only."""
    person = viewer.person
    if person is None:
        return None
    roles = [t(f"core.role_{r}", viewer.lang) for r in person.roles] or [t("core.role_none", viewer.lang)]
    where = (person.municipality.name if person.municipality else
             person.organisation.name if person.organisation else viewer.network.name if viewer.network else "")
    joined = f" {t('core.and', viewer.lang)} ".join(roles)
    return t("core.you_are", viewer.lang, roles=joined, org=where)


async def secretariat_contact(session: AsyncSession, viewer: Viewer) -> str | None:
    """Name and e-mail of the secretariat lead (or any secretariat member) of the viewer's network."""
    if viewer.network is None:
        return None
    return await directory.secretariat_contact(session, viewer.network.id) or None


def welcome(viewer: Viewer, *, shared: bool = False) -> Reply:
    """The welcome card; in a group chat or a channel (`shared`) it greets everyone, not the installer
    by name and role, which would tell the whole channel who they are."""
    tr = translator(viewer.lang)
    name = viewer.person.name if viewer.person else viewer.sender.name
    data = WelcomeData(name="" if shared else (name.split(" ")[0] if name else ""),
                       network_name=viewer.network.name if viewer.network else None,
                       role_text=None if shared else role_text(viewer),
                       example_question=t("core.example_question", viewer.lang))
    return Reply(card=welcome_card(data, tr), summary=t("core.welcome_title", viewer.lang))


async def unknown_user(session: AsyncSession, viewer: Viewer) -> Reply:
    contact = await secretariat_contact(session, viewer)
    card = unknown_user_card(viewer.network.name if viewer.network else None, contact, translator(viewer.lang))
    return Reply(card=card, summary=t("core.unknown_title", viewer.lang))


async def _commands(session: AsyncSession, services: Services, viewer: Viewer
                    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The commands this person may use, in their language: (word, what it does), and those that need more
    words (typed, no button). Decided by the same rules the commands themselves apply."""

    lang = viewer.lang
    if viewer.network is None or viewer.person is None:
        return [], []

    def cmd(name: str) -> tuple[str, str]:
        return t(f"core.cmd_word_{name}", lang), t(f"core.cmd_{name}", lang)

    out, typed = [cmd("whats_on")], []
    secretariat = viewer.is_secretariat
    municipality = viewer.person.municipality
    answers = (municipality is not None and municipality.member and municipality.network_id == viewer.network.id
               and viewer.has_role("director", "mayor", "representative", "coordinator"))
    if secretariat:
        out.append(cmd("consultation_status"))
    elif answers or (viewer.person.organisation is not None and viewer.person.organisation.kind == "regional_body"):
        out.append(cmd("consultation"))
    if viewer.seats or secretariat:
        out.append(cmd("cases"))
    if secretariat:
        out += [cmd("new_consultation"), cmd("new_meeting"), cmd("notice"), cmd("export")]
    if await votes_service.bodies_person_may_open(session, viewer.person, viewer.network.id, services.now()):
        out.append(cmd("new_case"))
    if secretariat or viewer.seats:
        typed.append(cmd("minutes"))
    try:
        settings = await routines.routines_of(session, viewer.network)
    except routines.Refusal:
        settings = None
    if settings is not None and (routines.speaks_for(viewer) is not None or routines.is_lead(viewer, settings)):
        out += [cmd("new_procurement"), cmd("procurements")]
    return out, typed


async def help_reply(session: AsyncSession, services: Services, viewer: Viewer) -> Reply:
    tr = translator(viewer.lang)
    commands, typed = await _commands(session, services, viewer)
    notes = []
    if viewer.is_secretariat:
        notes.append(t("core.help_secretariat", viewer.lang))
    if viewer.has_role("director"):
        notes.append(t("core.help_director", viewer.lang))
    if viewer.has_role("observer") or any(s.role == "observer" for s in viewer.seats):
        notes.append(t("core.help_observer", viewer.lang))
    data = HelpData(
        network_name=viewer.network.name if viewer.network else None, role_text=role_text(viewer),
        seats=[(s.body_name, t(f"core.seat_{s.role}", viewer.lang)) for s in viewer.seats],
        role_notes=notes, example_question=t("core.example_question", viewer.lang), known=viewer.known,
        commands=commands, typed_only=typed)
    return Reply(card=help_card(data, tr), summary=t("core.help_title", viewer.lang))


def language_asked(arg: str) -> str | None:
    """The language in `språk …`: nn, nb or en, by code or the start of its name (nynorsk, bokmål, norsk,
    english); None for anything else."""
    aliases = {"ny": "nn", "bo": "nb", "no": "nb", "en": "en", "nn": "nn", "nb": "nb"}
    lang = aliases.get(arg.strip().lower()[:2], "")
    return lang if lang in LANGUAGES else None


async def change_language(session: AsyncSession, viewer: Viewer, arg: str) -> Reply:
    lang = language_asked(arg)
    if lang is None:
        return Reply(text=t("core.lang_usage", viewer.lang))
    await set_language(session, viewer.sender, lang)
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=viewer.network.id if viewer.network else None,
                           action="user.language", details={"language": lang}))
    viewer.lang = lang
    return Reply(text=t("core.lang_set", lang))
