"""The portfolio of regional projects and expert groups: listed for everyone in the network, edited
by the secretariat (status, owner, budget, next milestone). An edit is kept over a data reload."""

from __future__ import annotations

import re
from datetime import date

from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from cards.routines import (
    PORTFOLIO_EDIT,
    PORTFOLIO_SAVE,
    PORTFOLIO_SHOW,
    STATUSES,
    PortfolioEdit,
    PortfolioRow,
    PortfolioView,
    portfolio_card,
    portfolio_edit_card,
)
from dialogs import router
from dialogs.i18n import babel_locale, format_day, t
from dialogs.onboarding import translator
from dialogs.qa.sources import invalidate
from dialogs.routines.common import Refusal, clean
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from dialogs.viewer import Viewer
from storage import directory
from storage import routines as stored_routines
from storage.models import AuditEntry, Network
from storage.models.routines import PortfolioItem

PORTFOLIO_CARD = "portfolio.list"
_COMMAND = re.compile(r"^(?:vis\s+)?(?:portefølje|porteføljen|prosjektportefølje|prosjektporteføljen|portfolio|"
                      r"prosjektoversikt)\s*$", re.IGNORECASE)


def invalidate_qa(network_id: int) -> None:
    """Tell Q&A that this network's portfolio answers changed."""
    invalidate(network_id)


def money(amount: int | None, lang: str) -> str:
    if amount is None:
        return ""
    return t("routines.kr", lang, amount=format_decimal(amount, locale=babel_locale(lang)))


async def items_of(session: AsyncSession, network: Network) -> list[PortfolioItem]:
    return await stored_routines.portfolio_items(session, network.id)


async def municipality_names(session: AsyncSession, network: Network) -> dict[str, str]:
    return {m.number: m.name for m in await directory.municipalities(session, network.id)}


def owner_name(item: PortfolioItem, by_id: dict[int, str]) -> str:
    if item.owner_municipality_id and item.owner_municipality_id in by_id:
        return by_id[item.owner_municipality_id]
    return item.owner_text or "–"


def milestone(item: PortfolioItem, lang: str) -> str:
    if item.next_milestone and item.next_milestone_date:
        return f"{item.next_milestone} ({format_day(item.next_milestone_date, lang)})"
    return item.next_milestone or (format_day(item.next_milestone_date, lang) if item.next_milestone_date else "")


async def portfolio_view(session: AsyncSession, network: Network, lang: str, editable: bool) -> PortfolioView:
    names = await municipality_names(session, network)
    by_id = {m.id: m.name for m in await directory.municipalities(session, network.id)}
    rows = [PortfolioRow(key=i.key, kind=i.kind, name=i.name, owner=owner_name(i, by_id),
                         participants=", ".join(names.get(n, n) for n in i.participants or []),
                         status=t(f"routines.status_{i.status}", lang), budget=money(i.budget_nok, lang),
                         milestone=milestone(i, lang), illustrative=i.illustrative)
            for i in await items_of(session, network)]
    return PortfolioView(network=network.name, rows=rows, editable=editable)


def _may_edit(viewer: Viewer) -> bool:
    return viewer.network is not None and viewer.is_secretariat


async def _list(session: AsyncSession, viewer: Viewer) -> list[Reply | Refresh]:
    if viewer.network is None or not viewer.known:
        return [Reply(text=t("routines.unknown_person", viewer.lang))]
    view = await portfolio_view(session, viewer.network, viewer.lang, _may_edit(viewer))
    if not view.rows:
        return [Reply(text=t("routines.portfolio_empty", viewer.lang, network=viewer.network.name))]
    return [Reply(card=portfolio_card(view, translator(viewer.lang)),
                  summary=t("routines.portfolio_title", viewer.lang, network=viewer.network.name))]


@router.text_handler(priority=20)
async def portfolio_command(session: AsyncSession, services: Services, viewer: Viewer,
                            text: str) -> list[Reply | Refresh] | None:
    if not _COMMAND.match(text.strip()):
        return None
    return await _list(session, viewer)


