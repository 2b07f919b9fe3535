"""`samarbeidsbot notice send|status` on a fresh database: queued rows, report, refusals with exit code 2."""

from __future__ import annotations

import json

from bot.cli.main import main


def test_send_then_status_and_an_empty_audience_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert main(["notice", "send", "--network", "digivestland", "--audience", "role:mayor",
                 "--title", "Til ordførarane", "--text", "Hei", "--json"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert sent["recipients"] == 2 and sent["queued"] == 2
    assert main(["notice", "status", str(sent["notice"]), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queued"] == 2 and status["sent"] == 0 and status["title"] == "Til ordførarane"

    assert main(["notice", "send", "--network", "digivestland", "--audience", "app", "--text", "x"]) == 2
    assert "is empty: nothing queued" in capsys.readouterr().err
    assert main(["notice", "send", "--network", "nowhere", "--audience", "app", "--text", "x"]) == 2
    assert main(["notice", "status", "999"]) == 2
