"""Alembic environment: runs on the connection `storage.db` hands over, or on DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import DEFAULT_URL, normalise_url
from storage.models import Base

target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(normalise_url(os.environ.get("DATABASE_URL") or DEFAULT_URL))
    async with engine.begin() as conn:
        await conn.run_sync(_configure_and_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(url=normalise_url(os.environ.get("DATABASE_URL") or DEFAULT_URL),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _configure_and_run(connection)
else:
    asyncio.run(_run_online())
