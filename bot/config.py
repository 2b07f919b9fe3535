"""Configuration from the environment, under the names Azure Bot Service users know.

A wrong value stops start-up with one line per problem naming the variable,
e.g. `MicrosoftAppType: must be SingleTenant, MultiTenant or UserAssignedMSI`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


class ConfigError(ValueError):
    """Raised with a message naming each bad variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)
    secrets_required: ClassVar[bool] = True

    app_id: str = Field(default="", alias="MicrosoftAppId")
    app_password: str = Field(default="", alias="MicrosoftAppPassword")
    app_type: str = Field(default="MultiTenant", alias="MicrosoftAppType")
    app_tenant_id: str = Field(default="", alias="MicrosoftAppTenantId")
    # Several bot registrations (one per municipal tenant): JSON, or a JSON/YAML file (bot/auth/registrations.py)
    registrations_raw: str = Field(default="", alias="BOT_REGISTRATIONS")
    # The Microsoft identity platform the bot's own tokens come from (tests: a loopback stand-in)
    login_authority: str = Field(default="https://login.microsoftonline.com", alias="LOGIN_AUTHORITY")
    database_url: str = Field(default="sqlite+aiosqlite:///samarbeidsbot.db", alias="DATABASE_URL")
    port: int = Field(default=3978, alias="PORT")
    allowed_tenants_raw: str = Field(default="", alias="ALLOWED_TENANTS")
    default_network: str = Field(default="", alias="DEFAULT_NETWORK")
    public_url: str = Field(default="", alias="PUBLIC_URL")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    log_file: str = Field(default="", alias="LOG_FILE")  # rotated at midnight UTC (bot/logging_setup.py)
    retention_days: int = Field(default=30, alias="LOG_RETENTION_DAYS")
    # Overrides for the Bot Framework token validation (tests point these at a loopback issuer).
    openid_metadata_url: str = Field(default="", alias="BOT_OPENID_METADATA")
    # Signs the .ics links in invitations (default: derived from MicrosoftAppPassword, else a database secret).
    ics_signing_key: str = Field(default="", alias="ICS_SIGNING_KEY")
    # Delivery (bot/delivery/engine.py) and Microsoft Graph (bot/graph/client.py; overrides point at a loopback stand-in).
    delivery_rate: int = Field(default=50, ge=1, alias="DELIVERY_RATE")
    delivery_lease_seconds: float = Field(default=60.0, gt=0, alias="DELIVERY_LEASE_SECONDS")
    # Turns doing their work at once (bot/middleware/turn_gate.py); keep it below the database pool (15).
    max_concurrent_turns: int = Field(default=8, ge=1, alias="MAX_CONCURRENT_TURNS")
    graph_base_url: str = Field(default="https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    graph_authority: str = Field(default="https://login.microsoftonline.com", alias="GRAPH_AUTHORITY")
    teams_app_catalog_id: str = Field(default="", alias="TEAMS_APP_CATALOG_ID")
    # The mailbox that organises calendar events (one UPN, or "slug=upn,slug=upn" per network) and a CA
    # file for Graph and login when a TLS-inspecting proxy (or a test stand-in) signs their certificates.
    graph_organizer: str = Field(default="", alias="GRAPH_ORGANIZER")
    graph_ca_bundle: str = Field(default="", alias="GRAPH_CA_BUNDLE")

    @field_validator("app_type")
    @classmethod
    def _app_type(cls, value: str) -> str:
        for known in APP_TYPES:
            if value.lower() == known.lower():
                return known
        raise ValueError(f"must be {', '.join(APP_TYPES[:-1])} or {APP_TYPES[-1]} (got {value!r})")

    @field_validator("app_id", "app_tenant_id")
    @classmethod
    def _guid_or_empty(cls, value: str) -> str:
        value = value.strip()
        if value and not GUID.match(value):
            raise ValueError(f"must be a GUID like 00000000-0000-0000-0000-000000000000 (got {value!r})")
        return value

    @field_validator("registrations_raw")
    @classmethod
    def _registrations(cls, value: str) -> str:
        from bot.auth.registrations import parse

        parse(value, secrets=cls.secrets_required)  # ValueError names the entry and key
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError(f"must be a port number from 1 to 65535 (got {value})")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgres")):
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        return value

    @field_validator("allowed_tenants_raw")
    @classmethod
    def _tenants(cls, value: str) -> str:
        bad = [t for t in _split(value) if not GUID.match(t)]
        if bad:
            raise ValueError(f"must be a comma-separated list of tenant GUIDs (not {', '.join(bad)})")
        return value

    @field_validator("default_network")
    @classmethod
    def _slug(cls, value: str) -> str:
        if value and not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            raise ValueError(f"must be a network slug such as digivestland (got {value!r})")
        return value

    @field_validator("retention_days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError(f"must be a number of days from 1 to 3650 (got {value})")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _credentials(self) -> Settings:
        if self.registrations_raw and self.app_id:
            raise ValueError("BOT_REGISTRATIONS: set either it or MicrosoftAppId (a list of one), not both")
        if self.app_id and self.app_type != "UserAssignedMSI" and not self.app_password:
            raise ValueError("MicrosoftAppPassword: is required when MicrosoftAppId is set "
                             "(except with MicrosoftAppType=UserAssignedMSI)")
        if self.app_type == "SingleTenant" and self.app_id and not self.app_tenant_id:
            raise ValueError("MicrosoftAppTenantId: is required when MicrosoftAppType=SingleTenant")
        return self

    @property
    def allowed_tenants(self) -> frozenset[str]:
        return frozenset(t.lower() for t in _split(self.allowed_tenants_raw))

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id or self.registrations_raw)

    @property
    def registrations(self):
        """Every bot registration this instance answers for (bot.auth.registrations.Registry): the
        BOT_REGISTRATIONS list, or MicrosoftAppId & co. as a list of one, or none (no authentication)."""
        from bot.auth.registrations import Registration, Registry, parse

        if self.registrations_raw:
            return Registry(parse(self.registrations_raw, secrets=self.secrets_required))
        if not self.app_id:
            return Registry(())
        return Registry((Registration(app_id=self.app_id.lower(), tenant_id=self.app_tenant_id.lower(),
                                      type=self.app_type, password=self.app_password),))

    @property
    def graph_credentials(self) -> bool:
        """Graph needs an app that can get app-only tokens: a registration with a secret or a managed
        identity (with several, each tenant's calls use its own: bot/graph/client.py)."""
        return any(r.password or r.type == "UserAssignedMSI" for r in self.registrations.all)

    @property
    def graph_enabled(self) -> bool:
        """Installing the app for people who never opened it needs the app's catalog id and credentials."""
        catalog = self.teams_app_catalog_id or any(r.catalog_app_id for r in self.registrations.all)
        return bool(catalog and self.graph_credentials)

    @property
    def graph_calendar_enabled(self) -> bool:
        """Calendar events for announced meetings need credentials and an organiser mailbox."""
        return bool(self.graph_organizer and self.graph_credentials)

    def graph_organizer_for(self, network_slug: str) -> str:
        """The organiser mailbox of a network: `slug=upn` if listed, else a lone UPN for every network."""
        default = ""
        for part in _split(self.graph_organizer):
            slug, sep, upn = part.partition("=")
            if not sep:
                default = default or part
            elif slug.strip() == network_slug:
                return upn.strip()
        return default


class PackagingSettings(Settings):
    """For commands that only name the app (`manifest build`): the app id without its secret."""

    secrets_required: ClassVar[bool] = False

    @model_validator(mode="after")
    def _credentials(self) -> PackagingSettings:
        return self


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def load_settings(*, secrets: bool = True, **overrides: object) -> Settings:
    """Read the environment; raise ConfigError naming every bad variable. `secrets=False`: the app ids
    are enough (the manifest names the app; it never holds its secret)."""
    try:
        return (Settings if secrets else PackagingSettings)(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
            message = err["msg"].removeprefix("Value error, ")
            lines.append(f"{alias}: {message}" if alias else message)
        raise ConfigError("Configuration error:\n  " + "\n  ".join(lines)) from exc
