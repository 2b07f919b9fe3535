"""Incoming tokens that Entra issues for a single-tenant bot registration, beside the Bot Framework's.

The Bot Connector authenticates to a bot with a token from the Bot Framework's own issuer
(https://api.botframework.com, validated by botbuilder), or — for a single-tenant registration —
with one issued by the registration's own Microsoft Entra tenant: issuer
`https://login.microsoftonline.com/{tenant}/v2.0` (v2 tokens) or `https://sts.windows.net/{tenant}/`
(v1), signed with that tenant's keys, audience the bot's app id. botbuilder 4.17 knows only the
first kind (and a few fixed Microsoft tenants for the Emulator and skills), so a municipality's own
tenant's token would be refused. Here such a token is validated as the identity platform documents
it: signature with a key from that tenant's OpenID metadata (`{authority}/{tenant}/v2.0/.well-known/
openid-configuration`, or without `/v2.0` for v1), `exp`/`nbf`, the exact issuer, the `tid` claim,
and an audience that is a registration *of that tenant*. Only the tenants of configured single-tenant
registrations are looked at: a token naming any other tenant goes to botbuilder's validation and is
refused there, so no metadata is ever fetched for a tenant we do not serve.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import jwt
import requests
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.auth.registrations import DEFAULT_LOGIN_AUTHORITY, Registry

log = logging.getLogger("samarbeidsbot.auth")

V1_ISSUER = re.compile(r"^https://sts\.windows\.net/([0-9a-fA-F-]{36})/$")
V2_ISSUER = re.compile(r"^https://login\.microsoftonline\.com/([0-9a-fA-F-]{36})/v2\.0$")
FETCH_TIMEOUT_SECONDS = 10.0
KEYS_LIFETIME_SECONDS = 24 * 3600.0
UNKNOWN_KID_REFETCH_SECONDS = 60.0  # a key rotated in: fetch again, but not on every forged kid
CLOCK_SKEW_SECONDS = 300


class TenantTokens:
    """Validates Entra-issued tokens for the configured single-tenant registrations."""

    def __init__(self, registry: Registry, *, login_authority: str = DEFAULT_LOGIN_AUTHORITY,
                 ca_bundle: str = "") -> None:
        self.authority = login_authority.rstrip("/")
        self.ca_bundle = ca_bundle
        self.apps_by_tenant: dict[str, set[str]] = {}
        for r in registry.all:
            if r.type != "MultiTenant" and r.tenant_id:
                self.apps_by_tenant.setdefault(r.tenant_id.lower(), set()).add(r.app_id.lower())
        self._keys: dict[str, tuple[float, dict[str, Any]]] = {}  # metadata URL → (fetched at, kid → key)
        self._locks: dict[str, asyncio.Lock] = {}

    def __bool__(self) -> bool:
        return bool(self.apps_by_tenant)

    def issuer_of(self, auth_header: str) -> tuple[str, str, str] | None:
        """(issuer, tenant, metadata URL) when the header carries a token from a served tenant's issuer."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            issuer = str(jwt.decode(token, options={"verify_signature": False}).get("iss") or "")
        except jwt.PyJWTError:
            return None
        for pattern, path in ((V2_ISSUER, "/v2.0/.well-known/openid-configuration"),
                              (V1_ISSUER, "/.well-known/openid-configuration")):
            match = pattern.match(issuer)
            if match and match.group(1).lower() in self.apps_by_tenant:
                tenant = match.group(1).lower()
                return issuer, tenant, f"{self.authority}/{tenant}{path}"
        return None

    async def validate(self, auth_header: str) -> dict[str, Any]:
        """The token's claims, its audience being the registration's app id; PermissionError if invalid."""
        found = self.issuer_of(auth_header)
        if found is None:
            raise PermissionError("not a token from a served tenant's issuer")
        issuer, tenant, metadata_url = found
        token = auth_header.partition(" ")[2]
        try:
            kid = str(jwt.get_unverified_header(token).get("kid") or "")
        except jwt.PyJWTError:
            raise PermissionError("malformed token") from None
        key = await self._key(metadata_url, kid)
        apps = self.apps_by_tenant[tenant]
        audiences = sorted(apps | {f"api://{a}" for a in apps})
        try:
            claims = jwt.decode(token, key, algorithms=AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS,
                                audience=audiences, issuer=issuer, leeway=CLOCK_SKEW_SECONDS,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            raise PermissionError(f"invalid token from tenant {tenant[:8]}…: {type(exc).__name__}") from None
        if str(claims.get("tid") or tenant).lower() != tenant:
            raise PermissionError("the token's tid is not its issuer's tenant")
        claims["aud"] = str(claims["aud"]).removeprefix("api://").lower()  # the app id, as botbuilder's tokens
        return claims

    async def _key(self, metadata_url: str, kid: str):
        cached = self._keys.get(metadata_url)
        now = time.monotonic()
        stale = cached is None or now - cached[0] > KEYS_LIFETIME_SECONDS or (
            kid not in cached[1] and now - cached[0] > UNKNOWN_KID_REFETCH_SECONDS)
        if stale:
            lock = self._locks.setdefault(metadata_url, asyncio.Lock())
            async with lock:  # one fetch for all who wait
                if self._keys.get(metadata_url) is cached:
                    try:
                        keys = await asyncio.to_thread(self._fetch, metadata_url)
                    except (requests.RequestException, ValueError, KeyError) as exc:
                        raise PermissionError(f"signing keys unavailable ({type(exc).__name__})") from None
                    self._keys[metadata_url] = (time.monotonic(), keys)
            cached = self._keys[metadata_url]
        key = cached[1].get(kid)
        if key is None:
            raise PermissionError("the token's signing key is not one of its tenant's")
        return key

    def _fetch(self, metadata_url: str) -> dict[str, Any]:
        verify: Any = self.ca_bundle or True
        metadata = requests.get(metadata_url, timeout=FETCH_TIMEOUT_SECONDS, verify=verify)
        metadata.raise_for_status()
        keys = requests.get(metadata.json()["jwks_uri"], timeout=FETCH_TIMEOUT_SECONDS, verify=verify)
        keys.raise_for_status()
        found = {}
        for jwk in keys.json()["keys"]:
            if jwk.get("kid") and jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig":
                found[str(jwk["kid"])] = jwt.PyJWK(jwk).key
        return found


class TenantIssuerAuthentication(BotFrameworkAuthentication):
    """botbuilder's authentication, plus the tenants' own Entra tokens (TenantTokens) for single-tenant
    registrations. Everything else is the wrapped object's: replies go out the same way."""

    def __init__(self, inner: BotFrameworkAuthentication, tenants: TenantTokens) -> None:
        self._inner, self._tenants = inner, tenants

    async def authenticate_request(self, activity, auth_header: str) -> AuthenticateRequestResult:
        if not self._tenants or self._tenants.issuer_of(auth_header) is None:
            return await self._inner.authenticate_request(activity, auth_header)
        claims = await self._tenants.validate(auth_header)
        identity = ClaimsIdentity(claims, True, "Bearer")
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.caller_id = CallerIdConstants.public_azure_channel
        result.connector_factory = self._inner.create_connector_factory(identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        if self._tenants and self._tenants.issuer_of(auth_header) is not None:
            return ClaimsIdentity(await self._tenants.validate(auth_header), True, "Bearer")
        return await self._inner.authenticate_channel_request(auth_header)
