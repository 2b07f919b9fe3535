"""A wrong configuration value stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

GUID = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(("env", "variable"), [
    ({"MicrosoftAppType": "Bogus"}, "MicrosoftAppType"),
    ({"MicrosoftAppId": "not-a-guid"}, "MicrosoftAppId"),
    ({"MicrosoftAppId": GUID}, "MicrosoftAppPassword"),
    ({"MicrosoftAppId": GUID, "MicrosoftAppPassword": "x", "MicrosoftAppType": "SingleTenant"},
     "MicrosoftAppTenantId"),
    ({"PORT": "99999"}, "PORT"),
    ({"PORT": "abc"}, "PORT"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"ALLOWED_TENANTS": "contoso"}, "ALLOWED_TENANTS"),
    ({"DEFAULT_NETWORK": "Digi Vestland"}, "DEFAULT_NETWORK"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_bad_values_name_the_variable(monkeypatch, env, variable):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert f"{variable}:" in str(err.value)


def test_good_values_are_read_under_azure_names(monkeypatch):
    monkeypatch.setenv("MicrosoftAppId", GUID)
    monkeypatch.setenv("MicrosoftAppType", "UserAssignedMSI")
    monkeypatch.setenv("MicrosoftAppTenantId", GUID)
    monkeypatch.setenv("ALLOWED_TENANTS", f"{GUID.upper()}, {GUID}")
    monkeypatch.setenv("PORT", "8080")
    settings = load_settings()
    assert settings.app_id == GUID and settings.app_type == "UserAssignedMSI"
    assert settings.allowed_tenants == frozenset({GUID}) and settings.port == 8080
    assert settings.auth_enabled
