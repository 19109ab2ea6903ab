"""The demo courses: real, short courses with skills, built through the content services.

Each course is a folder of ``data/`` holding ``course.toml``, the Markdown of its lessons and
exercises, and its videos (small MP4 files made by ``data/make_videos.py``) with their WebVTT
captions. ``course.toml`` has:

- the course's fields, as in CourseCreate (``slug`` required);
- ``[[skills]]``: ``slug``, ``name``, ``description`` and ``requires`` (slugs of the skills it
  needs, in any course's file or already in the database);
- ``[[modules]]`` in order: ``key``, ``title``, ``description``, ``requires`` (keys of modules of
  the same course) and their ``[[modules.items]]`` in order. Every item has ``title``, ``type``,
  ``skills``, ``metadata`` (as ContentMetadata) and ``is_required``, and by type:
  lesson ``file``; video ``file``, ``captions`` and ``duration_seconds``; quiz ``instructions``,
  ``passing_score`` and ``[[modules.items.questions]]`` (as in ``content_types``); exercise
  ``file``, ``rubric`` (criteria) and ``submission_type``; link ``url`` and ``description``.

Seeding is idempotent by slug: a skill or course that exists is left exactly as it is (someone may
have edited it since), so only what is missing is created, and running it again changes nothing.
"""

import graphlib
import hashlib
import tomllib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.models import User
from learnwise.auth.service import Principal
from learnwise.content import item_service, publishing
from learnwise.content import service as content_service
from learnwise.content.item_schemas import ContentMetadata, ItemCreate
from learnwise.content.models import Course, Enrollment, Skill
from learnwise.content.schemas import CourseCreate, ModuleCreate
from learnwise.db import commit
from learnwise.demo.accounts import INSTRUCTOR, acting_as, ensure_account
from learnwise.media import uploads
from learnwise.media.models import Media
from learnwise.platform.runtime import Runtime
from learnwise.skills import service as skills_service
from learnwise.skills.schemas import SkillCreate

DATA = Path(__file__).parent / "data"
COURSE_FOLDERS = ("python-basics", "intro-statistics", "spanish-for-beginners")
# The demo learner's course: enrolled, so that signing in as them shows a course in progress.
LEARNER_COURSE = "python-basics"
CHANGE_NOTE = "Demo content"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SkillSpec(_Spec):
    slug: str
    name: str
    description: str = ""
    requires: list[str] = Field(default_factory=list)


class _ItemSpec(_Spec):
    title: str
    skills: list[str] = Field(default_factory=list)
    metadata: ContentMetadata = Field(default_factory=ContentMetadata)
    is_required: bool = True


class LessonSpec(_ItemSpec):
    type: Literal["lesson"]
    file: str


class VideoSpec(_ItemSpec):
    type: Literal["video"]
    file: str
    captions: str
    duration_seconds: int


class QuizSpec(_ItemSpec):
    type: Literal["quiz"]
    instructions: str = ""
    passing_score: float = 0.7
    questions: list[dict[str, Any]]


class ExerciseSpec(_ItemSpec):
    type: Literal["exercise"]
    file: str
    rubric: list[dict[str, Any]]
    submission_type: Literal["text", "file", "url"] = "text"


class LinkSpec(_ItemSpec):
    type: Literal["link"]
    url: str
    description: str = ""


ItemSpec = Annotated[
    LessonSpec | VideoSpec | QuizSpec | ExerciseSpec | LinkSpec, Field(discriminator="type")
]


class ModuleSpec(_Spec):
    key: str
    title: str
    description: str = ""
    requires: list[str] = Field(default_factory=list)
    items: list[ItemSpec]


@dataclass(frozen=True)
class CourseSpec:
    """One demo course as its folder describes it, with the texts its items point at."""

    folder: Path
    course: CourseCreate
    skills: list[SkillSpec]
    modules: list[ModuleSpec]
    texts: dict[str, str]

    @property
    def slug(self) -> str:
        assert self.course.slug is not None
        return self.course.slug

    @property
    def item_count(self) -> int:
        return sum(len(module.items) for module in self.modules)


# ---------------------------------------------------------------------------------------------
# Reading the course files


def load_course(folder: Path) -> CourseSpec:
    """Reads and validates one course folder (blocking: files are read)."""
    raw = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    skills = [SkillSpec.model_validate(s) for s in raw.pop("skills", [])]
    modules = [ModuleSpec.model_validate(m) for m in raw.pop("modules", [])]
    minutes = sum(item.metadata.estimated_minutes or 0 for m in modules for item in m.items)
    course = CourseCreate.model_validate({"estimated_minutes": minutes or None, **raw})
    if course.slug is None:
        raise ValueError(f"{folder / 'course.toml'}: give the course a slug")
    texts = {
        name: (folder / name).read_text(encoding="utf-8")
        for module in modules
        for item in module.items
        for name in _text_files(item)
    }
    spec = CourseSpec(folder, course, skills, modules, texts)
    _check_modules(spec)
    for module in modules:
        for item in module.items:
            item_create(spec, item, media_id=uuid.UUID(int=0))  # validates the content
    return spec


