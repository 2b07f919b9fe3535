"""From the database to an archive record: a closed consultation, a closed case, a sent notice.

- consultation: one case folder; an internal entry (X) with the input summary (main document) and the
  draft that was out for consultation (attachment); then one incoming entry (I) per response — a joint
  answer once, from the regional body, on behalf of the municipalities it answered for; an individual
  answer or a "no input" from the municipality itself.
- case: one case folder; an internal entry (X) from the body with the decision (main document) and the
  minutes (attachment), see dialogs.votes.minutes.
- notice: one case folder; an outgoing entry (U) from its author to every recipient, with the notice
  (main document) and the list of recipients with their delivery state (attachment).

Documents are written in the network's language (the record's language); the access mark is the one
the secretariat set (storage.archive), else offentleg.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.archive.documents import Page, Section, render
from dialogs.archive.records import (
    ATTACHMENT,
    EXEMPT,
    INCOMING,
    INTERNAL_NOTE,
    INTERNAL_SENDER,
    MAIN,
    OPEN,
    OUTGOING,
    RECIPIENT,
    SENDER,
    Access,
    Document,
    Entry,
    Export,
    Folder,
    Party,
    file_name,
)
from dialogs.consultations.status import is_closed, latest_responses, status_of
from dialogs.i18n import format_day, format_when, t
from dialogs.notices.service import batch_of
from dialogs.votes.minutes import minutes_for
from storage import archive as archive_store
from storage import directory
from storage.archive import mark_of, notice_recipients
from storage.models import (
    Case,
    Consultation,
    Network,
)
from storage.models.notices import Notice


class ExportRefused(Exception):
    """The record cannot be archived yet (message id for the user, with its values)."""

    def __init__(self, message_id: str, /, **values: object):
        super().__init__(message_id)
        self.key, self.values = message_id, values


def check_ready(kind: str, record, now: datetime, lang: str) -> None:
    """Raise ExportRefused unless the record is final: a closed consultation, a closed and decided case,
    a sent notice (the archive takes records, not drafts)."""
    if kind == "consultation" and not is_closed(record, now):
        raise ExportRefused("archive.consultation_open", title=record.title, deadline=format_when(record.deadline, lang))
    if kind == "case" and (record.status != "closed" or record.outcome == "awaiting_chair"):
        raise ExportRefused("archive.case_open", key=record.key.upper(), title=record.title)
    if kind == "notice" and (record.status not in ("sent", "sending") or record.sent_at is None):
        raise ExportRefused("archive.notice_not_sent",
                            title=record.title or (record.text or "")[:60] or f"#{record.id}")


async def access_of(session: AsyncSession, network_id: int, kind: str, subject_id: int) -> Access:
    mark = await mark_of(session, network_id, kind, subject_id)
    if mark is None or mark.access != EXEMPT:
        return Access(OPEN)
    return Access(EXEMPT, mark.legal_basis)


def _access_fact(access: Access, lang: str) -> tuple[str, str]:
    value = (t("archive.access_exempt", lang, basis=access.legal_basis) if access.exempt
             else t("archive.access_open", lang))
    return t("archive.access_label", lang), value


async def _secretariat(session: AsyncSession, network_id: int) -> str:
    return await archive_store.secretariat_unit(session, network_id)


def _municipality(name: str, lang: str) -> str:
    return t("archive.municipality", lang, name=name)


# --- consultation -------------------------------------------------------------------------------


async def _draft_document(session: AsyncSession, consultation: Consultation, lang: str,
                          created: datetime) -> Document | None:
    if not consultation.agreement_version_id:
        return None
    version, clauses = await archive_store.agreement_draft(session, consultation.agreement_version_id)
    if version is None:
        return None
    title = t("archive.draft_title", lang, label=version.label)
    page = Page(title=title, language=version.language or lang, created=created,
                facts=[(t("archive.source_label", lang), version.source)] if version.source else [],
                sections=[Section(f"{c.number} {c.heading}".strip(), c.text) for c in clauses])
    return Document(title=title, role=ATTACHMENT, kind="AVTALE", filename=file_name(version.label),
                    content=render(page), created=created)


async def consultation_export(session: AsyncSession, network: Network, consultation: Consultation, *,
                              now: datetime, made_by: str = "") -> Export:
    lang = network.language or "nb"
    check_ready("consultation", consultation, now, lang)
    access = await access_of(session, network.id, "consultation", consultation.id)
    closed = min(consultation.deadline, now)
    status = await status_of(session, network, consultation, now)
    latest = await latest_responses(session, consultation)
    munis = {m.id: m for m in await directory.municipalities(session, network.id)}
    orgs = {o.id: o for o in await directory.organisations(session, network.id)}
    people = await archive_store.people_by_id(session, [r.submitted_by_id for r in latest.values()
                                                        if r.submitted_by_id])
    created = consultation.sent_at or min([r.submitted_at for r in latest.values()], default=closed)
    key = f"{network.slug}/consultation/{consultation.key}"
    unit = await _secretariat(session, network.id)
    folder = Folder(key=key, title=consultation.title, description=consultation.description, created=created,
                    closed=closed, unit=unit, responsible=(consultation.contact or "").split(",")[0].strip())

    # the summary: counts by kind, who answered how, who did not
    kinds = [(t(f"archive.kind_{kind}", lang), n) for kind, n in status.by_kind.items()]
    by_party = [f"{m.name}: {t(f'archive.kind_{m.kind}', lang)}" + (f" ({m.on_behalf_of})" if m.on_behalf_of else "")
                for m in status.municipalities if m.kind]
    summary_title = t("archive.summary_title", lang, title=consultation.title)
    summary_page = Page(
        title=summary_title, language=lang, created=closed,
        facts=[(t("archive.network_label", lang), network.name),
               (t("archive.deadline_label", lang), format_when(consultation.deadline, lang)),
               (t("archive.answered_label", lang), t("archive.answered", lang, answered=status.answered,
                                                      members=status.members)),
               _access_fact(access, lang)],
        sections=[Section(t("archive.by_kind_heading", lang), items=[f"{label}: {n}" for label, n in kinds]),
                  Section(t("archive.by_party_heading", lang), items=by_party),
                  Section(t("archive.not_answered_heading", lang),
                          items=[m.name for m in status.not_answered] or [t("archive.none", lang)])])
    documents = [Document(title=summary_title, role=MAIN, kind="NOTAT", filename=file_name(summary_title),
                          content=render(summary_page), created=closed)]
    draft = await _draft_document(session, consultation, lang, created)
    if draft is not None:
        documents.append(draft)
    entries = [Entry(key=f"{key}/summary", entry_type=INTERNAL_NOTE, title=summary_title, created=closed,
                     document_date=closed, author=unit, parties=[Party(INTERNAL_SENDER, unit or network.name)],
                     documents=documents)]

    # one incoming entry per response: a joint answer once, from its regional body
    groups: dict[tuple[str, int], list] = {}
    for response in latest.values():
        group = (("joint", response.on_behalf_of_id) if response.kind == "joint" and response.on_behalf_of_id
                 else ("own", response.municipality_id))
        groups.setdefault(group, []).append(response)

    def order(item):
        (what, ident), _ = item
        name = orgs[ident].name if what == "joint" else munis[ident].name
        return (0 if what == "joint" else 1, name)

    questions = consultation.questions or []
    for (what, ident), responses in sorted(groups.items(), key=order):
        responses.sort(key=lambda r: munis[r.municipality_id].name)
        first = max(responses, key=lambda r: r.submitted_at)
        sender = orgs[ident].name if what == "joint" else _municipality(munis[ident].name, lang)
        covered = [_municipality(munis[r.municipality_id].name, lang) for r in responses] if what == "joint" else []
        who = people.get(first.submitted_by_id)
        title_key = "archive.no_input_title" if first.kind == "no_input" else "archive.response_title"
        title = t(title_key, lang, sender=sender, title=consultation.title)
        facts = [(t("archive.from_label", lang), sender),
                 (t("archive.received_label", lang), format_when(first.submitted_at, lang)),
                 (t("archive.kind_label", lang), t(f"archive.kind_{first.kind}", lang)),
                 (t("archive.version_label", lang), str(first.version))]
        if who is not None:
            facts.append((t("archive.submitted_by_label", lang), who.name))
        facts.append(_access_fact(access, lang))
        sections = []
        if covered:
            sections.append(Section(t("archive.on_behalf_heading", lang), items=covered))
        for q in questions:
            label = (q.get("label") or {}).get(lang) or (q.get("label") or {}).get(network.language) or q["key"]
            answer = (first.answers or {}).get(q["key"], "")
            if isinstance(answer, list):
                answer = "; ".join(str(a) for a in answer)
            if answer:
                sections.append(Section(label, str(answer)))
        if first.own_council_date:
            sections.append(Section(t("archive.own_council_heading", lang), format_day(first.own_council_date, lang)))
        if first.note:
            sections.append(Section(t("archive.note_heading", lang), first.note))
        page = Page(title=title, language=lang, created=first.submitted_at, facts=facts, sections=sections)
        doc = Document(title=title, role=MAIN, kind="KORR", filename=file_name(title), content=render(page),
                       created=first.submitted_at)
        entries.append(Entry(
            key=f"{key}/response/" + (f"joint-{orgs[ident].key}" if what == "joint" else f"own-{munis[ident].number}"),
            entry_type=INCOMING, title=title, created=first.submitted_at,
            document_date=first.submitted_at, received=first.submitted_at,
            description=t("archive.on_behalf", lang, names=", ".join(covered)) if covered else "",
            parties=[Party(SENDER, sender, contact=who.name if who else "", email=who.email if who else "")],
            on_behalf_of=covered, documents=[doc]))
    return Export(kind="consultation", folder=folder, entries=entries, access=access, made_at=now,
                  made_by=made_by, language=lang)


# --- case -----------------------------------------------------------------------------------------


async def case_export(session: AsyncSession, network: Network, case: Case, *, now: datetime,
                      made_by: str = "") -> Export:
    lang = network.language or "nb"
    check_ready("case", case, now, lang)
    access = await access_of(session, network.id, "case", case.id)
    body = await directory.body(session, case.body_id)
    minutes = await minutes_for(session, case, lang, now)
    closed = case.closed_at or now
    key = f"{network.slug}/case/{case.key}"
    folder_title = f"{case.key.upper()} {case.title}"
    folder = Folder(key=key, title=folder_title, description=case.background or "", created=case.created_at,
                    closed=closed, unit=body.name)
    decision_title = t("archive.decision_title", lang, key=case.key.upper(), title=case.title)
    facts = [(t("archive.body_label", lang), f"{body.name} ({network.name})"),
             (t("archive.closed_label", lang), f"{minutes.closed_at} ({minutes.closed_reason})"),
             (t("archive.turnout_label", lang), t("archive.turnout", lang, voted=minutes.voted, total=minutes.total)),
             _access_fact(access, lang)]
    decision = Page(title=decision_title, language=lang, created=closed, facts=facts, sections=[
        Section(t("archive.proposal_heading", lang), case.proposal),
        Section(t("archive.outcome_heading", lang), minutes.outcome)])
    minutes_title = t("archive.minutes_title", lang, key=case.key.upper(), title=case.title)
    votes = [f"{v.name}" + (f" ({v.represents})" if v.represents else "") + f": {v.option}"
             + (f" — {v.reason}" if v.reason else "") for v in minutes.votes or []]
    sections = []
    if case.background:
        sections.append(Section(t("archive.background_heading", lang), case.background))
    sections += [Section(t("archive.proposal_heading", lang), case.proposal),
                 Section(t("archive.results_heading", lang), items=[f"{label}: {n}" for label, n in minutes.counts or []]),
                 Section(t("archive.votes_heading", lang), items=votes or [t("archive.none", lang)])]
    if minutes.not_voted:
        sections.append(Section(t("archive.not_voted_heading", lang), items=minutes.not_voted))
    sections.append(Section(t("archive.outcome_heading", lang), minutes.outcome))
    protocol = Page(title=minutes_title, language=lang, created=closed, facts=facts, sections=sections)
    entry = Entry(key=f"{key}/decision", entry_type=INTERNAL_NOTE, title=decision_title, created=closed,
                  document_date=closed, author=body.name, parties=[Party(INTERNAL_SENDER, body.name)],
                  documents=[Document(title=decision_title, role=MAIN, kind="VEDTAK", filename=file_name(decision_title),
                                      content=render(decision), created=closed),
                             Document(title=minutes_title, role=ATTACHMENT, kind="PROTOKOLL",
                                      filename=file_name(minutes_title), content=render(protocol), created=closed)])
    return Export(kind="case", folder=folder, entries=[entry], access=access, made_at=now, made_by=made_by,
                  language=lang)


# --- notice ---------------------------------------------------------------------------------------


async def notice_export(session: AsyncSession, network: Network, notice: Notice, *, now: datetime,
                        made_by: str = "") -> Export:
    lang = network.language or "nb"
    label = notice.title or (notice.text or "")[:60] or f"#{notice.id}"
    check_ready("notice", notice, now, lang)
    access = await access_of(session, network.id, "notice", notice.id)
    author = await directory.person(session, notice.author_id)
    recipients = await notice_recipients(session, batch_of(notice.id))
    key = f"{network.slug}/notice/{notice.id}"
    unit = await _secretariat(session, network.id)
    title = t("archive.notice_title", lang, title=label)
    folder = Folder(key=key, title=title, created=notice.created_at, closed=notice.sent_at, unit=unit,
                    responsible=author.name if author else "")
    parties = [Party(INTERNAL_SENDER, author.name if author else (unit or network.name),
                     email=author.email if author else "", is_person=author is not None)]
    listed = []
    for person, muni, org, status in recipients:
        where = _municipality(muni, lang) if muni else org
        if where:
            parties.append(Party(RECIPIENT, where, contact=person.name, email=person.email))
        else:
            parties.append(Party(RECIPIENT, person.name, email=person.email, is_person=True))
        listed.append(f"{person.name}" + (f" ({where})" if where else "") + f": {t(f'archive.delivery_{status}', lang)}")
    facts = [(t("archive.from_label", lang), author.name if author else unit),
             (t("archive.sent_label", lang), format_when(notice.sent_at, lang)),
             (t("archive.recipients_label", lang), str(len(recipients))), _access_fact(access, lang)]
    sections = [Section(t("archive.text_heading", lang), notice.text or "")]
    if notice.links:
        sections.append(Section(t("archive.links_heading", lang),
                                items=[f"{link.get('title', '')}: {link.get('url', '')}" for link in notice.links]))
    text_page = Page(title=title, language=lang, created=notice.sent_at, facts=facts, sections=sections)
    list_title = t("archive.recipient_list_title", lang, title=label)
    list_page = Page(title=list_title, language=lang, created=now, facts=facts,
                     sections=[Section(t("archive.recipients_heading", lang), items=listed or [t("archive.none", lang)])])
    entry = Entry(key=f"{key}/sent", entry_type=OUTGOING, title=title, created=notice.sent_at,
                  document_date=notice.sent_at, sent=notice.sent_at, author=author.name if author else unit,
                  parties=parties,
                  documents=[Document(title=title, role=MAIN, kind="MELDING", filename=file_name(title),
                                      content=render(text_page), created=notice.sent_at),
                             Document(title=list_title, role=ATTACHMENT, kind="MELDING", filename=file_name(list_title),
                                      content=render(list_page), created=now)])
    return Export(kind="notice", folder=folder, entries=[entry], access=access, made_at=now, made_by=made_by,
                  language=lang)
