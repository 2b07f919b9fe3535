"""Notices: who an audience is, queuing one outbox row per recipient, cancelling, and the report.

Queuing happens in one transaction with the notice's status change, so a notice
is either fully queued or not at all; dedupe keys make a double click or a job
that runs twice queue nobody twice.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cards.notices import NoticeView, notice_card
from dialogs.i18n import format_when, t
from dialogs.language import languages_of
from storage import jobs, outbox
from storage.models import Body, ConversationRef, Municipality, Network, OutboxMessage, Person, Seat, utcnow
from storage.models.notices import Notice, NoticeAck

ROLE_WORDS = {"director": "director", "directors": "director", "direktør": "director", "direktørar": "director",
              "direktører": "director", "kommunedirektørar": "director", "kommunedirektører": "director",
              "mayor": "mayor", "mayors": "mayor", "ordførar": "mayor", "ordførarar": "mayor", "ordfører": "mayor",
              "ordførere": "mayor"}
NETWORK_WORDS = {"network", "nettverk", "nettverket", "alle", "all", "everyone"}
APP_WORDS = {"app", "appen", "alle med appen", "everyone with the app"}
MAX_LINKS = 3


class AudienceError(ValueError):
    """The audience text names nothing we know (message id for the user)."""


@dataclass
class Audience:
    spec: str  # normalised: network | app | role:director | body:KEY | municipalities:4601,4627
    label: str
    person_ids: list[int] = field(default_factory=list)


def batch_of(notice_id: int) -> str:
    return f"notice:{notice_id}"  # dialogs.notices.progress reads it back


async def resolve_audience(session: AsyncSession, network: Network, text: str, lang: str) -> Audience:
    """Read an audience ('styringsgruppa', 'role:director', 'kommunar: Alver, Stryn', 'app') into people."""
    raw = (text or "").strip()
    low = raw.lower()
    people = select(Person.id).where(Person.network_id == network.id, Person.anonymised.is_(False),
                                     Person.retired.is_(False))  # removed from data/: no longer addressed
    if low in NETWORK_WORDS or low == "network":
        ids = list(await session.scalars(people))
        return Audience("network", t("notices.audience_network", lang, network=network.name), ids)
    if low in APP_WORDS:
        ids = list(await session.scalars(people.where(Person.id.in_(
            select(ConversationRef.person_id).where(ConversationRef.active.is_(True),
                                                    ConversationRef.conversation_type == "personal")))))
        return Audience("app", t("notices.audience_app", lang), ids)
    role = ROLE_WORDS.get(low.removeprefix("role:").strip())
    if role:
        every = (await session.execute(people.add_columns(Person.roles))).all()
        ids = [pid for pid, roles in every if role in (roles or [])]
        return Audience(f"role:{role}", t(f"notices.role_{role}", lang), ids)
    body_key = low.removeprefix("body:").strip()
    bodies = (await session.scalars(select(Body).where(Body.network_id == network.id))).all()
    body = next((b for b in bodies if body_key in (b.key.lower(), b.name.lower())), None)
    if body is not None:
        ids = sorted({pid for pid in await session.scalars(
            select(Seat.person_id).where(Seat.body_id == body.id, Seat.person_id.is_not(None)))})
        return Audience(f"body:{body.key}", body.name, ids)
    match = re.match(r"^(?:municipalities|kommunar|kommuner|kommune)\s*:?\s*(.+)$", low)
    if match:
        wanted = [w.strip() for w in re.split(r"[,;]| og | and ", match.group(1)) if w.strip()]
        munis = (await session.scalars(select(Municipality).where(Municipality.network_id == network.id))).all()
        chosen = [m for m in munis if m.number in wanted or m.name.lower() in wanted
                  or m.name.lower().removesuffix(" kommune") in wanted]
        if len(chosen) != len(wanted):
            known = {m.number for m in chosen} | {m.name.lower() for m in chosen} | {
                m.name.lower().removesuffix(" kommune") for m in chosen}
            raise AudienceError(t("notices.unknown_municipality", lang,
                                  names=", ".join(w for w in wanted if w not in known)))
        ids = list(await session.scalars(people.where(Person.municipality_id.in_([m.id for m in chosen]))))
        return Audience("municipalities:" + ",".join(m.number for m in chosen),
                        ", ".join(m.name for m in chosen), ids)
    raise AudienceError(t("notices.unknown_audience", lang, text=raw,
                          bodies=", ".join(b.key for b in bodies)))


async def sender_of(session: AsyncSession, notice: Notice) -> tuple[str, str]:
    """(who wrote it, the body it is sent on behalf of): the author and the network's secretariat."""
    author = await session.get(Person, notice.author_id) if notice.author_id else None
    body = await session.scalar(select(Body.name).where(Body.network_id == notice.network_id,
                                                        Body.kind == "secretariat").order_by(Body.id).limit(1))
    if not body:
        network = await session.get(Network, notice.network_id)
        body = network.name if network else ""
    return (author.name if author and not author.anonymised else ""), body or ""


