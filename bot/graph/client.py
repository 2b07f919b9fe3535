"""A small Microsoft Graph client: app-only tokens, installing the bot for a person, calendar events.

Why our own thin client and not the Graph SDK: the bot needs five calls, and
they must behave like the rest of delivery — honour 429 Retry-After, retry 5xx
a bounded number of times, and tell a permanent refusal (403: no Teams licence
or no consent; 404: no such user or mailbox) from a passing one, so a recipient
is reported instead of retried forever. Tokens come from msal
(ConfidentialClientApplication, client credentials), cached per registration and tenant.

Which app asks: with several bot registrations (BOT_REGISTRATIONS, one single-tenant registration per
municipal tenant), every call about a tenant's people or mailboxes is made with the registration of
that tenant — the only one that can get an app-only token there (a single-tenant app asking in another
tenant gets AADSTS700016). A tenant no registration serves is refused before any request
(GraphAuthError "NoRegistration"), never tried with another tenant's app.
The authority and the Graph base URL come from settings, so tests point both at
a loopback stand-in (bot/standins/graph.py).
"""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import logging
import random
import ssl
from typing import Any
from urllib.parse import quote, urlparse

import aiohttp

log = logging.getLogger("samarbeidsbot.graph")

SCOPE = "https://graph.microsoft.com/.default"
MICROSOFT_LOGIN_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn",
                         "login.chinacloudapi.cn", "login.windows.net")
# Graph's calendar API does not take every IANA name ("Europe/Oslo" is not in its list of extra zones);
# the Windows zone that Oslo belongs to has the same rules.
OSLO_WINDOWS_ZONE = "W. Europe Standard Time"


class GraphError(Exception):
    """A Graph call that did not succeed; `transient` says whether trying later may help."""

    transient = False

    def __init__(self, status: int, code: str = "", message: str = "", retry_after: float | None = None):
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        super().__init__(f"Graph {status} {code}: {message}".strip())

    @property
    def reason(self) -> str:
        """Short and stable, for outbox/report columns: 'graph 403 Forbidden'."""
        return f"graph {self.status} {self.code}".strip()[:120]


class GraphForbidden(GraphError):
    """403: no Teams licence, no admin consent for the permission, or the app is blocked."""


class GraphNotFound(GraphError):
    """404: no such user, mailbox, installation or event."""


class GraphAuthError(GraphError):
    """The token could not be had (wrong client id or secret, unknown tenant) or was refused (401)."""


class GraphThrottled(GraphError):
    transient = True


class GraphUnavailable(GraphError):
    """5xx or a network error after the bounded retries."""

    transient = True


def _error_for(status: int, body: Any, retry_after: float | None) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code") or "") if isinstance(error, dict) else ""
    message = str(error.get("message") or "")[:300] if isinstance(error, dict) else ""
    cls = {401: GraphAuthError, 403: GraphForbidden, 404: GraphNotFound, 429: GraphThrottled}.get(status)
    if cls is None:
        cls = GraphUnavailable if status >= 500 else GraphError
    return cls(status, code, message, retry_after)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from an HTTP Retry-After header (seconds or an HTTP date); None when absent or unreadable.
    Used for Graph and for the Bot Connector (bot/delivery/engine.py)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from datetime import UTC, datetime
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


