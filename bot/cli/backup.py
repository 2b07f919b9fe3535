"""`samarbeidsbot backup --out FILE`: an online, consistent copy of the database.

SQLite: the sqlite3 online backup API copies page by page while the bot keeps
running (readers and the WAL writer are not blocked for long), into a temporary
file that is checked (`PRAGMA integrity_check`) and only then renamed to FILE.
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot in one transaction)
when pg_dump is installed; otherwise, or with --print, the command to run. The
password never appears on a command line or in the output (PGPASSWORD is used).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.cli.common import UsageError, cli_settings
from storage.db import normalise_url


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="online consistent copy of the database (SQLite) or pg_dump (PostgreSQL)")
    p.add_argument("--out", required=True, help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace an existing backup file")
    p.add_argument("--print", dest="print_only", action="store_true",
                   help="PostgreSQL: only print the pg_dump command")
    p.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    url = normalise_url(cli_settings().database_url)
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists; use --force to replace it")
    if not out.parent.exists():
        raise UsageError(f"folder {out.parent} does not exist")
    if url.startswith("sqlite"):
        return _sqlite(url, out)
    return _postgres(url, out, print_only=args.print_only)


def sqlite_backup(source: Path, out: Path) -> dict[str, int]:
    """Copy `source` to `out` with the online backup API; returns row counts per table of the copy."""
    tmp = out.with_name(out.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst, pages=256)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {check}")
        tables = [r[0] for r in dst.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: dst.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        dst.close()
        src.close()
    os.replace(tmp, out)
    return counts


def _sqlite(url: str, out: Path) -> int:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise UsageError("DATABASE_URL is an in-memory SQLite database: nothing to back up")
    source = Path(database)
    if not source.exists():
        raise UsageError(f"no database file {source}")
    counts = sqlite_backup(source, out)
    size = out.stat().st_size
    print(f"backed up {source} to {out} ({size / 1024:.0f} KiB, integrity ok; "
          f"{counts.get('consultation_responses', 0)} consultation answers, {counts.get('votes', 0)} votes, "
          f"{counts.get('audit_log', 0)} audit entries)")
    print(f"restore: stop the bot, then copy {out} to {source} (and remove {source}-wal and {source}-shm)")
    return 0


def _postgres(url: str, out: Path, *, print_only: bool) -> int:
    parsed = make_url(url)
    password = parsed.password
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=parsed.query).render_as_string(hide_password=False)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={out}", f"--dbname={plain}"]
    shown = ("PGPASSWORD=… " if password else "") + shlex.join(command)
    pg_dump = shutil.which("pg_dump")
    if print_only or pg_dump is None:
        if pg_dump is None:
            print("pg_dump is not installed here (Debian/Ubuntu: apt-get install postgresql-client).")
        print("Run this for a consistent snapshot of the running database:")
        print(f"  {shown}")
        print(f"Restore into an empty database: pg_restore --no-owner --dbname=<new database URL> {out}")
        return 0
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    result = subprocess.run([pg_dump, *command[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        print(f"pg_dump failed: {result.stderr.strip()}", file=sys.stderr)
        return 1
    print(f"backed up {parsed.database} on {parsed.host} to {out} ({out.stat().st_size / 1024:.0f} KiB, "
          "pg_dump custom format)")
    print(f"restore: pg_restore --no-owner --dbname=<new database URL> {out}")
    return 0
