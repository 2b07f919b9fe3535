"""Many municipal tenants, one service: three single-tenant bot registrations in three tenants.

Against loopback stand-ins for Microsoft's cloud: the identity platform with one key set per tenant
(the bot's own tokens come from its registration's tenant) plus the Bot Framework's channel issuer
(bot/standins/login.py), and a Bot Connector that checks the token's app id and tenant on every call
and refuses a conversation of another registration with 403, as Azure does.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot.auth.registrations import parse
from bot.config import ConfigError, load_settings
from bot.standins.login import FakeLogin
from storage import outbox
from storage.models import ConversationRef, OutboxMessage, Person
from tests.harness import DV_DIRECTOR, BotHarness, TeamsUser, message_text

TENANTS = {"alver": "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6",  # the demo data's tenant
           "bergen": "b0b0b0b0-1111-4222-8333-444455556666",
           "voss": "c0c0c0c0-1111-4222-8333-444455556666"}
APPS = {"alver": "a1a1a1a1-0000-4000-8000-000000000001",
        "bergen": "b2b2b2b2-0000-4000-8000-000000000002",
        "voss": "c3c3c3c3-0000-4000-8000-000000000003"}
SECRETS = {name: f"secret-of-{name}" for name in APPS}
USERS = {"alver": DV_DIRECTOR,
         "bergen": TeamsUser("bergen-user", "Bergen user", "b0000000-0000-0000-0000-00000000000b",
                             tenant=TENANTS["bergen"]),
         "voss": TeamsUser("voss-user", "Voss user", "c0000000-0000-0000-0000-00000000000c", tenant=TENANTS["voss"])}


@pytest.fixture
async def three(db, monkeypatch):
    login = FakeLogin()
    await login.start()
    for name in APPS:
        login.add_app(APPS[name], TENANTS[name], SECRETS[name])
        monkeypatch.setenv(f"SECRET_{name.upper()}", SECRETS[name])
    registrations = [{"name": name.title(), "app_id": APPS[name], "tenant_id": TENANTS[name],
                      "password_env": f"SECRET_{name.upper()}"} for name in APPS]
    harness = BotHarness(db, BOT_REGISTRATIONS=json.dumps(registrations), LOGIN_AUTHORITY=login.url,
                         GRAPH_CA_BUNDLE=login.ca_file, BOT_OPENID_METADATA=login.channel_metadata_url)
    harness.connector.login = login
    for name, user in USERS.items():
        harness.connector.conversation_apps[user.personal_conversation] = APPS[name]
    await harness.start()
    yield harness, login
    await harness.stop()
    await login.stop()


async def post_as(harness: BotHarness, login: FakeLogin, app_id: str, body: dict):
    header = {"Authorization": f"Bearer {login.channel_token(app_id, harness.connector.url)}"}
    return await harness.post(body, headers=header)


async def post_with(harness: BotHarness, token: str, body: dict):
    return await harness.post(body, headers={"Authorization": f"Bearer {token}"})


ISSUED_BY = {"alver": "2.0", "bergen": "1.0", "voss": "2.0"}  # v2 login.microsoftonline.com, v1 sts.windows.net


async def test_tokens_from_each_registrations_own_entra_tenant_are_accepted_and_answered_rightly(three):
    """A single-tenant registration's channel token may come from its own tenant's issuer (v1 or v2),
    signed with that tenant's keys from its OpenID metadata, not only from the Bot Framework's."""
    harness, login = three
    for name, user in USERS.items():
        before = len(harness.connector.records)
        token = login.entra_token(APPS[name], TENANTS[name], version=ISSUED_BY[name])
        response = await post_with(harness, token, harness.activity(user, text="hjelp"))
        assert response.status == 200, (name, await response.text())
        answers = [r for r in harness.connector.records[before:] if r.op in ("send", "reply")]
        assert answers and all(r.app_id == APPS[name] for r in answers), name
        assert message_text(answers[-1].activity).strip()
    assert harness.connector.refused_auth == []


@pytest.mark.parametrize("case", ["other-tenants-issuer", "forged-signature", "unknown-app-id", "unserved-tenant",
                                  "expired"])
async def test_an_entra_token_for_the_wrong_tenant_or_an_unknown_app_gets_401(three, case):
    harness, login = three
    elsewhere = "e5e5e5e5-1111-4222-8333-444455556666"
    login.add_app("e6e6e6e6-0000-4000-8000-000000000006", elsewhere, "x")  # a tenant with keys we do not serve
    token = {
        # Bergen's tenant issues a token for Alver's bot: the audience is not a registration of Bergen's tenant
        "other-tenants-issuer": lambda: login.entra_token(APPS["alver"], TENANTS["bergen"]),
        # says it is from Alver's tenant, signed with Bergen's key
        "forged-signature": lambda: login.entra_token(APPS["alver"], TENANTS["alver"], signed_by=TENANTS["bergen"]),
        "unknown-app-id": lambda: login.entra_token("d4d4d4d4-0000-4000-8000-000000000004", TENANTS["alver"]),
        "unserved-tenant": lambda: login.entra_token("e6e6e6e6-0000-4000-8000-000000000006", elsewhere),
        "expired": lambda: login.entra_token(APPS["alver"], TENANTS["alver"], exp=1_700_000_000),
    }[case]()
    response = await post_with(harness, token, harness.activity(USERS["alver"], text="hjelp"))
    assert response.status == 401
    assert harness.connector.records == [] and login.issued == []


async def test_a_valid_entra_token_for_a_user_of_another_tenant_gets_401(three):
    """Bergen's own, valid token, but the activity says it comes from a user in Alver's tenant."""
    harness, login = three
    token = login.entra_token(APPS["bergen"], TENANTS["bergen"], version="1.0")
    response = await post_with(harness, token, harness.activity(USERS["alver"], text="hjelp"))
    assert response.status == 401
    assert harness.connector.records == []


async def test_a_user_in_each_tenant_is_answered_with_their_registrations_credential(three):
    harness, login = three
    for name, user in USERS.items():
        before = len(harness.connector.records)
        response = await post_as(harness, login, APPS[name], harness.activity(user, text="hjelp"))
        assert response.status == 200, await response.text()
        answers = [r for r in harness.connector.records[before:] if r.op in ("send", "reply")]
        assert answers and all(r.app_id == APPS[name] for r in answers), name
        assert message_text(answers[-1].activity).strip()
    assert harness.connector.refused_auth == []
    assert {tenant for _, tenant in login.issued} == set(TENANTS.values())  # each from its own tenant
    async with harness.db.sessions() as session:
        stored = {r.conversation_id: r.app_id for r in await session.scalars(sa.select(ConversationRef))}
    assert {stored[u.personal_conversation] for u in USERS.values()} == set(APPS.values())


@pytest.mark.parametrize("app_id, tenant", [
    ("d4d4d4d4-0000-4000-8000-000000000004", TENANTS["alver"]),  # no such registration
    (APPS["bergen"], TENANTS["alver"]),  # Bergen's registration, a user from Alver's tenant
    (APPS["alver"], "e5e5e5e5-1111-4222-8333-444455556666"),  # a tenant no registration serves
], ids=["unknown-app-id", "other-registrations-tenant", "unserved-tenant"])
async def test_an_unknown_app_id_or_the_wrong_tenant_gets_401_and_nothing_is_sent(three, app_id, tenant):
    harness, login = three
    user = TeamsUser("someone", "Someone", "f0000000-0000-0000-0000-00000000000f", tenant=tenant)
    response = await post_as(harness, login, app_id, harness.activity(user, text="hjelp"))
    assert response.status == 401
    assert harness.connector.records == [] and login.issued == []


async def test_a_broadcast_to_all_three_tenants_goes_out_with_each_recipients_credential(three):
    harness, login = three
    async with harness.db.session() as session:
        network_id = (await session.scalar(sa.select(Person).where(Person.aad_object_id == DV_DIRECTOR.aad))).network_id
        for name in ("bergen", "voss"):
            user = USERS[name]
            session.add(Person(network_id=network_id, name=user.name, tenant_id=user.tenant,
                               aad_object_id=user.aad, roles=["director"]))
    for name, user in USERS.items():  # each has the app installed: their conversation is known
        response = await post_as(harness, login, APPS[name], harness.activity(
            user, type="conversationUpdate", membersAdded=[{"id": "28:samarbeidsbot-test"}]))
        assert response.status == 200
    async with harness.db.session() as session:
        people = {p.aad_object_id: p.id for p in await session.scalars(sa.select(Person).where(
            Person.aad_object_id.in_([u.aad for u in USERS.values()])))}
        for user in USERS.values():
            await outbox.enqueue(session, payload={"text": "Kunngjering til alle", "card": None, "summary": ""},
                                 person_id=people[user.aad], network_id=network_id, batch="three-tenants")
    before = len(harness.connector.records)
    await harness.drain()

    sent = [r for r in harness.connector.records[before:] if r.op == "send"
            and "Kunngjering" in message_text(r.activity)]
    by_conversation = {r.conversation_id: r.app_id for r in sent}
    assert by_conversation == {USERS[name].personal_conversation: APPS[name] for name in USERS}
    assert len(sent) == 3 and harness.connector.refused_auth == []  # 0 sent with a wrong credential
    async with harness.db.sessions() as session:
        statuses = (await session.scalars(sa.select(OutboxMessage.status).where(
            OutboxMessage.batch == "three-tenants"))).all()
    assert statuses == ["sent"] * 3


async def test_the_connector_refuses_a_reply_sent_with_another_registrations_token(three):
    """The stand-in is strict where Azure is: Bergen's token cannot write to Alver's conversation."""
    harness, login = three
    import aiohttp

    from bot.auth.registrations import Registration, credentials_for

    bergen = Registration(APPS["bergen"], TENANTS["bergen"], password=SECRETS["bergen"])
    token = credentials_for(bergen, login_authority=login.url, ca_bundle=login.ca_file).get_access_token()
    url = f"{harness.connector.url}v3/conversations/{USERS['alver'].personal_conversation}/activities"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"type": "message", "text": "x"},
                             headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == 403
        async with http.post(url, json={"type": "message", "text": "x"}) as response:
            assert response.status == 401
    assert harness.connector.messages() == []


def test_the_list_is_checked_entry_by_entry(monkeypatch):
    monkeypatch.delenv("NOT_SET", raising=False)
    bad = json.dumps([{"app_id": APPS["alver"], "tenant_id": "not-a-guid", "password": "x"},
                      {"app_id": APPS["bergen"], "tenant_id": TENANTS["bergen"], "password_env": "NOT_SET"},
                      {"app_id": APPS["alver"], "tenant_id": TENANTS["voss"], "type": "UserAssignedMSI"}])
    with pytest.raises(ConfigError) as caught:
        load_settings(BOT_REGISTRATIONS=bad)
    message = str(caught.value)
    assert "BOT_REGISTRATIONS: [0].tenant_id: must be the tenant's GUID" in message
    assert "[1].password_env: the variable NOT_SET is not set" in message
    assert "[2].app_id: the same app id as [0]" in message


def test_a_yaml_file_and_the_classic_single_settings_both_work(tmp_path):
    path = tmp_path / "registrations.yaml"
    path.write_text(f"registrations:\n  - name: Voss\n    app_id: {APPS['voss']}\n    tenant_id: {TENANTS['voss']}\n"
                    f"    type: UserAssignedMSI\n", encoding="utf-8")
    (voss,) = parse(str(path))
    assert (voss.app_id, voss.tenant_id, voss.type, voss.password) == (APPS["voss"], TENANTS["voss"],
                                                                        "UserAssignedMSI", "")
    classic = load_settings(MicrosoftAppId=APPS["alver"], MicrosoftAppPassword="s", MicrosoftAppType="SingleTenant",
                            MicrosoftAppTenantId=TENANTS["alver"]).registrations
    assert [(r.app_id, r.tenant_id, r.type) for r in classic.all] == [(APPS["alver"], TENANTS["alver"],
                                                                       "SingleTenant")]
    assert "secret" not in repr(classic.all[0]) and "s)" not in repr(classic.all[0])
