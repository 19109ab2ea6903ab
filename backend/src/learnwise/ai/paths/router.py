"""/api/v1/ai/paths: the caller's learning paths.

POST   /ai/paths                   plan a path to a goal (a course, skills, or free text)
GET    /ai/paths                   my paths
GET    /ai/paths/{path_id}         one of my paths (re-planned first if I progressed)
POST   /ai/paths/{path_id}/replan  plan the rest again now
DELETE /ai/paths/{path_id}
"""

import uuid

from fastapi import APIRouter, Response, status

from learnwise.ai.dependencies import AiUser
from learnwise.ai.paths import service
from learnwise.ai.paths.models import LearningPath
from learnwise.ai.paths.schemas import PathCreate, PathRead, PathSummary
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/ai/paths", tags=["ai"])


def _read(path: LearningPath) -> PathRead:
    return PathRead.model_validate(
        {
            **{k: getattr(path, k) for k in PathRead.model_fields if hasattr(path, k)},
            "steps_done": sum(1 for step in path.steps if step["done"]),
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_path(
    path_in: PathCreate, principal: AiUser, session: SessionDep, runtime: RuntimeDep
) -> PathRead:
    path = await service.create_path(
        session=session, settings=runtime.settings, user_id=principal.user_id, path_in=path_in
    )
    return _read(path)


@router.get("")
async def list_paths(
    principal: AiUser, session: SessionDep, page: PageParamsDep
) -> Page[PathSummary]:
    paths, total = await service.list_paths(
        session=session, user_id=principal.user_id, offset=page.offset, limit=page.limit
    )
    items = [
        PathSummary(
            path_id=p.path_id,
            title=p.title,
            status=p.status,  # type: ignore[arg-type]
            total_minutes=p.total_minutes,
            steps=len(p.steps),
            steps_done=sum(1 for step in p.steps if step["done"]),
            planned_at=p.planned_at,
        )
        for p in paths
    ]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{path_id}")
async def read_path(
    path_id: uuid.UUID, principal: AiUser, session: SessionDep, runtime: RuntimeDep
) -> PathRead:
    path = await service.get_path(session=session, user_id=principal.user_id, path_id=path_id)
    return _read(await service.refreshed(session=session, settings=runtime.settings, path=path))


@router.post("/{path_id}/replan")
async def replan_path(
    path_id: uuid.UUID, principal: AiUser, session: SessionDep, runtime: RuntimeDep
) -> PathRead:
    path = await service.replan(
        session=session, settings=runtime.settings, user_id=principal.user_id, path_id=path_id
    )
    return _read(path)


@router.delete("/{path_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_path(path_id: uuid.UUID, principal: AiUser, session: SessionDep) -> Response:
    await service.delete_path(session=session, user_id=principal.user_id, path_id=path_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
