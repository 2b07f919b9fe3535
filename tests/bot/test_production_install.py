"""What the production install needs: nothing a user runs imports a test extra at start.

The full check (wheel → clean venv without extras → `serve` outside the checkout → HTTP) is
`.ci/wheel-check`, run by `.ci/run`; these are the quick parts of it that the suite can afford.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_EXTRAS = ("pytest", "hypothesis", "playwright", "pyinstrument", "_pytest")

PROBE = """
import json, sys
from bot.cli.main import build_parser
build_parser(load_benches=False).parse_args(["serve"])
from bot.config import load_settings
from bot.app import create_app
create_app(load_settings(DATABASE_URL="sqlite+aiosqlite:///:memory:"))
for command in (["networks"], ["manifest", "build"], ["db", "upgrade"], ["bench", "broadcast"]):
    build_parser(load_benches=False).parse_args(command)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_serve_and_the_commands_import_no_test_extra():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "botbuilder" in loaded and "aiohttp" in loaded  # the probe really built the app
    assert loaded.isdisjoint(TEST_EXTRAS), sorted(loaded & set(TEST_EXTRAS))


def test_the_wheel_check_is_part_of_ci():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".ci/wheel-check" in ci and ci.index(".ci/wheel-check") < ci.index("./dev test")
