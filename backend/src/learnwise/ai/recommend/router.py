"""/api/v1/ai/recommend: the best next items for the caller, each with its reasons."""

from typing import Annotated

from fastapi import APIRouter, Query

from learnwise.ai.dependencies import AiUser
from learnwise.ai.recommend import service
from learnwise.ai.recommend.schemas import RecommendationsRead
from learnwise.db import SessionDep, utcnow
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/ai", tags=["ai"])


@router.get("/recommend")
async def recommend(
    principal: AiUser,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> RecommendationsRead:
    now = utcnow()
    items = await service.recommend(
        session=session,
        settings=runtime.settings.recommend,
        user_id=principal.user_id,
        now=now,
        limit=limit,
    )
    return RecommendationsRead(items=items, generated_at=now)
