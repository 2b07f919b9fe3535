"""Project checks (DigIT §5) and disagreements (§7) in Teams.

A municipality registers a service-innovation project; the members of the network's checking
body (DigIT) are asked whether it fits ongoing regional work, and every answer is kept with the
project. Any member can raise a disagreement, which becomes a council case proposed by the
digitalisation lead.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from cards.routines import (
    DISAGREEMENT_RAISE,
    PROJECT_CHECK,
    PROJECT_REGISTER,
    VERDICTS,
    DisagreementForm,
    ProjectCheckView,
    ProjectForm,
    disagreement_form_card,
    project_check_card,
    project_form_card,
)
from dialogs import router
from dialogs.i18n import t
from dialogs.onboarding import translator
from dialogs.routines.common import (
    MAX_TEXT,
    Refusal,
    body_members,
    clean,
    is_lead,
    next_key,
    own_municipality,
    reachable,
    routines_for,
)
from dialogs.routines.council import open_council_case
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer, language_of
from storage import directory
from storage import routines as stored_routines
from storage.models import AuditEntry, Body, Case, Person, PostedCard
from storage.models.routines import InnovationProject, ProjectCheck
from storage.queries import by_token, insert_once

CHECK_CARD = "project.check"
_PROJECT = re.compile(r"^(?:nytt\s+(?:tjenesteinnovasjons|tenesteinnovasjons|innovasjons)?prosjekt|"
                      r"avsjekk(?:\s+av)?\s+prosjekt|avsjekk|registrer\s+prosjekt|meld\s+prosjekt|"
                      r"new\s+(?:innovation\s+)?project|project\s+check)\b", re.IGNORECASE)
_DISAGREE = re.compile(r"^(?:(?:meld|ny|registrer|raise|report)\s+(?:en\s+|ei\s+|a\s+)?"
                       r"(?:uenighet|usemje|ueinigheit|disagreement)|uenighet|usemje|disagreement)\s*$", re.IGNORECASE)
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _text(viewer: Viewer, refusal: Refusal) -> list[Reply]:
    return [Reply(text=t(refusal.key, viewer.lang, **refusal.values))]


# --- project checks -------------------------------------------------------------------------------


async def check_view(session: AsyncSession, project: InnovationProject, lang: str,
                     person: Person | None = None) -> ProjectCheckView:
    muni = await directory.municipality(session, project.municipality_id)
    by = await directory.person(session, project.registered_by_id) if project.registered_by_id else None
    rows = await stored_routines.checks_of(session, project.id)
    return ProjectCheckView(
        key=project.key, title=project.title, municipality=muni.name if muni else "–", description=project.description,
        registered_by=by.name if by else "–",
        checks=[(p.name, t(f"routines.verdict_{c.verdict}", lang), c.comment) for c, p in rows],
        mine=next((c.verdict for c, p in rows if person is not None and p.id == person.id), ""))


@router.card_renderer(CHECK_CARD)
async def render_check(session: AsyncSession, services: Services, posted: PostedCard) -> dict | None:
    project_id, _, person_id = posted.subject.partition(":")
    project = await stored_routines.project(session, int(project_id)) if project_id.isdigit() else None
    if project is None:
        return None
    person = await directory.person(session, int(person_id)) if person_id.isdigit() else None
    view = await check_view(session, project, posted.language, person)
    return project_check_card(view, translator(posted.language), ask=person is not None)


async def _checkers(session: AsyncSession, viewer: Viewer) -> tuple[Body, list[Person]]:
    routines = await routines_for(session, viewer)
    body = await directory.body(session, routines.settings.check_body_id) if routines.settings.check_body_id else None
    if body is None:
        raise Refusal("routines.no_check_body")
    return body, await body_members(session, body.id)


@router.text_handler(priority=20)
async def routine_commands(session: AsyncSession, services: Services, viewer: Viewer,
                           text: str) -> list[Reply | Refresh] | None:
    stripped = text.strip()
    if _DISAGREE.match(stripped):
        return await _disagreement_form(session, viewer)
    if not _PROJECT.match(stripped):
        return None
    try:
        await _checkers(session, viewer)
        muni = own_municipality(viewer)
        if muni is None:
            raise Refusal("routines.project_refused", network=viewer.network.name)
    except Refusal as refusal:
        return _text(viewer, refusal)
    form = ProjectForm(values={"token": uuid.uuid4().hex}, municipality=muni.name)
    return [Reply(card=project_form_card(form, translator(viewer.lang)))]


@router.card_action(PROJECT_REGISTER)
async def register_project(session: AsyncSession, services: Services, viewer: Viewer,
                           data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        body, checkers = await _checkers(session, viewer)
        muni = own_municipality(viewer)
        if muni is None:
            raise Refusal("routines.project_refused", network=viewer.network.name)
        token = str(data.get("token") or "")
        if not _TOKEN.fullmatch(token):
            raise Refusal("routines.stale_card")
        title = clean(data.get("title"), 300)
        description = clean(data.get("description"), MAX_TEXT)
    except Refusal as refusal:
        return _text(viewer, refusal)
    if not title:
        form = ProjectForm(values={k: str(v) for k, v in data.items()}, municipality=muni.name,
                           problem=t("routines.missing_title", lang))
        return [Reply(card=project_form_card(form, translator(lang)))]
    existing = await by_token(session, InnovationProject, token)
    if existing is not None:
        return [Reply(text=t("routines.project_already", lang, ref=existing.key))]
    now = services.now()
    project = InnovationProject(network_id=viewer.network.id, token=token, municipality_id=muni.id,
                                key=await next_key(session, InnovationProject, viewer.network.id, "prosj", now),
                                registered_by_id=viewer.person.id, title=title, description=description,
                                created_at=now)
    if not await insert_once(session, project):  # the same confirmation arrived twice at once
        existing = await by_token(session, InnovationProject, token)
        return [Reply(text=t("routines.project_already", lang, ref=existing.key if existing else ""))]
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=viewer.network.id, action="project.register",
                           target=project.key, at=now, details={"municipality": muni.number, "title": title}))
    asks: list[Reply | Refresh] = []
    for person in checkers:
        if person.id == viewer.person.id:
            continue
        plang = await language_of(session, person, viewer.network)
        view = await check_view(session, project, plang, person)
        asks.append(Reply(card=project_check_card(view, translator(plang)), summary=t("routines.check_title", plang,
                                                                                      title=title),
                          to_person=person.id, batch=f"project:{project.id}",
                          dedupe_key=f"project:{project.id}:ask:person:{person.id}",
                          track=(CHECK_CARD, f"{project.id}:{person.id}"), track_language=plang))
    reached = len(await reachable(session, [r.to_person for r in asks]))
    mine = await check_view(session, project, lang)
    return [Reply(text=t("routines.project_registered", lang, ref=project.key, count=reached, total=len(asks))),
            Reply(card=project_check_card(mine, translator(lang), ask=False), track=(CHECK_CARD, str(project.id))),
            *asks]


@router.card_action(PROJECT_CHECK)
async def check_project(session: AsyncSession, services: Services, viewer: Viewer,
                        data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        body, checkers = await _checkers(session, viewer)
        if viewer.person.id not in {p.id for p in checkers}:
            raise Refusal("routines.check_refused", body=body.name)
        project = await stored_routines.project_by_key(session, viewer.network.id,
                                                       str(data.get("project") or "").strip().lower())
        if project is None:
            raise Refusal("routines.project_unknown")
        verdict = str(data.get("verdict") or "")
        if verdict not in VERDICTS:
            raise Refusal("routines.missing_verdict")
        comment = clean(data.get("comment"), MAX_TEXT)
    except Refusal as refusal:
        return _text(viewer, refusal)
    now = services.now()
    row = await stored_routines.check_by(session, project.id, viewer.person.id)
    if row is not None and row.verdict == verdict and row.comment == comment:
        return [Reply(text=t("routines.check_unchanged", lang, title=project.title))]
    if row is None:
        check = ProjectCheck(project_id=project.id, person_id=viewer.person.id, verdict=verdict, comment=comment,
                             answered_at=now)
        if not await insert_once(session, check):  # a double click that raced
            return [Reply(text=t("routines.check_unchanged", lang, title=project.title))]
    else:
        row.verdict, row.comment, row.answered_at = verdict, comment, now
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=viewer.network.id, action="project.check",
                           target=project.key, at=now, details={"verdict": verdict}))
    out: list[Reply | Refresh] = [Reply(text=t("routines.check_saved", lang, title=project.title,
                                               verdict=t(f"routines.verdict_{verdict}", lang)))]
    registrar = await directory.person(session, project.registered_by_id) if project.registered_by_id else None
    if registrar is not None and registrar.id != viewer.person.id:
        rlang = await language_of(session, registrar, viewer.network)
        out.append(Reply(text=t("routines.check_notice", rlang, by=viewer.person.name, title=project.title,
                                verdict=t(f"routines.verdict_{verdict}", rlang)), to_person=registrar.id,
                         batch=f"project:{project.id}",
                         dedupe_key=f"project:{project.id}:check:{viewer.person.id}:{now.isoformat()}"))
    out.append(Refresh(CHECK_CARD, str(project.id)))
    out += [Refresh(CHECK_CARD, f"{project.id}:{p.id}") for p in checkers]
    return out


# --- disagreements ----------------------------------------------------------------------------------


def _may_raise(viewer: Viewer, routines) -> bool:
    return own_municipality(viewer) is not None or is_lead(viewer, routines) or bool(viewer.seats)


async def _disagreement_form(session: AsyncSession, viewer: Viewer, values: dict | None = None,
                             problem: str = "") -> list[Reply | Refresh]:
    try:
        routines = await routines_for(session, viewer)
        if not _may_raise(viewer, routines):
            raise Refusal("routines.disagreement_refused", network=viewer.network.name)
    except Refusal as refusal:
        return _text(viewer, refusal)
    form = DisagreementForm(values=values or {"token": uuid.uuid4().hex}, problem=problem,
                            council=routines.council.name)
    return [Reply(card=disagreement_form_card(form, translator(viewer.lang)))]


@router.card_action(DISAGREEMENT_RAISE)
async def raise_disagreement(session: AsyncSession, services: Services, viewer: Viewer,
                             data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        routines = await routines_for(session, viewer)
        if not _may_raise(viewer, routines):
            raise Refusal("routines.disagreement_refused", network=viewer.network.name)
        token = str(data.get("token") or "")
        if not _TOKEN.fullmatch(token):
            raise Refusal("routines.stale_card")
        title = clean(data.get("title"), 250)
        description = clean(data.get("description"), MAX_TEXT)
    except Refusal as refusal:
        return _text(viewer, refusal)
    if not title or not description:
        key = "routines.missing_title" if not title else "routines.missing_description"
        return await _disagreement_form(session, viewer, {k: str(v) for k, v in data.items()}, t(key, lang))
    network = viewer.network
    nlang = network.language
    muni = own_municipality(viewer)
    opened = await open_council_case(
        session, services, network, council=routines.council, proposer=routines.lead,
        title=t("routines.disagreement_case_title", nlang, title=title),
        proposal=t("routines.disagreement_proposal", nlang),
        background=t("routines.disagreement_background", nlang, by=viewer.person.name,
                     municipality=muni.name if muni else "–", description=description),
        token=f"disagreement-{token}", actor=viewer.sender.actor)
    case: Case = opened.case
    if not opened.new:
        return [Reply(text=t("routines.disagreement_already", lang, case=case.key))]
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=network.id, action="disagreement.raise",
                           target=case.key, at=services.now(), details={"title": title}))
    out: list[Reply | Refresh] = [Reply(text=t("routines.disagreement_opened", lang, council=routines.council.name,
                                               case=case.key))]
    lead = routines.lead
    if lead is not None and lead.id != viewer.person.id:
        llang = await language_of(session, lead, network)
        out.append(Reply(text=t("routines.disagreement_notice", llang, by=viewer.person.name, title=title,
                                council=routines.council.name, case=case.key),
                         to_person=lead.id, batch=f"disagreement:{case.id}",
                         dedupe_key=f"disagreement:{case.id}:lead:{lead.id}"))
    return out + opened.replies