def view_of(notice: Notice, sender: tuple[str, str] = ("", "")) -> NoticeView:
    return NoticeView(id=notice.id, title=notice.title, text=notice.text, links=list(notice.links or []),
                      acknowledge=notice.acknowledge, sender_name=sender[0], sender_body=sender[1])


async def queue_notice(session: AsyncSession, notice: Notice, *, now: datetime | None = None) -> int:
    """Queue one outbox row per recipient (none twice); returns how many rows were added."""
    network = await session.get(Network, notice.network_id)
    audience = await resolve_audience(session, network, notice.audience, notice.language)
    if not audience.person_ids:
        raise AudienceError(t("notices.empty_audience", notice.language, audience=audience.label))
    languages = await languages_of(session, audience.person_ids, network)
    sender = await sender_of(session, notice)
    cards: dict[str, dict] = {}
    queued = 0
    for person_id in audience.person_ids:
        lang = languages.get(person_id) or network.language or notice.language
        if lang not in cards:
            cards[lang] = notice_card(view_of(notice, sender), lambda key, **kw: t(key, lang, **kw))  # noqa: B023
        row = await outbox.enqueue(
            session, payload={"text": None, "card": cards[lang], "summary": notice.title or notice.text[:80]},
            person_id=person_id, network_id=notice.network_id, batch=batch_of(notice.id),
            dedupe_key=f"notice:{notice.id}:person:{person_id}", language=lang)
        queued += row is not None
    notice.status = "sending"
    notice.recipients = max(notice.recipients, len(audience.person_ids))
    notice.sent_at = notice.sent_at or now or utcnow()
    return queued


async def schedule_notice(session: AsyncSession, notice: Notice, when: datetime) -> None:
    await jobs.schedule(session, kind="notice.send", key=f"notice:{notice.id}:send", run_at=when,
                        payload={"notice": notice.id}, network_id=notice.network_id)
    notice.status, notice.scheduled_at = "scheduled", when


@dataclass
class Stopped:
    """What stopping a notice did: how many of its recipients will not get it, how many had it already."""

    recipients: int
    not_sent: int
    reached: int


async def cancel_notice(session: AsyncSession, notice: Notice) -> Stopped:
    """Stop a scheduled notice, or the part of a running one not yet sent."""
    await jobs.cancel(session, key_prefix=f"notice:{notice.id}:")
    await session.execute(update(OutboxMessage).where(
        OutboxMessage.batch == batch_of(notice.id), OutboxMessage.status == "queued")
        .values(status="cancelled").execution_options(synchronize_session=False))
    notice.status = "cancelled"
    reached = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.batch == batch_of(notice.id), OutboxMessage.status == "sent")) or 0
    return Stopped(notice.recipients, max(notice.recipients - reached, 0), reached)


