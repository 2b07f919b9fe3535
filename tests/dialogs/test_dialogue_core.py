"""Dialogue tests for the foundation: (who, what they send, what the bot must answer).

Every row goes through HTTP: the bot on loopback, replies captured by the
loopback Bot Connector.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, ConversationRef, Person, UserPreference
from tests.harness import (
    DA_DIRECTOR,
    DIT_DIRECTOR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    OUTSIDER,
    STRANGER,
    BotHarness,
    TeamsUser,
    message_text,
    play,
)

# (user, message, fragments the answer must contain, fragments it must not contain)
CONVERSATIONS = [
    (DV_DIRECTOR, "hjelp", ["Dette kan eg hjelpe med", "kommunedirektør", "Alver", "språk nn | nb | en"],
     ["Dette kan jeg"]),
    (DV_DIRECTOR, "Hjelp!", ["Dette kan eg hjelpe med"], []),
    (DV_DIRECTOR, "help", ["Dette kan eg hjelpe med"], []),
    (DV_SECRETARIAT, "hjelp", ["Som sekretariat"], ["Som observatør"]),
    (DV_OBSERVER, "hjelp", ["Som observatør", "Styringsgruppa"], ["Som sekretariat"]),
    (DA_DIRECTOR, "hjelp", ["Dette kan jeg hjelpe med", "Bærum"], ["Dette kan eg"]),
    (DIT_DIRECTOR, "hjelp", ["Dette kan jeg hjelpe med", "Sigdal"], []),
    (DV_DIRECTOR, "hei", ["Velkomen til Samarbeidsbot", "DigiVestland"], []),
    (DA_DIRECTOR, "hei", ["Velkommen til Samarbeidsbot", "Digitale Akershus"], []),
    (DV_DIRECTOR, "språk", ["språk nn"], []),
    (DV_DIRECTOR, "språk klingon", ["språk nn"], []),
    (DV_DIRECTOR, "   ", ["Skriv eit spørsmål"], []),
    (DV_DIRECTOR, "x" * 2500, ["for lang (2500 teikn)", "2000"], []),
    (STRANGER, "hjelp", ["Du er ikkje registrert"], ["kommunedirektør"]),
    (STRANGER, "hei", ["Eg kjenner deg ikkje att enno", "DigiVestland", "Sekretariatet kan leggje deg til"], []),
]


@pytest.mark.parametrize(("user", "text", "expected", "unexpected"), CONVERSATIONS,
                         ids=[f"{u.key}:{t[:20]}" for u, t, *_ in CONVERSATIONS])
async def test_conversation(bot, user, text, expected, unexpected):
    answer = await bot.say_text(user, text)
    for fragment in expected:
        assert fragment in answer, f"{fragment!r} not in {answer!r}"
    for fragment in unexpected:
        assert fragment not in answer


async def test_install_greets_a_director_in_nynorsk_and_stores_the_conversation(bot):
    replies = await bot.install(DV_DIRECTOR)
    assert len(replies) == 1
    card = replies[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    text = message_text(replies[0])
    assert "Velkomen til Samarbeidsbot" in text and "DigiVestland" in text and "kommunedirektør" in text
    async with bot.db.session() as session:
        ref = await session.scalar(select(ConversationRef).where(
            ConversationRef.conversation_id == DV_DIRECTOR.personal_conversation))
        person = await session.scalar(select(Person).where(Person.key == "dv-direktor-alver"))
    assert ref is not None and ref.active and ref.person_id == person.id
    assert ref.service_url == bot.connector.url and ref.tenant_id == DV_DIRECTOR.tenant
    assert ref.reference["conversation"]["id"] == DV_DIRECTOR.personal_conversation


async def test_install_in_a_channel_greets_everyone_without_naming_the_installer(bot):
    replies = await bot.install(DV_DIRECTOR, conversation_type="channel", conversation_id="19:kanal@thread.tacv2")
    text = message_text(replies[0])
    assert "Velkomen til Samarbeidsbot" in text and "DigiVestland" in text
    assert "Ingrid" not in text and "kommunedirektør" not in text


async def test_install_greets_in_bokmal_for_a_bokmal_network(bot):
    text = message_text((await bot.install(DIT_DIRECTOR))[0])
    assert "Velkommen til Samarbeidsbot" in text and "DigIT" in text


async def test_an_unknown_user_with_no_network_is_told_whom_to_ask(db):
    harness = BotHarness(db)  # no DEFAULT_NETWORK and a tenant no network claims
    await harness.start()
    try:
        replies = await harness.install(OUTSIDER)
        text = "\n".join(message_text(r) for r in replies)
        assert "Eg veit ikkje kva for samarbeid du høyrer til" in text
        assert "Eg veit ikkje kva for samarbeid" in await harness.say_text(OUTSIDER, "kven leiar styringsgruppa")
    finally:
        await harness.stop()


async def test_the_bot_removed_from_a_chat_stops_sending_there_and_keeps_history(bot):
    await bot.install(DV_DIRECTOR)
    body = bot.activity(DV_DIRECTOR, type="conversationUpdate", membersRemoved=[{"id": "28:samarbeidsbot-test"}])
    assert await bot.send(body) == []
    async with bot.db.session() as session:
        ref = await session.scalar(select(ConversationRef).where(
            ConversationRef.conversation_id == DV_DIRECTOR.personal_conversation))
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert ref is not None and not ref.active
    assert "app.removed" in actions


async def test_language_choice_is_stored_and_used_from_then_on(bot):
    assert "The language is now English." in await bot.say_text(DV_DIRECTOR, "språk en")
    assert "What I can help with" in await bot.say_text(DV_DIRECTOR, "hjelp")
    assert "Språket er nå bokmål." in await bot.say_text(DV_DIRECTOR, "language nb")
    assert "Dette kan jeg hjelpe med" in await bot.say_text(DV_DIRECTOR, "hjelp")
    async with bot.db.session() as session:
        pref = await session.scalar(select(UserPreference).where(UserPreference.aad_object_id == DV_DIRECTOR.aad))
    assert pref.language == "nb"


async def test_a_channel_message_with_an_at_mention_is_understood(bot):
    body = bot.activity(DV_DIRECTOR, text="<at>Samarbeidsbot</at> hjelp", conversation_type="channel",
                        conversation_id="19:general@thread.tacv2;messageid=1",
                        entities=[{"type": "mention", "text": "<at>Samarbeidsbot</at>",
                                   "mentioned": {"id": "28:samarbeidsbot-test", "name": "Samarbeidsbot"}}])
    replies = await bot.send(body)
    assert "Dette kan eg hjelpe med" in message_text(replies[0])


async def test_the_same_activity_delivered_twice_is_answered_once(bot):
    body = bot.activity(DV_DIRECTOR, text="språk en")
    first = await bot.send(body)
    second = await bot.send(body)
    assert len(first) == 1 and second == []
    async with bot.db.session() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.language"))).all()
    assert len(entries) == 1


async def test_the_same_activity_delivered_twice_at_once_is_answered_once(bot):
    import asyncio

    body = bot.activity(DV_DIRECTOR, text="språk en")
    responses = await asyncio.gather(bot.post(body), bot.post(body))
    assert [r.status for r in responses] == [200, 200]
    assert len(bot.connector.messages(DV_DIRECTOR.personal_conversation)) == 1
    async with bot.db.session() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.language"))).all()
    assert len(entries) == 1


async def test_a_turn_that_failed_is_done_when_teams_delivers_it_again(bot):
    """The record that an activity was handled is part of the turn's transaction: a turn that fails
    (here the database loses a table for a moment) leaves nothing, so the redelivery is handled."""
    from sqlalchemy import text as sql

    async with bot.db.session() as session:
        await session.execute(sql("ALTER TABLE user_preferences RENAME TO user_preferences_away"))
    body = bot.activity(DV_DIRECTOR, text="språk en")
    first = "\n".join(message_text(m) for m in await bot.send(body))
    assert "Orsak, noko gjekk gale" in first
    async with bot.db.session() as session:
        await session.execute(sql("ALTER TABLE user_preferences_away RENAME TO user_preferences"))
    again = "\n".join(message_text(m) for m in await bot.send(body))
    assert "The language is now English." in again
    assert "What I can help with" in await bot.say_text(DV_DIRECTOR, "hjelp")
    assert await bot.send(body) == []  # and now it is handled: a third delivery changes nothing


async def test_a_user_is_linked_to_their_stored_person_by_email_through_the_member_lookup(bot):
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dv-sekretariat-1"))
        person.aad_object_id = person.tenant_id = None
        email = person.email
    newcomer = TeamsUser("newcomer", "Ny brukar", "77777777-0000-0000-0000-000000000077", email)
    bot.member(newcomer)
    answer = await bot.say_text(newcomer, "hjelp")
    assert "Som sekretariat" in answer
    async with bot.db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dv-sekretariat-1"))
    assert person.aad_object_id == newcomer.aad and person.tenant_id == newcomer.tenant


async def test_an_unknown_card_action_gets_a_clear_answer(bot):
    body = bot.activity(DV_DIRECTOR, value={"action": "does-not-exist", "id": 7})
    replies = await bot.send(body)
    assert "Dette kortet kjenner eg ikkje att" in message_text(replies[0])


async def test_an_unexpected_error_gets_an_apology_with_a_reference_not_a_stack_trace(bot):
    from sqlalchemy import text as sql

    async with bot.db.session() as session:  # a real fault: the table the turn writes to is gone
        await session.execute(sql("DROP TABLE user_preferences"))
    answer = await bot.say_text(DV_DIRECTOR, "språk en")
    assert "Orsak, noko gjekk gale" in answer and "referansen" in answer
    assert "user_preferences" not in answer and "Traceback" not in answer


# The language a person chooses holds for what comes after, also for what the bot sends them unasked
# (dialogs/language.py; the choice stored by storage.directory). (who, sends, must show, must not show)
LANGUAGE_CHOICE = [
    (DV_DIRECTOR, "hjelp", ["Dette kan eg hjelpe med"], ["Dette kan jeg", "What I can help with"]),
    (DV_DIRECTOR, "språk en", ["The language is now English."], []),
    (DV_DIRECTOR, "hjelp", ["What I can help with"], ["Dette kan eg"]),
    (DV_DIRECTOR, "language nb", ["Språket er nå bokmål."], []),
    (DV_DIRECTOR, "hjelp", ["Dette kan jeg hjelpe med"], ["What I can help with", "Dette kan eg"]),
    (DV_SECRETARIAT, "hjelp", ["Dette kan eg hjelpe med"], ["Dette kan jeg"]),  # one person's choice only
]


async def test_a_chosen_language_holds_for_that_person_only_as_a_table(bot):
    for user in (DV_DIRECTOR, DV_SECRETARIAT):
        await bot.install(user)
    await play(bot, LANGUAGE_CHOICE)
