"""From stored cases and votes to what one reader sees: the shared copy or a person's own view.

The shared copy (posted in chats, edited after each vote) shows the case and the
turnout only. A person's own view (answer to the `vote.refresh` invoke) adds the
buttons for a voting member, who is missing for the chair and the secretariat,
and the chair's tools.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from cards.votes import CaseView, DecisionView, OptionView, case_card, decision_card
from dialogs.i18n import format_when
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.votes import rules, service
from storage import directory
from storage.models import Body, Case, Network, Person, Vote


@dataclass
class Standing:
    """Who sits on the case's body now, and the current votes of those with a vote."""

    body: Body
    holders: list[rules.Holder]
    votes: dict[int, Vote]

    @property
    def voters(self) -> list[rules.Holder]:
        return [h for h in self.holders if h.votes]

    @property
    def missing(self) -> list[rules.Holder]:
        return [h for h in self.voters if h.person.id not in self.votes]


async def standing(session: AsyncSession, case: Case, services: Services) -> Standing:
    body = await directory.body(session, case.body_id)
    holders = await service.seat_holders(session, body, services.now())
    return Standing(body=body, holders=holders, votes=await service.voters_votes(session, case, holders))


async def watcher_ids(session: AsyncSession, case: Case, state: Standing) -> list[str]:
    """Teams user ids that get their own view (refresh.userIds): seat holders, then the secretariat."""
    ids = [h.teams_id for h in state.holders if h.teams_id]
    people = await directory.people_of(session, case.network_id)
    staff = [p.id for p in people if directory.has_secretariat_role(p) or p.id == case.created_by_id]
    refs = await service.personal_conversations(session, staff)
    for person_id in staff:
        teams_id = rules.teams_id_of(refs.get(person_id))
        if teams_id and teams_id not in ids:
            ids.append(teams_id)
    return ids[: rules.MAX_REFRESH_USERS]


def _objections(case: Case, state: Standing, lang: str) -> list[tuple[str, str, str]]:
    names = {h.person.id: h.person.name for h in state.holders}
    blocking = rules.blocking(case)
    return [(names.get(pid, "—"), rules.label_of(case, v.option, lang), v.reason or "")
            for pid, v in state.votes.items() if v.option in blocking]


def _counts(case: Case, state: Standing, lang: str) -> list[tuple[str, int]]:
    counts = rules.counts_of(case, list(state.votes.values()))
    return [(rules.label_of(case, key, lang), n) for key, n in counts.items()]


async def case_view(session: AsyncSession, services: Services, case: Case, lang: str, *,
                    reader: Person | None = None, personal: bool = False, state: Standing | None = None,
                    problem: str = "", notice: str = "", reason_prefill: str | None = None,
                    confirm_close: bool = False) -> CaseView:
    """The view of `case` for one reader (personal) or for a shared copy (personal=False)."""
    state = state or await standing(session, case, services)
    now = services.now()
    mine = state.votes.get(reader.id) if reader is not None else None
    visible = rules.results_visible(case, has_voted=personal and mine is not None)
    decided_by = await directory.person(session, case.decided_by_id) if case.decided_by_id else None
    view = CaseView(
        case_id=case.id, key=case.key, title=case.title, body=state.body.name, proposal=case.proposal,
        background=case.background or "",
        options=[OptionView(o["key"], rules.option_label(o, lang), bool(o.get("needs_reason")))
                 for o in case.options or []],
        deadline=format_when(case.deadline, lang), visibility=case.visibility, voted=len(state.votes),
        total=len(state.voters), revision=case.revision, status=case.status, outcome=case.outcome or "",
        outcome_text=case.outcome_text or "", decided_by=decided_by.name if decided_by else "",
        closed_reason=case.closed_reason or "", closed_at=format_when(case.closed_at, lang) if case.closed_at else "",
        counts=_counts(case, state, lang) if visible else None,
        objections=_objections(case, state, lang) if visible else [],
        refresh_user_ids=await watcher_ids(session, case, state), problem=problem, notice=notice,
        reason_prefill=reason_prefill)
    if not personal or reader is None:
        return view
    role = await service.role_in(session, reader, state.body, now)
    staff = await directory.is_secretariat(session, reader, case.network_id)
    is_open = case.status == "open"
    if mine is not None:
        view.my_vote, view.my_reason, view.my_version = rules.label_of(case, mine.option, lang), mine.reason, mine.version
    view.can_vote = is_open and role in rules.VOTING_ROLES
    if role == "observer":
        view.note = translator(lang)("votes.note_observer")
    elif role is None:
        view.note = translator(lang)("votes.note_not_member", body=state.body.name)
    if role == "chair" or staff:
        view.missing = [h.person.name for h in state.missing]
        if is_open:
            current = rules.VISIBILITIES.index(case.visibility)
            view.tighten_to = list(rules.VISIBILITIES[current + 1:])
    view.can_close = is_open and role == "chair"
    if confirm_close and view.can_close:
        missing = len(state.missing)
        view.confirm_close = translator(lang)("votes.close_confirm", voted=len(state.votes), total=len(state.voters),
                                              missing=missing)
    view.can_decide = case.outcome == "awaiting_chair" and role == "chair"
    view.can_archive = staff and case.status == "closed" and case.outcome != "awaiting_chair"
    return view


async def case_card_for(session: AsyncSession, services: Services, case: Case, lang: str, **kwargs) -> dict:
    return case_card(await case_view(session, services, case, lang, **kwargs), translator(lang))


async def decision_card_for(session: AsyncSession, services: Services, case: Case, lang: str, *,
                            problem: str = "", notice: str = "") -> dict:
    state = await standing(session, case, services)
    decided_by = await directory.person(session, case.decided_by_id) if case.decided_by_id else None
    view = DecisionView(case.id, case.key, case.title, state.body.name, case.proposal, _counts(case, state, lang),
                        _objections(case, state, lang), decided=case.outcome == "decided_by_chair",
                        outcome_text=case.outcome_text or "", decided_by=decided_by.name if decided_by else "",
                        problem=problem, notice=notice)
    return decision_card(view, translator(lang))


async def network_of(session: AsyncSession, case: Case) -> Network:
    return await directory.network(session, case.network_id)
