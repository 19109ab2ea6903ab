"""Writing a checked archive (``archive_checks.ImportPlan``) into the database, inside the
import's transaction: its media files through the media service, its skills, and the course
with its modules and items."""

import dataclasses
import uuid

import structlog
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from learnwise.auth.service import Principal
from learnwise.content import item_versions
from learnwise.content import service as content_service
from learnwise.content.archive_checks import ImportPlan, parse_item_content
from learnwise.content.archive_document import batches
from learnwise.content.archive_schemas import ArchivedCourse
from learnwise.content.content_types import dump_content, with_question_skills
from learnwise.content.exceptions import SlugTaken
from learnwise.content.models import ContentItem, Course, Module, ModulePrerequisite, Skill
from learnwise.content.schemas import CourseCreate, ModuleStatus
from learnwise.db import utcnow
from learnwise.media import storing
from learnwise.media.models import Media, MediaBlob
from learnwise.platform.runtime import Runtime
from learnwise.skills import service as skills_service
from learnwise.skills.schemas import SkillCreate

log = structlog.get_logger(__name__)

SLUG_ATTEMPTS = 3


async def store_media(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    plan: ImportPlan,
    stored_keys: list[str],
) -> tuple[dict[str, str], int]:
    """Stores each media file the course uses through the media service (checked again,
    deduplicated by checksum, counted against the importer's quota); a file the importer has
    stored already is reused. Returns the media id of each archive path, and how many files
    were reused. ``stored_keys`` receives the storage key of each file stored."""
    checksums = {plan.media[path].spooled.checksum for path in plan.used_media}
    own: dict[tuple[str, str], Media] = {}
    for batch in batches(sorted(checksums)):
        for media in await session.scalars(
            select(Media)
            .where(Media.owner_id == principal.user_id, Media.checksum.in_(batch))
            .order_by(Media.created_at.desc())
        ):
            own[(media.checksum, media.content_type)] = media  # the oldest wins
    # The media service looks blobs up in sessions of its own; joined to this transaction
    # they see what the import stored so far (and on SQLite they do not wait for its lock).
    joined = dataclasses.replace(
        runtime,
        sessionmaker=async_sessionmaker(
            bind=await session.connection(),
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        ),
    )
    ids: dict[str, str] = {}
    reused = 0
    for path in plan.used_media:
        checked = plan.media[path]
        mine = own.get((checked.spooled.checksum, checked.file_type.content_type))
        if mine is not None:
            ids[path] = str(mine.media_id)
            reused += 1
            continue
        media = await storing.check_and_store(
            runtime=joined,
            session=session,
            principal=principal,
            name=checked.filename,
            spooled=checked.spooled,
        )
        blob = await session.get(MediaBlob, media.checksum)
        assert blob is not None  # media.checksum is a foreign key
        stored_keys.append(blob.storage_key)
        ids[path] = str(media.media_id)
    return ids, reused


async def delete_unused_blobs(*, runtime: Runtime, session: AsyncSession, keys: list[str]) -> None:
    """After a failed import: deletes the stored objects no blob record points at any more
    (those the import added; objects that existed before keep their records)."""
    for key in keys:
        try:
            in_use = await session.scalar(select(exists().where(MediaBlob.storage_key == key)))
        except Exception:
            log.exception("import_cleanup_failed", storage_key=key)
            return
        if not in_use:
            await storing.delete_blobs(runtime.storage, [key])


