"""HTTP behaviour of /api/messages and /healthz, end to end on loopback."""

from __future__ import annotations

import pytest

from tests.harness import DV_DIRECTOR, BotHarness


async def test_healthz_checks_the_database(bot):
    response = await bot.http.get(bot.url.replace("/api/messages", "/healthz"))
    assert response.status == 200
    assert (await response.json()) == {"status": "ok", "database": True}


@pytest.mark.parametrize(("raw", "why"), [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"[]", "no 'type'"),
    (b'"text"', "no 'type'"),
    (b'{"text": "hei"}', "no 'type'"),
    (b'{"type": 5}', "no 'type'"),
    (b'{"type": "message", "text": "hei"}', "no conversation"),
], ids=["broken", "binary", "list", "string", "no-type", "type-not-string", "no-conversation"])
async def test_a_broken_body_gets_400_not_500(bot, raw, why):
    response = await bot.post(None, raw=raw)
    assert response.status == 400
    assert why in (await response.json())["error"]


async def test_wrong_content_type_is_refused(bot):
    response = await bot.http.post(bot.url, data=b"hei", headers={"Content-Type": "text/plain"})
    assert response.status == 415


async def test_an_oversized_body_is_refused(bot):
    body = bot.activity(DV_DIRECTOR, text="x" * 400_000)
    response = await bot.post(body)
    assert response.status == 413


async def test_with_an_app_id_a_request_without_a_token_gets_401(db):
    harness = BotHarness(db, MicrosoftAppId="11111111-2222-3333-4444-555555555555",
                         MicrosoftAppPassword="secret", MicrosoftAppType="MultiTenant")
    await harness.start()
    try:
        response = await harness.post(harness.activity(DV_DIRECTOR, text="hjelp"))
        assert response.status == 401
        response = await harness.post(harness.activity(DV_DIRECTOR, text="hjelp"),
                                      headers={"Authorization": "Bearer not-a-jwt"})
        assert response.status == 401
        assert harness.connector.messages() == []
    finally:
        await harness.stop()


async def test_a_tenant_outside_allowed_tenants_is_refused_and_logged(db, caplog):
    harness = BotHarness(db, ALLOWED_TENANTS="aaaaaaaa-0000-0000-0000-000000000000")
    await harness.start()
    try:
        response = await harness.post(harness.activity(DV_DIRECTOR, text="hjelp"))
        assert response.status == 403
        assert harness.connector.messages() == []
        assert any("ALLOWED_TENANTS" in r.getMessage() for r in caplog.records)
    finally:
        await harness.stop()


async def test_an_allowed_tenant_is_served(db):
    harness = BotHarness(db, ALLOWED_TENANTS=DV_DIRECTOR.tenant.upper())
    await harness.start()
    try:
        assert await harness.say(DV_DIRECTOR, "hjelp")
    finally:
        await harness.stop()


async def test_the_same_install_delivered_ten_times_welcomes_once(db):
    """The Bot Connector redelivers an activity it got no answer for: same id, same effect once."""
    import asyncio

    from sqlalchemy import func, select

    from storage.models import AuditEntry
    from tests.harness import BOT_ID, DV_DIRECTOR, BotHarness

    bot = BotHarness(db, DEFAULT_NETWORK="digivestland")
    await bot.start()
    try:
        body = bot.activity(DV_DIRECTOR, type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
        first = await asyncio.gather(*(bot.post(body) for _ in range(5)))
        then = [await bot.post(body) for _ in range(5)]
        assert [r.status for r in first + then] == [200] * 10
        await bot.drain()
        assert len(bot.connector.messages(DV_DIRECTOR.personal_conversation)) == 1
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "app.installed")) == 1
    finally:
        await bot.stop()
