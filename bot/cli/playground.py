"""The local Teams client: the Microsoft 365 Agents Playground against the running bot.

The Playground (npm `@microsoft/m365agentsplayground`) is a Teams-like web client that needs no
login or tunnel. It reads `.m365agentsplayground.yml` from its working folder; we write that file
from the database so that the people in it are demo people the bot recognises by tenant + AAD
object id (a DigiVestland director, a secretariat member, the chair, an observer). The Playground's
schema wants exactly five users besides the current user; the fifth and sixth are further demo
people of the same network.

Which demo person is the current user: `PLAYGROUND_USER` = director (default) | secretariat |
chair | observer (of `DEFAULT_NETWORK`) | a person key from data/ of any network (e.g.
`dv-sekretariat-1`, `dit-direktor-modum`: the Playground then shows that person's network).
The Playground is bound to 127.0.0.1 (playground_loopback.cjs).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.db import Database
from storage.models import Network, Person, Seat

CONFIG_NAME = ".m365agentsplayground.yml"
LOOPBACK_PRELOAD = Path(__file__).resolve().with_name("playground_loopback.cjs")
WORK_DIR = ".playground"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROLES = ("director", "secretariat", "chair", "observer")
USERS_BESIDES_CURRENT = 5  # the Playground's config schema: exactly five
BOT_NAME = "Samarbeidsbot"
# A fixed id for the bot and the chats, so that stored conversation references survive restarts.
_NAMESPACE = uuid.UUID("5a3b0c1e-7d2f-4e8a-9b6c-0d1e2f3a4b5c")


class PlaygroundError(Exception):
    """Something the user must fix before the Playground can start (message says what)."""


@dataclass(frozen=True)
class DemoUser:
    role: str  # director | secretariat | chair | observer | member
    key: str
    name: str
    email: str
    aad_object_id: str
    network: str = ""

    def as_config(self) -> dict[str, str]:
        given, _, surname = self.name.rpartition(" ")
        return {"id": f"29:{self.key}", "name": self.name, "userPrincipleName": self.email,
                "aadObjectId": self.aad_object_id, "givenName": given or self.name,
                "surname": surname if given else "", "email": self.email}


async def demo_users(db: Database, network_slug: str, include: str = "") -> list[DemoUser]:
    """Demo people of a network in the order director, secretariat, chair, observer, then others.

    People with a stored AAD object id come first in every role: the bot recognises them at once.
    The others get a stable made-up id and are linked by e-mail through the Teams member lookup.
    """
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == network_slug))
        if network is None:
            raise PlaygroundError(f"unknown network {network_slug!r}")
        people = (await session.scalars(
            select(Person).options(selectinload(Person.seats).selectinload(Seat.body))
            .where(Person.network_id == network.id, Person.demo.is_(True), Person.anonymised.is_(False))
            .order_by(Person.aad_object_id.is_(None), Person.id))).all()
        # a network that claims no tenant (DigIT) uses its demo people's tenant
        tenant_ids = list(network.tenant_ids or []) or sorted({p.tenant_id for p in people if p.tenant_id})

    def seat_roles(person: Person) -> set[str]:
        return {seat.role for seat in person.seats if seat.body.kind == "steering_group"}

    def is_role(person: Person, role: str) -> bool:
        roles = set(person.roles or [])
        if role == "chair":
            return "chair" in seat_roles(person)
        if role == "observer":
            return "observer" in roles or "observer" in seat_roles(person)
        if role == "secretariat":
            return bool({"secretariat", "secretariat_lead"} & roles)
        return "director" in roles and "chair" not in seat_roles(person)

    chosen: list[DemoUser] = []
    used: set[int] = set()
    for role in (*ROLES, "member"):
        for person in people:
            if person.id in used or not (role == "member" or is_role(person, role)):
                continue
            if role == "member" and len(chosen) >= USERS_BESIDES_CURRENT + 1:
                break
            aad = person.aad_object_id or str(uuid.uuid5(_NAMESPACE, f"{network_slug}/{person.key}"))
            email = (person.email or person.upn or f"{person.key}@example.org").lower()
            chosen.append(DemoUser(role, person.key or f"person-{person.id}", person.name, email, aad))
            used.add(person.id)
            if role != "member":
                break
    # any other demo person can be the current user (a regional coordinator, another director): they
    # take the place of the last "member" in the fixed-size list
    extra = next((p for p in people if include and p.key == include and p.id not in used), None)
    if extra is not None and chosen:
        aad = extra.aad_object_id or str(uuid.uuid5(_NAMESPACE, f"{network_slug}/{extra.key}"))
        email = (extra.email or extra.upn or f"{extra.key}@example.org").lower()
        at = len(chosen) - 1 if len(chosen) > USERS_BESIDES_CURRENT else len(chosen)
        chosen[at:at + 1] = [DemoUser("member", extra.key, extra.name, email, aad)]
    if not chosen:
        raise PlaygroundError(f"network {network_slug!r} has no demo people in the database")
    # The Playground wants a fixed number of users; a small network (DigIT has three demo directors)
    # gets guests the bot does not know, who see what an unknown user sees.
    for n in range(1, USERS_BESIDES_CURRENT + 2 - len(chosen)):
        chosen.append(DemoUser("guest", f"gjest-{n}", f"Gjest {n}", f"gjest-{n}@example.org",
                               str(uuid.uuid5(_NAMESPACE, f"{network_slug}/gjest-{n}"))))
    if not tenant_ids:
        raise PlaygroundError(f"network {network_slug!r} has no tenant id")
    return chosen[:USERS_BESIDES_CURRENT + 1]


def pick_current(users: list[DemoUser], who: str) -> DemoUser:
    who = (who or "director").strip()
    for user in users:
        if who in (user.role, user.key):
            return user
    known = ", ".join([*ROLES, *(u.key for u in users)])
    raise PlaygroundError(f"PLAYGROUND_USER={who!r} is not one of: {known}")


def build_config(users: list[DemoUser], current: DemoUser, tenant_id: str, network_slug: str,
                 network_name: str = "") -> dict[str, Any]:
    """The Playground's config (schema 0.1.1): tenant, bot, current user, five users, chats, a team."""
    def stable(name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{network_slug}/{name}"))

    others = [u for u in users if u is not current]
    return {
        "version": "0.1.1",
        "tenantId": tenant_id,
        "bot": {"id": f"28:{stable('bot')}", "name": BOT_NAME},
        "currentUser": current.as_config(),
        "users": [u.as_config() for u in others],
        "personalChat": {"id": f"a:playground-personal-{current.key}"},
        "groupChat": {"id": f"19:playground-group-{network_slug}@thread.v2", "name": "Styringsgruppa (demo)"},
        "team": {"id": f"19:playground-team-{network_slug}@thread.tacv2", "name": f"{network_name or network_slug} (demo)",
                 "aadGroupId": stable("team"),
                 "channels": [{"id": f"19:playground-channel-{network_slug}@thread.tacv2", "name": "Kunngjeringar"}]},
    }


async def network_of_person(db: Database, key: str) -> str | None:
    """The network slug of the demo person with this key (PLAYGROUND_USER may name anyone in data/)."""
    async with db.session() as session:
        return await session.scalar(select(Network.slug).join(Person, Person.network_id == Network.id)
                                    .where(Person.key == key, Person.demo.is_(True)))


async def write_config(db: Database, folder: Path, *, network_slug: str, who: str) -> tuple[Path, DemoUser]:
    """Write the config; a person key of another network than `network_slug` switches to that network
    (the returned user's `network` says which)."""
    await db.ensure_ready()
    who = (who or "director").strip()
    if who not in ROLES and (own := await network_of_person(db, who)):
        network_slug = own
    users = await demo_users(db, network_slug)
    if who not in ROLES and who not in {u.key for u in users}:
        users = await _with_person(db, users, who)
    current = pick_current(users, who)
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == network_slug))
        tenant_id = (network.tenant_ids or [""])[0] or await session.scalar(
            select(Person.tenant_id).where(Person.network_id == network.id, Person.demo.is_(True),
                                           Person.tenant_id != "").limit(1)) or ""
        network_name = network.name
    config = build_config(users, current, tenant_id, network_slug, network_name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_NAME
    header = ("# Written by `samarbeidsbot playground` from the demo people in the database; rewritten on\n"
              "# every start. Schema: https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json\n")
    path.write_text(header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, DemoUser(current.role, current.key, current.name, current.email, current.aad_object_id,
                          network=network_slug)


async def _with_person(db: Database, users: list[DemoUser], key: str) -> list[DemoUser]:
    """The six users with the demo person `key` in place of the last one (a person beyond the first six)."""
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == key, Person.demo.is_(True),
                                                           Person.anonymised.is_(False)))
        if person is None:
            return users
        network_slug = await session.scalar(select(Network.slug).where(Network.id == person.network_id))
    aad = person.aad_object_id or str(uuid.uuid5(_NAMESPACE, f"{network_slug}/{person.key}"))
    email = (person.email or person.upn or f"{person.key}@example.org").lower()
    return [*users[:USERS_BESIDES_CURRENT], DemoUser("member", key, person.name, email, aad)]


