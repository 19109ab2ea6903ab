"""Request dependencies of the courses API: an optional caller, If-Match preconditions and the
catalog's query parameters."""

import re
import uuid
from typing import Annotated

from fastapi import Depends, Header, Query

from learnwise.content.exceptions import PreconditionFailed, PreconditionRequired
from learnwise.content.models import CourseStatus
from learnwise.content.schemas import CourseSort, LanguageTag, Level, Tag
from learnwise.content.search import CatalogQuery
from learnwise.content.service import Precondition

_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d{1,12})"\s*')


def _parse_if_match(header: str) -> Precondition:
    if header.strip() == "*":
        return Precondition(revisions=None)
    revisions = set()
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            raise PreconditionFailed(f"The If-Match header {header[:100]!r} names no ETag of ours.")
        revisions.add(int(match.group(1)))
    return Precondition(revisions=frozenset(revisions))


def optional_if_match(
    if_match: Annotated[
        str | None,
        Header(
            max_length=1000,
            description='The course\'s ETag (W/"<revision>"), if you want '
            "the change made only if nothing changed since you read it.",
        ),
    ] = None,
) -> Precondition | None:
    return None if if_match is None else _parse_if_match(if_match)


def required_if_match(
    if_match: Annotated[
        str | None,
        Header(max_length=1000, description='The course\'s ETag (W/"<revision>"), as last read.'),
    ] = None,
) -> Precondition:
    if if_match is None:
        raise PreconditionRequired(
            'Send If-Match with the ETag you last read (W/"<revision>"), so that changes made '
            "meanwhile are not overwritten."
        )
    return _parse_if_match(if_match)


OptionalIfMatch = Annotated[Precondition | None, Depends(optional_if_match)]
RequiredIfMatch = Annotated[Precondition, Depends(required_if_match)]


def catalog_query(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the title, summary, tags or "
            "instructors' names (every word must match; the last may be a prefix).",
        ),
    ] = None,
    level: Level | None = None,
    tag: Annotated[Tag | None, Query()] = None,
    language: Annotated[
        LanguageTag | None, Query(description="'en' matches 'en' and 'en-GB' alike.")
    ] = None,
    instructor_id: uuid.UUID | None = None,
    status: Annotated[
        CourseStatus | None,
        Query(description="Other than published: with mine=true, or for admins."),
    ] = None,
    mine: Annotated[bool, Query(description="Only the courses I own or co-teach.")] = False,
    sort: Annotated[
        CourseSort | None, Query(description="Default: relevance with q, newest otherwise.")
    ] = None,
) -> CatalogQuery:
    return CatalogQuery(
        q=q,
        level=level,
        tag=tag,
        language=language,
        instructor_id=instructor_id,
        status=status,
        mine=mine,
        sort=sort,
    )


CatalogQueryDep = Annotated[CatalogQuery, Depends(catalog_query)]
