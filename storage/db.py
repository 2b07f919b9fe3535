"""Engine and sessions, and the one call every entry point makes first: `ensure_ready`.

`ensure_ready` upgrades the schema with Alembic and, on an empty database, loads
the bundled data, so a fresh checkout works with no extra step (DESIGN: every
command creates the schema and loads the data on first use).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.models import Network

DEFAULT_URL = "sqlite+aiosqlite:///samarbeidsbot.db"
MIGRATIONS = Path(__file__).parent / "migrations"
CHECKOUT_DATA = Path(__file__).resolve().parent.parent / "data"
# where the wheel puts data/ (pyproject [tool.setuptools.data-files]) when installed, not run from a checkout
INSTALLED_DATA = Path(sys.prefix) / "share" / "samarbeidsbot" / "data"


def _bundled_data() -> Path:
    if (CHECKOUT_DATA / "digivestland.yaml").is_file() or not INSTALLED_DATA.is_dir():
        return CHECKOUT_DATA
    return INSTALLED_DATA


BUNDLED_DATA = _bundled_data()


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///"):
        url = "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    return url


def data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or BUNDLED_DATA)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # Let SQLAlchemy, not pysqlite, start transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn) -> None:
    """Take the write lock when a transaction starts. With pysqlite's deferred transactions a session
    that read first and writes later fails at once with "database is locked" if any other connection
    (a background worker, another user's turn) committed in between; busy_timeout cannot help there."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and session factory per process."""

    def __init__(self, url: str | None = None, *, echo: bool = False):
        self.url = normalise_url(url or os.environ.get("DATABASE_URL") or DEFAULT_URL)
        kwargs: dict = {"echo": echo, "pool_pre_ping": True}
        if self.is_sqlite:
            kwargs.pop("pool_pre_ping")
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def upgrade(self) -> None:
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                # Several instances may start at once: one migrates, the others wait.
                await conn.execute(text("SELECT pg_advisory_xact_lock(74657201)"))
            await conn.run_sync(_run_alembic_upgrade)

    async def ensure_ready(self, *, load_data: bool = True) -> None:
        if self._ready:
            return
        await self.upgrade()
        if load_data:
            async with contextlib.AsyncExitStack() as stack:
                if not self.is_sqlite:
                    # Several instances may start at once on an empty database: one loads, the others
                    # wait and then find it loaded (else each inserts the networks: a unique violation).
                    conn = await stack.enter_async_context(self.engine.connect())
                    await conn.execute(text("SELECT pg_advisory_lock(74657202)"))
                    stack.push_async_callback(conn.execute, text("SELECT pg_advisory_unlock(74657202)"))
                async with self.session() as session:
                    empty = (await session.scalar(select(func.count()).select_from(Network))) == 0
                if empty:
                    from storage.loader import load_path

                    await load_path(self, data_dir())
        self._ready = True

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
            return True
        except Exception:  # noqa: BLE001 - health check reports any failure as unhealthy
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _run_alembic_upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")
