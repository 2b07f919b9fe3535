"""Small shared look-ups used across capabilities."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base, Network


async def network_by_slug(session: AsyncSession, slug: str) -> Network | None:
    return await session.scalar(select(Network).where(Network.slug == slug))


async def network_slugs(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Network.slug).order_by(Network.slug))).all())


async def lock_row(session: AsyncSession, model: type[Base], row_id: int) -> None:
    """Hold `model` row `row_id` until the transaction ends (SELECT … FOR UPDATE on PostgreSQL), so that
    racing clicks that read-then-write it run one after the other; SQLite already serialises writers."""
    await session.execute(select(model.id).where(model.id == row_id).with_for_update())


async def insert_once(session: AsyncSession, row: Base) -> bool:
    """Store a new row; False when a unique key was taken at the same moment (a racing double click or
    a confirmation delivered twice): nothing is stored then, and the caller reads the winner."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def by_token(session: AsyncSession, model: type[Base], token: str) -> Base | None:
    """The row a confirmed draft (its one-time token) already stored, if any."""
    return await session.scalar(select(model).where(model.token == token))


async def keys_like(session: AsyncSession, model: type[Base], network_id: int, start: str) -> list[str]:
    """The network's keys of `model` that begin with `start` (e.g. every «sak-2026-…»)."""
    return list((await session.scalars(select(model.key).where(model.network_id == network_id,
                                                               model.key.like(start + "%")))).all())
