"""Working translations of stored Norwegian texts, from `data/translations/*.yaml`.

Why: the agreements and the other source documents exist in one written language only (Nynorsk or
Bokmål), but directors ask in Nynorsk, Bokmål and English. The Q&A matcher indexes these
translations beside the original, and an answer found through one says it is a translation; the
Norwegian text stays the text of record (it is what a clause card shows in full).

Several files may serve one network (they are merged); each entry names a clause by
"agreement/version/clause", a body or an event by key. Checked like the other side files: every
problem named, nothing written when any file is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.data_schema import KEY_PATTERN, NetworkFile, Strict
from storage.models import Agreement, AgreementVersion, Body, Clause, Event, Network
from storage.validate import DataError, read_side_files, side_files

TRANSLATIONS_DIR = "translations"
LANGS = ("nn", "nb", "en")


class Texts(Strict):
    nn: str = ""
    nb: str = ""
    en: str = ""


class ClauseTranslation(Strict):
    ref: str = Field(pattern=r"^[a-z0-9-]+/[A-Za-z0-9._-]+/[a-z0-9-]+$")
    heading: Texts = Field(default_factory=Texts)
    text: Texts = Field(default_factory=Texts)


class BodyTranslation(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: Texts = Field(default_factory=Texts)
    description: Texts = Field(default_factory=Texts)


class EventTranslation(Strict):
    key: str
    title: Texts = Field(default_factory=Texts)
    description: Texts = Field(default_factory=Texts)


class TranslationsFile(Strict):
    network: str = Field(pattern=KEY_PATTERN)
    clauses: list[ClauseTranslation] = Field(default_factory=list)
    bodies: list[BodyTranslation] = Field(default_factory=list)
    events: list[EventTranslation] = Field(default_factory=list)


def translation_files(path: Path) -> list[Path]:
    return side_files(path, TRANSLATIONS_DIR)


def _problems(doc: TranslationsFile, networks: dict[str, NetworkFile]) -> list[str]:
    net = networks.get(doc.network)
    if net is None:
        return [f"network: unknown network {doc.network!r}"]
    refs = {f"{a.key}/{v.key}/{c.key}" for a in net.agreements for v in a.versions for c in v.clauses}
    bodies = {b.key for b in net.bodies}
    events = {e.key for e in net.events}
    problems = [f"clauses[{i}].ref: unknown clause {c.ref!r}" for i, c in enumerate(doc.clauses) if c.ref not in refs]
    problems += [f"bodies[{i}].key: unknown body {b.key!r}" for i, b in enumerate(doc.bodies) if b.key not in bodies]
    problems += [f"events[{i}].key: unknown event {e.key!r}" for i, e in enumerate(doc.events) if e.key not in events]
    return problems


def read_translations(path: Path, docs: list[tuple[Path, NetworkFile]]) -> list[tuple[Path, TranslationsFile]]:
    networks = {doc.network.slug: doc for _, doc in docs}
    out, problems = read_side_files(translation_files(path), TranslationsFile, lambda doc: _problems(doc, networks))
    if problems:
        raise DataError(problems)
    return out


def as_stored(**fields: Texts) -> dict[str, dict[str, str]]:
    """The JSON a row keeps: only the languages given, e.g. {"text": {"en": "…"}}."""
    return {name: {lang: text for lang in LANGS if (text := getattr(texts, lang).strip())}
            for name, texts in fields.items() if any(getattr(texts, lang).strip() for lang in LANGS)}


async def sync_translations(session: AsyncSession, files: list[tuple[Path, TranslationsFile]], report: Any) -> None:
    """Set each named row's translations (merged over the files of a network); rows no file names get none."""
    wanted: dict[str, dict[tuple[str, str], dict]] = {}
    for _file, doc in files:
        rows = wanted.setdefault(doc.network, {})
        for c in doc.clauses:
            rows[("clause", c.ref)] = as_stored(heading=c.heading, text=c.text)
        for b in doc.bodies:
            rows[("body", b.key)] = as_stored(name=b.name, description=b.description)
        for e in doc.events:
            rows[("event", e.key)] = as_stored(title=e.title, description=e.description)
    for net in (await session.scalars(select(Network))).all():
        rows = wanted.get(net.slug, {})
        clauses = (await session.execute(
            select(Clause, AgreementVersion.key, Agreement.key).join(AgreementVersion, Clause.version_id == AgreementVersion.id)
            .join(Agreement, AgreementVersion.agreement_id == Agreement.id).where(Agreement.network_id == net.id))).all()
        targets: list[tuple[Any, tuple[str, str]]] = [(c, ("clause", f"{a}/{v}/{c.key}")) for c, v, a in clauses]
        targets += [(b, ("body", b.key)) for b in (await session.scalars(select(Body).where(Body.network_id == net.id)))]
        targets += [(e, ("event", e.key)) for e in (await session.scalars(select(Event).where(Event.network_id == net.id)))]
        for row, name in targets:
            value = rows.get(name, {})
            if (row.translations or {}) != value:
                row.translations = value
                report.count(report.updated, type(row).__tablename__)
    await session.flush()
