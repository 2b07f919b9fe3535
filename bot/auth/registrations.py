"""Several bot registrations, one service: typically one single-tenant Azure Bot per municipal tenant.

New multi-tenant Azure Bots cannot be created since 31 July 2025, and a single-tenant bot serves the
users of its own Microsoft Entra tenant. A regional cooperation's members sit in many tenants, so one
instance answers for several registrations, all pointing at the same messaging endpoint:

    BOT_REGISTRATIONS='[{"name": "Alver", "app_id": "…", "tenant_id": "…", "password_env": "ALVER_SECRET"},
                        {"name": "Bergen", "app_id": "…", "tenant_id": "…", "type": "UserAssignedMSI"}]'

or BOT_REGISTRATIONS=/etc/samarbeidsbot/registrations.yaml (a list of the same entries, JSON or YAML).
Each entry: `app_id` (the Microsoft App ID; for a user-assigned managed identity its client id),
`tenant_id`, `type` (SingleTenant, the default, UserAssignedMSI, or the legacy MultiTenant), the
secret as `password` or, better, `password_env` (the name of a variable holding it, e.g. a Key Vault
reference in App Service), and optionally `teams_app_catalog_id` (the app's id in that tenant's Teams
app catalog, for installing it through Graph; default TEAMS_APP_CATALOG_ID). Without BOT_REGISTRATIONS the classic MicrosoftAppId, MicrosoftAppPassword,
MicrosoftAppType and MicrosoftAppTenantId settings are a list of one.

Incoming: a token is accepted for any configured app id — from the Bot Framework's issuer (botbuilder
validates it) or from Entra for a single-tenant registration (bot/auth/tenant_tokens.py) — and the
activity must come from that registration's tenant (else 401). Outgoing: every reply and proactive
message is sent with the credential of the registration its conversation came in on, and every
Microsoft Graph call with the registration of the tenant it concerns (bot/graph/client.py).
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from botframework.connector.auth import MicrosoftAppCredentials
from msrest.authentication import Authentication

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
TYPES = ("SingleTenant", "UserAssignedMSI", "MultiTenant")
DEFAULT_LOGIN_AUTHORITY = "https://login.microsoftonline.com"
_KEYS = {"name", "app_id", "tenant_id", "type", "password", "password_env", "teams_app_catalog_id"}


@dataclass(frozen=True)
class Registration:
    app_id: str
    tenant_id: str = ""
    type: str = "SingleTenant"
    password: str = ""
    name: str = ""
    catalog_app_id: str = ""  # the app's id in its tenant's Teams app catalog (Graph installs), if not the default

    @property
    def label(self) -> str:
        return self.name or self.app_id[:8]

    def accepts_tenant(self, tenant_id: str) -> bool:
        """A single-tenant (or managed identity) registration serves only its own tenant's users."""
        return self.type == "MultiTenant" or (bool(tenant_id) and tenant_id.lower() == self.tenant_id.lower())

    def __repr__(self) -> str:  # never the secret in a log line or a traceback
        return f"Registration({self.label!r}, app {self.app_id[:8]}…, tenant {self.tenant_id[:8]}…, {self.type})"


def parse(raw: str, *, environ: dict[str, str] | None = None, secrets: bool = True) -> tuple[Registration, ...]:
    """BOT_REGISTRATIONS (JSON text, or a path to a JSON/YAML file) → registrations; ValueError naming
    each problem (`BOT_REGISTRATIONS[2].tenant_id: must be a GUID …`)."""
    raw = raw.strip()
    if not raw:
        return ()
    environ = os.environ if environ is None else environ
    if raw[:1] in "[{":
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None
    else:
        path = Path(raw)
        if not path.is_file():
            raise ValueError(f"is neither a JSON list nor a readable file (no file {raw!r})")
        text = path.read_text(encoding="utf-8")
        import yaml

        try:
            entries = yaml.safe_load(text)  # YAML is a superset of JSON
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML or JSON ({str(exc).splitlines()[0]})") from None
        if isinstance(entries, dict) and "registrations" in entries:
            entries = entries["registrations"]
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or not entries:
        raise ValueError("must be a list of registrations (app_id, tenant_id, password or password_env)")
    problems: list[str] = []
    found: list[tuple[int, Registration]] = []
    for index, entry in enumerate(entries):
        where = f"[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object with app_id and tenant_id")
            continue
        problems += [f"{where}.{key}: unknown key (known: {', '.join(sorted(_KEYS))})" for key in entry
                     if key not in _KEYS]
        registration, entry_problems = _one(entry, environ, secrets)
        problems += [f"{where}.{p}" for p in entry_problems]
        if registration is not None:
            found.append((index, registration))
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        app_id = str(entry.get("app_id") or "").strip().lower() if isinstance(entry, dict) else ""
        if app_id and app_id in seen:
            problems.append(f"[{index}].app_id: the same app id as [{seen[app_id]}]")
        seen.setdefault(app_id, index)
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(registration for _, registration in found)