def load_catalog() -> list[CourseSpec]:
    """Every demo course, read and validated (blocking: run it in a thread)."""
    return [load_course(DATA / name) for name in COURSE_FOLDERS]


def _text_files(item: _ItemSpec) -> list[str]:
    match item:
        case LessonSpec() | ExerciseSpec():
            return [item.file]
        case VideoSpec():
            return [item.captions]
        case _:
            return []


def _check_modules(spec: CourseSpec) -> None:
    keys = [module.key for module in spec.modules]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{spec.slug}: module keys must be unique")
    for module in spec.modules:
        unknown = set(module.requires) - set(keys)
        if unknown:
            raise ValueError(f"{spec.slug}: module {module.key!r} requires unknown {unknown}")
    # Raises graphlib.CycleError, naming the cycle, if the prerequisites loop.
    graphlib.TopologicalSorter({m.key: m.requires for m in spec.modules}).prepare()


def transcript_of(vtt: str) -> str:
    """The text of a WebVTT file's cues, one paragraph per cue."""
    cues = []
    for block in vtt.strip().split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if "-->" not in line]
        if lines:
            cues.append(" ".join(lines))
    return "\n\n".join(cues)


def item_create(spec: CourseSpec, item: ItemSpec, *, media_id: uuid.UUID | None) -> ItemCreate:
    """The request that creates the item (``media_id``: a video's uploaded file)."""
    content: dict[str, Any]
    match item:
        case LessonSpec():
            content = {"type": "lesson", "body": spec.texts[item.file]}
        case VideoSpec():
            vtt = spec.texts[item.captions]
            content = {
                "type": "video",
                "media_id": media_id,
                "duration_seconds": item.duration_seconds,
                "captions": [{"language": "en", "label": "English", "vtt": vtt}],
                "transcript": transcript_of(vtt),
            }
        case QuizSpec():
            content = {
                "type": "quiz",
                "instructions": item.instructions,
                "passing_score": item.passing_score,
                "questions": item.questions,
            }
        case ExerciseSpec():
            content = {
                "type": "exercise",
                "instructions": spec.texts[item.file],
                "rubric": {"criteria": item.rubric},
                "submission_type": item.submission_type,
            }
        case LinkSpec():
            content = {"type": "link", "url": item.url, "description": item.description}
    return ItemCreate.model_validate(
        {
            "title": item.title,
            "content": content,
            "metadata": item.metadata.model_dump(),
            "skills": item.skills,
            "is_required": item.is_required,
            "change_note": CHANGE_NOTE,
        }
    )


# ---------------------------------------------------------------------------------------------
# Seeding

VideoFiles = dict[Path, uuid.UUID]  # a video file of the catalog -> its stored media file


async def missing_courses(*, session: AsyncSession, catalog: list[CourseSpec]) -> list[CourseSpec]:
    """The courses of the catalog whose slug no course has."""
    taken = set(
        await session.scalars(select(Course.slug).where(Course.slug.in_([c.slug for c in catalog])))
    )
    return [spec for spec in catalog if spec.slug not in taken]


async def store_videos(*, runtime: Runtime, catalog: list[CourseSpec]) -> VideoFiles:
    """Stores the videos of the courses still to create as the demo instructor's uploads, before
    the seed's own transaction begins.

    Storing a file reads in a short transaction of its own, which on SQLite would wait forever
    behind the seed's (that holds the write lock from its first statement). So the instructor's
    account is committed first, then each video is stored in a transaction of its own, as an
    upload request would be; a file the instructor uploaded already (by an earlier seed that
    stopped short) is reused.
    """
    async with runtime.sessionmaker() as session:
        instructor = await ensure_account(session=session, account=INSTRUCTOR)
        principal = await acting_as(session=session, user=instructor)
        paths = [
            spec.folder / item.file
            for spec in await missing_courses(session=session, catalog=catalog)
            for module in spec.modules
            for item in module.items
            if isinstance(item, VideoSpec)
        ]
        stored: VideoFiles = {}
        for path in paths:
            media_id = await _uploaded(session=session, owner_id=instructor.user_id, path=path)
            if media_id is not None:
                stored[path] = media_id
        await commit(session)
    for path in paths:
        if path not in stored:
            async with runtime.sessionmaker() as session:
                stored[path] = await _upload(
                    session=session, runtime=runtime, principal=principal, path=path
                )
                await commit(session)
    return stored


