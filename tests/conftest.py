"""Fixtures: real databases (SQLite always, PostgreSQL when reachable) and the bot on loopback.

Seeding (migrations + the bundled data) is done once per session into a
template — a file for SQLite, a template database for PostgreSQL — and each
test gets its own copy, so tests are isolated and fast.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from pathlib import Path

import pytest

from storage.db import Database

# fixtures shared by the tests of several folders (the helpers themselves live in tests/harness/)
pytest_plugins = ["tests.harness.consultations", "tests.harness.fuzz", "tests.harness.meetings",
                  "tests.harness.routines"]

PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_reachable() -> bool:
    if os.environ.get("SKIP_POSTGRES") == "1":
        return False
    try:
        import asyncpg

        async def probe() -> None:
            conn = await asyncpg.connect(PG_ADMIN, timeout=2)
            await conn.close()

        asyncio.run(probe())
        return True
    except Exception:  # noqa: BLE001
        return False


PG_AVAILABLE = _pg_reachable()
BACKENDS = ["sqlite", "postgresql"] if PG_AVAILABLE else ["sqlite"]


def pytest_report_header(config):  # noqa: ARG001
    return f"databases: {', '.join(BACKENDS)}" + ("" if PG_AVAILABLE else " (PostgreSQL not reachable: skipped)")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run(coro) -> None:
    """Run a coroutine to completion from sync code, even when called inside a running loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name


async def _seed(url: str, load_data: bool) -> None:
    db = Database(url)
    await db.ensure_ready(load_data=load_data)
    await db.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Seeded and empty (migrated only) templates per backend."""
    made: dict[tuple[str, bool], str] = {}
    folder = tmp_path_factory.mktemp("db-templates")
    pg_names: list[str] = []

    def get(backend: str, seeded: bool) -> str:
        key = (backend, seeded)
        if key not in made:
            if backend == "sqlite":
                path = folder / f"{'seeded' if seeded else 'empty'}.db"
                _run(_seed(f"sqlite+aiosqlite:///{path}", seeded))
                made[key] = str(path)
            else:
                name = f"sbtmpl_{os.getpid()}_{'seeded' if seeded else 'empty'}"
                _run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"'))
                _run(_pg_admin(f'CREATE DATABASE "{name}"'))
                _run(_seed(_pg_url(name), seeded))
                pg_names.append(name)
                made[key] = name
        return made[key]

    yield get
    for name in pg_names:
        _run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"'))


async def _database_from(templates, backend: str, seeded: bool, tmp_path: Path):
    template = templates(backend, seeded)
    if backend == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(template, target)
        db = Database(f"sqlite+aiosqlite:///{target}")
        return db, None
    name = f"sbtest_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return Database(_pg_url(name)), name


@pytest.fixture(params=BACKENDS)
async def any_db(request, templates, tmp_path):
    """A seeded database on each available backend."""
    db, pg_name = await _database_from(templates, request.param, True, tmp_path)
    await db.ensure_ready()
    yield db
    await db.dispose()
    if pg_name:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


@pytest.fixture(params=BACKENDS)
async def empty_db(request, templates, tmp_path):
    """A migrated database with no data, on each available backend."""
    db, pg_name = await _database_from(templates, request.param, False, tmp_path)
    await db.ensure_ready(load_data=False)
    yield db
    await db.dispose()
    if pg_name:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


@pytest.fixture
async def db(templates, tmp_path):
    """A seeded SQLite database (dialogue and HTTP tests)."""
    db, _ = await _database_from(templates, "sqlite", True, tmp_path)
    await db.ensure_ready()
    yield db
    await db.dispose()


@pytest.fixture
async def bot(db):
    from tests.harness import BotHarness

    harness = BotHarness(db, DEFAULT_NETWORK="digivestland")
    await harness.start()
    yield harness
    await harness.stop()
