"""Reuse of Bot Connector clients across turns.

botbuilder 4.17's CloudAdapter builds a new ConnectorClient and a new UserTokenClient for every
incoming activity (and every proactive message). Each construction builds msrest retry policies
whose status list is computed by a 999 × 500 list scan: about 4 ms of CPU each, so 8 ms of every
turn, more than the rest of an echo turn (profiled with `samarbeidsbot bench turns --profile`).
The clients hold no per-turn state (credentials cache and refresh their own tokens), so one per
(bot app id, service URL, audience) is kept, as botbuilder's older BotFrameworkAdapter did.
Authentication itself is untouched: every request is still validated by the wrapped object.
"""

from __future__ import annotations

from collections import OrderedDict

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

MAX_CLIENTS = 256  # service URLs are a handful per cloud region; bounded in case of odd ones
# msrest's defaults are a 100 s timeout and 3 read retries: a Bot Connector that accepts and never answers
# held a turn for 400 s. Here: 5 s to connect, 10 s for the answer, a read that timed out is not resent
# (the POST may have arrived: at most once from the turn; the outbox is the retrying path).
CONNECT_SECONDS, READ_SECONDS = 5.0, 10.0


def bounded(client: ConnectorClient) -> ConnectorClient:
    """The client with a timeout on every request it makes (replies, updates, member lookups)."""
    client.config.connection.timeout = (CONNECT_SECONDS, READ_SECONDS)
    policy = client.config.retry_policy.policy
    policy.read = 0
    policy.connect = min(policy.connect or 0, 1)
    return client


def _bot_app_id(claims_identity: ClaimsIdentity | None) -> str:
    claims = getattr(claims_identity, "claims", None) or {}
    return str(claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or claims.get(
        AuthenticationConstants.APP_ID_CLAIM) or "")


class _Bounded(OrderedDict):
    def remember(self, key, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_CLIENTS:
            self.popitem(last=False)
        return value


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str, cache: _Bounded) -> None:
        self._inner, self._app_id, self._cache = inner, app_id, cache

    async def create(self, service_url: str, audience: str = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = self._cache.remember(key, bounded(await self._inner.create(service_url, audience)))
        return client


class ReusingClientsAuthentication(BotFrameworkAuthentication):
    """Wraps the configured authentication; validates exactly as it does, reuses the clients it makes."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors = _Bounded()
        self._token_clients = _Bounded()

    def _reusing(self, factory: ConnectorFactory | None, claims_identity: ClaimsIdentity | None):
        if factory is None:
            return None
        return _ReusingConnectorFactory(factory, _bot_app_id(claims_identity), self._connectors)

    async def authenticate_request(self, activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._reusing(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        result = await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        result.connector_factory = self._reusing(result.connector_factory, result.claims_identity)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reusing(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _bot_app_id(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = self._token_clients.remember(key, await self._inner.create_user_token_client(claims_identity))
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
