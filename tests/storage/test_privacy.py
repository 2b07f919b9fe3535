"""GDPR access and erasure: `samarbeidsbot person export|forget` against a real database.

The director of Alver answers a consultation in Teams, chooses a language, gives Q&A
feedback, has a question escalated and votes on a case; export must list all of it,
and forget must remove every identifier while the answer and the vote stay on record.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.cli.main import main
from storage import privacy
from storage.models import (
    AuditEntry,
    Body,
    Case,
    Consultation,
    ConsultationResponse,
    ConversationRef,
    EscalatedQuestion,
    Network,
    OutboxMessage,
    Person,
    QaFeedback,
    Seat,
    UserPreference,
    Vote,
)
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUESTIONS = [{"key": "merknader", "kind": "text", "required": True,
              "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}}]


async def _cli(monkeypatch, db, *argv: str) -> tuple[int, str, str]:
    """Run the real command line in a thread (it runs its own event loop) against the test database."""
    import contextlib
    import io

    monkeypatch.setenv("DATABASE_URL", db.url)
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return main(list(argv))

    code = await asyncio.to_thread(run)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
async def director_history(bot):
    """Everything a director leaves behind in a month of use."""
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="priv-hoyring", title="Høyring om personvern",
                                 deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS, revision=1))
    receipt = await bot.submit(DV_DIRECTOR, {"action": "consultation.answer", "consultation": "priv-hoyring",
                                             "revision": 1, "kind": "individual", "q_merknader": "Alver støttar"})
    assert "Kvittering" in message_text(receipt[0])
    await bot.say_text(DV_DIRECTOR, "språk en")
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        me = await session.scalar(select(Person).where(Person.aad_object_id == DV_DIRECTOR.aad))
        session.add(QaFeedback(network_id=dv.id, person_id=me.id, tenant_id=DV_DIRECTOR.tenant,
                               aad_object_id=DV_DIRECTOR.aad, question="kven er leiar?", useful=False))
        session.add(EscalatedQuestion(network_id=dv.id, asker_id=me.id, language="nn",
                                      question="Kva kostar det for Alver?", asker_conversation_id="a:x"))
        body = await session.scalar(select(Body).where(Body.network_id == dv.id, Body.kind == "steering_group"))
        case = Case(network_id=dv.id, body_id=body.id, key="sak-priv", title="Sak", proposal="Forslag",
                    deadline=NOW + timedelta(days=3), created_by_id=None)
        session.add(case)
        await session.flush()
        session.add(Vote(case_id=case.id, person_id=me.id, option="einig", version=1))
    return me.id


async def test_export_lists_everything_stored_about_the_person(bot, director_history, monkeypatch, tmp_path):
    out = tmp_path / "export.json"
    code, _stdout, _err = await _cli(monkeypatch, bot.db, "person", "export", "--network", "digivestland",
                                     DV_DIRECTOR.aad, "--out", str(out))
    assert code == 0
    data = json.loads(out.read_text())
    assert data["person"]["aad_object_id"] == DV_DIRECTOR.aad and data["person"]["municipality"] == "Alver"
    assert [a["answers"] for a in data["consultation_answers"]] == [{"merknader": "Alver støttar"}]
    assert data["consultation_answers"][0]["municipality"] == "Alver"
    assert [p["language"] for p in data["preferences"]] == ["en"]
    assert any(c["conversation_id"] == DV_DIRECTOR.personal_conversation for c in data["conversations"])
    assert [f["question"] for f in data["feedback"]] == ["kven er leiar?"]
    assert [q["question"] for q in data["escalated_questions"]] == ["Kva kostar det for Alver?"]
    assert [(v["case"], v["option"]) for v in data["votes"]] == [("sak-priv", "einig")]
    assert {"consultation.answer", "user.language"} <= {a["action"] for a in data["audit"]}
    assert data["seats"], "the director's seat in the steering group is part of the export"


async def test_unknown_person_is_a_usage_error(bot, monkeypatch):
    code, _out, err = await _cli(monkeypatch, bot.db, "person", "export", "--network", "digivestland",
                                 "nobody@example.org")
    assert code == 2 and "no person 'nobody@example.org' in digivestland" in err
    code, _out, err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "nowhere", "x")
    assert code == 2 and "unknown network" in err


async def _dump_without_audit(db) -> str:
    """Every value in every table except the append-only audit log, as one string."""
    from storage.models import Base

    parts = []
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_log":
                continue
            for row in (await session.execute(select(table))).all():
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


async def test_forget_removes_identifiers_and_keeps_the_official_records(bot, director_history, monkeypatch):
    pid = director_history
    async with bot.db.session() as session:
        me = await session.get(Person, pid)
        name, email = me.name, me.email
    before = await _dump_without_audit(bot.db)
    assert name in before and DV_DIRECTOR.aad in before

    code, out, _err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "digivestland",
                                 DV_DIRECTOR.aad)
    assert code == 0
    report = json.loads(out)
    assert report["kept_anonymised"]["consultation_answers"] == 1 and report["kept_anonymised"]["votes"] == 1
    assert report["deleted"]["user_preferences"] == 1 and report["deleted"]["qa_feedback"] == 1

    after = await _dump_without_audit(bot.db)
    for identifier in (name, DV_DIRECTOR.aad, DV_DIRECTOR.personal_conversation):
        assert identifier not in after, identifier
    if email:
        assert email not in after
    async with bot.db.session() as session:
        me = await session.get(Person, pid)
        assert (me.name, me.anonymised, me.aad_object_id, me.key) == (privacy.ERASED_NAME, True, None, None)
        answer = await session.scalar(select(ConsultationResponse).join(Consultation).where(
            Consultation.key == "priv-hoyring"))
        assert answer.submitted_by_id == pid and answer.answers == {"merknader": "Alver støttar"}
        assert answer.municipality_id is not None
        assert (await session.scalar(select(Vote.option).where(Vote.person_id == pid))) == "einig"
        for model in (UserPreference, QaFeedback, EscalatedQuestion):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        assert await session.scalar(select(func.count()).select_from(ConversationRef).where(
            ConversationRef.conversation_id == DV_DIRECTOR.personal_conversation)) == 0
        assert await session.scalar(select(func.count()).select_from(Seat).where(Seat.person_id == pid)) == 0
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "person.forget"))).all()
        assert len(audit) == 1 and audit[0].target == f"person:{pid}"
        assert name not in json.dumps(audit[0].details)


async def test_forget_is_idempotent_by_any_identifier(bot, director_history, monkeypatch):
    code, _out, _err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "digivestland",
                                  "dv-direktor-alver")
    assert code == 0
    for again in ("dv-direktor-alver", DV_DIRECTOR.aad, str(director_history)):
        code, out, _err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "digivestland", again)
        assert code == 0 and json.loads(out)["already_erased"] is True, again
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "person.forget")) == 1


async def test_after_erasure_the_user_is_a_stranger_and_a_data_reload_does_not_undo_it(
        bot, director_history, monkeypatch):
    code, _out, err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "digivestland",
                                 DV_DIRECTOR.aad)
    assert code == 0 and "still listed in the data files" in err
    code, _out, _err = await _cli(monkeypatch, bot.db, "data", "load")
    assert code == 0
    async with bot.db.session() as session:
        erased = await session.get(Person, director_history)
        assert erased.name == privacy.ERASED_NAME and erased.anonymised
    # The data file still names the demo director with the same Teams id: the reload makes a new profile.
    async with bot.db.session() as session:
        fresh = await session.scalar(select(Person).where(Person.aad_object_id == DV_DIRECTOR.aad))
        assert fresh is not None and fresh.id != director_history and not fresh.anonymised


async def test_forget_on_each_backend(any_db):
    """The erasure itself, on SQLite and PostgreSQL."""
    async with any_db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        me = await privacy.find(session, dv, DV_DIRECTOR.aad)
        session.add(UserPreference(tenant_id=me.tenant_id, aad_object_id=me.aad_object_id, language="en"))
    async with any_db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        me = await privacy.find(session, dv, DV_DIRECTOR.aad)
        exported = await privacy.export(session, dv, me)
        assert exported["preferences"][0]["language"] == "en"
        result = await privacy.forget(session, dv, me, named_as=DV_DIRECTOR.aad)
        assert result.deleted["user_preferences"] == 1
    async with any_db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        assert await privacy.was_erased(session, dv, DV_DIRECTOR.aad) is not None
        assert (await session.execute(text("SELECT count(*) FROM user_preferences"))).scalar() == 0


# --- logs: no message text at INFO and above, retention ---------------------------------------

SECRET = "Raudtopp-hemmeleg-7741 ærlig talt"


async def test_message_text_never_reaches_logs_at_info(bot, tmp_path, caplog):
    """Questions, card data, invokes, long texts and a failing turn, all carrying a secret:
    no INFO-or-above record and nothing in the log file contains it."""
    import logging

    from bot.logging_setup import configure, load_log_settings

    log_file = tmp_path / "bot.log"
    handlers = configure(load_log_settings(LOG_FILE=str(log_file), LOG_LEVEL="INFO"))
    caplog.set_level(logging.INFO)
    try:
        await bot.say(DV_DIRECTOR, f"kven leiar styringsgruppa? {SECRET}")
        await bot.say(DV_DIRECTOR, SECRET)
        await bot.say(DV_DIRECTOR, SECRET * 200)  # over the length cap
        await bot.say(DV_SECRETARIAT, f"ny høyring {SECRET}")
        await bot.submit(DV_SECRETARIAT, {"action": "consultation.preview", "title": SECRET, "deadline": SECRET})
        await bot.submit(DV_DIRECTOR, {"action": f"no.such.{SECRET}", "x": SECRET})
        await bot.submit(DV_DIRECTOR, {"action": "consultation.answer", "consultation": SECRET, "revision": SECRET})
        await bot.execute(DV_DIRECTOR, f"verb.{SECRET}", {"text": SECRET})
        await bot.say(STRANGER_IN_LOGS, SECRET)
        # input in an activity's structure: an unknown channelData key (the SDK's deserializer warns about it)
        # (read by botbuilder's Teams helpers when the bot looks up someone it does not know yet)
        await bot.send(bot.activity(NEWCOMER_IN_LOGS, text="hjelp", channelData={
            "tenant": {"id": NEWCOMER_IN_LOGS.tenant}, f"{SECRET}\n2026-11-23 ERROR forged line": 1}))
        logging.getLogger("samarbeidsbot.app").warning("odd %s", "value\nERROR forged line")
        # a turn that fails inside the bot with the text in the exception message
        logging.getLogger("samarbeidsbot.app").exception("turn failed", exc_info=ValueError(f"bad: {SECRET}"))
        await bot.drain()
    finally:
        for handler in handlers:
            handler.flush()
            logging.getLogger().removeHandler(handler)
            handler.close()
    leaking = [r for r in caplog.records if r.levelno >= logging.INFO and SECRET[:20] in r.getMessage()]
    assert not leaking, [r.getMessage()[:120] for r in leaking]
    written = log_file.read_text(encoding="utf-8")
    assert "ValueError (message withheld" in written, "the failing turn is logged, without its message"
    assert SECRET[:20] not in written
    assert not any(line.startswith(("ERROR forged", "2026-11-23 ERROR forged")) for line in written.splitlines())
    assert "odd value\\nERROR forged line" in written  # escaped, on the line of its own record


STRANGER_IN_LOGS = DV_DIRECTOR.__class__("logs-stranger", "Ukjend", "77777777-0000-0000-0000-000000000077")
NEWCOMER_IN_LOGS = DV_DIRECTOR.__class__("logs-newcomer", "Ny", "66666666-0000-0000-0000-000000000066")


def test_rotated_logs_older_than_the_retention_are_deleted(tmp_path):
    import os
    import time

    from bot.logging_setup import load_log_settings, remove_expired

    log_file = tmp_path / "bot.log"
    log_file.write_text("today\n")
    old = tmp_path / "bot.log.2026-09-01"
    recent = tmp_path / "bot.log.2026-11-20"
    for path, days in ((old, 83), (recent, 3)):
        path.write_text("x\n")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    assert remove_expired(log_file, load_log_settings(LOG_RETENTION_DAYS="30").retention_days) == [old]
    assert recent.exists() and log_file.exists()
    with pytest.raises(ValueError, match="LOG_RETENTION_DAYS: must be a number of days"):
        load_log_settings(LOG_RETENTION_DAYS="0")


async def test_forget_scrubs_the_name_and_question_from_messages_to_others_and_the_audit_log(bot, monkeypatch):
    """A question escalated to the secretariat leaves the asker's name and words in the messages queued for
    each secretariat member and in the audit entry: after erasure neither is anywhere."""
    question = "Kor mykje kostar Alver sin del av lisensen 7731?"
    bot.member(DV_DIRECTOR)
    await bot.install(DV_DIRECTOR)
    await bot.submit(DV_DIRECTOR, {"action": "qa.escalate", "q": question, "lang": "nn"})
    await bot.drain()
    async with bot.db.session() as session:
        name = (await session.scalar(select(Person).where(Person.aad_object_id == DV_DIRECTOR.aad))).name
        payloads = [json.dumps(p, ensure_ascii=False) for p in (await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.batch.like("qa-escalation:%")))).all()]
        audit = [json.dumps([a.actor, a.details], ensure_ascii=False)
                 for a in (await session.scalars(select(AuditEntry))).all()]
    assert payloads and all(question in p and name in p for p in payloads)
    assert any(question in a for a in audit)

    code, _out, _err = await _cli(monkeypatch, bot.db, "person", "forget", "--network", "digivestland",
                                  DV_DIRECTOR.aad)
    assert code == 0
    async with bot.db.session() as session:
        payloads = [json.dumps(p, ensure_ascii=False) for p in (await session.scalars(
            select(OutboxMessage.payload))).all()]
        audit = [json.dumps([a.actor, a.target, a.details], ensure_ascii=False)
                 for a in (await session.scalars(select(AuditEntry))).all()]
    for needle in (question, name, DV_DIRECTOR.aad):
        assert not any(needle in p for p in payloads), needle
        assert not any(needle in a for a in audit), needle
