"""Full-text search over the course catalog (courses.search_document).

SQLite: an external-content FTS5 table ``course_fts`` (rowid = courses.rowid) kept in sync by
three triggers, filled from the existing rows. PostgreSQL: a GIN index on
``to_tsvector('simple', search_document)``, the expression the catalog query uses.

Neither is declared in the models (an FTS5 table cannot be), so ``learnwise.migrate.include_name``
leaves them out of the models-versus-database comparison.

On SQLite, anything that rebuilds ``courses`` (a batch migration, VACUUM, which may renumber
rowids of tables without an INTEGER PRIMARY KEY) drops the triggers or stales the index: such a
migration must recreate the triggers and run ``INSERT INTO course_fts(course_fts) VALUES
('rebuild')``.

Revision ID: course_search
Revises: content_media
Create Date: 2026-11-25 10:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "course_search"
down_revision: str | Sequence[str] | None = "content_media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_INDEX = "ix_courses_search_document_fts"

SQLITE_UPGRADE = [
    """
    CREATE VIRTUAL TABLE course_fts USING fts5(
        search_document, content='courses', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER courses_fts_insert AFTER INSERT ON courses BEGIN
        INSERT INTO course_fts(rowid, search_document) VALUES (new.rowid, new.search_document);
    END
    """,
    """
    CREATE TRIGGER courses_fts_delete AFTER DELETE ON courses BEGIN
        INSERT INTO course_fts(course_fts, rowid, search_document)
        VALUES ('delete', old.rowid, old.search_document);
    END
    """,
    """
    CREATE TRIGGER courses_fts_update AFTER UPDATE OF search_document ON courses BEGIN
        INSERT INTO course_fts(course_fts, rowid, search_document)
        VALUES ('delete', old.rowid, old.search_document);
        INSERT INTO course_fts(rowid, search_document) VALUES (new.rowid, new.search_document);
    END
    """,
    "INSERT INTO course_fts(course_fts) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS courses_fts_update",
    "DROP TRIGGER IF EXISTS courses_fts_delete",
    "DROP TRIGGER IF EXISTS courses_fts_insert",
    "DROP TABLE IF EXISTS course_fts",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_INDEX} ON courses "
            "USING gin (to_tsvector('simple'::regconfig, search_document))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