def playground_command(port: int, bot_url: str) -> list[str]:
    """node + the Playground's CLI from the project's node_modules (installed by `npm ci`)."""
    node = shutil.which("node")
    if node is None:
        raise PlaygroundError("node is not installed: install Node.js 20 or newer (e.g. apt-get install nodejs npm)")
    for root in (PROJECT_ROOT, Path.cwd()):
        cli = root / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
        if cli.is_file():
            # the Playground listens on every interface and has no option for it: a preload binds it to loopback
            return [node, "--require", str(LOOPBACK_PRELOAD), str(cli), "-e", bot_url, "-c", "msteams", "-p", str(port),
                    "--disable-telemetry"]
    raise PlaygroundError(f"the Agents Playground is not installed: run `npm ci` in {PROJECT_ROOT}")


def bot_is_up(bot_url: str, timeout: float = 2.0) -> bool:
    health = bot_url.rsplit("/api/", 1)[0] + "/healthz"
    try:
        with urllib.request.urlopen(health, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def run_playground(port: int = 56150, bot_url: str = "http://127.0.0.1:3978/api/messages",
                   write_only: bool = False) -> int:
    """Write the config, then replace this process with the Playground (Ctrl+C stops it)."""
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    network_slug = settings.default_network or "digivestland"
    folder = Path(os.environ.get("PLAYGROUND_DIR") or WORK_DIR).resolve()
    db = Database(settings.database_url)

    async def write() -> tuple[Path, DemoUser]:
        try:
            return await write_config(db, folder, network_slug=network_slug,
                                      who=os.environ.get("PLAYGROUND_USER", "director"))
        finally:
            await db.dispose()

    try:
        path, current = asyncio.run(write())
        print(f"wrote {path} (you are {current.name}, {current.role}, {current.network})", flush=True)
        if current.network != network_slug:
            print(f"note: {current.name} belongs to {current.network}; start the bot with "
                  f"DEFAULT_NETWORK={current.network} so that people it does not know are greeted for that "
                  "network (the people here are recognised by their tenant and AAD id either way)",
                  file=sys.stderr, flush=True)
        if write_only:
            return 0
        command = playground_command(port, bot_url)
    except PlaygroundError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not bot_is_up(bot_url):
        print(f"note: no bot answers at {bot_url} yet; start it with `./dev serve` (the Playground retries)",
              file=sys.stderr, flush=True)
    if settings.app_id:
        print("note: MicrosoftAppId is set, so the bot demands tokens the Playground cannot give; "
              "unset it for local testing", file=sys.stderr, flush=True)
    print(f"Agents Playground: open http://localhost:{port}/ in a browser (Ctrl+C stops it)", flush=True)
    env = {**os.environ, "TEAMSAPPTESTER_BROWSER": os.environ.get("TEAMSAPPTESTER_BROWSER", "none")}
    os.chdir(folder)
    os.execve(command[0], command, env)
    return 0  # not reached
