"""Settings → the configuration object botbuilder's ConfigurationBotFrameworkAuthentication reads."""

from __future__ import annotations

from types import SimpleNamespace

from bot.config import Settings


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
