"""Ranking: candidates from every source, each scored and explained, then adjusted for the
learner's readiness, mastery and preferences. Pure functions of the catalog snapshot and the
learner's state (the service reads both)."""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from learnwise.ai.recommend import behaviour
from learnwise.ai.recommend.catalog import Catalog, CatalogItem

MASTERED = 0.95  # p(mastery) of a skill that needs no more practice
PREREQUISITE_MASTERED = 0.8
PREREQUISITE_GAP = 0.5


class Kind(StrEnum):
    REVIEW = "review"
    GOAL = "goal"
    NEXT_STEP = "next_step"
    READY = "ready"
    SIMILAR = "similar"
    LEARNERS_ALSO = "learners_also"
    NEW = "new"
    POPULAR = "popular"


# How much each source adds to an item's score.
WEIGHTS = {
    Kind.REVIEW: 3.0,
    Kind.GOAL: 2.5,
    Kind.NEXT_STEP: 2.0,
    Kind.READY: 0.6,
    Kind.SIMILAR: 1.0,
    Kind.LEARNERS_ALSO: 1.5,
    Kind.NEW: 0.5,
    Kind.POPULAR: 0.3,
}


@dataclass(slots=True)
class LearnerState:
    completed: set[int] = field(default_factory=set)
    recent: list[int] = field(default_factory=list)  # completed items, oldest first
    enrolled: set[uuid.UUID] = field(default_factory=set)
    due: list[tuple[int, datetime]] = field(default_factory=list)
    goal_courses: set[uuid.UUID] = field(default_factory=set)
    goal_skills: set[uuid.UUID] = field(default_factory=set)
    preferred_types: set[str] = field(default_factory=set)
    mastery: dict[uuid.UUID, float] = field(default_factory=dict)  # skill -> p(mastery)


@dataclass(slots=True)
class Candidate:
    item: CatalogItem
    score: float = 0.0
    reasons: list[tuple[float, Kind, str]] = field(default_factory=list)
    predicted_success: float | None = None

    def add(self, kind: Kind, strength: float, reason: str) -> None:
        points = WEIGHTS[kind] * strength
        self.score += points
        self.reasons.append((points, kind, reason))

    @property
    def kind(self) -> Kind:
        return max(self.reasons)[1]

    def explained(self) -> list[str]:
        return [reason for _, _, reason in sorted(self.reasons, key=lambda r: -r[0])]


@dataclass(frozen=True, slots=True)
class Tuning:
    success_low: float
    success_high: float
    fresh_days: int


def _available(catalog: Catalog, learner: LearnerState, item: CatalogItem) -> bool:
    """Whether the item's module prerequisites are done (their required items completed)."""
    for module_id in catalog.module_requires.get(item.module_id, ()):
        for index in catalog.module_items.get(module_id, ()):
            if catalog.items[index].is_required and index not in learner.completed:
                return False
    return True


class _Pool:
    def __init__(self, catalog: Catalog, learner: LearnerState) -> None:
        self.catalog, self.learner = catalog, learner
        self.candidates: dict[int, Candidate] = {}

    def add(self, index: int, kind: Kind, strength: float, reason: str) -> None:
        if kind != Kind.REVIEW and index in self.learner.completed:
            return
        candidate = self.candidates.get(index)
        if candidate is None:
            candidate = self.candidates[index] = Candidate(self.catalog.items[index])
        candidate.add(kind, strength, reason)


def _reviews(pool: _Pool, now: datetime) -> None:
    for index, due in pool.learner.due:
        late = (now - due) / timedelta(days=1)
        reason = "review: due today" if late < 1 else f"review: overdue by {int(late)} days"
        pool.add(index, Kind.REVIEW, 1.0 + min(late, 7.0) / 7.0, reason)


def _next_steps(pool: _Pool) -> None:
    catalog, learner = pool.catalog, pool.learner
    for course_id in learner.enrolled | learner.goal_courses:
        course = catalog.courses.get(course_id)
        if course is None:
            continue
        goal = course_id in learner.goal_courses
        taken = 0
        for index in course.item_indices:
            item = catalog.items[index]
            if index in learner.completed or not _available(catalog, learner, item):
                continue
            strength = 1.0 if taken == 0 else 0.5
            if goal:
                pool.add(index, Kind.GOAL, strength, f"next step toward your goal: {course.title}")
            else:
                pool.add(index, Kind.NEXT_STEP, strength, f"next step in {course.title}")
            taken += 1
            if taken == 2:
                break


def _goal_skills(pool: _Pool) -> None:
    catalog, learner = pool.catalog, pool.learner
    for skill_id in learner.goal_skills:
        if learner.mastery.get(skill_id, 0.0) >= MASTERED:
            continue
        name = catalog.skill_names.get(skill_id, "a skill")
        for index in catalog.skill_items({skill_id})[:3]:
            pool.add(index, Kind.GOAL, 0.8, f"teaches {name}, one of your goals")


