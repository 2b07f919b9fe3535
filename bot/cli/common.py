"""What every command shares: the usage error (exit 2), the settings, a ready database, a network by slug."""

from __future__ import annotations

from bot.config import ConfigError, Settings, load_settings
from storage.db import Database

EXIT_USAGE = 2


class UsageError(Exception):
    """A mistake in what the user asked for: message printed, exit code 2."""


def cli_settings(*, secrets: bool = True) -> Settings:
    try:
        return load_settings(secrets=secrets)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


async def ready_db(settings: Settings, *, load_data: bool = True) -> Database:
    db = Database(settings.database_url)
    await db.ensure_ready(load_data=load_data)
    return db


async def require_network(db: Database, slug: str):
    from storage.queries import network_by_slug, network_slugs

    async with db.session() as session:
        network = await network_by_slug(session, slug)
        if network is None:
            known = ", ".join(await network_slugs(session)) or "(none loaded)"
            raise UsageError(f"unknown network {slug!r}; known networks: {known}")
        return network
