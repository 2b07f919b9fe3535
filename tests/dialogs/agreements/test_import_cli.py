"""`samarbeidsbot agreement import` on a fresh database: clauses stored, diff printed and written,
nothing written on a broken draft, and a data reload leaves the imported version alone."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from storage.db import Database
from storage.models import Agreement, AgreementVersion, Clause, Network

DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"


async def _clauses(url: str, version: str) -> list[tuple[str, str, str]]:
    db = Database(url)
    async with db.session() as session:
        rows = (await session.execute(
            select(Clause.number, Clause.heading, Clause.key).join(AgreementVersion)
            .join(Agreement).join(Network)
            .where(Network.slug == "digivestland", AgreementVersion.key == version)
            .order_by(Clause.position))).all()
    await db.dispose()
    return [tuple(r) for r in rows]


def test_import_then_reload_then_a_broken_draft(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    diff_file = tmp_path / "endringar.md"
    assert main(["agreement", "import", "--network", "digivestland", "--version", "utkast-2025",
                 "--effective", "2025-01-01", "--diff", str(diff_file), "--json", str(DRAFT)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["against"] == "2020" and result["clauses"] == 17 and result["replaced"] is True
    # added: 4 (section heading) and 11 Tiltreding; removed: 7 Ressursgruppe and the signature template
    assert (result["added"], result["removed"]) == (2, 2)
    changed = {c["heading"]: c for c in result["changes"] if c["kind"] == "changed"}
    assert changed["Styringsgruppe"]["deleted"] == ["kvartalsvis"]
    assert changed["Styringsgruppe"]["inserted"] == ["minst fire gonger i året"]
    assert "Varigheit" in changed
    text = diff_file.read_text(encoding="utf-8")
    assert "# Endringar frå Samarbeidsavtale 2020 til" in text and "## Teke ut: 7 Ressursgruppe" in text

    stored = asyncio.run(_clauses(url, "utkast-2025"))
    assert ("5.2", "Styringsgruppe", "styringsgruppe") in stored  # the 2020 clause's key is kept
    assert ("11", "Tiltreding", "tiltreding") in stored

    # reloading data/ does not reset the imported draft
    assert main(["data", "load"]) == 0
    capsys.readouterr()
    assert asyncio.run(_clauses(url, "utkast-2025")) == stored

    broken = tmp_path / "broken.md"
    broken.write_text("## 1 A\n\ntekst\n\n## 3 C\n\ntekst\n\n## 3 C\n\n", encoding="utf-8")
    assert main(["agreement", "import", "--network", "digivestland", "--version", "utkast-2026", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err and "clause 3 follows 1" in err and "appears twice" in err
    assert asyncio.run(_clauses(url, "utkast-2026")) == []

    assert main(["agreement", "import", "--network", "digivestland", "--version", "2020", str(DRAFT)]) == 2
    assert "only a draft can be replaced" in capsys.readouterr().err
    assert main(["agreement", "import", "--network", "nowhere", "--version", "x", str(DRAFT)]) == 2


def test_open_a_consultation_on_the_imported_draft(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    args = ["agreement", "consult", "--network", "digivestland", "--version", "utkast-2027",
            "--deadline", "2099-01-31T23:59:00+01:00", "--json"]
    assert main(args) == 2 and "no draft version 'utkast-2027'" in capsys.readouterr().err
    assert main(["agreement", "import", "--network", "digivestland", "--version", "utkast-2027",
                 "--label", "Samarbeidsavtale 2027", str(DRAFT)]) == 0
    capsys.readouterr()
    assert main(args) == 0
    opened = json.loads(capsys.readouterr().out)
    assert opened["title"] == "Innspel til Samarbeidsavtale 2027"
    assert main(["consultation", "status", "--network", "digivestland", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["consultation"]["key"] == opened["consultation"] and not status["closed"]
    assert main([*args[:-3], "--deadline", "2020-01-01T00:00:00+01:00"]) == 2


@pytest.mark.parametrize("draft, says", [
    ("## 1 A\n\ntekst\n\n## 3 C\n\ntekst\n", "clause 3 follows 1; expected 1.1 or 2"),
    ("## 1 A\n\ntekst\n\n## 2 B\n\ntekst\n\n## 2 B\n\ntekst\n", "clause 2 appears twice"),
    ("## 1 A\n\ntekst\n\n### 1.2 B\n\ntekst\n", "clause 1.2 follows 1; expected 1.1 or 2"),
    ("## 2 B\n\ntekst\n\n## 1 A\n\ntekst\n", "clause 2"),
    ("## 1 A\n\n## 2 B\n\ntekst\n", "clause 1 'A' has no text"),
    ("Berre tekst.\n", "no numbered clauses found"),
])
def test_an_import_with_broken_numbering_says_what_and_writes_nothing(tmp_path, monkeypatch, capsys, draft, says):
    """The secretariat's import, as a table of (draft, what the command says): exit 2, every problem
    named, "nothing was written", and no version stored."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    path = tmp_path / "utkast.md"
    path.write_text(draft, encoding="utf-8")
    assert main(["agreement", "import", "--network", "digivestland", "--version", "utkast-2030", str(path)]) == 2
    err = capsys.readouterr().err
    assert "draft not imported (nothing was written)" in err and says in err, err
    assert main(["data", "load"]) == 0  # the database is there and holds no such version
    assert asyncio.run(_clauses(url, "utkast-2030")) == []
