"""Recommendations for one learner: their own rows read per request, everything learned from
all learners taken from the catalog snapshot (``catalog.cache``)."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import service as learner_model
from learnwise.ai.recommend import ranking
from learnwise.ai.recommend.catalog import Catalog, cache
from learnwise.ai.recommend.ranking import Candidate, LearnerState, Tuning
from learnwise.ai.recommend.schemas import RecommendationRead
from learnwise.ai.reviews import service as reviews_service
from learnwise.config import RecommendSettings
from learnwise.content.models import Enrollment
from learnwise.progress.models import UserProgress
from learnwise.progress.schemas import ProgressStatus
from learnwise.users import service as users_service
from learnwise.users.schemas import LearningPreferences

MAX_DUE_REVIEWS = 20


def _goals(catalog: Catalog, preferences: LearningPreferences, learner: LearnerState) -> None:
    by_ref = {str(c.course_id): c.course_id for c in catalog.courses.values()}
    by_ref |= {c.slug: c.course_id for c in catalog.courses.values()}
    skill_ids = {str(s): s for s in catalog.skill_names}
    for goal in preferences.goals:
        if goal.kind == "course" and goal.value in by_ref:
            learner.goal_courses.add(by_ref[goal.value])
        elif goal.kind == "skill" and goal.value in skill_ids:
            learner.goal_skills.add(skill_ids[goal.value])


async def learner_state(
    *, session: AsyncSession, catalog: Catalog, user_id: uuid.UUID, now: datetime
) -> LearnerState:
    learner = LearnerState()
    completions = await session.execute(
        select(UserProgress.content_id)
        .where(UserProgress.user_id == user_id, UserProgress.status == ProgressStatus.COMPLETED)
        .order_by(UserProgress.completed_at)
    )
    for (content_id,) in completions:
        index = catalog.by_content_id.get(content_id)
        if index is not None:
            learner.completed.add(index)
            learner.recent.append(index)
    learner.enrolled = set(
        await session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == user_id, Enrollment.status == "active"
            )
        )
    )
    due = await reviews_service.due_item_ids(
        session=session, user_id=user_id, at=now, limit=MAX_DUE_REVIEWS
    )
    learner.due = [
        (catalog.by_content_id[content_id], at)
        for content_id, at in due
        if content_id in catalog.by_content_id
    ]
    settings = await users_service.get_settings(session=session, user_id=user_id)
    preferences = LearningPreferences.model_validate(settings.learning_preferences)
    learner.preferred_types = set(preferences.preferred_content_types)
    _goals(catalog, preferences, learner)
    return learner


async def recommend(
    *,
    session: AsyncSession,
    settings: RecommendSettings,
    user_id: uuid.UUID,
    now: datetime,
    limit: int,
) -> list[RecommendationRead]:
    catalog = await cache.get(session=session, max_age_seconds=settings.catalog_refresh_seconds)
    learner = await learner_state(session=session, catalog=catalog, user_id=user_id, now=now)
    tuning = Tuning(settings.target_success_low, settings.target_success_high, settings.fresh_days)
    candidates = ranking.gather(catalog, learner, now, tuning)
    involved = ranking.skills_involved(catalog, candidates) | learner.goal_skills
    if involved:
        mastery = await learner_model.skill_mastery(
            session=session, user_id=user_id, skill_ids=involved
        )
        learner.mastery = {skill_id: m.p_mastery for skill_id, m in mastery.items()}
    if candidates:
        success = await learner_model.predict_success(
            session=session, user_id=user_id, item_ids=[c.item.content_id for c in candidates]
        )
        for candidate in candidates:
            candidate.predicted_success = success.get(candidate.item.content_id)
    best = ranking.rank(candidates, learner, catalog, tuning, limit)
    return [_read(catalog, learner, candidate) for candidate in best]


def _read(catalog: Catalog, learner: LearnerState, candidate: Candidate) -> RecommendationRead:
    item = candidate.item
    reasons = candidate.explained()
    return RecommendationRead(
        content_id=item.content_id,
        title=item.title,
        type=item.type,
        course_id=item.course_id,
        course_title=catalog.courses[item.course_id].title,
        minutes=item.minutes,
        kind=candidate.kind,
        reason=reasons[0],
        reasons=reasons,
        score=round(candidate.score, 4),
        predicted_success=candidate.predicted_success,
        enrollment_required=item.course_id not in learner.enrolled,
    )
