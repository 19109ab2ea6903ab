"""The recommendable catalog and what learners did with it, as one in-memory snapshot.

Published items of published modules of published courses, in course order, with their skills,
length and publication date; the module and skill prerequisite graphs; item neighbours from
completions and course neighbours from enrollments (see ``cooccurrence``); item neighbours by
content (TF-IDF over titles, course and skill names).

The snapshot is built from the database (a few whole-table reads, then sparse-matrix work in a
thread) and kept for ``recommend.catalog_refresh_seconds``, so that a request only reads the
learner's own rows.
"""

import asyncio
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.recommend import cooccurrence
from learnwise.ai.recommend.behaviour import BehaviourModel
from learnwise.content.models import (
    ContentItem,
    ContentItemSkill,
    ContentVersion,
    Course,
    CourseStatus,
    Enrollment,
    Module,
    ModulePrerequisite,
    Skill,
    SkillPrerequisite,
)
from learnwise.progress.models import UserProgress
from learnwise.progress.schemas import ProgressStatus

PUBLISHED = "published"
NEIGHBOURS = 30
# Minutes an item takes when its metadata does not say (by type).
DEFAULT_MINUTES = {"lesson": 10, "video": 8, "quiz": 10, "exercise": 20, "file": 10, "link": 5}


@dataclass(frozen=True, slots=True)
class CatalogItem:
    index: int
    content_id: uuid.UUID
    title: str
    type: str
    course_id: uuid.UUID
    module_id: uuid.UUID
    is_required: bool
    minutes: int
    published_at: datetime | None
    skill_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class CatalogCourse:
    course_id: uuid.UUID
    slug: str
    title: str
    published_at: datetime | None
    item_indices: tuple[int, ...]  # in course order


@dataclass(slots=True)
class Catalog:
    items: list[CatalogItem]
    courses: dict[uuid.UUID, CatalogCourse]
    module_requires: dict[uuid.UUID, frozenset[uuid.UUID]]
    module_items: dict[uuid.UUID, tuple[int, ...]]
    skill_requires: dict[uuid.UUID, frozenset[uuid.UUID]]
    skill_names: dict[uuid.UUID, str]
    behaviour: BehaviourModel
    similar: cooccurrence.Neighbours
    course_neighbours: dict[uuid.UUID, list[tuple[uuid.UUID, float]]]
    by_content_id: dict[uuid.UUID, int] = field(default_factory=dict)
    built_at: float = 0.0

    def __post_init__(self) -> None:
        self.by_content_id = {item.content_id: item.index for item in self.items}

    def skill_items(self, skill_ids: set[uuid.UUID]) -> list[int]:
        return [item.index for item in self.items if skill_ids.intersection(item.skill_ids)]


def _minutes(item_type: str, content: dict[str, Any], metadata: dict[str, Any]) -> int:
    if isinstance(metadata.get("estimated_minutes"), int):
        return max(1, metadata["estimated_minutes"])
    if item_type == "video" and isinstance(content.get("duration_seconds"), int):
        return max(1, round(content["duration_seconds"] / 60))
    return DEFAULT_MINUTES.get(item_type, 10)


async def _read(session: AsyncSession) -> dict[str, Any]:
    rows = (
        await session.execute(
            select(
                ContentItem.content_id,
                ContentItem.title,
                ContentItem.type,
                ContentItem.module_id,
                ContentItem.is_required,
                ContentVersion.content,
                ContentVersion.metadata_,
                ContentVersion.published_at,
                Course.course_id,
                Course.slug,
                Course.title,
                Course.published_at,
            )
            .join(Module, Module.module_id == ContentItem.module_id)
            .join(Course, Course.course_id == Module.course_id)
            .join(
                ContentVersion,
                (ContentVersion.content_id == ContentItem.content_id)
                & (ContentVersion.version == ContentItem.published_version),
            )
            .where(Course.status == CourseStatus.PUBLISHED, Module.status == PUBLISHED)
            .order_by(Course.course_id, Module.sequence_number, ContentItem.sequence_number)
        )
    ).all()
    return {
        "items": rows,
        "item_skills": (await session.execute(select(ContentItemSkill))).scalars().all(),
        "module_edges": (await session.execute(select(ModulePrerequisite))).scalars().all(),
        "skill_edges": (await session.execute(select(SkillPrerequisite))).scalars().all(),
        "skills": (await session.execute(select(Skill.skill_id, Skill.name))).all(),
        "completions": (
            await session.execute(
                select(UserProgress.user_id, UserProgress.content_id)
                .where(UserProgress.status == ProgressStatus.COMPLETED)
                .order_by(UserProgress.user_id, UserProgress.completed_at)
            )
        ).all(),
        "enrollments": (
            await session.execute(
                select(Enrollment.user_id, Enrollment.course_id).where(
                    Enrollment.status == "active"
                )
            )
        ).all(),
    }


