"""/api/v1/skills: the skill taxonomy and its prerequisite graph.

Everyone signed in reads; instructors and admins (``course:create``) create and change. A
skill is addressed by its id or its slug.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from learnwise.auth.dependencies import CurrentPrincipal, RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.content.models import Skill
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.skills import service
from learnwise.skills.schemas import (
    PrerequisiteAdd,
    SkillCreate,
    SkillEdge,
    SkillGraph,
    SkillNode,
    SkillRead,
    SkillUpdate,
)

router = APIRouter(prefix="/skills", tags=["skills"])

CanEditSkills = RequirePermission(Permission.COURSE_CREATE)


async def _read(session: SessionDep, skill: Skill) -> SkillRead:
    prerequisites = await service.prerequisite_ids(session=session, skill_ids=[skill.skill_id])
    return _to_read(skill, prerequisites[skill.skill_id])


def _to_read(skill: Skill, prerequisite_ids: list[uuid.UUID]) -> SkillRead:
    return SkillRead(
        skill_id=skill.skill_id,
        slug=skill.slug,
        name=skill.name,
        description=skill.description,
        prerequisite_ids=prerequisite_ids,
        created_at=skill.created_at,
        updated_at=skill.updated_at,
    )


@router.get("")
async def list_skills(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageParamsDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of a slug or name.")] = None,
) -> Page[SkillRead]:
    skills, total = await service.list_skills(session=session, query=q, page=page)
    prerequisites = await service.prerequisite_ids(
        session=session, skill_ids=[s.skill_id for s in skills]
    )
    return Page(
        items=[_to_read(s, prerequisites[s.skill_id]) for s in skills],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[CanEditSkills])
async def create_skill(skill_in: SkillCreate, session: SessionDep) -> SkillRead:
    skill = await service.create_skill(session=session, skill_in=skill_in)
    return await _read(session, skill)


@router.get("/graph")
async def skill_graph(_: CurrentPrincipal, session: SessionDep) -> SkillGraph:
    """The whole prerequisite graph (a DAG): an edge says ``skill_id`` needs ``requires_id``."""
    skills, edges = await service.skill_graph(session=session)
    return SkillGraph(
        nodes=[SkillNode.model_validate(s) for s in skills],
        edges=[SkillEdge(skill_id=a, requires_id=b) for a, b in edges],
    )


@router.get("/{skill_ref}")
async def read_skill(skill_ref: str, _: CurrentPrincipal, session: SessionDep) -> SkillRead:
    skill = await service.get_skill(session=session, ref=skill_ref)
    return await _read(session, skill)


@router.patch("/{skill_ref}", dependencies=[CanEditSkills])
async def update_skill(skill_ref: str, changes: SkillUpdate, session: SessionDep) -> SkillRead:
    skill = await service.get_skill(session=session, ref=skill_ref)
    skill = await service.update_skill(session=session, skill=skill, changes=changes)
    return await _read(session, skill)


@router.delete("/{skill_ref}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[CanEditSkills])
async def delete_skill(skill_ref: str, session: SessionDep) -> Response:
    skill = await service.get_skill(session=session, ref=skill_ref)
    await service.delete_skill(session=session, skill=skill)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{skill_ref}/prerequisites", dependencies=[CanEditSkills])
async def add_prerequisite(
    skill_ref: str, prerequisite: PrerequisiteAdd, session: SessionDep
) -> SkillRead:
    skill = await service.get_skill(session=session, ref=skill_ref)
    await service.add_prerequisite(session=session, skill=skill, requires_ref=prerequisite.requires)
    return await _read(session, skill)


@router.delete("/{skill_ref}/prerequisites/{requires_ref}", dependencies=[CanEditSkills])
async def remove_prerequisite(skill_ref: str, requires_ref: str, session: SessionDep) -> SkillRead:
    skill = await service.get_skill(session=session, ref=skill_ref)
    await service.remove_prerequisite(session=session, skill=skill, requires_ref=requires_ref)
    return await _read(session, skill)