def _one(entry: dict[str, Any], environ, secrets: bool) -> tuple[Registration | None, list[str]]:
    problems = []
    app_id = str(entry.get("app_id") or "").strip().lower()
    tenant_id = str(entry.get("tenant_id") or "").strip().lower()
    kind = str(entry.get("type") or "SingleTenant")
    kind = next((t for t in TYPES if t.lower() == kind.lower()), kind)
    if not GUID.match(app_id):
        problems.append(f"app_id: must be a GUID like 00000000-0000-0000-0000-000000000000 (got {app_id!r})")
    if kind not in TYPES:
        problems.append(f"type: must be SingleTenant, UserAssignedMSI or MultiTenant (got {kind!r})")
    if kind != "MultiTenant" and not GUID.match(tenant_id):
        problems.append(f"tenant_id: must be the tenant's GUID for a {kind} registration (got {tenant_id!r})")
    password = str(entry.get("password") or "")
    if entry.get("password_env"):
        password = environ.get(str(entry["password_env"]), "")
        if not password and secrets:
            problems.append(f"password_env: the variable {entry['password_env']} is not set")
    if kind != "UserAssignedMSI" and not password and secrets and not entry.get("password_env"):
        problems.append("password: a secret (password or password_env) is required, except for UserAssignedMSI")
    if problems:
        return None, problems
    return Registration(app_id=app_id, tenant_id=tenant_id, type=kind, password=password,
                        name=str(entry.get("name") or ""),
                        catalog_app_id=str(entry.get("teams_app_catalog_id") or "").strip()), []


class Registry:
    """The configured registrations by app id."""

    def __init__(self, registrations: tuple[Registration, ...] | list[Registration]) -> None:
        self.all = tuple(registrations)
        self._by_app = {r.app_id.lower(): r for r in self.all}

    def __bool__(self) -> bool:
        return bool(self.all)

    def get(self, app_id: str | None) -> Registration | None:
        return self._by_app.get((app_id or "").lower())

    def for_tenant(self, tenant_id: str) -> Registration | None:
        """The registration serving a tenant's users: its own single-tenant one, else a multi-tenant one.
        Microsoft Graph calls about a tenant's people and mailboxes need an app-only token from that
        tenant, which only a registration of (or consented in) that tenant can get."""
        if not tenant_id:
            return None
        return (next((r for r in self.all if r.type != "MultiTenant" and r.accepts_tenant(tenant_id)), None)
                or next((r for r in self.all if r.type == "MultiTenant"), None))

    def for_conversation(self, app_id: str, bot_id: str, tenant_id: str) -> Registration | None:
        """The registration to write to a stored conversation with: the app id it came in on; else the
        bot's channel id (`28:<app id>` in Teams); else the one serving its tenant; else the only one."""
        found = self.get(app_id) or self.get(bot_id.removeprefix("28:") if bot_id else "")
        if found is None and tenant_id:
            found = next((r for r in self.all if r.type != "MultiTenant" and r.accepts_tenant(tenant_id)), None)
        if found is None and len(self.all) == 1:
            found = self.all[0]
        return found


# --- credentials: botbuilder's factory interface, one credential per registration ---------------


