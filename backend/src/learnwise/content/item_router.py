"""Content items: created and listed under their module, then addressed by id alone.

    POST   /courses/{course_id}/modules/{module_id}/items    create (version 1, a draft)
    GET    /courses/{course_id}/modules/{module_id}/items    list (?view=published|draft)
    GET    /items/{content_id}                              read (?view=published|draft)
    PATCH  /items/{content_id}                              edit (If-Match)
    DELETE /items/{content_id}
    GET    /items/{content_id}/versions                     history, newest first
    GET    /items/{content_id}/versions/diff?from=&to=      structured diff
    GET    /items/{content_id}/versions/{version}
    POST   /items/{content_id}/revert                       new version equal to an old one
    POST   /items/{content_id}/publish                      learners see this version
    POST   /items/{content_id}/unpublish

Responses showing one item carry its ETag, ``W/"<version>"``; PATCH and revert need it back in
If-Match (428 without it, 412 with the current version when it is stale).
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response, status

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.content import item_service
from learnwise.content.item_schemas import (
    ItemCreate,
    ItemRead,
    ItemSummary,
    ItemUpdate,
    PublishRequest,
    RevertRequest,
    Version,
    VersionDiff,
    VersionRead,
    VersionSummary,
    View,
)
from learnwise.content.models import ContentItem, ContentVersion
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep

router = APIRouter(tags=["content items"])

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag of the version the change is based on."),
]
ViewQuery = Annotated[
    View,
    Query(description="published: what learners see; draft: the latest version (instructors)."),
]


def _with_etag(response: Response, item: ItemRead) -> ItemRead:
    response.headers["ETag"] = item_service.item_etag(item)
    return item


def _version_summary(item: ContentItem, version: ContentVersion) -> VersionSummary:
    return VersionSummary(
        version=version.version,
        type=version.type,
        title=version.title,
        author_id=version.author_id,
        change_note=version.change_note,
        created_at=version.created_at,
        published_at=version.published_at,
        is_published=item.published_version == version.version,
    )


@router.post("/courses/{course_id}/modules/{module_id}/items", status_code=status.HTTP_201_CREATED)
async def create_item(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    item_in: ItemCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ItemRead:
    item = await item_service.create_item(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        item_in=item_in,
    )
    response.headers["Location"] = f"/api/v1/items/{item.content_id}"
    return _with_etag(response, item)


@router.get("/courses/{course_id}/modules/{module_id}/items")
async def list_items(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageParamsDep,
    view: ViewQuery = View.PUBLISHED,
) -> Page[ItemSummary]:
    return await item_service.list_module_items(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        view=view,
        page=page,
    )


@router.get("/items/{content_id}")
async def read_item(
    content_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    view: ViewQuery = View.PUBLISHED,
) -> ItemRead:
    item = await item_service.get_item(
        session=session, principal=principal, content_id=content_id, view=view
    )
    return _with_etag(response, item)


@router.patch("/items/{content_id}")
async def update_item(
    content_id: uuid.UUID,
    changes: ItemUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ItemRead:
    item = await item_service.update_item(
        session=session,
        principal=principal,
        content_id=content_id,
        changes=changes,
        if_match=if_match,
    )
    return _with_etag(response, item)


@router.delete("/items/{content_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(
    content_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    await item_service.delete_item(
        session=session, principal=principal, content_id=content_id, if_match=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/items/{content_id}/versions")
async def list_versions(
    content_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, page: PageParamsDep
) -> Page[VersionSummary]:
    item, versions, total = await item_service.list_versions(
        session=session, principal=principal, content_id=content_id, page=page
    )
    return Page(
        items=[_version_summary(item, v) for v in versions],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/items/{content_id}/versions/diff")
async def diff_versions(
    content_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    from_version: Annotated[Version, Query(alias="from")],
    to_version: Annotated[Version, Query(alias="to")],
) -> VersionDiff:
    return await item_service.diff_versions(
        session=session,
        principal=principal,
        content_id=content_id,
        from_version=from_version,
        to_version=to_version,
    )


@router.get("/items/{content_id}/versions/{version}")
async def read_version(
    content_id: uuid.UUID, version: Version, principal: CurrentPrincipal, session: SessionDep
) -> VersionRead:
    item, found = await item_service.get_version(
        session=session, principal=principal, content_id=content_id, version=version
    )
    return VersionRead(
        **_version_summary(item, found).model_dump(),
        content=found.content,
        metadata=found.metadata_,
        skill_ids=[uuid.UUID(s) for s in found.skill_ids],
    )


@router.post("/items/{content_id}/revert")
async def revert_item(
    content_id: uuid.UUID,
    revert: RevertRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ItemRead:
    item = await item_service.revert_item(
        session=session,
        principal=principal,
        content_id=content_id,
        revert=revert,
        if_match=if_match,
    )
    return _with_etag(response, item)


@router.post("/items/{content_id}/publish")
async def publish_item(
    content_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    publish: Annotated[PublishRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> ItemRead:
    item = await item_service.publish_item(
        session=session,
        principal=principal,
        content_id=content_id,
        version=publish.version if publish else None,
        if_match=if_match,
    )
    return _with_etag(response, item)


@router.post("/items/{content_id}/unpublish")
async def unpublish_item(
    content_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> ItemRead:
    item = await item_service.unpublish_item(
        session=session, principal=principal, content_id=content_id
    )
    return _with_etag(response, item)
