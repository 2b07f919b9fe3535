"""The agreement's text as a document (.md and .docx): its clauses as stored, with the list of parties
in the preamble ("Mellom … er det inngått følgjande avtale") and a closing section on who joined by
which council decision. Both lists come from the accession rows by the one rule (`accession.is_party`),
so the text names the same parties as the status, its exports and Q&A."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.agreements.accession import AccessionStatus, accession_status, party_line
from dialogs.agreements.validity import VersionInfo
from dialogs.agreements.versions import as_like
from dialogs.i18n import format_day, t
from storage.models import Agreement, AgreementVersion, Network

# the preamble's line before the list of parties ("Mellom", "Mellom partane", "Between")
_BETWEEN = re.compile(r"^(?:mellom|between)(?:\s+partane|\s+partene|\s+the parties)?\s*:?$", re.IGNORECASE)


@dataclass
class TextClause:
    number: str
    heading: str
    paragraphs: list[str]

    @property
    def level(self) -> int:
        return min(self.number.count(".") + 1, 3) if self.number else 1


@dataclass
class AgreementText:
    title: str
    label: str
    period: str
    status: AccessionStatus
    preamble: list[str] = field(default_factory=list)
    clauses: list[TextClause] = field(default_factory=list)


def _names(names: list[str], lang: str) -> str:
    if len(names) < 2:
        return "".join(names)
    return t("agreements.text_and", lang, first=", ".join(names[:-1]), last=names[-1])


def period_of(version: AgreementVersion | VersionInfo, lang: str) -> str:
    start = format_day(version.valid_from, lang) if version.valid_from else ""
    end = format_day(version.valid_to, lang) if version.valid_to else ""
    if start and end:
        return t("agreements.period_from_to", lang, start=start, end=end)
    if start:
        return t("agreements.period_from", lang, start=start)
    return t("agreements.period_to", lang, end=end) if end else ""


def with_parties(paragraphs: list[str], status: AccessionStatus, lang: str) -> list[str]:
    """The preamble with the paragraph after "Mellom" replaced by the parties the accession rows name."""
    names = [r.municipality for r in status.parties]
    line = (t("agreements.text_between", lang, names=_names(names, lang), count=len(names)) if names
            else t("agreements.text_between_none", lang))
    out = list(paragraphs)
    for i, para in enumerate(out):
        if _BETWEEN.match(para.strip()) and i + 1 < len(out):
            out[i + 1] = line
            return out
    return out


async def agreement_text(session: AsyncSession, network: Network, version_key: str | None = None,
                         lang: str | None = None) -> AgreementText | None:
    """The text of the given version (default: the one municipalities join: adopted, else in force)."""
    lang = lang or network.language
    status = await accession_status(session, network, version_key)
    if status is None:
        return None
    version = await session.scalar(select(AgreementVersion).join(Agreement).where(
        Agreement.network_id == network.id, AgreementVersion.key == status.version_key))
    await session.refresh(version, ["clauses"])
    agreement = await session.get(Agreement, version.agreement_id)
    text = AgreementText(title=agreement.title or version.label, label=version.label,
                         period=period_of(version, lang), status=status)
    for clause in as_like(version.clauses):
        paragraphs = [p.strip() for p in clause.text.split("\n\n") if p.strip()]
        if not clause.number and not text.clauses:
            text.preamble += paragraphs
            continue
        text.clauses.append(TextClause(clause.number, clause.heading, paragraphs))
    text.preamble = with_parties(text.preamble, status, lang)
    return text


def _lines(paragraph: str) -> list[tuple[bool, str]]:
    """(is a list item, text) for each line of a paragraph; a paragraph of prose stays one line."""
    lines = [x.strip() for x in paragraph.splitlines() if x.strip()]
    if any(x.startswith(("- ", "* ", "• ")) for x in lines):
        return [(x.startswith(("- ", "* ", "• ")), x.lstrip("-*• ").strip()) for x in lines]
    return [(False, " ".join(lines))]


def to_markdown(doc: AgreementText, lang: str) -> str:
    out = [f"# {doc.title}", "", f"_{doc.label}{f' – {doc.period}' if doc.period else ''}_", ""]
    out += [x for para in doc.preamble for x in (para, "")]
    for clause in doc.clauses:
        out += [f"{'#' * (clause.level + 1)} {clause.number} {clause.heading}".rstrip(), ""]
        out += [x for para in clause.paragraphs for x in (para, "")]
    out += [f"## {t('agreements.parties_heading', lang)}", ""]
    out += [f"- {party_line(r, lang)}" for r in doc.status.parties] or [t("agreements.parties_none", lang)]
    return "\n".join(out).rstrip() + "\n"


def to_docx(doc: AgreementText, lang: str) -> bytes:
    import docx

    word = docx.Document()
    word.add_heading(doc.title, level=0)
    word.add_paragraph(f"{doc.label}{f' – {doc.period}' if doc.period else ''}")

    def paragraphs(items: list[str]) -> None:
        for para in items:
            for bullet, line in _lines(para):
                word.add_paragraph(line, style="List Bullet" if bullet else None)

    paragraphs(doc.preamble)
    for clause in doc.clauses:
        word.add_heading(f"{clause.number} {clause.heading}".strip(), level=clause.level)
        paragraphs(clause.paragraphs)
    word.add_heading(t("agreements.parties_heading", lang), level=1)
    if not doc.status.parties:
        word.add_paragraph(t("agreements.parties_none", lang))
    for row in doc.status.parties:
        word.add_paragraph(party_line(row, lang), style="List Bullet")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