def credentials_for(registration: Registration, *, oauth_scope: str | None = None,
                    login_authority: str = DEFAULT_LOGIN_AUTHORITY, ca_bundle: str = "") -> Authentication:
    """The Bot Connector credential of one registration: client credentials (secret) against its own
    tenant's authority, or its user-assigned managed identity."""
    from botframework.connector.auth import AuthenticationConstants

    scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    if registration.type == "UserAssignedMSI":
        from botframework.connector.auth import ManagedIdentityAppCredentials

        return ManagedIdentityAppCredentials(registration.app_id, oauth_scope=scope)
    tenant = registration.tenant_id if registration.type != "MultiTenant" else (
        registration.tenant_id or AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT)
    return _SecretCredentials(registration.app_id, registration.password, tenant, scope,
                              authority=f"{login_authority.rstrip('/')}/{tenant}", ca_bundle=ca_bundle)


class _SecretCredentials(MicrosoftAppCredentials):
    """botbuilder's client-credentials token, from the registration's own tenant, with a timeout on the
    identity platform's requests, and (for a loopback stand-in or a TLS-inspecting proxy) no instance
    discovery at login.microsoftonline.com and a CA file."""

    def __init__(self, app_id, password, tenant, scope, *, authority: str, ca_bundle: str = "") -> None:
        super().__init__(app_id, password, tenant, scope)
        self.oauth_endpoint = authority
        self._ca_bundle = ca_bundle

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self.app is None:
            import msal
            import requests

            from bot.graph.client import MICROSOFT_LOGIN_HOSTS

            http = requests.Session()
            http.request = functools.partial(http.request, timeout=30,  # type: ignore[method-assign]
                                             **({"verify": self._ca_bundle} if self._ca_bundle else {}))
            host = urlparse(self.oauth_endpoint).hostname or ""
            self.app = msal.ConfidentialClientApplication(
                self.microsoft_app_id, client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint, http_client=http,
                instance_discovery=None if host in MICROSOFT_LOGIN_HOSTS else False)
        return super().get_access_token(force_refresh)


def credentials_factory(registry: Registry, login_authority: str = DEFAULT_LOGIN_AUTHORITY, ca_bundle: str = ""):
    from botframework.connector.auth import ServiceClientCredentialsFactory

    class RegistrationCredentialsFactory(ServiceClientCredentialsFactory):
        """botbuilder asks it whether a token's audience is ours and for the credential to answer with."""

        def __init__(self) -> None:
            self._made: dict[tuple[str, str], Authentication] = {}

        async def is_valid_app_id(self, app_id: str) -> bool:
            return registry.get(app_id) is not None

        async def is_authentication_disabled(self) -> bool:
            return not registry

        async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                     validate_authority: bool) -> Authentication:
            registration = registry.get(app_id)
            if registration is None:
                if not registry:
                    return MicrosoftAppCredentials.empty()
                raise PermissionError(f"no registration for app id {app_id[:8]}…")
            key = (registration.app_id, oauth_scope or "")
            made = self._made.get(key)
            if made is None:
                made = self._made[key] = credentials_for(registration, oauth_scope=oauth_scope,
                                                         login_authority=login_authority, ca_bundle=ca_bundle)
            return made

    return RegistrationCredentialsFactory()


def token_app_id(claims_identity) -> str:
    """The app id a validated Bot Framework token was issued for (its audience)."""
    from botframework.connector.auth import AuthenticationConstants

    claims = getattr(claims_identity, "claims", None) or {}
    return str(claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or "")


def refusal(registry: Registry, claims_identity, activity_tenant: str) -> str | None:
    """Why an authenticated activity must still be refused (401), or None: the token's app id is ours,
    and the activity comes from the tenant that registration serves."""
    if not registry:
        return None
    app_id = token_app_id(claims_identity)
    registration = registry.get(app_id)
    if registration is None:
        return f"token for unknown app id {app_id[:8] or '(none)'}…"
    if not registration.accepts_tenant(activity_tenant):
        return (f"activity from tenant {activity_tenant[:8] or '(none)'}… for registration {registration.label}, "
                f"which serves tenant {registration.tenant_id[:8]}…")
    return None
