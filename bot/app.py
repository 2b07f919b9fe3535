"""The aiohttp application: POST /api/messages and GET /healthz."""

from __future__ import annotations

import json
import logging
import uuid
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ConversationReference

from bot import graph_calendar, openid_keys, scheduler, workers  # noqa: F401 - importing registers their workers
from bot.activities import sender_of, tenant_of, to_activity
from bot.config import Settings
from bot.connector_clients import ReusingClientsAuthentication
from bot.handler import SamarbeidsBot
from bot.turn_gate import TurnGate
from bot.typing import TypingIndicator
from dialogs import router
from dialogs.i18n import normalise_lang, t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import language_preference
from storage.db import Database

log = logging.getLogger("samarbeidsbot.app")
MAX_BODY_BYTES = 256 * 1024

DB_KEY = web.AppKey("db", Database)
BOT_KEY = web.AppKey("bot", SamarbeidsBot)
ADAPTER_KEY = web.AppKey("adapter", CloudAdapter)
SETTINGS_KEY = web.AppKey("settings", Settings)


def auth_configuration(settings: Settings) -> SimpleNamespace:
    """The object botbuilder's ConfigurationBotFrameworkAuthentication reads its settings from."""
    config = SimpleNamespace(APP_ID=settings.app_id, APP_PASSWORD=settings.app_password,
                             APP_TYPE=settings.app_type, APP_TENANTID=settings.app_tenant_id)
    if settings.openid_metadata_url:
        # Overriding one endpoint puts botbuilder in its parameterised mode, which needs the whole
        # public-cloud set: take the rest from botbuilder's own constants.
        from botbuilder.schema import CallerIdConstants
        from botframework.connector.auth import AuthenticationConstants as C

        config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.openid_metadata_url
        config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = C.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
        config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = C.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        config.TO_CHANNEL_FROM_BOT_LOGIN_URL = C.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + (
            settings.app_tenant_id or C.DEFAULT_CHANNEL_AUTH_TENANT)
        config.OAUTH_URL = C.OAUTH_URL
        config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = C.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        config.CALLER_ID = CallerIdConstants.public_azure_channel
    return config


def make_adapter(settings: Settings, db: Database) -> CloudAdapter:
    if settings.app_id:
        from botframework.connector.auth import AuthenticationConstants as C

        openid_keys.install([settings.openid_metadata_url or C.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
                             C.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL])
    adapter = CloudAdapter(ReusingClientsAuthentication(
        ConfigurationBotFrameworkAuthentication(auth_configuration(settings))))
    adapter.use(TypingIndicator())  # first: it counts the turns waiting at the gate as in flight
    adapter.use(TurnGate(settings.max_concurrent_turns))

    async def on_error(turn_context: TurnContext, error: Exception) -> None:
        reference = uuid.uuid4().hex[:8]
        log.exception("turn failed [ref %s]: %s", reference, type(error).__name__, exc_info=error)
        lang = normalise_lang(turn_context.activity.locale)
        try:
            async with db.session() as session:
                lang = await language_preference(session, sender_of(turn_context.activity)) or lang
        except Exception:  # noqa: BLE001 - the apology must go out even if the database is down
            pass
        try:
            from cards.onboarding import apology_card

            await turn_context.send_activity(
                to_activity(Reply(card=apology_card(reference, translator(lang)), summary=t("core.error_title", lang))))
        except Exception:  # noqa: BLE001
            log.warning("could not send the apology [ref %s]", reference)

    adapter.on_turn_error = on_error
    return adapter


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def messages(request: web.Request) -> web.Response:
    if "json" not in (request.content_type or ""):
        return web.json_response({"error": "expected Content-Type application/json"}, status=415)
    try:
        body = json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _bad_request("body is not valid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return _bad_request("body is not a Bot Framework activity (no 'type')")
    try:
        activity = Activity().deserialize(body)
    except Exception:  # noqa: BLE001 - any deserialisation failure is the sender's fault
        return _bad_request("body is not a Bot Framework activity")
    if activity.conversation is None or not activity.service_url:
        return _bad_request("activity has no conversation or serviceUrl")

    adapter = request.app[ADAPTER_KEY]
    settings = request.app[SETTINGS_KEY]
    try:
        auth = await adapter.bot_framework_authentication.authenticate_request(
            activity, request.headers.get("Authorization", ""))
    except PermissionError:
        log.warning("refused unauthenticated request")
        return web.json_response({"error": "unauthorized"}, status=401)
    except Exception as exc:  # noqa: BLE001 - e.g. signing keys unreachable: refuse, never let it in
        log.warning("authentication could not be completed: %s", type(exc).__name__)
        return web.json_response({"error": "unauthorized"}, status=401)

    tenant = tenant_of(activity)
    if settings.allowed_tenants and tenant not in settings.allowed_tenants:
        log.warning("refused activity from tenant %s (not in ALLOWED_TENANTS)", tenant or "(none)")
        return web.json_response({"error": "tenant not allowed"}, status=403)

    invoke_response = await adapter.process_activity(auth, activity, request.app[BOT_KEY].on_turn)
    if invoke_response:
        return web.json_response(invoke_response.body, status=invoke_response.status)
    return web.Response(status=200)


async def healthz(request: web.Request) -> web.Response:
    ok = await request.app[DB_KEY].ping()
    return web.json_response({"status": "ok" if ok else "unavailable", "database": ok}, status=200 if ok else 503)


def _route_modules():
    """Capabilities add HTTP routes as bot/routes_<name>.py with `add_routes(app)` (e.g. .ics files)."""
    import importlib
    import pkgutil

    import bot

    for info in sorted(pkgutil.iter_modules(bot.__path__), key=lambda i: i.name):
        if info.name.startswith("routes_"):
            yield importlib.import_module(f"bot.{info.name}")


def create_app(settings: Settings, db: Database | None = None) -> web.Application:
    db = db or Database(settings.database_url)
    services = Services(db=db, default_network=settings.default_network, public_url=settings.public_url)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS_KEY] = settings
    app[DB_KEY] = db
    adapter = make_adapter(settings, db)

    async def proactive(reference: dict, activity: Activity, update_id: str | None = None) -> str | None:
        """Send `activity` into a stored conversation, or edit the posted activity `update_id` there.
        Returns the id of the posted activity."""
        posted: list[str | None] = []

        async def deliver(turn_context: TurnContext) -> None:
            if update_id:
                activity.id = update_id
                await turn_context.update_activity(activity)
                posted.append(update_id)
            else:
                response = await turn_context.send_activity(activity)
                posted.append(response.id if response else None)

        await adapter.continue_conversation(ConversationReference().deserialize(reference), deliver,
                                            settings.app_id or None)
        return posted[0] if posted else None

    app[ADAPTER_KEY] = adapter
    app[BOT_KEY] = SamarbeidsBot(services, proactive)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    for module in _route_modules():
        module.add_routes(app)

    router.load_capabilities()

    async def startup(_app: web.Application) -> None:
        await db.ensure_ready()
        if settings.default_network:
            from storage.queries import network_by_slug

            async with db.session() as session:
                if await network_by_slug(session, settings.default_network) is None:
                    raise SystemExit(f"Configuration error:\n  DEFAULT_NETWORK: no network "
                                     f"{settings.default_network!r} in the database")

        await workers.start(app)

    async def cleanup(_app: web.Application) -> None:
        await app[BOT_KEY].drain()
        await workers.stop(app)
        await db.dispose()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app