class GraphClient:
    """App-only Microsoft Graph calls with the bot's registrations: the one serving the tenant concerned
    (`registry`), or one given app (`client_id`/`client_secret`) for every tenant."""

    def __init__(self, *, client_id: str = "", client_secret: str = "",
                 authority: str = "https://login.microsoftonline.com",
                 base_url: str = "https://graph.microsoft.com/v1.0", catalog_app_id: str = "", ca_bundle: str = "",
                 max_retries: int = 4, max_wait: float = 30.0, timeout: float = 30.0, registry=None):
        self.client_id, self.client_secret = client_id, client_secret
        self.registry = registry  # bot.auth.registrations.Registry: which app asks in which tenant
        self.authority = authority.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.catalog_app_id = catalog_app_id
        self.ca_bundle = ca_bundle
        self.max_retries = max_retries
        self.max_wait = max_wait  # a longer Retry-After is handed to the caller (GraphThrottled) to reschedule
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._apps: dict[tuple[str, str], Any] = {}  # (app id, tenant) → msal client
        self._app_lock = asyncio.Lock()
        self._http: aiohttp.ClientSession | None = None
        self._random = random.Random()

    @classmethod
    def from_settings(cls, settings) -> GraphClient:
        return cls(registry=settings.registrations, authority=settings.graph_authority,
                   base_url=settings.graph_base_url, catalog_app_id=settings.teams_app_catalog_id,
                   ca_bundle=settings.graph_ca_bundle)

    def registration_for(self, tenant: str):
        """The registration that asks Graph about `tenant` (None: the one given app, without a registry)."""
        if not self.registry:
            return None
        registration = self.registry.for_tenant(tenant)
        if registration is None:
            raise GraphAuthError(0, "NoRegistration", f"no bot registration serves tenant {tenant[:8] or '(none)'}…")
        return registration

    def catalog_for(self, tenant: str) -> str:
        """The app's id in the tenant's Teams app catalog: each tenant uploads its own package."""
        registration = self.registration_for(tenant) if self.registry else None
        return (registration.catalog_app_id if registration is not None else "") or self.catalog_app_id

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- tokens ---

    def _new_app(self, tenant: str, registration):
        import msal
        import requests

        host = urlparse(self.authority).hostname or ""
        http = requests.Session()
        # verify per request: requests lets REQUESTS_CA_BUNDLE in the environment win over a session's verify
        http.request = functools.partial(http.request, timeout=30,  # type: ignore[method-assign]
                                         **({"verify": self.ca_bundle} if self.ca_bundle else {}))
        if registration is not None and registration.type == "UserAssignedMSI":  # the identity of its own tenant
            return msal.ManagedIdentityClient(msal.UserAssignedManagedIdentity(client_id=registration.app_id),
                                              http_client=http)
        client_id, secret = ((registration.app_id, registration.password) if registration is not None
                             else (self.client_id, self.client_secret))
        return msal.ConfidentialClientApplication(
            client_id, client_credential=secret, authority=f"{self.authority}/{tenant}",
            instance_discovery=None if host in MICROSOFT_LOGIN_HOSTS else False, http_client=http)

    async def token(self, tenant: str) -> str:
        """An app-only token for `tenant`, from the registration serving it; msal serves it from its cache
        until shortly before expiry."""
        registration = self.registration_for(tenant)
        key = (registration.app_id if registration is not None else self.client_id, tenant)
        async with self._app_lock:
            app = self._apps.get(key)
            if app is None:
                try:
                    app = await asyncio.to_thread(self._new_app, tenant, registration)
                except ValueError as exc:  # the authority's metadata could not be read (unknown tenant)
                    raise GraphAuthError(0, "authority", str(exc)[:300]) from None
                self._apps[key] = app
        if registration is not None and registration.type == "UserAssignedMSI":
            result = await asyncio.to_thread(app.acquire_token_for_client, resource=SCOPE.removesuffix("/.default"))
        else:
            result = await asyncio.to_thread(app.acquire_token_for_client, scopes=[SCOPE])
        if "access_token" not in result:
            raise GraphAuthError(401, str(result.get("error") or "token"),
                                 str(result.get("error_description") or "")[:300])
        return result["access_token"]

    # --- requests ---

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            ssl_context: ssl.SSLContext | bool = True
            if self.ca_bundle:
                ssl_context = ssl.create_default_context(cafile=self.ca_bundle)
            self._http = aiohttp.ClientSession(timeout=self.timeout,
                                               connector=aiohttp.TCPConnector(ssl=ssl_context, limit=20))
        return self._http

    def _backoff(self, n: int) -> float:
        return self._random.uniform(0.1, min(self.max_wait, 0.5 * 2 ** n))

    async def request(self, method: str, path: str, *, tenant: str, json: Any = None,
                      params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """One Graph call with retries: 429 waits Retry-After (else backoff), 5xx and network errors are
        retried `max_retries` times; other failures raise at once. Returns (status, parsed body)."""
        url = self.base_url + path
        attempt = 0
        while True:
            token = await self.token(tenant)
            try:
                async with self._session().request(
                        method, url, json=json, params=params,
                        headers={"Authorization": f"Bearer {token}", **(headers or {})}) as response:
                    status = response.status
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    text = await response.text()
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, retry_after, text = 599, None, ""
                failure: GraphError = GraphUnavailable(599, type(exc).__name__, str(exc)[:300])
            else:
                try:
                    body = jsonlib.loads(text) if text else None
                except ValueError:
                    body = None
                if status < 400:
                    return status, body
                failure = _error_for(status, body, retry_after)
            if not failure.transient or attempt >= self.max_retries:
                raise failure
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            if wait > self.max_wait:
                raise failure
            attempt += 1
            log.info("graph %s %s: %s; trying again in %.1fs", method, path.split("?")[0], status, wait)
            await asyncio.sleep(wait)

    # --- installing the bot for a person (the chat is where proactive messages go) ---

    async def install_for_user(self, tenant_id: str, user_id: str) -> str | None:
        """Install the app from the organisation's catalog in the person's personal scope (already installed
        is fine) and return the id of the one-on-one chat between the person and the bot."""
        catalog_app_id = self.catalog_for(tenant_id)
        if not catalog_app_id:
            return None
        user = f"/users/{quote(user_id, safe='')}/teamwork/installedApps"
        bind = f"{self.base_url}/appCatalogs/teamsApps/{catalog_app_id}"
        try:
            await self.request("POST", user, tenant=tenant_id, json={"teamsApp@odata.bind": bind})
        except GraphError as exc:
            if exc.status != 409:  # 409 Conflict: installed already (by the person, or by us before)
                raise
        # The install answers 201 without a body: find the installation by the catalog id.
        _, found = await self.request("GET", user, tenant=tenant_id, params={
            "$expand": "teamsApp", "$filter": f"teamsApp/id eq '{catalog_app_id}'"})
        installs = (found or {}).get("value") or []
        if not installs:
            return None
        installation = quote(str(installs[0]["id"]), safe="")
        _, chat = await self.request("GET", f"{user}/{installation}/chat", tenant=tenant_id)
        return str((chat or {}).get("id") or "") or None

    # --- calendar events in the organiser's mailbox (Graph sends the invitations) ---

    async def create_event(self, tenant_id: str, organizer: str, event: dict[str, Any],
                           transaction_id: str) -> dict[str, Any]:
        """Create the event; the same `transaction_id` twice gives the same event, not a second one."""
        _, body = await self.request("POST", f"/users/{quote(organizer, safe='@')}/events", tenant=tenant_id,
                                     json={**event, "transactionId": transaction_id},
                                     headers={"Prefer": f'outlook.timezone="{OSLO_WINDOWS_ZONE}"'})
        return body or {}

    async def update_event(self, tenant_id: str, organizer: str, event_id: str,
                           changes: dict[str, Any]) -> dict[str, Any]:
        _, body = await self.request("PATCH", f"/users/{quote(organizer, safe='@')}/events/{quote(event_id, safe='')}",
                                     tenant=tenant_id, json=changes,
                                     headers={"Prefer": f'outlook.timezone="{OSLO_WINDOWS_ZONE}"'})
        return body or {}

    async def cancel_event(self, tenant_id: str, organizer: str, event_id: str, comment: str = "") -> None:
        """Cancel (the organiser's action: attendees get a cancellation)."""
        await self.request("POST", f"/users/{quote(organizer, safe='@')}/events/{quote(event_id, safe='')}/cancel",
                           tenant=tenant_id, json={"comment": comment})
