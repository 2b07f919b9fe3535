"""End to end in a Teams-like client: `samarbeidsbot serve` + `samarbeidsbot playground` + headless Chromium.

The bot runs as a real process on a temporary SQLite database and a free loopback port; the
Microsoft 365 Agents Playground (started through our own `playground` command, so that command is
tested too) talks to it as Teams would; Playwright drives the Playground's web UI in Debian's
Chromium. Skipped, with the reason, only when node, the npm packages or Chromium are missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SAMARBEIDSBOT = str(Path(sys.executable).with_name("samarbeidsbot"))
START_TIMEOUT = 60.0


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js").is_file():
        return "the Agents Playground is not installed (run `npm ci`)"
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    reason = _missing()
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"end-to-end tests in the Teams client skipped: {reason}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    """Poll until the URL answers 200 (explicit wait: every poll is a real readiness check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class BotProcess:
    """`samarbeidsbot serve` on a temporary SQLite database."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.database_url = f"sqlite+aiosqlite:///{folder / 'e2e.db'}"
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        self.log = folder / "bot.log"
        self.process: subprocess.Popen | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
        env.update(DATABASE_URL=self.database_url, DEFAULT_NETWORK="digivestland", PORT=str(self.port), **extra)
        return env

    def start(self) -> None:
        with self.log.open("w") as out:
            self.process = subprocess.Popen([SAMARBEIDSBOT, "serve", "--port", str(self.port)], cwd=self.folder,
                                            env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        wait_http(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([SAMARBEIDSBOT, *args], cwd=self.folder, env=self.env(), capture_output=True,
                              text=True, timeout=120)


class PlaygroundProcess:
    """`samarbeidsbot playground` for one demo person (the Playground keeps its chats in memory)."""

    def __init__(self, bot: BotProcess, user: str):
        self.bot, self.user = bot, user
        self.port = free_port()
        self.folder = bot.folder / f"playground-{user}-{self.port}"
        self.folder.mkdir()
        self.log = self.folder / "playground.log"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = self.bot.env(PLAYGROUND_USER=self.user, PLAYGROUND_DIR=str(self.folder))
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [SAMARBEIDSBOT, "playground", "--port", str(self.port), "--bot", self.bot.url],
                cwd=self.folder, env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_http(f"{self.url}_debug/ping", self.process, self.log)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def bot_process(tmp_path_factory) -> Iterator[BotProcess]:
    bot = BotProcess(tmp_path_factory.mktemp("e2e-bot"))
    bot.start()
    yield bot
    assert bot.process is not None
    stop(bot.process)


@pytest.fixture(scope="module")
def browser():
    """Module scope on purpose: Playwright's sync API keeps an event loop running in this thread while
    it is open, which would break the asyncio tests that run after the end-to-end modules."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def teams(bot_process, browser, artifacts, request):
    """Open the Playground as a demo person: `client = teams("director")`."""
    from tests.e2e.client import TeamsClient

    opened: list[tuple[PlaygroundProcess, TeamsClient]] = []

    def open_as(user: str = "director") -> TeamsClient:
        playground = PlaygroundProcess(bot_process, user)
        playground.start()
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nn-NO")
        client = TeamsClient(page, playground.url, artifacts, request.node.name)
        page.on("pageerror", lambda error, who=user: client.errors.append(f"{who}: page error: {error}"))
        page.on("console", lambda message, who=user: client.errors.append(f"{who}: console: {message.text}")
                if message.type == "error" else None)
        opened.append((playground, client))
        client.open()
        return client

    yield open_as
    failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else False
    for playground, client in opened:
        if failed:
            client.screenshot(f"failed-{playground.user}")
            # what the Playground's page itself complained about (card renderer errors show up here)
            (artifacts / f"{client.test_name}--{playground.user}-console.txt").write_text(
                "\n".join(client.errors) + "\n", encoding="utf-8")
        client.page.close()
        assert playground.process is not None
        stop(playground.process)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end test in the Agents Playground (Teams-like client)")
