"""Agreements in Teams: the draft's changes, comments on clauses in a consultation, the input
summary, the steering-group case from a closed consultation, and each council's accession."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cards.agreements import (
    AGREEMENT_ACCESSION,
    AGREEMENT_COMMENT,
    AGREEMENT_STATUS,
    AccessionForm,
    AccessionStatusView,
    ChangeView,
    CommentForm,
    DiffView,
    SummaryClause,
    SummaryView,
    accession_card,
    accession_status_card,
    comment_card,
    diff_card,
    summary_card,
)
from dialogs import router
from dialogs.agreements import accession, document, lifecycle, summary
from dialogs.agreements.versions import changes_of, main_agreement
from dialogs.consultations import rules as consultation_rules
from dialogs.consultations import service as consultation_service
from dialogs.consultations.status import current_consultation, is_closed, latest_responses
from dialogs.i18n import format_day, format_when, t
from dialogs.onboarding import translator
from dialogs.refusal import Refusal
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from dialogs.votes import handlers as votes_handlers
from dialogs.votes import rules as vote_rules
from dialogs.votes import service as vote_service
from storage.models import (
    AgreementCase,
    AgreementVersion,
    AuditEntry,
    Body,
    Clause,
    ClauseComment,
    Consultation,
    Municipality,
)

MAX_COMMENT = 4000
_CLAUSE_WORD = r"(?:\s+(?:til|på|pa|to|on))?(?:\s+(?:punkt|pkt\.?|clause|§))?"
_COMMENT = re.compile(r"^(?:merknad|merknader|kommentar|kommenter|comment)" + _CLAUSE_WORD + r"(?:\s+(\S+))?$",
                      re.IGNORECASE)
_SUMMARY = re.compile(r"^(?:høyringsoppsummering|høringsoppsummering|innspelsoppsummering|"
                      r"innspillsoppsummering|oppsummering av (?:høyringa|høringen|innspela|innspillene)|"
                      r"input summary)$", re.IGNORECASE)
_CASE = re.compile(r"^(?:ny sak|new case)\s+(?:frå|fra|from)\s+(?:høyring|høyringa|høring|høringen|consultation)"
                   r"(?:\s+(\S+))?$", re.IGNORECASE)
_ACCESSION = re.compile(r"^(?:tiltreding|tiltre|tiltre avtalen|registrer tiltreding|registrer vedtak|"
                        r"accession|register accession)$", re.IGNORECASE)
_STATUS = re.compile(r"^(?:status tiltreding|tiltredingsstatus|accession status)$", re.IGNORECASE)
_CHANGES = re.compile(r"^(?:endringar i avtalen|endringer i avtalen|avtaleendringar|avtaleendringer|"
                      r"changes in the agreement|agreement changes)$", re.IGNORECASE)


def _text(viewer: Viewer, message: str, /, **values) -> Reply:
    return Reply(text=t(message, viewer.lang, **values))


def _refused(viewer: Viewer, refusal: Refusal, consultation: Consultation) -> Reply:
    if refusal.key == "consultations.closed":
        return _text(viewer, refusal.key, deadline=format_when(consultation.deadline, viewer.lang),
                     contact=consultation.contact or t("core.role_secretariat", viewer.lang))
    return _text(viewer, refusal.key, **refusal.values)


def _label(clause: Clause) -> str:
    return f"{clause.number} {clause.heading}".strip()


async def _draft_consultation(session: AsyncSession, viewer: Viewer, key: str | None = None):
    """The consultation (open first) on a draft with clauses, its agreement and version; or None."""
    consultation = await current_consultation(session, viewer.network, key)
    if consultation is None:
        return None
    found = await summary.draft_of(session, consultation)
    if found is None:
        return None
    return consultation, *found


# --- the draft's changes --------------------------------------------------------------------


async def diff_view(session: AsyncSession, viewer: Viewer, version: AgreementVersion) -> dict:
    agreement = await main_agreement(session, viewer.network)
    base, changes = await changes_of(session, agreement, version)
    lang = viewer.lang
    shown = []
    for c in changes:
        if c.kind == "unchanged":
            continue
        clause = c.new or c.old
        detail = document.changed_excerpt(c) if c.kind == "changed" else clause.text
        shown.append(ChangeView(c.kind, f"{clause.number} {clause.heading}".strip(), detail))
    view = DiffView(title=t("agreements.diff_title", lang, label=version.label),
                    old_label=base.label if base else "—", new_label=version.label,
                    counts=document.counts(changes), changes=shown)
    return diff_card(view, translator(lang))


async def _latest_draft(session: AsyncSession, viewer: Viewer) -> AgreementVersion | None:
    agreement = await main_agreement(session, viewer.network)
    if agreement is None:
        return None
    candidates = [v for v in agreement.versions if v.clauses and v.status in ("draft", "adopted")]
    return max(candidates, key=lambda v: v.id) if candidates else None


# --- comments on clauses --------------------------------------------------------------------


async def _current_comment(session: AsyncSession, consultation: Consultation, municipality: Municipality,
                           clause_key: str) -> ClauseComment | None:
    return await session.scalar(select(ClauseComment).where(
        ClauseComment.consultation_id == consultation.id, ClauseComment.municipality_id == municipality.id,
        ClauseComment.clause_key == clause_key).order_by(ClauseComment.version.desc()).limit(1))


def _party_label(party: consultation_rules.Party, lang: str) -> str:
    if party.organisation:
        return t("agreements.party_joint", lang, body=party.organisation.name, count=len(party.municipalities))
    return party.municipalities[0].name


async def _comment_form(session: AsyncSession, viewer: Viewer, consultation: Consultation, agreement,
                        version: AgreementVersion, clause: Clause, party, problem: str = "",
                        typed: str | None = None) -> Reply:
    _base, changes = await changes_of(session, agreement, version)
    change = next((c for c in changes if c.new is not None and c.new.key == clause.key), None)
    current = await _current_comment(session, consultation, party.municipalities[0], clause.key)
    form = CommentForm(consultation=consultation.key, clause_key=clause.key, label=_label(clause), text=clause.text,
                       change=change.kind if change else "unchanged",
                       changed_words=document.changed_excerpt(change) if change and change.kind == "changed" else "",
                       party=_party_label(party, viewer.lang), deadline=format_when(consultation.deadline, viewer.lang),
                       current=typed if typed is not None else (current.text if current else ""),
                       version=current.version if current else 0, problem=problem)
    return Reply(card=comment_card(form, translator(viewer.lang)),
                 summary=t("agreements.comment_title", viewer.lang, label=_label(clause)))


def _find_clause(version: AgreementVersion, wanted: str) -> Clause | None:
    wanted = wanted.strip().rstrip(".").lstrip("§").strip()
    return next((c for c in version.clauses if c.key == wanted or (c.number and c.number == wanted)), None)


def _clause_list(version: AgreementVersion) -> str:
    return "\n".join(f"- {_label(c)}" for c in sorted(version.clauses, key=lambda c: c.position) if c.number)


async def _party_and_open(session: AsyncSession, services: Services, viewer: Viewer, consultation: Consultation):
    party = await consultation_service.answering_party(session, viewer)
    consultation_rules.check_open(consultation, services.now())
    return party


@router.text_handler(priority=28)
async def agreement_command(session: AsyncSession, services: Services, viewer: Viewer,
                            text: str) -> list[Reply | Refresh] | None:
    command = router.normalise_command(text)
    if match := _COMMENT.match(command):
        return await _comment_command(session, services, viewer, match.group(1))
    if _SUMMARY.match(command):
        return await _summary_command(session, services, viewer)
    if match := _CASE.match(command):
        return await _case_command(session, services, viewer, match.group(1))
    if _ACCESSION.match(command):
        return await _accession_command(session, services, viewer)
    if _STATUS.match(command):
        return await _status_command(session, services, viewer)
    if _CHANGES.match(command):
        version = await _latest_draft(session, viewer)
        if version is None:
            return [_text(viewer, "agreements.no_draft", network=viewer.network.name)]
        return [Reply(card=await diff_view(session, viewer, version), summary=version.label)]
    return None


async def _comment_command(session, services, viewer, wanted: str | None) -> list[Reply]:
    found = await _draft_consultation(session, viewer)
    if found is None:
        return [_text(viewer, "agreements.no_consultation_draft", network=viewer.network.name)]
    consultation, agreement, version = found
    try:
        party = await _party_and_open(session, services, viewer, consultation)
    except Refusal as refusal:
        return [_refused(viewer, refusal, consultation)]
    if not wanted:
        return [_text(viewer, "agreements.choose_clause", clauses=_clause_list(version))]
    clause = _find_clause(version, wanted)
    if clause is None:
        return [_text(viewer, "agreements.no_such_clause", number=wanted, label=version.label,
                      clauses=_clause_list(version))]
    return [await _comment_form(session, viewer, consultation, agreement, version, clause, party)]


@router.card_action(AGREEMENT_COMMENT)
async def submit_comment(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None:
        return [_text(viewer, "consultations.refused_unknown")]
    found = await _draft_consultation(session, viewer, str(data.get("consultation") or "") or None)
    if found is None or found[0].key != str(data.get("consultation") or ""):
        return [_text(viewer, "consultations.unknown")]
    consultation, agreement, version = found
    now = services.now()
    try:
        party = await _party_and_open(session, services, viewer, consultation)
    except Refusal as refusal:
        return [_refused(viewer, refusal, consultation)]
    clause = _find_clause(version, str(data.get("clause") or ""))
    if clause is None:  # a clause that is not in the draft (forged, or from another draft)
        return [_text(viewer, "agreements.no_such_clause", number=str(data.get("clause") or "?")[:20],
                      label=version.label, clauses=_clause_list(version))]
    text = str(data.get("comment") or "").strip()
    if len(text) > MAX_COMMENT:
        return [await _comment_form(session, viewer, consultation, agreement, version, clause, party,
                                    problem=t("agreements.too_long", viewer.lang, limit=MAX_COMMENT), typed=text)]
    latest = await latest_responses(session, consultation)
    stored = 0
    version_no = 0
    for municipality in party.municipalities:
        current = await _current_comment(session, consultation, municipality, clause.key)
        if current is not None and current.text == text:
            version_no = current.version
            continue
        if current is None and not text:
            continue
        version_no = (current.version + 1) if current else 1
        response = latest.get(municipality.id)
        session.add(ClauseComment(
            consultation_id=consultation.id, municipality_id=municipality.id, clause_key=clause.key,
            clause_number=clause.number, version=version_no, text=text,
            on_behalf_of_id=party.organisation.id if party.organisation else None,
            submitted_by_id=viewer.person.id, response_id=response.id if response else None, submitted_at=now))
        stored += 1
    if stored:
        session.add(AuditEntry(actor=viewer.sender.actor, network_id=consultation.network_id,
                               action="agreement.comment", target=f"{consultation.key}/{clause.key}", at=now,
                               details={"municipalities": [m.number for m in party.municipalities],
                                        "version": version_no, "withdrawn": not text}))
        await session.flush()
    key = ("agreements.comment_withdrawn" if not text else
           "agreements.comment_stored" if stored else "agreements.comment_unchanged")
    if not text and not stored:
        key = "agreements.comment_empty"
    return [_text(viewer, key, label=_label(clause), party=_party_label(party, viewer.lang), version=version_no,
                  deadline=format_when(consultation.deadline, viewer.lang))]


# --- the input summary ----------------------------------------------------------------------


async def _summary_command(session, services, viewer) -> list[Reply]:
    if not viewer.is_secretariat:
        return [_text(viewer, "agreements.secretariat_only")]
    found = await _draft_consultation(session, viewer)
    if found is None:
        return [_text(viewer, "agreements.no_consultation_draft", network=viewer.network.name)]
    s = await summary.summary_for(session, viewer.network, found[0])
    return [Reply(card=summary_card_for(s, viewer.lang), summary=t("agreements.summary_title", viewer.lang))]


def summary_card_for(s: summary.Summary, lang: str) -> dict:
    clauses = [SummaryClause(label=f"{c.number} {c.heading}".strip(), change=c.change,
                             comments=[(f"{line.party} ({line.by})",
                                        t("agreements.on_behalf_list", lang, names=", ".join(line.on_behalf_of)),
                                        line.text) for line in c.comments])
               for c in s.clauses]
    view = SummaryView(title=s.title, version_label=s.version_label, answered=s.answered, members=s.members,
                       positions=list(s.positions.items()), clauses=clauses)
    return summary_card(view, translator(lang))


# --- the steering-group case from a closed consultation --------------------------------------


async def _case_command(session, services, viewer, key: str | None) -> list[Reply | Refresh]:

    now = services.now()
    if not viewer.is_secretariat:
        return [_text(viewer, "agreements.secretariat_only")]
    found = await _draft_consultation(session, viewer, key)
    if found is None:
        return [_text(viewer, "agreements.no_consultation_draft", network=viewer.network.name)]
    consultation, _agreement, version = found
    if not (consultation.status == "closed" or is_closed(consultation, now)):
        return [_text(viewer, "agreements.consultation_still_open", title=consultation.title,
                      deadline=format_when(consultation.deadline, viewer.lang))]
    existing = await session.scalar(select(AgreementCase).where(AgreementCase.version_id == version.id))
    if existing is not None:
        from storage.models import Case

        case = await session.get(Case, existing.case_id)
        return [_text(viewer, "agreements.case_exists", key=case.key.upper() if case else "?", label=version.label)]
    body = await session.scalar(select(Body).where(Body.network_id == viewer.network.id,
                                                   Body.kind == "steering_group"))
    bodies = await vote_service.bodies_person_may_open(session, viewer.person, viewer.network.id, now)
    if body is None or body not in bodies:
        return [_text(viewer, "agreements.no_steering_group")]
    s = await summary.summary_for(session, viewer.network, consultation)
    lang = viewer.network.language
    effective = format_day(version.valid_from, lang) if version.valid_from else "—"
    markdown = summary.to_markdown(s, lang)
    draft = vote_rules.parse_draft({
        "body": body.key, "title": t("agreements.case_title", lang, label=version.label),
        "proposal": t("agreements.case_proposal", lang, label=version.label, effective=effective),
        "background": markdown[:vote_rules.MAX_TEXT], "deadline_at": (now + timedelta(days=14)).isoformat(),
        "visibility": "after_vote"}, lang, now, bodies)
    case, _new = await vote_service.open_case(session, viewer.network, draft, creator=viewer.person,
                                            actor=viewer.sender.actor, now=now, source="agreement")
    link = AgreementCase(network_id=viewer.network.id, version_id=version.id, consultation_id=consultation.id,
                         case_id=case.id, effective_from=version.valid_from, summary=markdown, created_at=now)
    session.add(link)
    await session.flush()
    await lifecycle.schedule_settle(session, link, case, at=case.deadline + timedelta(minutes=1))
    replies, reachable, _unreachable = await votes_handlers.distribution(session, services, case)
    await votes_handlers.schedule_jobs(session, case, now)
    return [_text(viewer, "agreements.case_opened", key=case.key.upper(), label=version.label,
                  count=reachable, comments=s.comment_count), *replies]


# --- accession ------------------------------------------------------------------------------


async def _accession_form(session, viewer, version, municipality, problem: str = "", values=None) -> Reply:
    lang = viewer.lang
    current = (await accession.latest(session, version)).get(municipality.id)
    said = ""
    if current is not None:
        said = t("agreements.accession_current", lang, outcome=t(f"agreements.status_{current.status}", lang),
                 day=format_day(current.meeting_date or current.planned_date, lang)
                 if (current.meeting_date or current.planned_date) else "—")
    form = AccessionForm(version_label=version.label, municipality=municipality.name, number=municipality.number,
                         effective=format_day(version.valid_from, lang) if version.valid_from else "—",
                         current=said, problem=problem, values={k: str(v) for k, v in (values or {}).items()})
    return Reply(card=accession_card(form, translator(lang)),
                 summary=t("agreements.accession_form_title", lang, label=version.label))


async def _accession_command(session, services, viewer) -> list[Reply]:
    await lifecycle.settle_adoptions(session, viewer.network, now=services.now())
    version = await accession.adopted_version(session, viewer.network)
    replies: list[Reply] = []
    if viewer.is_secretariat:
        replies += await _status_command(session, services, viewer)
    try:
        municipality = accession.check_may_register(viewer, version)
    except Refusal as refusal:
        return replies or [_text(viewer, refusal.key, **refusal.values)]
    replies.append(await _accession_form(session, viewer, version, municipality))
    return replies


@router.card_action(AGREEMENT_ACCESSION)
async def submit_accession(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None:
        return [_text(viewer, "consultations.refused_unknown")]
    now = services.now()
    await lifecycle.settle_adoptions(session, viewer.network, now=now)
    version = await accession.adopted_version(session, viewer.network)
    try:
        municipality = accession.check_may_register(viewer, version)
    except Refusal as refusal:
        return [_text(viewer, refusal.key, **refusal.values)]
    claimed = str(data.get("municipality") or "")
    if claimed and claimed != municipality.number:  # a card for another municipality: its people decide
        other = await session.scalar(select(Municipality.name).where(
            Municipality.network_id == viewer.network.id, Municipality.number == claimed))
        return [_text(viewer, "agreements.other_municipality", other=other or claimed, own=municipality.name)]
    try:
        draft = accession.parse_form(data)
        row, new = await accession.register(session, version, municipality, draft, viewer, now)
    except Refusal as refusal:
        problem = t(refusal.key, viewer.lang, **refusal.values)
        if refusal.key == "agreements.already_decided":
            return [Reply(text=problem)]
        return [await _accession_form(session, viewer, version, municipality, problem=problem, values=data)]
    key = "agreements.accession_stored" if new else "agreements.accession_unchanged"
    day = row.meeting_date or row.planned_date
    return [_text(viewer, key, municipality=municipality.name, outcome=t(f"agreements.status_{row.status}",
                                                                          viewer.lang),
                  day=format_day(day, viewer.lang) if day else "—", label=version.label, version=row.version)]


async def _status_command(session, services, viewer) -> list[Reply]:
    if not viewer.is_secretariat:
        return [_text(viewer, "agreements.secretariat_only")]
    await lifecycle.settle_adoptions(session, viewer.network, now=services.now())
    status = await accession.accession_status(session, viewer.network)
    if status is None or status.version_status not in ("adopted", "in_force"):
        return [_text(viewer, "agreements.not_adopted")]
    return [Reply(card=status_card_for(status, viewer.lang), summary=status.version_label)]


def status_card_for(status: accession.AccessionStatus, lang: str) -> dict:
    lists = [(t(f"agreements.status_{k}", lang), status.named(k))
             for k in ("joined", "joined_with_reservations", "planned", "declined", "not_yet")]
    view = AccessionStatusView(version_label=status.version_label,
                               effective=format_day(status.effective_from, lang) if status.effective_from else "—",
                               counts=status.counts, total=len(status.rows), lists=lists,
                               illustrative_note=any(r.illustrative for r in status.rows))
    return accession_status_card(view, translator(lang))


@router.card_action(AGREEMENT_STATUS)
async def refresh_status(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    if viewer.network is None:
        return [_text(viewer, "consultations.refused_unknown")]
    return await _status_command(session, services, viewer)

