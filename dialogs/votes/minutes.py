"""Minutes (protokoll) of a case: the proposal, the votes, the outcome and who decided.

For the archive: Markdown for reading and pasting, CSV with one row per vote
version. While a case is open the minutes respect its visibility: only the
turnout, or the counts when results are shown at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import format_when, t
from dialogs.votes import rules, service
from storage import directory
from storage.models import Case, Person


@dataclass
class VoteLine:
    name: str
    represents: str
    role: str
    option: str  # label
    reason: str
    version: int
    cast_at: str


@dataclass
class Minutes:
    key: str
    title: str
    network: str
    body: str
    background: str
    proposal: str
    deadline: str
    status: str
    closed_at: str
    closed_reason: str
    outcome: str  # text in the reader's language
    outcome_code: str
    decided_by: str
    decision: str
    voted: int
    total: int
    counts: list[tuple[str, int]] | None
    votes: list[VoteLine] | None  # current votes; None while the case is open
    history: list[VoteLine] = field(default_factory=list)  # every version (CSV)
    not_voted: list[str] = field(default_factory=list)


def _outcome(case: Case, lang: str, decided_by: str) -> str:
    if case.outcome == "decided_by_chair":
        return t("votes.outcome_decided", lang, name=decided_by or "—", text=case.outcome_text)
    key = {"adopted": "votes.outcome_adopted", "awaiting_chair": "votes.outcome_awaiting_chair",
           "not_adopted": "votes.outcome_not_adopted"}.get(case.outcome)
    return t(key, lang) if key else t("votes.minutes_open", lang)


async def minutes_for(session: AsyncSession, case: Case, lang: str, now: datetime) -> Minutes:
    body = await directory.body(session, case.body_id)
    network = await directory.network(session, case.network_id)
    holders = await service.seat_holders(session, body, now)
    by_person = {h.person.id: h for h in holders}
    current = await service.voters_votes(session, case, holders)
    voters = [h for h in holders if h.votes]
    decided_by = await directory.person(session, case.decided_by_id) if case.decided_by_id else None
    closed = case.status == "closed"
    names: dict[int, Person] = {}

    async def line(vote) -> VoteLine:
        holder = by_person.get(vote.person_id)
        if holder is not None:
            person, represents, role = holder.person, holder.seat.represents, holder.role
        else:  # left the body since: still in the minutes under their name
            person = names.get(vote.person_id) or await directory.person(session, vote.person_id)
            represents, role = "", ""
        if person is not None:
            names[person.id] = person
        return VoteLine(name=person.name if person else "—", represents=represents, role=role,
                        option=rules.label_of(case, vote.option, lang), reason=vote.reason or "",
                        version=vote.version, cast_at=format_when(vote.cast_at, lang))

    counts = None
    if closed or case.visibility == "at_once":
        counts = [(rules.label_of(case, k, lang), n) for k, n in rules.counts_of(case, list(current.values())).items()]
    votes = None
    history: list[VoteLine] = []
    if closed:
        order = {h.person.id: i for i, h in enumerate(voters)}
        votes = [await line(v) for v in sorted(current.values(), key=lambda v: order.get(v.person_id, 999))]
        history = [await line(v) for v in await service.vote_history(session, case)]
    return Minutes(
        key=case.key, title=case.title, network=network.name, body=body.name, background=case.background or "",
        proposal=case.proposal, deadline=format_when(case.deadline, lang), status=case.status,
        closed_at=format_when(case.closed_at, lang) if case.closed_at else "",
        closed_reason=t(f"votes.closed_reason_{case.closed_reason}", lang) if case.closed_reason else "",
        outcome=_outcome(case, lang, decided_by.name if decided_by else ""), outcome_code=case.outcome or "",
        decided_by=decided_by.name if decided_by else "", decision=case.outcome_text or "",
        voted=len(current), total=len(voters), counts=counts, votes=votes, history=history,
        not_voted=[h.person.name for h in voters if h.person.id not in current])


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(m: Minutes, lang: str) -> str:
    def tr(key: str, **kw) -> str:
        return t(key, lang, **kw)

    lines = [f"## {tr('votes.minutes_title')}: {m.key.upper()} {m.title}", "",
             f"**{tr('votes.body_label')}:** {m.body} ({m.network})  ",
             f"**{tr('votes.deadline')}:** {m.deadline}  "]
    if m.closed_at:
        lines.append(f"**{tr('votes.minutes_closed')}:** {m.closed_at} ({m.closed_reason})  ")
    lines.append(f"**{tr('votes.turnout_label')}:** {tr('votes.turnout', voted=m.voted, total=m.total)}")
    if m.background:
        lines += ["", f"### {tr('votes.background')}", "", m.background]
    lines += ["", f"### {tr('votes.proposal')}", "", m.proposal, "", f"### {tr('votes.results')}", ""]
    if m.counts is not None:
        lines += [f"- {label}: {n}" for label, n in m.counts]
    else:
        lines.append(tr("votes.hidden_after_close"))
    if m.votes is not None:
        lines += ["", f"| {tr('votes.minutes_member')} | {tr('votes.minutes_vote')} | {tr('votes.minutes_reason')} |",
                  "|---|---|---|"]
        for v in m.votes:
            who = f"{v.name} ({v.represents})" if v.represents else v.name
            lines.append(f"| {_md_cell(who)} | {_md_cell(v.option)} | {_md_cell(v.reason)} |")
    if m.not_voted:
        lines += ["", f"{tr('votes.minutes_not_voted')}: " + ", ".join(m.not_voted)]
    lines += ["", f"### {tr('votes.minutes_outcome')}", "", m.outcome]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("case", "title", "body", "person", "represents", "role", "option", "reason", "version", "cast_at",
               "current", "outcome", "decided_by", "decision")


def to_csv(m: Minutes) -> bytes:
    """One row per vote version (the current one marked), then the outcome on each row; UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    current = {(v.name, v.version) for v in m.votes or []}
    rows = m.history if m.votes is not None else []
    for v in rows:
        writer.writerow([m.key, m.title, m.body, v.name, v.represents, v.role, v.option, v.reason, v.version,
                         v.cast_at, "yes" if (v.name, v.version) in current else "no", m.outcome_code,
                         m.decided_by, m.decision])
    if not rows:
        writer.writerow([m.key, m.title, m.body, "", "", "", "", "", "", "", "", m.outcome_code or m.status,
                         m.decided_by, m.decision])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
