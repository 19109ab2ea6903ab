"""The platform's graded answers as learner-model responses.

Quiz attempts store each question's correctness; the skills of a question are those of the quiz
version taken (question skills, or the item's own skills for a question with none). The fit reads
every attempt in bulk, which no other domain's service offers, so these queries read the progress
and content tables directly, and only read them.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model.responses import Response, Responses
from learnwise.content.models import ContentItem, ContentVersion, Skill
from learnwise.progress.models import QuizAttempt


def question_item_id(content_id: uuid.UUID | str, question_id: str) -> str:
    """The learner model's item id of one quiz question."""
    return f"{content_id}/{question_id}"


def question_skills(
    content: dict[str, Any], item_skill_ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Skill ids of each question of a quiz's content."""
    fallback = tuple(sorted(item_skill_ids))
    return {
        str(question.get("id")): tuple(sorted(question.get("skills") or ())) or fallback
        for question in content.get("questions", [])
    }


async def existing_skill_ids(*, session: AsyncSession, skill_ids: Iterable[str]) -> set[str]:
    """Those of these ids that name a skill (ids of deleted skills are left out)."""
    ids = {uuid.UUID(s) for s in skill_ids if _is_uuid(s)}
    if not ids:
        return set()
    found = await session.scalars(select(Skill.skill_id).where(Skill.skill_id.in_(ids)))
    return {str(skill_id) for skill_id in found}


async def all_responses(*, session: AsyncSession) -> Responses:
    """Every answered question of every quiz attempt, grouped by learner, in order."""
    attempts = list(
        await session.execute(
            select(
                QuizAttempt.user_id,
                QuizAttempt.content_id,
                QuizAttempt.content_version,
                QuizAttempt.responses,
            ).order_by(QuizAttempt.user_id, QuizAttempt.submitted_at, QuizAttempt.attempt_number)
        )
    )
    versions = {(row.content_id, row.content_version) for row in attempts}
    skills_of = await _question_skills_of_versions(session=session, versions=versions)
    responses = Responses()
    for row in attempts:
        skills = skills_of.get((row.content_id, row.content_version), {})
        for answer in row.responses:
            if not answer.get("answered"):
                continue
            question_id = str(answer["question_id"])
            responses.append(
                Response(
                    user_id=str(row.user_id),
                    item_id=question_item_id(row.content_id, question_id),
                    skill_ids=skills.get(question_id, ()),
                    correct=bool(answer.get("correct")),
                )
            )
    return responses


async def _question_skills_of_versions(
    *, session: AsyncSession, versions: set[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], dict[str, tuple[str, ...]]]:
    content_ids = {content_id for content_id, _ in versions}
    if not content_ids:
        return {}
    rows = await session.execute(
        select(
            ContentVersion.content_id,
            ContentVersion.version,
            ContentVersion.content,
            ContentVersion.skill_ids,
        ).where(ContentVersion.content_id.in_(content_ids))
    )
    return {
        (row.content_id, row.version): question_skills(row.content, row.skill_ids or ())
        for row in rows
        if (row.content_id, row.version) in versions
    }


async def item_questions(
    *, session: AsyncSession, content_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, tuple[str, ...]]]]:
    """For each item, its learner-model items: the questions of a quiz's published version,
    else the item itself with its own skills. Unknown ids are left out."""
    ids = set(content_ids)
    if not ids:
        return {}
    items = list(
        await session.execute(
            select(ContentItem.content_id, ContentItem.type, ContentItem.published_version).where(
                ContentItem.content_id.in_(ids)
            )
        )
    )
    versions = list(
        await session.execute(
            select(
                ContentVersion.content_id,
                ContentVersion.version,
                ContentVersion.content,
                ContentVersion.skill_ids,
            )
            .join(ContentItem, ContentItem.content_id == ContentVersion.content_id)
            .where(
                ContentVersion.content_id.in_(ids),
                ContentVersion.version
                == func.coalesce(ContentItem.published_version, ContentItem.version),
            )
        )
    )
    by_id = {row.content_id: row for row in versions}
    result: dict[uuid.UUID, list[tuple[str, tuple[str, ...]]]] = {}
    for item in items:
        version = by_id.get(item.content_id)
        item_skills = tuple(sorted(version.skill_ids or ())) if version is not None else ()
        if item.type == "quiz" and version is not None:
            questions = question_skills(version.content, item_skills)
            if questions:
                result[item.content_id] = [
                    (question_item_id(item.content_id, q), skills)
                    for q, skills in questions.items()
                ]
                continue
        result[item.content_id] = [(str(item.content_id), item_skills)]
    return result


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