async def match_or_create_skills(
    *, session: AsyncSession, plan: ImportPlan
) -> tuple[dict[str, str], list[str], list[str]]:
    """The id of each of the archive's skills: an existing skill with its slug, or a new one
    with the archive's prerequisites (existing skills keep theirs). Returns the ids by slug and
    the slugs created and matched."""
    existing: dict[str, Skill] = {}
    for batch in batches(plan.skill_order):
        existing.update(
            (skill.slug, skill)
            for skill in await session.scalars(select(Skill).where(Skill.slug.in_(batch)))
        )
    archived = {skill.slug: skill for skill in plan.document.skills}
    ids = {slug: str(skill.skill_id) for slug, skill in existing.items()}
    created = []
    for slug in plan.skill_order:  # prerequisites first
        if slug in ids:
            continue
        skill = archived[slug]
        new = await skills_service.create_skill(
            session=session,
            skill_in=SkillCreate(
                slug=skill.slug,
                name=skill.name,
                description=skill.description,
                prerequisites=skill.prerequisites,
            ),
        )
        ids[slug] = str(new.skill_id)
        created.append(slug)
    return ids, sorted(created), sorted(existing)


async def _free_slug(*, session: AsyncSession, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever no course has."""
    base = base[:112].rstrip("-")
    taken = set(
        await session.scalars(
            select(Course.slug).where(or_(Course.slug == base, Course.slug.startswith(base + "-")))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def create_course(
    *, session: AsyncSession, principal: Principal, course: ArchivedCourse, ids: dict[str, str]
) -> Course:
    """The course as a draft owned by the importer, through the courses service, under the
    archive's slug or, when that is taken, the slug numbered."""
    attempt = 1
    while True:
        course_in = CourseCreate(
            title=course.title,
            slug=await _free_slug(session=session, base=course.slug),
            summary=course.summary,
            description=course.description,
            level=course.level,
            language=course.language,
            tags=course.tags,
            cover_media_id=uuid.UUID(ids[course.cover]) if course.cover else None,
            estimated_minutes=course.estimated_minutes,
            settings=course.settings,
        )
        try:
            return await content_service.create_course(
                session=session, principal=principal, course_in=course_in
            )
        except SlugTaken:  # a course took the slug meanwhile
            if attempt == SLUG_ATTEMPTS:
                raise
            attempt += 1


async def create_modules(
    *,
    session: AsyncSession,
    principal: Principal,
    course: Course,
    plan: ImportPlan,
    media_ids: dict[str, str],
    skill_ids: dict[str, str],
) -> None:
    """The modules in order with their prerequisites, and their items, each with its content
    as version 1 (published when the archive says so)."""
    archived = plan.document.modules
    modules = [
        Module(
            module_id=uuid.uuid4(),
            course_id=course.course_id,
            title=module.title,
            description=module.description,
            sequence_number=number,
            status=ModuleStatus.PUBLISHED if module.published else ModuleStatus.DRAFT,
        )
        for number, module in enumerate(archived, start=1)
    ]
    session.add_all(modules)
    await session.flush()
    new_ids = {a.id: m.module_id for a, m in zip(archived, modules, strict=True)}
    session.add_all(
        ModulePrerequisite(module_id=new_ids[module.id], requires_id=new_ids[requires])
        for module in archived
        for requires in module.prerequisites
    )
    await session.flush()
    note = f"Imported from {plan.manifest.source_url}"[:500]
    for m, (module, row) in enumerate(zip(archived, modules, strict=True)):
        for i, archived_item in enumerate(module.items):
            content = parse_item_content(
                archived_item.content,
                media_ids,
                where=f"modules.{m}.items.{i}",
                position=(m, i),
            )
            stored = dump_content(with_question_skills(content, skill_ids))
            item = ContentItem(
                module_id=row.module_id,
                title=archived_item.title,
                sequence_number=i + 1,
                type=stored["type"],
                content=stored,
                metadata_=archived_item.metadata.model_dump(mode="json"),
                version=1,
                published_version=1 if archived_item.published else None,
                is_required=archived_item.is_required,
            )
            session.add(item)
            await session.flush()
            version = await item_versions.record_version(
                session=session,
                item=item,
                skill_ids=[skill_ids[slug] for slug in archived_item.skills],
                author_id=principal.user_id,
                change_note=note,
            )
            if archived_item.published:
                version.published_at = utcnow()
    await session.flush()