def _sequences(pairs: list[Any], index_of: dict[uuid.UUID, int]) -> list[np.ndarray]:
    by_user: dict[uuid.UUID, list[int]] = defaultdict(list)
    for user_id, thing in pairs:
        position = index_of.get(thing)
        if position is not None:
            by_user[user_id].append(position)
    return [np.asarray(items, dtype=np.int64) for items in by_user.values()]


def _content_neighbours(items: list[CatalogItem], documents: list[str]) -> cooccurrence.Neighbours:
    if not items:
        return cooccurrence.Neighbours(
            np.zeros((0, NEIGHBOURS), np.int32), np.zeros((0, NEIGHBOURS), np.float32)
        )
    try:
        vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(documents)
    except ValueError:  # nothing but stop words
        vectors = None
    if vectors is None:
        empty = np.full((len(items), NEIGHBOURS), -1, np.int32)
        return cooccurrence.Neighbours(empty, np.zeros(empty.shape, np.float32))
    return cooccurrence.similar_rows(vectors, k=NEIGHBOURS)


def build(data: dict[str, Any]) -> Catalog:
    """The snapshot from what ``_read`` returned (CPU work: run it in a thread)."""
    skills_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for link in data["item_skills"]:
        skills_of[link.content_id].append(link.skill_id)
    skill_names = dict(data["skills"])
    items: list[CatalogItem] = []
    course_items: dict[uuid.UUID, list[int]] = defaultdict(list)
    course_rows: dict[uuid.UUID, tuple[str, str, datetime | None]] = {}
    module_items: dict[uuid.UUID, list[int]] = defaultdict(list)
    documents = []
    for row in data["items"]:
        (content_id, title, item_type, module_id, required, content, metadata, published_at,
         course_id, slug, course_title, course_published_at) = row  # fmt: skip
        item = CatalogItem(
            index=len(items),
            content_id=content_id,
            title=title,
            type=item_type,
            course_id=course_id,
            module_id=module_id,
            is_required=required,
            minutes=_minutes(item_type, content or {}, metadata or {}),
            published_at=published_at,
            skill_ids=tuple(sorted(skills_of.get(content_id, ()))),
        )
        items.append(item)
        course_items[course_id].append(item.index)
        module_items[module_id].append(item.index)
        course_rows[course_id] = (slug, course_title, course_published_at)
        names = " ".join(skill_names.get(s, "") for s in item.skill_ids)
        documents.append(f"{title} {title} {names} {course_title}")
    courses = {
        course_id: CatalogCourse(
            course_id, slug, title, published_at, tuple(course_items[course_id])
        )
        for course_id, (slug, title, published_at) in course_rows.items()
    }
    module_requires: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for edge in data["module_edges"]:
        module_requires[edge.module_id].add(edge.requires_id)
    skill_requires: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for edge in data["skill_edges"]:
        skill_requires[edge.skill_id].add(edge.requires_id)
    index_of = {item.content_id: item.index for item in items}
    completions = _sequences(data["completions"], index_of)
    course_ids = list(courses)
    course_index = {course_id: i for i, course_id in enumerate(course_ids)}
    together = cooccurrence.cooccurrence(
        _sequences(data["enrollments"], course_index), len(course_ids), k=10
    )
    course_neighbours = {}
    for course_id, position in course_index.items():
        ids, scores = together.of(position)
        course_neighbours[course_id] = [
            (course_ids[i], float(s)) for i, s in zip(ids, scores, strict=True)
        ]
    n_items = len(items)
    return Catalog(
        items=items,
        courses=courses,
        module_requires={m: frozenset(r) for m, r in module_requires.items()},
        module_items={m: tuple(i) for m, i in module_items.items()},
        skill_requires={s: frozenset(r) for s, r in skill_requires.items()},
        skill_names=skill_names,
        behaviour=BehaviourModel(
            transitions=cooccurrence.transitions(completions, n_items, k=NEIGHBOURS),
            together=cooccurrence.cooccurrence(completions, n_items, k=NEIGHBOURS),
            popularity=cooccurrence.popularity(completions, n_items),
        ),
        similar=_content_neighbours(items, documents),
        course_neighbours=course_neighbours,
        built_at=time.monotonic(),
    )


class CatalogCache:
    """One snapshot per process, rebuilt when older than ``max_age_seconds``; concurrent
    requests wait for one rebuild rather than each starting their own."""

    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._lock = asyncio.Lock()

    def _fresh(self, max_age_seconds: float) -> Catalog | None:
        catalog = self._catalog
        if catalog is not None and time.monotonic() - catalog.built_at < max_age_seconds:
            return catalog
        return None

    async def get(self, *, session: AsyncSession, max_age_seconds: float) -> Catalog:
        catalog = self._fresh(max_age_seconds)
        if catalog is not None:
            return catalog
        async with self._lock:
            catalog = self._fresh(max_age_seconds)
            if catalog is None:
                catalog = await asyncio.to_thread(build, await _read(session))
                self._catalog = catalog
            return catalog

    def clear(self) -> None:
        self._catalog = None


cache = CatalogCache()
