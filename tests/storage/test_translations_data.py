"""Working translations (data/translations/) are checked like the other side files and kept on the rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import BUNDLED_DATA
from storage.loader import load_path
from storage.models import Body, Clause, Event
from storage.translations_data import Texts, as_stored
from storage.validate import DataError


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, target)
    return target


def test_only_the_languages_given_are_kept():
    assert as_stored(text=Texts(en="The chair decides.", nb=" "), heading=Texts()) == {"text": {"en": "The chair decides."}}


async def test_the_bundled_translations_reach_the_clauses_bodies_and_events(any_db):
    async with any_db.session() as session:
        clauses = (await session.scalars(select(Clause))).all()
        bodies = (await session.scalars(select(Body))).all()
        events = (await session.scalars(select(Event))).all()
    assert clauses and all((c.translations.get("text") or {}).get("en") for c in clauses if c.text.strip())
    assert any((b.translations.get("description") or {}).get("en") for b in bodies)
    assert any((e.translations.get("title") or {}).get("en") for e in events)


async def test_a_translation_of_a_clause_that_does_not_exist_is_refused_and_nothing_is_written(empty_db, data_copy):
    (data_copy / "translations" / "zz.yaml").write_text(
        "network: digivestland\nclauses:\n  - ref: samarbeidsavtale/2020/finst-ikkje\n    text: {en: Nothing.}\n",
        encoding="utf-8")
    with pytest.raises(DataError) as caught:
        await load_path(empty_db, data_copy)
    assert "zz.yaml" in str(caught.value) and "finst-ikkje" in str(caught.value)
    async with empty_db.session() as session:
        assert (await session.scalars(select(Clause))).first() is None


async def test_a_removed_translation_is_removed_from_its_row_on_reload(empty_db, data_copy):
    await load_path(empty_db, data_copy)
    for file in (data_copy / "translations").iterdir():
        file.unlink()
    report = await load_path(empty_db, data_copy)
    assert report.updated.get("clauses")
    async with empty_db.session() as session:
        assert all(c.translations == {} for c in (await session.scalars(select(Clause))).all())