def _behaviour(pool: _Pool, limit: int) -> None:
    catalog, learner = pool.catalog, pool.learner
    if not learner.recent or catalog.behaviour.n_items == 0:
        return
    scores = behaviour.score(catalog.behaviour, learner.recent)
    best = float(scores.score.max()) or 1.0
    for index in behaviour.top_items(scores.score, limit, sorted(learner.completed)):
        source = scores.next_after[index]
        if source < 0:
            source = scores.taken_with[index]
        if source < 0:
            continue
        title = catalog.items[source].title
        pool.add(
            index,
            Kind.LEARNERS_ALSO,
            float(scores.score[index]) / best,
            f"learners who finished {title} also took this",
        )


def _similar(pool: _Pool) -> None:
    catalog, learner = pool.catalog, pool.learner
    for source in learner.recent[-3:]:
        ids, scores = catalog.similar.of(source)
        for index, similarity in zip(ids[:5], scores[:5], strict=True):
            pool.add(
                int(index),
                Kind.SIMILAR,
                float(similarity),
                f"like {catalog.items[source].title}, which you finished",
            )


def _other_courses(pool: _Pool, now: datetime, fresh_days: int) -> None:
    """Courses the learner is not in: those learners like them took, new ones, popular ones."""
    catalog, learner = pool.catalog, pool.learner
    for course_id in learner.enrolled:
        for other, similarity in catalog.course_neighbours.get(course_id, [])[:3]:
            course = catalog.courses.get(other)
            if other in learner.enrolled or course is None or not course.item_indices:
                continue
            pool.add(
                course.item_indices[0],
                Kind.LEARNERS_ALSO,
                similarity,
                f"learners like you also took {course.title}",
            )
    fresh_since = now - timedelta(days=fresh_days)
    for course in catalog.courses.values():
        if course.item_indices and course.published_at and course.published_at >= fresh_since:
            pool.add(course.item_indices[0], Kind.NEW, 1.0, f"new: {course.title}")
    popularity = catalog.behaviour.popularity
    for index in behaviour.top_items(popularity, 5, sorted(learner.completed)):
        if popularity[index] > 0:
            pool.add(index, Kind.POPULAR, float(popularity[index]), "popular with learners")


def _readiness_fit(p: float, tuning: Tuning) -> float:
    """1 inside the target band of predicted success, falling off outside it."""
    if tuning.success_low <= p <= tuning.success_high:
        return 1.0
    gap = tuning.success_low - p if p < tuning.success_low else p - tuning.success_high
    return math.exp(-((gap / 0.15) ** 2))


def _adjust(candidate: Candidate, learner: LearnerState, catalog: Catalog, tuning: Tuning) -> None:
    item = candidate.item
    if item.type in learner.preferred_types:
        candidate.score *= 1.2
    if candidate.kind == Kind.REVIEW:
        return
    skills = item.skill_ids
    if skills and all(learner.mastery.get(s, 0.0) >= MASTERED for s in skills):
        candidate.score *= 0.4  # already known
    required = {r for s in skills for r in catalog.skill_requires.get(s, ())}
    if any(learner.mastery.get(r, 0.0) < PREREQUISITE_GAP for r in required):
        candidate.score *= 0.3  # a gap: what it builds on is not there yet
    elif required and all(learner.mastery.get(r, 0.0) >= PREREQUISITE_MASTERED for r in required):
        candidate.add(Kind.READY, 1.0, "you're ready: its prerequisites are mastered")
    p = candidate.predicted_success
    if p is not None:
        fit = _readiness_fit(p, tuning)
        candidate.score *= 0.5 + fit
        if fit == 1.0 and not required:
            candidate.add(
                Kind.READY, 0.5, f"a good challenge: you would likely get {round(100 * p)}% right"
            )


def gather(
    catalog: Catalog, learner: LearnerState, now: datetime, tuning: Tuning
) -> list[Candidate]:
    pool = _Pool(catalog, learner)
    _reviews(pool, now)
    _next_steps(pool)
    _goal_skills(pool)
    _behaviour(pool, limit=20)
    _similar(pool)
    _other_courses(pool, now, tuning.fresh_days)
    return list(pool.candidates.values())


def rank(
    candidates: Iterable[Candidate],
    learner: LearnerState,
    catalog: Catalog,
    tuning: Tuning,
    limit: int,
) -> list[Candidate]:
    ranked = []
    for candidate in candidates:
        _adjust(candidate, learner, catalog, tuning)
        ranked.append(candidate)
    ranked.sort(key=lambda c: (-c.score, c.item.index))
    return ranked[:limit]


def skills_involved(catalog: Catalog, candidates: Iterable[Candidate]) -> set[uuid.UUID]:
    """The skills of the candidates and the skills those require: what mastery is needed of."""
    skills = {s for c in candidates for s in c.item.skill_ids}
    return skills | {r for s in skills for r in catalog.skill_requires.get(s, ())}