async def retry_failed(session: AsyncSession, notice: Notice) -> int:
    """'Send again to those who failed': failed and unreachable rows go back in the queue."""
    result = await session.execute(update(OutboxMessage).where(
        OutboxMessage.batch == batch_of(notice.id), OutboxMessage.status.in_(("failed", "unreachable")))
        .values(status="queued", attempts=0, error="", not_before=utcnow(), claimed_by="")
        .execution_options(synchronize_session=False))
    if result.rowcount:
        notice.status = "sending"
    return result.rowcount or 0


@dataclass
class Report:
    notice_id: int
    title: str
    status: str
    recipients: int
    counts: dict[str, int]
    acknowledged: int
    problems: list[tuple[str, str, str]]  # (name, status, reason)

    def as_json(self) -> dict:
        return {"notice": self.notice_id, "title": self.title, "status": self.status,
                "recipients": self.recipients, "acknowledged": self.acknowledged, **self.counts,
                "problems": [{"name": n, "status": s, "reason": r} for n, s, r in self.problems]}


def reason_text(error: str, lang: str) -> str:
    code = (error or "").split(":", 1)[0]
    if code in ("not_installed", "blocked", "removed", "no_conversation", "throttled"):
        return t(f"notices.reason_{code}", lang)
    return error or "—"


async def report(session: AsyncSession, notice: Notice, lang: str, *, limit: int | None = 30) -> Report:
    counts = {s: 0 for s in ("queued", "sent", "failed", "unreachable", "cancelled")}
    for status, n in (await session.execute(select(OutboxMessage.status, func.count()).where(
            OutboxMessage.batch == batch_of(notice.id)).group_by(OutboxMessage.status))).all():
        key = "queued" if status == "sending" else status
        counts[key] = counts.get(key, 0) + n
    acked = await session.scalar(select(func.count()).select_from(NoticeAck).where(NoticeAck.notice_id == notice.id))
    query = (select(Person.name, OutboxMessage.status, OutboxMessage.error)
             .join(Person, Person.id == OutboxMessage.person_id, isouter=True)
             .where(OutboxMessage.batch == batch_of(notice.id),
                    OutboxMessage.status.in_(("failed", "unreachable"))).order_by(Person.name))
    if limit:
        query = query.limit(limit)
    problems = [(name or "—", status, reason_text(error, lang)) for name, status, error in await session.execute(query)]
    status = notice.status
    if status == "sending" and counts["queued"] == 0:
        status = "sent"
    if status == "cancelled":  # stopped before its messages were queued: every planned one was stopped
        delivered = counts["sent"] + counts["failed"] + counts["unreachable"]
        counts["cancelled"] = max(notice.recipients - delivered, counts["cancelled"])
    return Report(notice.id, notice.title, status, notice.recipients, counts, acked or 0, problems)


CSV_COLUMNS = ("person", "email", "status", "reason", "sent_at", "acknowledged_at")


async def csv_export(session: AsyncSession, notice: Notice, lang: str) -> str:
    """Every recipient with their state, reason and acknowledgement, for the archive: headers and
    states in the reader's language, times in Europe/Oslo as everywhere else the bot shows a time."""
    acks = dict((await session.execute(select(NoticeAck.person_id, NoticeAck.at).where(
        NoticeAck.notice_id == notice.id))).all())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"notices.csv_{column}", lang) for column in CSV_COLUMNS])
    rows = await session.stream(select(Person.id, Person.name, Person.email, OutboxMessage.status,
                                       OutboxMessage.error, OutboxMessage.sent_at)
                                .join(Person, Person.id == OutboxMessage.person_id, isouter=True)
                                .where(OutboxMessage.batch == batch_of(notice.id)).order_by(Person.name))
    async for pid, name, email, status, error, sent_at in rows:
        writer.writerow([name or "", email or "", t(f"notices.csv_status_{status}", lang),
                         reason_text(error, lang) if error else "", format_when(sent_at, lang) if sent_at else "",
                         format_when(acks[pid], lang) if pid in acks else ""])
    return out.getvalue()
