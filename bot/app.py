"""The aiohttp application: POST /api/messages and GET /healthz."""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes

from bot import long_lived, screening
from bot.activities import sender_of, tenant_of, to_activity
from bot.app_keys import ADAPTER_KEY, BOT_KEY, DB_KEY, REGISTRY_KEY, SETTINGS_KEY
from bot.auth import openid_keys, registrations
from bot.auth.configuration import auth_configuration
from bot.auth.connector_clients import ReusingClientsAuthentication
from bot.auth.tenant_tokens import TenantIssuerAuthentication, TenantTokens
from bot.config import Settings
from bot.delivery.engine import delivery_worker
from bot.handler import SamarbeidsBot
from bot.middleware.turn_gate import GateAwareAdapter, TurnGate
from bot.middleware.typing_indicator import TypingIndicator
from bot.routes import archive_export, consultation_export, ics, notice_export
from bot.workers import runner
from bot.workers.calendar import graph_calendar_worker
from bot.workers.scheduler import scheduler_worker
from dialogs import capabilities
from dialogs.i18n import normalise_lang, t
from dialogs.onboarding import translator
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import language_preference
from storage.db import Database

log = logging.getLogger("samarbeidsbot.app")
MAX_BODY_BYTES = 256 * 1024
CONNECTOR_THREADS = 64
DRAIN_SECONDS = 3.0


# what `serve` runs beside the web app: (name, worker taking the app)
WORKERS = (("delivery", delivery_worker), ("scheduler", scheduler_worker), ("graph-calendar", graph_calendar_worker))
# the capabilities' HTTP routes beyond /api/messages: modules with `add_routes(app)`
ROUTES = (ics, notice_export, archive_export, consultation_export)


def make_adapter(settings: Settings, db: Database, registry: registrations.Registry | None = None) -> CloudAdapter:
    registry = settings.registrations if registry is None else registry
    if registry:
        from botframework.connector.auth import AuthenticationConstants as C

        openid_keys.install([settings.openid_metadata_url or C.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
                             C.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL])
    # one credential per registration: a token is valid for any of their app ids, and each answer is
    # sent with the credential of the app id its request came in on (bot/auth/registrations.py)
    factory = registrations.credentials_factory(
        registry, settings.login_authority, settings.graph_ca_bundle) if registry else None
    authentication = ConfigurationBotFrameworkAuthentication(auth_configuration(settings), credentials_factory=factory)
    # tokens from a single-tenant registration's own Entra tenant too (bot/auth/tenant_tokens.py)
    tenants = TenantTokens(registry, login_authority=settings.login_authority, ca_bundle=settings.graph_ca_bundle)
    if tenants:
        authentication = TenantIssuerAuthentication(authentication, tenants)
    adapter = GateAwareAdapter(ReusingClientsAuthentication(authentication))
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
        from cards.onboarding import apology_card

        card = apology_card(reference, translator(lang))
        if turn_context.activity.type == ActivityTypes.invoke:
            # Teams waits for the invoke's answer: the apology in it (no HTTP 501, nothing else sent)
            await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(
                status=200, body={"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive",
                                  "value": card})))
            return
        try:
            await turn_context.send_activity(to_activity(Reply(card=card, summary=t("core.error_title", lang))))
        except Exception:  # noqa: BLE001
            log.warning("could not send the apology [ref %s]", reference)

    adapter.on_turn_error = on_error
    return adapter


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def messages(request: web.Request) -> web.Response:
    if "json" not in (request.content_type or ""):
        return web.json_response({"error": "expected Content-Type application/json"}, status=415)
    try:  # hostile bodies are refused or sanitised here, before authentication (bot/screening.py)
        body = screening.screen(screening.parse(await request.read()))
    except screening.Refused as refused:
        return _bad_request(str(refused))
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

    claims = getattr(auth.claims_identity, "claims", None) or {}
    if claims and not isinstance(claims.get("exp"), (int, float)):
        # PyJWT checks `exp` only when present: a token that never expires is refused (docs/security.md)
        log.warning("refused a token without expiry")
        return web.json_response({"error": "unauthorized"}, status=401)

    tenant = tenant_of(activity)
    if (refused := registrations.refusal(request.app[REGISTRY_KEY], auth.claims_identity, tenant)) is not None:
        log.warning("refused activity: %s", refused)
        return web.json_response({"error": "unauthorized"}, status=401)
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


def create_app(settings: Settings, db: Database | None = None) -> web.Application:
    db = db or Database(settings.database_url)
    services = Services(db=db, default_network=settings.default_network, public_url=settings.public_url)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS_KEY] = settings
    app[DB_KEY] = db
    app[REGISTRY_KEY] = registry = settings.registrations
    adapter = make_adapter(settings, db, registry)

    app[ADAPTER_KEY] = adapter
    app[BOT_KEY] = SamarbeidsBot(services)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    for module in ROUTES:
        module.add_routes(app)

    capabilities.load()

    executors: list[ThreadPoolExecutor] = []

    async def startup(_app: web.Application) -> None:
        # botbuilder's connector client sends with `requests` in the loop's default executor (2 cores: 6
        # threads): a few calls to a connector that never answers blocked every reply. Enough threads that
        # the hung ones (each bounded by bot/auth/connector_clients.py's timeouts) leave room for the rest.
        executors.append(ThreadPoolExecutor(max_workers=CONNECTOR_THREADS, thread_name_prefix="connector"))
        asyncio.get_running_loop().set_default_executor(executors[-1])
        await db.ensure_ready()
        if settings.default_network:
            from storage.queries import network_by_slug

            async with db.session() as session:
                if await network_by_slug(session, settings.default_network) is None:
                    raise SystemExit(f"Configuration error:\n  DEFAULT_NETWORK: no network "
                                     f"{settings.default_network!r} in the database")
        long_lived.freeze()  # what is loaded now lives as long as the process: no full scans of it
        await runner.start(app, WORKERS)

    async def cleanup(_app: web.Application) -> None:
        try:  # card updates still being queued; bounded, so that a hung connector cannot hold shutdown
            async with asyncio.timeout(DRAIN_SECONDS):
                await app[BOT_KEY].drain()
        except TimeoutError:
            log.warning("shutdown: background card updates still running after %.0f s, left", DRAIN_SECONDS)
        await runner.stop(app)
        await db.dispose()
        for executor in executors:  # idle threads end now; one still in a hung call ends at its timeout
            executor.shutdown(wait=False, cancel_futures=True)
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(thread_name_prefix="after-stop"))

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app
