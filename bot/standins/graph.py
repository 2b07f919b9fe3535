"""A loopback stand-in for Microsoft Graph and the Microsoft identity platform's token endpoint.

It speaks the real protocol over HTTPS (msal accepts only https authorities), with
a certificate it makes itself; its CA file goes into GRAPH_CA_BUNDLE. It serves:

- `{tenant}/v2.0/.well-known/openid-configuration` and `{tenant}/oauth2/v2.0/token`
  (client credentials; a wrong client id or secret gets AADSTS errors). Apps added with `add_app`
  exist in their own tenant only, as single-tenant registrations do: asking another tenant for a token
  gets AADSTS700016; the app given to the constructor (if any) is consented in every tenant;
- tokens are per tenant: a user or mailbox added with a `tenant` answers 401 to a token issued in
  another tenant (each call records the app and tenant of its token);
- `/v1.0/users/{id}/teamwork/installedApps`: POST installs from the catalog (201
  without a body, 409 when installed), GET lists with `$filter=teamsApp/id eq '…'`,
  GET `…/installedApps/{installationId}/chat` gives the one-on-one chat;
- `/v1.0/users/{id}/events`: POST (transactionId makes a retry return the same
  event), PATCH, POST `…/cancel`, each kept as a stored copy for assertions; an event made an online
  meeting (`isOnlineMeeting`, provider `teamsForBusiness`) comes back with `onlineMeeting.joinUrl`.

Limits and faults: a share of 429s with Retry-After, 403 for users without a
licence, 404 for unknown users, statuses queued per path for retry tests, 401
without a valid token. Requests are recorded. Tests and benchmarks only.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import random
import re
import secrets
import ssl
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

# Windows zones and the extra IANA names Graph's calendar documents (a part; Europe/Oslo is not among them).
TIME_ZONES = {"UTC", "W. Europe Standard Time", "Romance Standard Time", "Central Europe Standard Time",
              "GMT Standard Time", "Pacific Standard Time", "Etc/GMT", "Europe/London", "Europe/Berlin",
              "Europe/Paris", "Europe/Budapest", "Europe/Warsaw", "America/New_York", "America/Los_Angeles"}


@dataclass
class GraphUser:
    id: str
    upn: str = ""
    licensed: bool = True
    installed: dict[str, str] = field(default_factory=dict)  # catalog app id → installation id
    tenant: str = ""  # its directory: only tokens issued in it are accepted (empty: any)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    at: float = field(default_factory=time.monotonic)
    app_id: str = ""  # the app and tenant the call's token was issued to
    tenant: str = ""


CALL = web.RequestKey("graph_call", Call)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message,
                                        "innerError": {"request-id": str(uuid.uuid4())}}},
                             status=status, headers=headers)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost; the certificate file is also the CA file clients trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "graph stand-in")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "graph-standin.pem", directory / "graph-standin.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class FakeGraph:
    def __init__(self, *, client_id: str = "", client_secret: str = "", catalog: dict[str, str] | None = None,
                 fault_429: float = 0.0, retry_after: float | None = 1.0, seed: int | None = None,
                 token_lifetime: int = 3599):
        self.client_id, self.client_secret = client_id, client_secret
        self.catalog = dict(catalog or {})  # catalog app id → display name
        self.fault_429 = fault_429
        self.retry_after = retry_after
        self.token_lifetime = token_lifetime
        self.random = random.Random(seed)
        self.users: dict[str, GraphUser] = {}
        self.chats: dict[tuple[str, str], str] = {}  # (user id, installation id) → chat id
        self.events: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # mailbox → event id → event
        self.tokens: dict[str, tuple[str, str]] = {}  # token → (tenant, app id)
        self.apps: dict[str, tuple[str, str]] = {}  # single-tenant app id → (its tenant, secret)
        self.refused_tenant: list[tuple[str, str, str]] = []  # (path, token's tenant, resource's tenant)
        self.token_requests = 0
        self.calls: list[Call] = []
        self.throttled = 0
        self.fail_next: dict[str, list[int]] = defaultdict(list)  # path prefix → statuses to answer first
        self._runner: web.AppRunner | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="graph-standin-")
        self.ca_file = ""
        self.url = ""

    # --- lifecycle ---

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        cert_file, key_file = _self_signed(Path(self._tmp.name))
        self.ca_file = str(cert_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        users = "/v1.0/users/{user}"
        app.router.add_post(users + "/teamwork/installedApps", self._install)
        app.router.add_get(users + "/teamwork/installedApps", self._installed)
        app.router.add_get(users + "/teamwork/installedApps/{installation}/chat", self._chat)
        app.router.add_post(users + "/events", self._create_event)
        app.router.add_patch(users + "/events/{event}", self._update_event)
        app.router.add_post(users + "/events/{event}/cancel", self._cancel_event)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=context)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.url = f"https://{host}:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        self._tmp.cleanup()

    @property
    def base_url(self) -> str:
        return self.url + "/v1.0"

    def settings(self) -> dict[str, str]:
        """The settings that point the bot at this stand-in (besides the app id and password)."""
        return {"GRAPH_AUTHORITY": self.url, "GRAPH_BASE_URL": self.base_url, "GRAPH_CA_BUNDLE": self.ca_file}

    def add_user(self, user_id: str, upn: str = "", *, licensed: bool = True, tenant: str = "") -> GraphUser:
        user = self.users[user_id] = GraphUser(user_id, upn, licensed, tenant=tenant.lower())
        return user

    def add_app(self, app_id: str, tenant: str, secret: str) -> None:
        """A single-tenant app registration: tokens only from its own tenant."""
        self.apps[app_id.lower()] = (tenant.lower(), secret)

    # --- what tests read ---

    def requests(self, method: str | None = None, contains: str = "") -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method) and contains in c.path]

    def mailbox(self, upn: str) -> dict[str, dict[str, Any]]:
        return self.events.get(upn.lower(), {})

    # --- identity platform ---

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.url}/{tenant}"
        return web.json_response({
            "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "jwks_uri": f"{base}/discovery/v2.0/keys", "response_types_supported": ["code", "token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]})

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if (not client_id or not secret) and request.headers.get("Authorization", "").startswith("Basic "):
            raw = base64.b64decode(request.headers["Authorization"][6:]).decode()
            client_id, _, secret = raw.partition(":")
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        tenant = request.match_info["tenant"].lower()
        client_id = str(client_id or "").lower()
        registered = self.apps.get(client_id)
        expected = registered[1] if registered else self.client_secret
        if (registered is None and (not self.client_id or client_id != self.client_id.lower())) or (
                registered is not None and registered[0] != tenant):
            return web.json_response({"error": "unauthorized_client", "error_description":
                                      f"AADSTS700016: Application with identifier '{client_id}' was not found "
                                      f"in the directory '{tenant}'."}, status=400)
        if secret != expected:
            return web.json_response({"error": "invalid_client", "error_description":
                                      "AADSTS7000215: Invalid client secret provided."}, status=401)
        if str(form.get("scope", "")) != "https://graph.microsoft.com/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (tenant, client_id)
        return web.json_response({"token_type": "Bearer", "expires_in": self.token_lifetime,
                                  "ext_expires_in": self.token_lifetime, "access_token": token})

    # --- common checks ---

    async def _begin(self, request: web.Request, *, user_needed: bool = True) -> tuple[Any, web.Response | None]:
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return None, _error(400, "BadRequest", "Body is not JSON.")
        call = Call(request.method, request.path, dict(request.query), body, 0)
        self.calls.append(call)
        request[CALL] = call

        def answer(response: web.Response) -> web.Response:
            call.status = response.status
            return response

        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return body, answer(_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid."))
        call.tenant, call.app_id = self.tokens[auth[7:]]
        owner = self._user(request.match_info["user"]) if "user" in request.match_info else None
        if owner is not None and owner.tenant and owner.tenant != call.tenant:
            self.refused_tenant.append((request.path, call.tenant, owner.tenant))
            return body, answer(_error(401, "InvalidAuthenticationToken",
                                       "Access token validation failure: the token was issued for another tenant."))
        for prefix, statuses in self.fail_next.items():
            if statuses and request.path.startswith(prefix):
                status = statuses.pop(0)
                headers = {"Retry-After": "1"} if status == 429 else None
                return body, answer(_error(status, "ServiceUnavailable" if status >= 500 else "TooManyRequests",
                                           f"injected {status}", headers))
        if self.fault_429 and self.random.random() < self.fault_429:
            self.throttled += 1
            headers = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else {}
            return body, answer(_error(429, "TooManyRequests", "Too many requests.", headers))
        if user_needed:
            user = self._user(request.match_info["user"])
            if user is None:
                return body, answer(_error(404, "Request_ResourceNotFound",
                                           f"Resource '{request.match_info['user']}' does not exist."))
            if not user.licensed:
                return body, answer(_error(403, "Forbidden", "The user does not have a license for this service."))
        call.status = 200
        return body, None

    def _user(self, key: str) -> GraphUser | None:
        return self.users.get(key) or next((u for u in self.users.values() if u.upn and u.upn.lower() == key.lower()),
                                           None)

    def _done(self, request: web.Request, response: web.Response) -> web.Response:
        request[CALL].status = response.status
        return response

    # --- teamwork: installing the app for a person ---

    async def _install(self, request: web.Request) -> web.Response:
        body, refused = await self._begin(request)
        if refused:
            return refused
        user = self._user(request.match_info["user"])
        assert user is not None
        bind = str((body or {}).get("teamsApp@odata.bind") or "")
        match = re.search(r"/appCatalogs/teamsApps/([^/?]+)$", bind)
        if not match:
            return self._done(request, _error(400, "BadRequest", "teamsApp@odata.bind is missing or malformed."))
        app_id = match.group(1)
        if app_id not in self.catalog:
            return self._done(request, _error(404, "NotFound", f"App {app_id} is not in the catalog."))
        if app_id in user.installed:
            return self._done(request, _error(409, "Conflict", "App is already installed."))
        installation = base64.b64encode(f"{user.id}##{app_id}".encode()).decode()
        user.installed[app_id] = installation
        self.chats[(user.id, installation)] = f"19:{uuid.uuid4().hex}@unq.gbl.spaces"
        return self._done(request, web.Response(status=201))

    async def _installed(self, request: web.Request) -> web.Response:
        _, refused = await self._begin(request)
        if refused:
            return refused
        user = self._user(request.match_info["user"])
        assert user is not None
        wanted = re.fullmatch(r"teamsApp/id eq '([^']+)'", request.query.get("$filter", ""))
        value = [{"id": inst, "teamsApp": {"id": app, "displayName": self.catalog.get(app, ""),
                                           "distributionMethod": "organization"}}
                 for app, inst in user.installed.items() if wanted is None or wanted.group(1) == app]
        return self._done(request, web.json_response({"@odata.context": "…/installedApps", "value": value}))

    async def _chat(self, request: web.Request) -> web.Response:
        _, refused = await self._begin(request)
        if refused:
            return refused
        user = self._user(request.match_info["user"])
        assert user is not None
        chat = self.chats.get((user.id, request.match_info["installation"]))
        if chat is None:
            return self._done(request, _error(404, "NotFound", "No such installation."))
        return self._done(request, web.json_response({"id": chat, "chatType": "oneOnOne", "topic": None,
                                             "createdDateTime": dt.datetime.now(dt.UTC).isoformat()}))

    # --- calendar ---

    def _times_problem(self, event: dict[str, Any]) -> str | None:
        for key in ("start", "end"):
            value = event.get(key)
            if value is None:
                continue
            if not isinstance(value, dict) or not value.get("dateTime") or not value.get("timeZone"):
                return f"{key} needs dateTime and timeZone"
            if value["timeZone"] not in TIME_ZONES:
                return f"TimeZoneNotSupportedException: {value['timeZone']}"
            try:
                dt.datetime.fromisoformat(value["dateTime"])
            except ValueError:
                return f"{key}.dateTime is not a date and time"
        return None

    async def _create_event(self, request: web.Request) -> web.Response:
        body, refused = await self._begin(request)
        if refused:
            return refused
        user = self._user(request.match_info["user"])
        assert user is not None
        if not isinstance(body, dict) or not body.get("subject") or not body.get("start") or not body.get("end"):
            return self._done(request, _error(400, "ErrorInvalidRequest", "subject, start and end are required."))
        if problem := self._times_problem(body):
            return self._done(request, _error(400, "ErrorInvalidRequest", problem))
        mailbox = self.events[(user.upn or user.id).lower()]
        transaction = body.get("transactionId")
        if transaction:
            for existing in mailbox.values():
                if existing.get("transactionId") == transaction:
                    return self._done(request, web.json_response(existing, status=201))
        event_id = base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
        stored = {**body, "id": event_id, "iCalUId": uuid.uuid4().hex, "isCancelled": False,
                  "organizer": {"emailAddress": {"address": user.upn}}, "changeKey": uuid.uuid4().hex[:12]}
        self._online_meeting(stored, self._tenant_of(request), user)
        mailbox[event_id] = stored
        return self._done(request, web.json_response(stored, status=201))

    def _tenant_of(self, request: web.Request) -> str:
        return self.tokens.get(request.headers.get("Authorization", "")[7:], "")

    def _online_meeting(self, event: dict[str, Any], tenant: str, user: GraphUser) -> None:
        """As Graph does: an event made an online meeting (isOnlineMeeting with the Teams provider) gets a
        Teams meeting and `onlineMeeting.joinUrl`; kept while it stays online, null once it is not."""
        online = bool(event.get("isOnlineMeeting")) and event.get("onlineMeetingProvider", "teamsForBusiness") in (
            "teamsForBusiness",)
        if not online:
            event["onlineMeeting"] = None
            return
        event["onlineMeetingProvider"] = "teamsForBusiness"
        event.setdefault("onlineMeetingUrl", None)  # the old property: Graph leaves it null for Teams meetings
        if not (event.get("onlineMeeting") or {}).get("joinUrl"):
            thread = f"19%3ameeting_{secrets.token_urlsafe(36).replace('-', 'A').replace('_', 'B')}%40thread.v2"
            context = quote(json.dumps({"Tid": tenant or "00000000-0000-0000-0000-000000000000", "Oid": user.id},
                                       separators=(",", ":")), safe="")
            event["onlineMeeting"] = {"joinUrl": f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context={context}"}

    def _event(self, request: web.Request) -> dict[str, Any] | None:
        user = self._user(request.match_info["user"])
        assert user is not None
        return self.events[(user.upn or user.id).lower()].get(request.match_info["event"])

    async def _update_event(self, request: web.Request) -> web.Response:
        body, refused = await self._begin(request)
        if refused:
            return refused
        event = self._event(request)
        if event is None or event.get("isCancelled"):
            return self._done(request, _error(404, "ErrorItemNotFound", "The specified object was not found in the store."))
        if not isinstance(body, dict) or "transactionId" in body:
            return self._done(request, _error(400, "ErrorInvalidRequest", "transactionId cannot be changed."))
        if problem := self._times_problem(body):
            return self._done(request, _error(400, "ErrorInvalidRequest", problem))
        event.update(body)
        event["changeKey"] = uuid.uuid4().hex[:12]
        user = self._user(request.match_info["user"])
        assert user is not None
        self._online_meeting(event, self._tenant_of(request), user)
        return self._done(request, web.json_response(event))

    async def _cancel_event(self, request: web.Request) -> web.Response:
        body, refused = await self._begin(request)
        if refused:
            return refused
        event = self._event(request)
        if event is None or event.get("isCancelled"):  # cancelled events move to Deleted Items
            return self._done(request, _error(404, "ErrorItemNotFound", "The specified object was not found in the store."))
        event["isCancelled"] = True
        event["cancelComment"] = (body or {}).get("comment", "")
        return self._done(request, web.Response(status=202))


async def _serve(args) -> None:
    graph = FakeGraph(client_id=args.client_id, client_secret=args.client_secret,
                      catalog={args.catalog_id: "Samarbeidsbot"}, fault_429=args.fault_429)
    await graph.start(port=args.port)
    print(graph.url, graph.ca_file, flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Run the stand-in alone: prints its URL and CA file, then serves until killed."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--catalog-id", default=str(uuid.uuid4()))
    parser.add_argument("--fault-429", type=float, default=0.0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
