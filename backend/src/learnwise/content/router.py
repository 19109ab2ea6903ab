"""/api/v1/courses: the catalog, courses and their modules, co-instructors and enrollment.

Courses and everything in them share one ETag, the course's revision (``W/"<revision>"``):
PATCH needs it in If-Match; the other changes honour it when sent. Instructors and admins read
it from GET too.

GET of a course (by those who do not teach it) and of the catalog are read through the cache,
and carry an ETag that names the body: sent back in If-None-Match, it is answered 304 Not
Modified when nothing changed. Responses that depend on the caller are ``private, no-cache``;
anonymous catalog pages may be kept by any cache for a while (``CacheSettings``).
"""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from learnwise.auth.dependencies import CurrentPrincipal, OptionalPrincipal, RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import publishing, service
from learnwise.content.dependencies import (
    CatalogQueryDep,
    OptionalIfMatch,
    RequiredIfMatch,
)
from learnwise.content.models import Course
from learnwise.content.schemas import (
    CoInstructorAdd,
    CourseCreate,
    CourseDuplicate,
    CourseRead,
    CourseSummary,
    CourseUpdate,
    EnrollmentRead,
    ItemOrder,
    LearnerRead,
    ModuleCreate,
    ModuleOrder,
    ModuleRead,
    ModuleUpdate,
    MyCourse,
    PrerequisitesSet,
)
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform import http_cache
from learnwise.platform.http_cache import IfNoneMatch
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/courses", tags=["courses"])
Author = Annotated[Principal, RequirePermission(Permission.COURSE_CREATE)]
Reader = Annotated[Principal, RequirePermission(Permission.COURSE_READ)]


def _tagged(response: Response, course: Course) -> None:
    response.headers["ETag"] = service.etag(course.revision)


async def _course_read(
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Principal | None,
    course: Course,
) -> CourseRead:
    _tagged(response, course)
    return await service.course_view(
        session=session, cache=runtime.cache, principal=principal, course=course
    )


# Fixed paths first: /list and /mine must never be taken for a course id.


_CONDITIONAL_GET: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match is still current."}
}


