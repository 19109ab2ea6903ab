"""/api/v1/ai/reviews: spaced-repetition reviews of the caller's items and skills.

GET  /ai/reviews/due     what is due now, most overdue first
POST /ai/reviews         record a review made now (again | hard | good | easy)
"""

from fastapi import APIRouter

from learnwise.ai.dependencies import AiUser
from learnwise.ai.reviews import service
from learnwise.ai.reviews.schemas import DueReviewRead, ReviewCardRead, ReviewCreate
from learnwise.db import SessionDep, utcnow
from learnwise.pagination import Page, PageParamsDep

router = APIRouter(prefix="/ai/reviews", tags=["ai"])


@router.get("/due")
async def list_due_reviews(
    principal: AiUser, session: SessionDep, page: PageParamsDep
) -> Page[DueReviewRead]:
    due, total = await service.due_reviews(
        session=session,
        user_id=principal.user_id,
        at=utcnow(),
        limit=page.limit,
        offset=page.offset,
    )
    items = [
        DueReviewRead.model_validate(
            {
                **ReviewCardRead.model_validate(review.card).model_dump(),
                "title": review.title,
                "retrievability": review.retrievability,
            }
        )
        for review in due
    ]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.post("", status_code=201)
async def record_review(
    review: ReviewCreate, principal: AiUser, session: SessionDep
) -> ReviewCardRead:
    card = await service.record_review(
        session=session,
        principal=principal,
        content_id=review.content_id,
        skill_id=review.skill_id,
        rating=review.rating,
    )
    return ReviewCardRead.model_validate(card)
