"""Review cards: created and rescheduled from graded attempts and explicit reviews, listed when due.

The desired retention is the learner's own (``learning_preferences.desired_retention``): a higher
retention means shorter intervals and more reviews.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Scheduler
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.reviews import scheduling
from learnwise.ai.reviews.exceptions import ReviewSubjectInvalid
from learnwise.ai.reviews.models import ReviewCard
from learnwise.ai.reviews.scheduling import ReviewRating
from learnwise.auth.service import Principal
from learnwise.content import item_access
from learnwise.content.models import ContentItem, Skill
from learnwise.db import utcnow
from learnwise.skills import service as skills_service
from learnwise.users import service as users_service
from learnwise.users.schemas import LearningPreferences


@dataclass(frozen=True, slots=True)
class DueReview:
    card: ReviewCard
    title: str
    retrievability: float


async def scheduler_of(*, session: AsyncSession, user_id: uuid.UUID) -> Scheduler:
    settings = await users_service.get_settings(session=session, user_id=user_id)
    preferences = LearningPreferences.model_validate(settings.learning_preferences)
    return scheduling.make_scheduler(desired_retention=preferences.desired_retention)


async def _card(
    *,
    session: AsyncSession,
    user_id: uuid.UUID,
    content_id: uuid.UUID | None = None,
    skill_id: uuid.UUID | None = None,
    at: datetime,
) -> ReviewCard:
    """The learner's card for the item or skill, locked, created new when there is none."""
    subject = ReviewCard.content_id == content_id if content_id else ReviewCard.skill_id == skill_id
    found = (
        select(ReviewCard)
        .where(ReviewCard.user_id == user_id, subject)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    card = await session.scalar(found)
    if card is not None:
        return card
    card = ReviewCard(user_id=user_id, content_id=content_id, skill_id=skill_id)
    scheduling.new_state(card, at)
    try:
        async with session.begin_nested():
            session.add(card)
            await session.flush()
    except IntegrityError:
        # The same learner's other event or request created it first.
        card = await session.scalar(found)
        if card is None:
            raise
    return card


async def _apply(
    *,
    session: AsyncSession,
    scheduler: Scheduler,
    card: ReviewCard,
    rating: ReviewRating,
    at: datetime,
) -> None:
    # Events may arrive out of order (the relay retries): an older review than the card's last
    # one is already superseded.
    if card.last_review is not None and at < card.last_review:
        return
    scheduling.review(scheduler, card, rating, at)
    await session.flush()


async def record_review(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID | None,
    skill_id: uuid.UUID | None,
    rating: ReviewRating,
) -> ReviewCard:
    """An explicit review by the learner of an item they may see, or of a skill."""
    if (content_id is None) == (skill_id is None):
        raise ReviewSubjectInvalid("Send either content_id or skill_id, not both.")
    if content_id is not None:
        access = await item_access.for_reading(
            session=session, principal=principal, content_id=content_id
        )
        await item_access.ensure_learner_may_see(
            session=session, principal=principal, access=access
        )
    else:
        await skills_service.get_skill(session=session, ref=str(skill_id))
    at = utcnow()
    scheduler = await scheduler_of(session=session, user_id=principal.user_id)
    card = await _card(
        session=session,
        user_id=principal.user_id,
        content_id=content_id,
        skill_id=skill_id,
        at=at,
    )
    await _apply(session=session, scheduler=scheduler, card=card, rating=rating, at=at)
    return card


def _skill_scores(responses: Iterable[dict[str, Any]]) -> dict[uuid.UUID, float]:
    """Per skill, the fraction of its questions answered right."""
    right: dict[uuid.UUID, list[bool]] = defaultdict(list)
    for response in responses:
        for ref in response.get("skill_ids") or ():
            try:
                right[uuid.UUID(str(ref))].append(bool(response.get("correct")))
            except ValueError:
                continue
    return {skill_id: sum(results) / len(results) for skill_id, results in right.items()}


async def record_attempt(
    *, session: AsyncSession, user_id: uuid.UUID, payload: dict[str, Any], at: datetime
) -> None:
    """A graded quiz attempt reviews the quiz and each skill its questions test."""
    scheduler = await scheduler_of(session=session, user_id=user_id)
    content_id = uuid.UUID(str(payload["content_id"]))
    if await session.get(ContentItem, content_id) is None:
        return
    rating = scheduling.rating_from_score(
        float(payload.get("score") or 0.0), passed=bool(payload.get("passed"))
    )
    card = await _card(session=session, user_id=user_id, content_id=content_id, at=at)
    await _apply(session=session, scheduler=scheduler, card=card, rating=rating, at=at)
    scores = _skill_scores(payload.get("responses") or ())
    existing = set(await session.scalars(select(Skill.skill_id).where(Skill.skill_id.in_(scores))))
    for skill_id in sorted(existing):
        score = scores[skill_id]
        card = await _card(session=session, user_id=user_id, skill_id=skill_id, at=at)
        rating = scheduling.rating_from_score(score, passed=score >= 0.5)
        await _apply(session=session, scheduler=scheduler, card=card, rating=rating, at=at)


async def record_completion(
    *, session: AsyncSession, user_id: uuid.UUID, content_id: uuid.UUID, at: datetime
) -> None:
    """A completed item (other than a quiz, whose attempt counts) is learned: its first review."""
    if await session.get(ContentItem, content_id) is None:
        return
    scheduler = await scheduler_of(session=session, user_id=user_id)
    card = await _card(session=session, user_id=user_id, content_id=content_id, at=at)
    if card.reviews == 0:
        await _apply(
            session=session, scheduler=scheduler, card=card, rating=ReviewRating.GOOD, at=at
        )


async def due_reviews(
    *, session: AsyncSession, user_id: uuid.UUID, at: datetime, limit: int, offset: int = 0
) -> tuple[list[DueReview], int]:
    """The learner's cards due at ``at``, most overdue first, with their titles and the
    probability of recall now; and how many are due in all."""
    due = (ReviewCard.user_id == user_id, ReviewCard.due <= at)
    total = await session.scalar(select(func.count()).select_from(ReviewCard).where(*due))
    rows = (
        await session.execute(
            select(ReviewCard, ContentItem.title, Skill.name)
            .outerjoin(ContentItem, ContentItem.content_id == ReviewCard.content_id)
            .outerjoin(Skill, Skill.skill_id == ReviewCard.skill_id)
            .where(*due)
            .order_by(ReviewCard.due, ReviewCard.card_id)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    scheduler = await scheduler_of(session=session, user_id=user_id)
    return [
        DueReview(
            card, item_title or skill_name or "", scheduling.retrievability(scheduler, card, at)
        )
        for card, item_title, skill_name in rows
    ], int(total or 0)


async def due_item_ids(
    *, session: AsyncSession, user_id: uuid.UUID, at: datetime, limit: int
) -> Sequence[tuple[uuid.UUID, datetime]]:
    """The items (not skills) due for review, most overdue first, with when they fell due."""
    rows = await session.execute(
        select(ReviewCard.content_id, ReviewCard.due)
        .where(
            ReviewCard.user_id == user_id,
            ReviewCard.due <= at,
            ReviewCard.content_id.is_not(None),
        )
        .order_by(ReviewCard.due)
        .limit(limit)
    )
    return [(content_id, due) for content_id, due in rows.all() if content_id is not None]