async def seed_courses(
    *,
    session: AsyncSession,
    catalog: list[CourseSpec],
    videos: VideoFiles,
    instructor: User,
    learner: User,
) -> list[str]:
    """Creates the missing skills and courses (published, owned by ``instructor``, with the
    stored ``videos``) and enrolls ``learner`` in LEARNER_COURSE; returns lines describing the
    courses for the console."""
    await _ensure_skills(session=session, skills=[s for spec in catalog for s in spec.skills])
    teacher = await acting_as(session=session, user=instructor)
    lines = [f"Demo courses (taught by {instructor.email}):"]
    for spec in catalog:
        course = await session.scalar(select(Course).where(Course.slug == spec.slug))
        if course is None:
            course = await _build_course(
                session=session, principal=teacher, spec=spec, videos=videos
            )
        if spec.slug == LEARNER_COURSE:
            await _enroll(session=session, user=learner, course=course)
        lines.append(
            f"  {spec.slug:<24} {course.title}: {len(spec.modules)} modules, "
            f"{spec.item_count} items, {len(spec.skills)} skills"
        )
    lines.append(f"  {learner.email} is enrolled in {LEARNER_COURSE}.")
    return lines


async def _ensure_skills(*, session: AsyncSession, skills: list[SkillSpec]) -> None:
    """Creates the skills whose slug is not taken, each after the skills it requires."""
    by_slug = {skill.slug: skill for skill in skills}
    existing = set(await session.scalars(select(Skill.slug).where(Skill.slug.in_(by_slug))))
    order = graphlib.TopologicalSorter({s.slug: s.requires for s in skills}).static_order()
    for slug in order:
        skill = by_slug.get(slug)
        if skill is None or slug in existing:
            continue
        await skills_service.create_skill(
            session=session,
            skill_in=SkillCreate(
                slug=skill.slug,
                name=skill.name,
                description=skill.description,
                prerequisites=skill.requires,
            ),
        )


async def _build_course(
    *, session: AsyncSession, principal: Principal, spec: CourseSpec, videos: VideoFiles
) -> Course:
    """Creates the course with its modules, items and prerequisites, and publishes it all."""
    course = await content_service.create_course(
        session=session, principal=principal, course_in=spec.course
    )
    module_ids: dict[str, uuid.UUID] = {}
    for module_spec in spec.modules:
        _, module = await content_service.create_module(
            session=session,
            principal=principal,
            course_id=course.course_id,
            module_in=ModuleCreate(title=module_spec.title, description=module_spec.description),
            precondition=None,
        )
        module_ids[module_spec.key] = module.module_id
        for item in module_spec.items:
            media_id = videos[spec.folder / item.file] if isinstance(item, VideoSpec) else None
            await item_service.create_item(
                session=session,
                principal=principal,
                course_id=course.course_id,
                module_id=module.module_id,
                item_in=item_create(spec, item, media_id=media_id),
            )
    for module_spec in spec.modules:
        if module_spec.requires:
            await content_service.set_module_prerequisites(
                session=session,
                principal=principal,
                course_id=course.course_id,
                module_id=module_ids[module_spec.key],
                requires_ids=[module_ids[key] for key in module_spec.requires],
                precondition=None,
            )
    return await publishing.publish_course(
        session=session, principal=principal, course_id=course.course_id, precondition=None
    )


async def _uploaded(*, session: AsyncSession, owner_id: uuid.UUID, path: Path) -> uuid.UUID | None:
    """A media file of the owner's with the content of ``path``, if any."""
    checksum = hashlib.sha256(await anyio.Path(path).read_bytes()).hexdigest()
    return await session.scalar(
        select(Media.media_id)
        .where(Media.owner_id == owner_id, Media.checksum == checksum)
        .order_by(Media.created_at, Media.media_id)
        .limit(1)
    )


async def _upload(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, path: Path
) -> uuid.UUID:
    """Stores the file as the principal's upload, checked like any other."""

    async def chunks() -> AsyncIterator[bytes]:
        yield await anyio.Path(path).read_bytes()

    media = await uploads.upload_media(
        runtime=runtime,
        session=session,
        principal=principal,
        filename=path.name,
        declared_size=None,
        chunks=chunks(),
    )
    return media.media_id


async def _enroll(*, session: AsyncSession, user: User, course: Course) -> None:
    """Enrolls the user unless they ever enrolled (a learner who dropped out stays out)."""
    enrolled_ever = await session.scalar(
        select(
            exists().where(
                Enrollment.user_id == user.user_id, Enrollment.course_id == course.course_id
            )
        )
    )
    if not enrolled_ever:
        await content_service.enroll(
            session=session,
            principal=await acting_as(session=session, user=user),
            course_id=course.course_id,
        )
