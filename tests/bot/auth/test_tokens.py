"""Bot Framework token validation against a loopback OpenID issuer whose keys this test makes.

The issuer serves /.well-known/openid-configuration and a JWKS (with Teams
endorsements) from a thread, as a separate server would. Tokens are signed here with RS256.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.harness import DV_DIRECTOR, BotHarness

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED, ROGUE, UNENDORSED = _key(), _key(), _key()


class Issuer:
    def __init__(self, delay: float = 0.0):
        self.key_fetches = 0
        keys = []
        for kid, key, endorsements in (("trusted", TRUSTED, ["msteams", "webchat"]),
                                       ("unendorsed", UNENDORSED, ["skype"])):
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "endorsements": endorsements})
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": ISSUER, "jwks_uri": f"{issuer.url}/keys",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/keys":
                    issuer.key_fetches += 1
                    time.sleep(delay)  # a slow key server
                    body = {"keys": keys}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
async def secured(db):
    issuer = Issuer()
    harness = BotHarness(db, MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret", MicrosoftAppType="MultiTenant",
                         BOT_OPENID_METADATA=f"{issuer.url}/.well-known/openid-configuration")
    await harness.start()
    yield harness
    await harness.stop()
    issuer.close()


def token(harness: BotHarness, *, key=TRUSTED, kid="trusted", **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "serviceurl": harness.connector.url, "nbf": now - 10,
               "iat": now - 10, "exp": now + 600, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def typing_activity(harness: BotHarness) -> dict:
    """An activity the bot accepts without answering, so no outbound token is needed."""
    return harness.activity(DV_DIRECTOR, type="typing")


async def test_a_valid_token_is_accepted(secured):
    response = await secured.post(typing_activity(secured), headers={"Authorization": f"Bearer {token(secured)}"})
    assert response.status == 200


@pytest.mark.parametrize("make_header", [
    lambda h: None,
    lambda h: "Bearer",
    lambda h: "Bearer not.a.jwt",
    lambda h: f"Basic {token(h)}",
    lambda h: f"Bearer {token(h, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)}",
    lambda h: f"Bearer {token(h, aud='99999999-2222-3333-4444-555555555555')}",
    lambda h: f"Bearer {token(h, aud=None)}",
    lambda h: f"Bearer {token(h, iss='https://sts.example.org/')}",
    lambda h: f"Bearer {token(h, key=ROGUE)}",
    lambda h: f"Bearer {token(h, kid='unknown')}",
    lambda h: f"Bearer {token(h, key=UNENDORSED, kid='unendorsed')}",
    lambda h: f"Bearer {token(h, serviceurl='https://smba.evil.example/')}",
    lambda h: f"Bearer {token(h, exp=None)}",
    lambda h: f"Bearer {token(h, exp='never')}",
], ids=["missing", "empty", "garbage", "not-bearer", "expired", "wrong-audience", "no-audience", "wrong-issuer",
        "bad-signature", "unknown-key", "channel-not-endorsed", "wrong-service-url", "no-expiry", "expiry-not-a-number"])
async def test_an_invalid_token_gets_401_and_nothing_happens(secured, make_header):
    header = make_header(secured)
    body = secured.activity(DV_DIRECTOR, text="hjelp")
    response = await secured.post(body, headers={"Authorization": header} if header else None)
    assert response.status == 401
    assert secured.connector.records == []


async def test_fetching_the_signing_keys_does_not_stop_the_bot(db):
    """botbuilder fetched the keys with blocking HTTP on the event loop: while the key server was slow,
    nothing else was answered, and every request waiting then fetched them again (bot/auth/openid_keys.py)."""
    import asyncio

    issuer = Issuer(delay=1.5)
    harness = BotHarness(db, MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret", MicrosoftAppType="MultiTenant",
                         BOT_OPENID_METADATA=f"{issuer.url}/.well-known/openid-configuration")
    await harness.start()
    try:
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {token(harness)}"}
        turns = [asyncio.create_task(harness.post(harness.activity(DV_DIRECTOR, text="hjelp"), headers=headers))
                 for _ in range(3)]
        await asyncio.sleep(0.3)  # the keys are being fetched now
        health = await harness.http.get(harness.server.make_url("/healthz"))
        answered_health_after = time.monotonic() - started
        statuses = [r.status for r in await asyncio.gather(*turns)]
        assert health.status == 200 and answered_health_after < 1.2
        assert statuses == [200, 200, 200] and time.monotonic() - started >= 1.5
        assert issuer.key_fetches == 1
    finally:
        await harness.stop()
        issuer.close()
