"""One line of migrations, and the models are what the migrations build."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import alembic_config
from storage.models import Base


def test_there_is_one_head_so_alembic_upgrade_head_works_and_new_revisions_have_a_place():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_every_revision_but_the_first_and_the_merge_names_exactly_one_parent():
    script = ScriptDirectory.from_config(alembic_config())
    merges = [rev.revision for rev in script.walk_revisions() if isinstance(rev.down_revision, tuple)]
    assert merges == ["0004"], merges  # the one merge of the old 0003 branches; linear after it


async def test_the_models_match_the_migrated_schema(empty_db):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with empty_db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    # indexes are named differently by SQLite and PostgreSQL reflection; tables and columns must match
    tables_or_columns = [c for c in changes if isinstance(c, tuple) and c[0] in
                         ("add_table", "remove_table", "add_column", "remove_column")]
    assert tables_or_columns == [], tables_or_columns
