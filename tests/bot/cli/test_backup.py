"""`samarbeidsbot backup`: an online copy of SQLite taken while the bot writes, and pg_dump for PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import AuditEntry, Network
from tests.conftest import PG_AVAILABLE
from tests.harness import run_cli


async def test_sqlite_backup_while_the_bot_writes_is_consistent(db, tmp_path, monkeypatch):
    """A writer appends audit entries in transactions of 20 rows while the backup runs:
    the copy passes the integrity check and holds whole transactions only."""
    stop = threading.Event()
    written = []

    def writer() -> None:
        con = sqlite3.connect(db.url.split("///", 1)[1], timeout=30)
        n = 0
        while not stop.is_set():
            with con:
                con.executemany("INSERT INTO audit_log (at, actor, action, target, details, correlation_id) "
                                "VALUES (datetime('now'), 'test', 'backup.test', ?, '{}', '')",
                                [(f"batch{n}",)] * 20)
            n += 1
            written.append(n)
        con.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        out = tmp_path / "copy.db"
        code, stdout, _err = await asyncio.to_thread(run_cli, monkeypatch, db.url, "backup", "--out", str(out))
    finally:
        stop.set()
        thread.join()
    assert code == 0 and "integrity ok" in stdout
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_batch = copy.execute("SELECT count(*) FROM audit_log WHERE action='backup.test' GROUP BY target").fetchall()
    assert per_batch and all(n == 20 for (n,) in per_batch), "a transaction was copied half"
    copy.close()
    assert not (tmp_path / "copy.db-wal").exists()

    restored = Database(f"sqlite+aiosqlite:///{out}")
    await restored.ensure_ready()
    async with restored.session() as session:
        assert await session.scalar(select(func.count()).select_from(Network)) == 3
        assert await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "backup.test")) == 20 * len(per_batch)
    await restored.dispose()


async def test_backup_refuses_to_overwrite_and_names_the_problem(db, tmp_path, monkeypatch):
    out = tmp_path / "exists.db"
    out.write_text("keep me")
    code, _out, err = await asyncio.to_thread(run_cli, monkeypatch, db.url, "backup", "--out", str(out))
    assert code == 2 and "use --force" in err and out.read_text() == "keep me"
    code, _out, err = await asyncio.to_thread(run_cli, monkeypatch, db.url, "backup", "--out",
                                              str(tmp_path / "no" / "such" / "x.db"))
    assert code == 2 and "does not exist" in err


def test_postgres_print_only_hides_the_password(monkeypatch, tmp_path):
    code, out, _err = run_cli(monkeypatch, "postgresql://bot:s3cret@db.example:5432/samarbeid",
                               "backup", "--print", "--out", str(tmp_path / "b.dump"))
    assert code == 0 and "pg_dump --format=custom" in out and "s3cret" not in out and "PGPASSWORD=" in out


@pytest.mark.skipif(not PG_AVAILABLE or shutil.which("pg_dump") is None, reason="PostgreSQL/pg_dump not here")
async def test_postgres_backup_runs_pg_dump(any_db, tmp_path, monkeypatch):
    if any_db.is_sqlite:
        pytest.skip("PostgreSQL case")
    out = tmp_path / "pg.dump"
    code, stdout, err = await asyncio.to_thread(run_cli, monkeypatch, any_db.url, "backup", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes()[:5] == b"PGDMP" and "pg_restore" in stdout
    listing = await asyncio.to_thread(
        lambda: __import__("subprocess").run(["pg_restore", "--list", str(out)], capture_output=True, text=True))
    assert "TABLE DATA public consultation_responses" in listing.stdout