@router.get("/list", response_model=Page[CourseSummary], responses=_CONDITIONAL_GET)
async def list_courses(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: OptionalPrincipal,
    query: CatalogQueryDep,
    page: PageParamsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The catalog: published courses (or, with ``mine``, those I teach), searched, filtered,
    sorted and paginated."""
    document = await service.catalog_document(
        session=session,
        cache=runtime.cache,
        derived_cache=runtime.derived_cache,
        principal=principal,
        query=query,
        offset=page.offset,
        limit=page.limit,
        ttl_seconds=runtime.settings.cache.catalog_seconds,
    )
    if principal is None and not document.personal:
        cache_control = http_cache.public(runtime.settings.cache.catalog_max_age_seconds)
    else:
        cache_control = http_cache.PRIVATE_REVALIDATE
    return _send(document, cache_control, if_none_match)


def _send(document: service.Document, cache_control: str, if_none_match: str | None) -> Response:
    return http_cache.json_response(
        body=document.json,
        etag=document.etag,
        cache_control=cache_control,
        if_none_match=if_none_match if document.conditional else None,
    )


@router.get("/mine")
async def my_courses(
    principal: CurrentPrincipal, session: SessionDep, page: PageParamsDep
) -> Page[MyCourse]:
    """The courses I am enrolled in, most recent enrollment first."""
    courses, total = await service.my_courses(
        session=session, principal=principal, offset=page.offset, limit=page.limit
    )
    return Page(items=courses, total=total, offset=page.offset, limit=page.limit)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_course(
    body: CourseCreate,
    principal: Author,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    course = await service.create_course(session=session, principal=principal, course_in=body)
    response.headers["Location"] = f"/api/v1/courses/{course.course_id}"
    return await _course_read(response, session, runtime, principal, course)


@router.get("/{course_id:uuid}", response_model=CourseRead, responses=_CONDITIONAL_GET)
async def read_course(
    course_id: uuid.UUID,
    principal: OptionalPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The course with its outline: modules in order, their items (titles and types, never
    their content) and prerequisites."""
    document = await service.course_document(
        session=session,
        cache=runtime.cache,
        derived_cache=runtime.derived_cache,
        principal=principal,
        course_id=course_id,
        ttl_seconds=runtime.settings.cache.outline_seconds,
    )
    cache_control = (
        http_cache.PRIVATE_REVALIDATE if document.personal else http_cache.PUBLIC_REVALIDATE
    )
    return _send(document, cache_control, if_none_match)


@router.patch("/{course_id:uuid}")
async def update_course(
    course_id: uuid.UUID,
    body: CourseUpdate,
    principal: CurrentPrincipal,
    precondition: RequiredIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    course = await service.update_course(
        session=session,
        principal=principal,
        course_id=course_id,
        changes=body,
        precondition=precondition,
    )
    return await _course_read(response, session, runtime, principal, course)


@router.delete("/{course_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_course(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
) -> None:
    """Deletes a course nobody has enrolled in (the owner or an admin)."""
    await service.delete_course(
        session=session, principal=principal, course_id=course_id, precondition=precondition
    )


@router.post("/{course_id:uuid}/publish")
async def publish_course(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    """Publishes the course, its modules and the latest version of every item."""
    course = await publishing.publish_course(
        session=session, principal=principal, course_id=course_id, precondition=precondition
    )
    return await _course_read(response, session, runtime, principal, course)


@router.post("/{course_id:uuid}/archive")
async def archive_course(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    course = await service.archive_course(
        session=session, principal=principal, course_id=course_id, precondition=precondition
    )
    return await _course_read(response, session, runtime, principal, course)


@router.post("/{course_id:uuid}/restore")
async def restore_course(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    course = await service.restore_course(
        session=session, principal=principal, course_id=course_id, precondition=precondition
    )
    return await _course_read(response, session, runtime, principal, course)


@router.post("/{course_id:uuid}/duplicate", status_code=status.HTTP_201_CREATED)
async def duplicate_course(
    course_id: uuid.UUID,
    body: CourseDuplicate,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    """A draft copy owned by me, with the modules, prerequisites and items (their current
    content becomes the copy's version 1)."""
    course = await service.duplicate_course(
        session=session, principal=principal, course_id=course_id, request=body
    )
    response.headers["Location"] = f"/api/v1/courses/{course.course_id}"
    return await _course_read(response, session, runtime, principal, course)


@router.post("/{course_id:uuid}/instructors")
async def add_co_instructor(
    course_id: uuid.UUID,
    body: CoInstructorAdd,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    """Adds a co-instructor (an instructor or admin); the owner and admins may."""
    course = await service.add_co_instructor(
        session=session, principal=principal, course_id=course_id, user_id=body.user_id
    )
    return await _course_read(response, session, runtime, principal, course)


@router.delete(
    "/{course_id:uuid}/instructors/{user_id:uuid}", status_code=status.HTTP_204_NO_CONTENT
)
async def remove_co_instructor(
    course_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> None:
    """Removes a co-instructor; the owner and admins may, and co-instructors may leave."""
    course = await service.remove_co_instructor(
        session=session, principal=principal, course_id=course_id, user_id=user_id
    )
    _tagged(response, course)


# ---------------------------------------------------------------------------------------------
# Modules


@router.put("/{course_id:uuid}/modules/order")
async def reorder_modules(
    course_id: uuid.UUID,
    body: ModuleOrder,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CourseRead:
    """Puts the modules in this order, which must list every module of the course once."""
    course = await service.reorder_modules(
        session=session,
        principal=principal,
        course_id=course_id,
        module_ids=body.module_ids,
        precondition=precondition,
    )
    return await _course_read(response, session, runtime, principal, course)


@router.post("/{course_id:uuid}/modules", status_code=status.HTTP_201_CREATED)
async def create_module(
    course_id: uuid.UUID,
    body: ModuleCreate,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> ModuleRead:
    """Adds a draft module at the end of the course."""
    course, module = await service.create_module(
        session=session,
        principal=principal,
        course_id=course_id,
        module_in=body,
        precondition=precondition,
    )
    _tagged(response, course)
    response.headers["Location"] = f"/api/v1/courses/{course_id}/modules/{module.module_id}"
    return await service.module_view_for_editor(
        session=session, cache=runtime.cache, course=course, module_id=module.module_id
    )


@router.get("/{course_id:uuid}/modules/{module_id:uuid}")
async def read_module(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    principal: OptionalPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> ModuleRead:
    course, module = await service.read_module(
        session=session,
        cache=runtime.cache,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
    )
    _tagged(response, course)
    return module


@router.patch("/{course_id:uuid}/modules/{module_id:uuid}")
async def update_module(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    body: ModuleUpdate,
    principal: CurrentPrincipal,
    precondition: RequiredIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> ModuleRead:
    course, module = await service.update_module(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        changes=body,
        precondition=precondition,
    )
    _tagged(response, course)
    return await service.module_view_for_editor(
        session=session, cache=runtime.cache, course=course, module_id=module.module_id
    )


@router.delete("/{course_id:uuid}/modules/{module_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_module(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    response: Response,
) -> None:
    """Deletes the module with its items; the modules after it move up."""
    course = await service.delete_module(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        precondition=precondition,
    )
    _tagged(response, course)


@router.put("/{course_id:uuid}/modules/{module_id:uuid}/items/order")
async def reorder_items(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    body: ItemOrder,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> ModuleRead:
    """Puts the module's items in this order, which must list every item of the module once."""
    course = await service.reorder_items(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        item_ids=body.item_ids,
        precondition=precondition,
    )
    _tagged(response, course)
    return await service.module_view_for_editor(
        session=session, cache=runtime.cache, course=course, module_id=module_id
    )


@router.put("/{course_id:uuid}/modules/{module_id:uuid}/prerequisites")
async def set_module_prerequisites(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    body: PrerequisitesSet,
    principal: CurrentPrincipal,
    precondition: OptionalIfMatch,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> ModuleRead:
    """Replaces the modules this module requires (modules of the same course, no cycles)."""
    course = await service.set_module_prerequisites(
        session=session,
        principal=principal,
        course_id=course_id,
        module_id=module_id,
        requires_ids=body.module_ids,
        precondition=precondition,
    )
    _tagged(response, course)
    return await service.module_view_for_editor(
        session=session, cache=runtime.cache, course=course, module_id=module_id
    )


# ---------------------------------------------------------------------------------------------
# Enrollment and learners


@router.post(
    "/{course_id:uuid}/enrollment",
    responses={201: {"description": "Enrolled"}, 200: {"description": "Already enrolled"}},
)
async def enroll(
    course_id: uuid.UUID, principal: Reader, session: SessionDep, response: Response
) -> EnrollmentRead:
    """Enrolls me in a published course. Idempotent; after dropping out, enrolls me again."""
    enrollment, created = await service.enroll(
        session=session, principal=principal, course_id=course_id
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return EnrollmentRead.model_validate(enrollment)


@router.delete("/{course_id:uuid}/enrollment", status_code=status.HTTP_204_NO_CONTENT)
async def unenroll(course_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> None:
    """Drops out of the course (my progress is kept). Idempotent."""
    await service.unenroll(session=session, principal=principal, course_id=course_id)


@router.get("/{course_id:uuid}/learners")
async def course_learners(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageParamsDep,
    enrollment_status: Annotated[
        Literal["active", "dropped", "all"], Query(alias="status")
    ] = "active",
) -> Page[LearnerRead]:
    """The course's learners, by name; for its instructors and admins."""
    learners, total = await service.course_learners(
        session=session,
        principal=principal,
        course_id=course_id,
        status=None if enrollment_status == "all" else enrollment_status,
        offset=page.offset,
        limit=page.limit,
    )
    return Page(items=learners, total=total, offset=page.offset, limit=page.limit)
