"""The input summary (høyringsoppsummering) of a consultation on a draft: per clause every current
comment, who made it and on whose behalf, and the count of overall positions; as Markdown, .docx, .xlsx."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.agreements.versions import changes_of
from dialogs.consultations.status import latest_responses
from dialogs.i18n import t
from storage.models import (
    Agreement,
    AgreementVersion,
    ClauseComment,
    Consultation,
    Municipality,
    Network,
    Organisation,
    Person,
)


@dataclass
class CommentLine:
    by: str  # the person who wrote it
    party: str  # the municipality, or the regional body
    on_behalf_of: list[str]  # the municipalities it speaks for
    text: str


@dataclass
class ClauseSummary:
    key: str
    number: str
    heading: str
    change: str  # added | changed | unchanged
    comments: list[CommentLine] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    consultation_key: str
    version_label: str
    positions: dict[str, int]
    answered: int
    members: int
    clauses: list[ClauseSummary]

    @property
    def comment_count(self) -> int:
        return sum(len(c.comments) for c in self.clauses)


async def draft_of(session: AsyncSession, consultation: Consultation) -> tuple[Agreement, AgreementVersion] | None:
    if consultation.agreement_version_id is None:
        return None
    version = await session.get(AgreementVersion, consultation.agreement_version_id)
    if version is None:
        return None
    await session.refresh(version, ["clauses"])
    if not version.clauses:
        return None
    agreement = await session.get(Agreement, version.agreement_id)
    await session.refresh(agreement, ["versions"])
    for v in agreement.versions:
        await session.refresh(v, ["clauses"])
    return agreement, version


async def current_comments(session: AsyncSession, consultation: Consultation) -> list[ClauseComment]:
    """The newest version of each (municipality, clause) comment, withdrawn ones (empty text) left out."""
    newest = (select(ClauseComment.municipality_id, ClauseComment.clause_key,
                     func.max(ClauseComment.version).label("v"))
              .where(ClauseComment.consultation_id == consultation.id)
              .group_by(ClauseComment.municipality_id, ClauseComment.clause_key).subquery())
    rows = (await session.scalars(select(ClauseComment).join(
        newest, (ClauseComment.municipality_id == newest.c.municipality_id)
        & (ClauseComment.clause_key == newest.c.clause_key) & (ClauseComment.version == newest.c.v))
        .where(ClauseComment.consultation_id == consultation.id).order_by(ClauseComment.submitted_at))).all()
    return [r for r in rows if r.text.strip()]


def position_question(consultation: Consultation) -> str | None:
    return next((q["key"] for q in consultation.questions or [] if q.get("kind") == "choice"), None)


async def summary_for(session: AsyncSession, network: Network, consultation: Consultation) -> Summary | None:
    found = await draft_of(session, consultation)
    if found is None:
        return None
    agreement, version = found
    _base, changes = await changes_of(session, agreement, version)
    kind_of = {c.new.key: c.kind for c in changes if c.new is not None}
    munis = {m.id: m for m in (await session.scalars(select(Municipality).where(
        Municipality.network_id == network.id))).all()}
    orgs = {o.id: o.name for o in (await session.scalars(select(Organisation).where(
        Organisation.network_id == network.id))).all()}
    members = sum(1 for m in munis.values() if m.member)
    latest = await latest_responses(session, consultation)
    question = position_question(consultation)
    positions: dict[str, int] = {}
    for response in latest.values():
        value = (response.answers or {}).get(question) if question else None
        label = value or t(f"consultations.kind_{response.kind}", network.language)
        positions[label] = positions.get(label, 0) + 1
    comments = await current_comments(session, consultation)
    people = {p.id: p.name for p in (await session.scalars(select(Person).where(
        Person.id.in_({c.submitted_by_id for c in comments if c.submitted_by_id})))).all()}
    grouped: dict[tuple, CommentLine] = {}
    per_clause: dict[str, list[CommentLine]] = {}
    for c in comments:
        group = (c.clause_key, c.on_behalf_of_id, c.submitted_by_id, c.text) if c.on_behalf_of_id else (
            c.clause_key, None, c.municipality_id, c.text)
        line = grouped.get(group)
        name = munis[c.municipality_id].name if c.municipality_id in munis else "?"
        if line is None:
            party = orgs.get(c.on_behalf_of_id, "") if c.on_behalf_of_id else name
            line = CommentLine(by=people.get(c.submitted_by_id, "—"), party=party, on_behalf_of=[], text=c.text)
            grouped[group] = line
            per_clause.setdefault(c.clause_key, []).append(line)
        line.on_behalf_of.append(name)
    for line in grouped.values():
        line.on_behalf_of.sort()
    clauses = [ClauseSummary(key=c.key, number=c.number, heading=c.heading, change=kind_of.get(c.key, "unchanged"),
                             comments=per_clause.get(c.key, []))
               for c in sorted(version.clauses, key=lambda c: c.position)]
    return Summary(title=consultation.title, consultation_key=consultation.key, version_label=version.label,
                   positions=dict(sorted(positions.items(), key=lambda kv: -kv[1])), answered=len(latest),
                   members=members, clauses=clauses)


def _tr(lang: str):
    return lambda key, **kw: t(f"agreements.{key}", lang, **kw)


def to_markdown(s: Summary, lang: str) -> str:
    tr = _tr(lang)
    out = [f"# {tr('summary_title')}: {s.version_label}", "", f"{s.title}", "",
           f"## {tr('positions')}", "", tr("answered_of", answered=s.answered, members=s.members), ""]
    out += [f"- {label}: {count}" for label, count in s.positions.items()] + [""]
    for clause in s.clauses:
        if not clause.comments:
            continue
        out += [f"## {clause.number} {clause.heading}".replace("##  ", "## "), ""]
        for line in clause.comments:
            out.append(f"- **{line.party}** ({line.by}; {tr('on_behalf_of')} {', '.join(line.on_behalf_of)}): "
                       f"{line.text}")
        out.append("")
    if not s.comment_count:
        out.append(tr("no_comments"))
    return "\n".join(out).rstrip() + "\n"


def to_docx(s: Summary, lang: str) -> bytes:
    import docx

    tr = _tr(lang)
    word = docx.Document()
    word.add_heading(f"{tr('summary_title')}: {s.version_label}", level=0)
    word.add_paragraph(s.title)
    word.add_heading(tr("positions"), level=1)
    word.add_paragraph(tr("answered_of", answered=s.answered, members=s.members))
    for label, count in s.positions.items():
        word.add_paragraph(f"{label}: {count}", style="List Bullet")
    for clause in s.clauses:
        word.add_heading(f"{clause.number} {clause.heading}".strip(), level=1)
        if clause.change != "unchanged":
            word.add_paragraph(tr(f"change_{clause.change}"))
        if not clause.comments:
            word.add_paragraph(tr("no_comments_clause"))
            continue
        table = word.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, (tr("col_party"), tr("col_by"), tr("col_on_behalf"),
                                                   tr("col_comment")), strict=True):
            cell.text = text
        for line in clause.comments:
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text, row[3].text = (
                line.party, line.by, ", ".join(line.on_behalf_of), line.text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def to_xlsx(s: Summary, lang: str) -> bytes:
    from openpyxl import Workbook

    tr = _tr(lang)
    book = Workbook()
    sheet = book.active
    sheet.title = tr("sheet_comments")[:31]
    sheet.append([tr("col_number"), tr("col_heading"), tr("col_change"), tr("col_party"), tr("col_by"),
                  tr("col_on_behalf"), tr("col_count"), tr("col_comment")])
    for clause in s.clauses:
        for line in clause.comments:
            sheet.append([clause.number, clause.heading, tr(f"change_{clause.change}"), line.party, line.by,
                          ", ".join(line.on_behalf_of), len(line.on_behalf_of), line.text])
    positions = book.create_sheet(tr("positions")[:31])
    positions.append([tr("positions"), tr("col_count")])
    for label, count in s.positions.items():
        positions.append([label, count])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