@router.card_action(PORTFOLIO_SHOW)
async def show(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    return await _list(session, viewer)


async def _item(session: AsyncSession, viewer: Viewer, data: dict) -> PortfolioItem:
    if not viewer.known or not _may_edit(viewer):
        raise Refusal("routines.portfolio_secretariat_only", network=viewer.network.name if viewer.network else "")
    item = await stored_routines.portfolio_item(session, viewer.network.id, str(data.get("item") or ""))
    if item is None:
        raise Refusal("routines.portfolio_unknown")
    return item


async def _edit_card(session: AsyncSession, viewer: Viewer, item: PortfolioItem, values: dict | None = None,
                     problem: str = "") -> Reply:
    names = await municipality_names(session, viewer.network)
    owner = await directory.municipality(session, item.owner_municipality_id) if item.owner_municipality_id else None
    v = values or {}
    edit = PortfolioEdit(
        key=item.key, name=item.name, status=str(v.get("status") or item.status),
        budget=str(v.get("budget") if "budget" in v else (item.budget_nok if item.budget_nok is not None else "")),
        milestone=str(v.get("milestone") if "milestone" in v else item.next_milestone),
        milestone_date=str(v.get("milestone_date") if "milestone_date" in v else (
            item.next_milestone_date.isoformat() if item.next_milestone_date else "")),
        owner=str(v.get("owner") or (owner.number if owner else "")),
        municipalities=sorted(names.items(), key=lambda kv: kv[1]), problem=problem)
    return Reply(card=portfolio_edit_card(edit, translator(viewer.lang)))


@router.card_action(PORTFOLIO_EDIT)
async def edit(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    try:
        item = await _item(session, viewer, data)
    except Refusal as refusal:
        return [Reply(text=t(refusal.key, viewer.lang, **refusal.values))]
    return [await _edit_card(session, viewer, item)]


def parse_edit(data: dict, municipalities: dict[str, int]) -> dict:
    """The changed values from the edit card; a Refusal names the first bad one."""
    status = str(data.get("status") or "")
    if status not in STATUSES:
        raise Refusal("routines.portfolio_bad_status")
    raw_budget = re.sub(r"[\s.]|kr|nok", "", str(data.get("budget") or "").lower())
    if raw_budget and not raw_budget.isdigit():
        raise Refusal("routines.portfolio_bad_budget")
    owner = str(data.get("owner") or "")
    if owner and owner not in municipalities:
        raise Refusal("routines.unknown_municipality", value=owner)
    raw_date = str(data.get("milestone_date") or "").strip()
    try:
        when = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise Refusal("routines.deadline_unreadable", message=raw_date) from None
    values = {"status": status, "budget_nok": int(raw_budget) if raw_budget else None,
              "next_milestone": clean(data.get("milestone"), 300), "next_milestone_date": when}
    if owner:
        values["owner_municipality_id"] = municipalities[owner]
    return values


@router.card_action(PORTFOLIO_SAVE)
async def save(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply | Refresh]:
    lang = viewer.lang
    try:
        item = await _item(session, viewer, data)
    except Refusal as refusal:
        return [Reply(text=t(refusal.key, lang, **refusal.values))]
    munis = {m.number: m.id for m in await directory.municipalities(session, viewer.network.id)}
    try:
        values = parse_edit(data, munis)
    except Refusal as refusal:
        if refusal.key == "routines.too_long":
            return [Reply(text=t(refusal.key, lang, **refusal.values))]
        return [await _edit_card(session, viewer, item, data, t(refusal.key, lang, **refusal.values))]
    changed = {k: v for k, v in values.items() if getattr(item, k) != v}
    if not changed:
        return [Reply(text=t("routines.portfolio_unchanged", lang, name=item.name))]
    before = {k: (str(getattr(item, k)) if getattr(item, k) is not None else None) for k in changed}
    for k, v in changed.items():
        setattr(item, k, v)
    item.edited_at, item.edited_by_id = services.now(), viewer.person.id
    session.add(AuditEntry(actor=viewer.sender.actor, network_id=viewer.network.id, action="portfolio.edit",
                           target=item.key, at=services.now(),
                           details={"before": before, "after": {k: (str(v) if v is not None else None)
                                                                for k, v in changed.items()}}))
    await session.flush()
    invalidate_qa(viewer.network.id)
    view = await portfolio_view(session, viewer.network, lang, True)
    return [Reply(text=t("routines.portfolio_saved", lang, name=item.name)),
            Reply(card=portfolio_card(view, translator(lang)))]
