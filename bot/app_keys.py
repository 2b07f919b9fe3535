"""The keys under which the aiohttp app holds its parts; a module of their own so that routes and
workers can read them without importing the app (which lists the routes and workers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import Settings
from storage.db import Database

if TYPE_CHECKING:
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.auth.registrations import Registry
    from bot.handler import SamarbeidsBot

DB_KEY = web.AppKey("db", Database)
SETTINGS_KEY = web.AppKey("settings", Settings)
BOT_KEY: web.AppKey[SamarbeidsBot] = web.AppKey("bot")
ADAPTER_KEY: web.AppKey[CloudAdapter] = web.AppKey("adapter")
REGISTRY_KEY: web.AppKey[Registry] = web.AppKey("registrations")  # the bot registrations served
