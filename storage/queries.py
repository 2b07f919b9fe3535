"""Small shared look-ups used across capabilities."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Network


async def network_by_slug(session: AsyncSession, slug: str) -> Network | None:
    return await session.scalar(select(Network).where(Network.slug == slug))


async def network_slugs(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Network.slug).order_by(Network.slug))).all())
