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


def _serve(host: str, env: dict[str, str]):
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full = {**os.environ, "MicrosoftAppId": "", "MicrosoftAppPassword": "", "LOG_LEVEL": "WARNING",
            "DEFAULT_NETWORK": "", **env}
    if "ALLOW_UNAUTHENTICATED" not in env:
        full.pop("ALLOW_UNAUTHENTICATED", None)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", host, "--port", str(port)],
                            env=full, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, port


def test_serve_refuses_an_open_bind_without_authentication(db):
    proc, _port = _serve("0.0.0.0", {"DATABASE_URL": db.url})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "MicrosoftAppId is empty" in err and "ALLOW_UNAUTHENTICATED=true" in err


def test_serve_on_an_open_bind_with_the_explicit_override_starts_and_says_so(db):
    import signal
    import time
    import urllib.request

    proc, port = _serve("0.0.0.0", {"DATABASE_URL": db.url, "ALLOW_UNAUTHENTICATED": "true"})
    try:
        for _ in range(300):
            assert proc.poll() is None, proc.communicate()
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("serve did not come up")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert "no authentication" in err
