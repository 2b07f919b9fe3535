"""`samarbeidsbot ask`: one question, a file of questions line by line, and an unknown network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).parent / "samarbeidsbot")


def run(tmp_path: Path, templates, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    target = tmp_path / "cli.db"
    if not target.exists():
        shutil.copyfile(templates("sqlite", True), target)
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{target}"}
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_ask_json_reads_one_question_a_line(tmp_path, templates):
    questions = "Kven leiar styringsgruppa?\n\nWho chairs the steering group?\nKva er vêret i Bergen i morgon?\n"
    done = run(tmp_path, templates, "ask", "--network", "digivestland", "--json", "-", stdin=questions)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["answered"] for r in rows] == [True, True, False]
    assert "Bergen kommune" in rows[0]["answer"] and rows[0]["lang"] == "nn"
    assert rows[0]["sources"][0] == {"title": "5.1 Leiar for styringsgruppa",
                                     "ref": "samarbeidsavtale/2020/leiar-styringsgruppa",
                                     "version": "Samarbeidsavtale 2020"}
    assert rows[1]["lang"] == "en" and "municipal director" in rows[1]["answer"]
    assert rows[2]["answer"] == "" and rows[2]["sources"] == [] and rows[2]["confidence"] < 0.6


def test_ask_one_question_as_text(tmp_path, templates):
    done = run(tmp_path, templates, "ask", "--network", "digitale-akershus", "Hva", "betaler", "Bærum?")
    assert done.returncode == 0, done.stderr
    assert "inntil 3 kr" in done.stdout and "392" not in done.stdout
    assert "samarbeidsavtale/2020/finansiering" in done.stdout


def test_ask_an_unknown_network_exits_2_and_names_the_known_ones(tmp_path, templates):
    done = run(tmp_path, templates, "ask", "--network", "digiatlantis", "Kven leiar styringsgruppa?")
    assert done.returncode == 2
    assert "unknown network 'digiatlantis'" in done.stderr and "digivestland" in done.stderr
