"""/api/v1/achievements: the rules, my achievements with my progress toward the others, my XP,
level and streak, and my achievements as Open Badges 3.0 credentials."""

import uuid

from fastapi import APIRouter

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.platform.runtime import RuntimeDep
from learnwise.progress import achievement_service as service
from learnwise.progress import badges
from learnwise.progress.achievement_rules import RULES
from learnwise.progress.achievement_schemas import (
    AchievementRead,
    AchievementRuleRead,
    AchievementSummary,
    BadgeRead,
    MyAchievements,
    RuleStatusRead,
)

router = APIRouter(prefix="/achievements", tags=["achievements"])


@router.get("/rules")
async def list_rules() -> list[AchievementRuleRead]:
    """Every achievement there is and how it is earned (public)."""
    return [AchievementRuleRead.of(rule) for rule in RULES]


@router.get("/me")
async def my_achievements(principal: CurrentPrincipal, session: SessionDep) -> MyAchievements:
    """What I earned, newest first, and every rule with my progress toward it."""
    earned, statuses = await service.my_achievements(session=session, user_id=principal.user_id)
    return MyAchievements(
        earned=[AchievementRead.of(a) for a in earned],
        rules=[RuleStatusRead.of(status) for status in statuses],
    )


@router.get("/me/summary")
async def my_summary(principal: CurrentPrincipal, session: SessionDep) -> AchievementSummary:
    """My XP, level, current and longest streak (in my time zone) and time learned."""
    summary = await service.summary(session=session, user_id=principal.user_id)
    return AchievementSummary.of(summary)


@router.get("/badges/jwks.json")
async def badge_keys(runtime: RuntimeDep) -> dict[str, list[dict[str, str]]]:
    """Public: the key that verifies the badges' signatures."""
    return {"keys": [badges.public_jwk(runtime.settings)]}


@router.get("/{achievement_id}/badge")
async def my_badge(
    achievement_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BadgeRead:
    """One of my achievements as a signed Open Badges 3.0 credential."""
    credential, signed = await badges.badge(
        session=session,
        settings=runtime.settings,
        user_id=principal.user_id,
        achievement_id=achievement_id,
    )
    return BadgeRead(credential=credential, jwt=signed)
