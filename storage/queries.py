"""Small shared look-ups used across capabilities."""

from __future__ import annotations

from sqlalchemy import select
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
