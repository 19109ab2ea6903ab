"""Content structure and media: co-instructors, enrollments, content versions, skills, the
prerequisite graphs, media files and resumable uploads.

Revision ID: content_media
Revises: initial_schema
Create Date: 2026-11-25 08:56:25.801624
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "content_media"
down_revision: str | Sequence[str] | None = "initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_blob",
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("checksum", name=op.f("pk_media_blob")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_media_blob_storage_key")),
    )
    op.create_table(
        "skill",
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("skill_id", name=op.f("pk_skill")),
        sa.UniqueConstraint("slug", name=op.f("uq_skill_slug")),
    )
    op.create_table(
        "media",
        sa.Column("media_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=255), nullable=True),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checksum"],
            ["media_blob.checksum"],
            name=op.f("fk_media_checksum_media_blob"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.user_id"],
            name=op.f("fk_media_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", name=op.f("pk_media")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_checksum"), ["checksum"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "skill_prerequisite",
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.Column("requires_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requires_id"],
            ["skill.skill_id"],
            name=op.f("fk_skill_prerequisite_requires_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.skill_id"],
            name=op.f("fk_skill_prerequisite_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("skill_id", "requires_id", name=op.f("pk_skill_prerequisite")),
    )
    with op.batch_alter_table("skill_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skill_prerequisite_requires_id"), ["requires_id"], unique=False
        )

    op.create_table(
        "media_upload",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("received_bytes", sa.BigInteger(), nullable=False),
        sa.Column("staging_key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("media_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.media_id"],
            name=op.f("fk_media_upload_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.user_id"],
            name=op.f("fk_media_upload_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_media_upload")),
    )
    with op.batch_alter_table("media_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_upload_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_media_upload_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "course_instructor",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_course_instructor_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_course_instructor_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", "user_id", name=op.f("pk_course_instructor")),
    )
    with op.batch_alter_table("course_instructor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_instructor_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enrollment",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_enrollment_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_enrollment_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_enrollment")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_enrollment_user_id_course_id")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_course_id"), ["course_id"], unique=False)

    op.create_table(
        "module_prerequisite",
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("requires_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.module_id"],
            name=op.f("fk_module_prerequisite_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requires_id"],
            ["modules.module_id"],
            name=op.f("fk_module_prerequisite_requires_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("module_id", "requires_id", name=op.f("pk_module_prerequisite")),
    )
    with op.batch_alter_table("module_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_module_prerequisite_requires_id"), ["requires_id"], unique=False
        )

    op.create_table(
        "content_item_skill",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_item_skill_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.skill_id"],
            name=op.f("fk_content_item_skill_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "skill_id", name=op.f("pk_content_item_skill")),
    )
    with op.batch_alter_table("content_item_skill", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_item_skill_skill_id"), ["skill_id"], unique=False
        )

    op.create_table(
        "content_version",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column(
            "content", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "skill_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("change_note", sa.String(length=500), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.user_id"],
            name=op.f("fk_content_version_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_version_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_content_version")),
        sa.UniqueConstraint(
            "content_id", "version", name=op.f("uq_content_version_content_id_version")
        ),
    )
    with op.batch_alter_table("content_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_version_author_id"), ["author_id"], unique=False
        )

    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_required", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_media_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "settings",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="{}",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("search_document", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(
            batch_op.f("ix_courses_cover_media_id"), ["cover_media_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_courses_cover_media_id_media"),
            "media",
            ["cover_media_id"],
            ["media_id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("user_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_progress", schema=None) as batch_op:
        batch_op.drop_column("content_version")

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_courses_cover_media_id_media"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_courses_cover_media_id"))
        batch_op.drop_column("revision")
        batch_op.drop_column("search_document")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("settings")
        batch_op.drop_column("cover_media_id")

    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_column("is_required")
        batch_op.drop_column("published_version")

    with op.batch_alter_table("content_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_version_author_id"))

    op.drop_table("content_version")
    with op.batch_alter_table("content_item_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_item_skill_skill_id"))

    op.drop_table("content_item_skill")
    with op.batch_alter_table("module_prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_prerequisite_requires_id"))

    op.drop_table("module_prerequisite")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_course_id"))

    op.drop_table("enrollment")
    with op.batch_alter_table("course_instructor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_instructor_user_id"))

    op.drop_table("course_instructor")
    with op.batch_alter_table("media_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_upload_owner_id"))
        batch_op.drop_index(batch_op.f("ix_media_upload_expires_at"))

    op.drop_table("media_upload")
    with op.batch_alter_table("skill_prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_prerequisite_requires_id"))

    op.drop_table("skill_prerequisite")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_owner_id"))
        batch_op.drop_index(batch_op.f("ix_media_checksum"))

    op.drop_table("media")
    op.drop_table("skill")
    op.drop_table("media_blob")
