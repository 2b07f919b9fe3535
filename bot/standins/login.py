"""A loopback stand-in for the Microsoft identity platform (one key set per tenant) and the Bot
Framework's channel token issuer: for tests of several bot registrations in several tenants.

Over HTTPS (msal accepts only https authorities; its CA file is `ca_file`), per tenant, as
login.microsoftonline.com does:
- `/{tenant}/v2.0/.well-known/openid-configuration` (issuer `https://login.microsoftonline.com/{tenant}/v2.0`)
  and `/{tenant}/.well-known/openid-configuration` (v1: issuer `https://sts.windows.net/{tenant}/`),
  with `/{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/keys`: that tenant's own signing key;
- `/{tenant}/oauth2/v2.0/token`: client credentials for the apps registered in that tenant
  (`add_app`); an app from another tenant gets AADSTS700016, a wrong secret AADSTS7000215.
  Tokens are RS256 JWTs for `https://api.botframework.com` with `appid`, `azp` and `tid`, as Entra
  issues them to a single-tenant bot; `verify` checks one as the Bot Connector would;
- `entra_token(app_id, tenant)`: what the Bot Connector sends a single-tenant bot when its tenant
  issues the token (v1 or v2 issuer, audience the bot's app id, signed with the tenant's key).
Over plain HTTP (botbuilder fetches the channel keys with `requests`):
- `/botframework/.well-known/openid-configuration` and its keys (endorsed for msteams), and
  `channel_token(app_id, service_url)`: the token the Bot Connector sends with each activity.
Tests only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.standins.graph import _self_signed

BOT_CONNECTOR_AUDIENCE = "https://api.botframework.com"
CHANNEL_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_CALLER = "00000000-0000-0000-0000-000000000000"  # illustrative: the calling service's app id


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key, kid: str, **extra: Any) -> dict[str, Any]:
    return {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig", **extra}


class FakeLogin:
    def __init__(self) -> None:
        self.apps: dict[str, tuple[str, str]] = {}  # app id → (tenant, secret)
        self.tenant_keys: dict[str, Any] = {}  # tenant → its signing key
        self.channel_key = _key()
        self.issued: list[tuple[str, str]] = []  # (app id, tenant) per token issued
        self.refused: list[str] = []  # AADSTS codes answered
        self._tmp = tempfile.TemporaryDirectory(prefix="login-standin-")
        self._runner: web.AppRunner | None = None
        self.url = ""  # https, the authority (LOGIN_AUTHORITY)
        self.plain_url = ""  # http, the channel issuer's metadata
        self.ca_file = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def add_app(self, app_id: str, tenant: str, secret: str) -> None:
        self.apps[app_id.lower()] = (tenant.lower(), secret)
        self.tenant_keys.setdefault(tenant.lower(), _key())

    @property
    def channel_metadata_url(self) -> str:
        return f"{self.plain_url}/botframework/.well-known/openid-configuration"

    async def start(self, host: str = "127.0.0.1") -> str:
        """Serve from a thread of its own, as a separate server would: botbuilder fetches the bot's
        token with blocking HTTP from inside the event loop, which would wait forever for a stand-in
        served by that same loop."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="login-standin", daemon=True)
        self._thread.start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._start(host), self._loop))

    async def stop(self) -> None:
        if self._loop is not None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._stop(), self._loop))
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self._loop = None
        self._tmp.cleanup()

    async def _start(self, host: str) -> str:
        cert_file, key_file = _self_signed(Path(self._tmp.name))
        self.ca_file = str(cert_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_get("/botframework/.well-known/openid-configuration", self._channel_openid)
        app.router.add_get("/botframework/keys", self._channel_keys)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_get("/{tenant}/.well-known/openid-configuration", self._openid_v1)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._keys)
        app.router.add_get("/{tenant}/discovery/keys", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        secure = web.TCPSite(self._runner, host, 0, ssl_context=context)
        plain = web.TCPSite(self._runner, host, 0)
        await secure.start()
        await plain.start()
        self.url = f"https://{host}:{secure._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        self.plain_url = f"http://{host}:{plain._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.url

    async def _stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # --- tokens ------------------------------------------------------------------------------

    def channel_token(self, app_id: str, service_url: str, **claims: Any) -> str:
        """What the Bot Connector sends with an activity for the bot `app_id`."""
        now = int(time.time())
        payload = {"iss": CHANNEL_ISSUER, "aud": app_id, "serviceurl": service_url, "nbf": now - 10,
                   "iat": now - 10, "exp": now + 600, **claims}
        return jwt.encode(payload, self.channel_key, algorithm="RS256", headers={"kid": "channel"})

    def entra_token(self, app_id: str, tenant: str, *, version: str = "2.0", signed_by: str | None = None,
                    **claims: Any) -> str:
        """What the Bot Connector sends a single-tenant bot when the bot's tenant issues the token:
        issuer per `version` (v1 sts.windows.net, v2 login.microsoftonline.com), audience the bot's app
        id, signed with the key of `signed_by` (default: the tenant itself; another tenant's key: forged)."""
        tenant = tenant.lower()
        now = int(time.time())
        issuer = (f"https://login.microsoftonline.com/{tenant}/v2.0" if version == "2.0"
                  else f"https://sts.windows.net/{tenant}/")
        caller = {"azp": BOT_FRAMEWORK_CALLER} if version == "2.0" else {"appid": BOT_FRAMEWORK_CALLER}
        payload = {"iss": issuer, "aud": app_id, "tid": tenant, "ver": version, "nbf": now - 10, "iat": now - 10,
                   "exp": now + 600, **caller, **claims}
        signer = (signed_by or tenant).lower()
        return jwt.encode(payload, self.tenant_keys[signer], algorithm="RS256", headers={"kid": f"key-{signer}"})

    def verify(self, header: str) -> tuple[str, str] | None:
        """(app id, tenant) of a valid bot token for the Bot Connector, else None."""
        if not header.startswith("Bearer "):
            return None
        token = header[7:]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            tenant = str(unverified.get("tid") or "").lower()
            key = self.tenant_keys.get(tenant)
            if key is None:
                return None
            claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience=BOT_CONNECTOR_AUDIENCE,
                                issuer=f"https://login.microsoftonline.com/{tenant}/v2.0")
        except jwt.PyJWTError:
            return None
        return str(claims.get("azp") or claims.get("appid") or "").lower(), tenant

    # --- handlers ------------------------------------------------------------------------------

    async def _channel_openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": CHANNEL_ISSUER, "jwks_uri": f"{self.plain_url}/botframework/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _channel_keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [_jwk(self.channel_key, "channel", endorsements=["msteams"])]})

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.url}/{tenant}"
        return web.json_response({
            "issuer": f"https://login.microsoftonline.com/{tenant}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "jwks_uri": f"{base}/discovery/v2.0/keys", "response_types_supported": ["code", "token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]})

    async def _openid_v1(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.url}/{tenant}"
        return web.json_response({
            "issuer": f"https://sts.windows.net/{tenant}/", "token_endpoint": f"{base}/oauth2/token",
            "authorization_endpoint": f"{base}/oauth2/authorize", "jwks_uri": f"{base}/discovery/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        key = self.tenant_keys.get(request.match_info["tenant"].lower())
        return web.json_response({"keys": [_jwk(key, f"key-{request.match_info['tenant']}")] if key else []})

    def _refuse(self, status: int, error: str, code: str, message: str) -> web.Response:
        self.refused.append(code)
        return web.json_response({"error": error, "error_description": f"{code}: {message}",
                                  "error_codes": [int(code[6:])]}, status=status)

    async def _token(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"].lower()
        form = await request.post()
        client_id, secret = str(form.get("client_id") or ""), str(form.get("client_secret") or "")
        if (not client_id or not secret) and request.headers.get("Authorization", "").startswith("Basic "):
            client_id, _, secret = base64.b64decode(request.headers["Authorization"][6:]).decode().partition(":")
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        registered = self.apps.get(client_id.lower())
        if registered is None or registered[0] != tenant:
            return self._refuse(400, "unauthorized_client", "AADSTS700016",
                                f"Application with identifier '{client_id}' was not found in the directory "
                                f"'{tenant}'.")
        if secret != registered[1]:
            return self._refuse(401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.")
        if str(form.get("scope", "")) != BOT_CONNECTOR_AUDIENCE + "/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        now = int(time.time())
        token = jwt.encode({"iss": f"https://login.microsoftonline.com/{tenant}/v2.0", "aud": BOT_CONNECTOR_AUDIENCE,
                            "appid": client_id.lower(), "azp": client_id.lower(), "tid": tenant, "ver": "2.0",
                            "iat": now, "nbf": now, "exp": now + 3599, "jti": uuid.uuid4().hex},
                           self.tenant_keys[tenant], algorithm="RS256", headers={"kid": f"key-{tenant}"})
        self.issued.append((client_id.lower(), tenant))
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})
