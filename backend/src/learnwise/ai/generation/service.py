"""Generation: from a content item or pasted text to draft items, through the generation
graph (checkpointed under the generation's id, so that an interrupted run resumes).

Who may: the course's instructors and admins (``ai:generate`` and the right to edit the
course). The request checks the caller, the source and its size, then queues an
``ai.generate`` job (``generation/jobs.py``): the worker runs the graph, reporting progress on
the requester's realtime channel, and saves the drafts.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai import checkpoint
from learnwise.ai.generation import drafts, nlp
from learnwise.ai.generation.exceptions import GenerationNotFound, TextTooLong, TextTooShort
from learnwise.ai.generation.graph import build
from learnwise.ai.generation.models import Generation
from learnwise.ai.generation.schemas import DraftItem, GeneratedMaterial, GenerateRequest
from learnwise.ai.generation.state import GenerationContext, GenerationInput, GenerationState
from learnwise.ai.text import item_text, markdown_to_text
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import item_access, item_service
from learnwise.content import service as course_service
from learnwise.content.exceptions import CourseAccessDenied
from learnwise.content.item_schemas import View
from learnwise.db import utcnow
from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime

MIN_SENTENCES = 2
GENERATE_JOB = "ai.generate"


@dataclass(frozen=True, slots=True)
class Source:
    course_id: uuid.UUID
    module_id: uuid.UUID
    content_id: uuid.UUID | None
    version: int | None
    title: str
    text: str


async def _source(
    *, session: AsyncSession, principal: Principal, request: GenerateRequest
) -> Source:
    """The text to generate from and where its drafts go, once the caller is known to be
    allowed to edit that course (403 when they may only see it, 404 when not even that)."""
    if request.content_id is not None:
        item = await item_service.get_item(
            session=session, principal=principal, content_id=request.content_id, view=View.DRAFT
        )
        module_id = item.module_id
        if request.module_id is not None:
            if request.course_id != item.course_id:
                raise CourseAccessDenied("Drafts go to a module of the item's own course.")
            module_id = request.module_id
        course = await course_service.get_course_for_read(
            session=session, principal=principal, course_id=item.course_id
        )
        await item_access.module_in_course(session=session, course=course, module_id=module_id)
        return Source(
            course_id=item.course_id,
            module_id=module_id,
            content_id=item.content_id,
            version=item.version,
            title=request.title or item.title,
            text=item_text("", item.content),
        )
    assert request.course_id is not None and request.module_id is not None
    assert request.text is not None
    course = await course_service.get_course_for_read(
        session=session, principal=principal, course_id=request.course_id
    )
    viewer = await course_service.viewer_of(session=session, principal=principal, course=course)
    if not viewer.can_edit:
        raise CourseAccessDenied("Only the course's instructors may generate content for it.")
    await item_access.module_in_course(session=session, course=course, module_id=request.module_id)
    return Source(
        course_id=course.course_id,
        module_id=request.module_id,
        content_id=None,
        version=None,
        title=request.title or "Pasted text",
        text=markdown_to_text(request.text),
    )


def _check_size(*, runtime: Runtime, text: str) -> None:
    settings = runtime.settings.ai
    chars = len(text)
    if chars > settings.generation_max_chars:
        raise TextTooLong(
            f"The text has {chars} characters; at most {settings.generation_max_chars} can be "
            "generated from at once. Split it into parts.",
            max_chars=settings.generation_max_chars,
        )
    sentences = len(nlp.split_sentences(text))
    if chars < settings.generation_min_chars or sentences < MIN_SENTENCES:
        raise TextTooShort(
            f"The text has {chars} characters and {sentences} full sentence(s); generation "
            f"needs at least {settings.generation_min_chars} characters and {MIN_SENTENCES} "
            "sentences of prose.",
            min_chars=settings.generation_min_chars,
        )


async def run_graph(
    *, runtime: Runtime, context: GenerationContext, thread_id: uuid.UUID, start: GenerationInput
) -> GenerationState:
    """Runs the graph to its end under ``thread_id``: from its last checkpoint when an earlier
    run of that thread stopped half-way, from ``start`` otherwise."""
    async with checkpoint.open_checkpointer(runtime.settings) as saver:
        graph = build().compile(checkpointer=saver)
        config = {"configurable": {"thread_id": str(thread_id)}}
        saved = await graph.aget_state(config)
        resume = None if saved.next else start
        return await graph.ainvoke(resume, config, context=context)  # type: ignore[return-value]


async def generate(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    request: GenerateRequest,
) -> Generation:
    """Checks the request and queues the generation (status ``queued``; its job in
    ``options["job_id"]``). Nothing is generated here."""
    source = await _source(session=session, principal=principal, request=request)
    _check_size(runtime=runtime, text=source.text)
    await runtime.limiter.hit(
        runtime.settings.ai.generation_rate_per_user, "ai-generate", str(principal.user_id)
    )
    generation = Generation(
        generation_id=uuid.uuid4(),
        requested_by=principal.user_id,
        course_id=source.course_id,
        module_id=source.module_id,
        source_content_id=source.content_id,
        source_version=source.version,
        source_chars=len(source.text),
        status="queued",
        options={
            "outputs": sorted(set(request.outputs)),
            "question_count": request.question_count,
            "language": request.language,
            # What the job generates from: the text as it was when asked for.
            "title": source.title,
            "text": source.text,
        },
        drafts=[],
        created_at=utcnow(),
    )
    session.add(generation)
    await session.flush()
    job = await jobs.enqueue(
        session=session,
        kind=GENERATE_JOB,
        owner_id=principal.user_id,
        payload={
            "generation_id": str(generation.generation_id),
            # The drafts are made with the rights the requester had when asking (the content
            # service checks them again against the course when it saves them).
            "principal": {
                "session_id": str(principal.session_id),
                "roles": sorted(principal.roles),
                "permissions": sorted(principal.permissions),
            },
        },
    )
    generation.options = {**generation.options, "job_id": str(job.job_id)}
    await session.flush()
    return generation


def job_principal(*, user_id: uuid.UUID, payload: dict[str, Any]) -> Principal:
    """The requester, as the job's payload remembers them."""
    saved = payload["principal"]
    return Principal(
        user_id=user_id,
        session_id=uuid.UUID(saved["session_id"]),
        roles=frozenset(saved["roles"]),
        permissions=frozenset(saved["permissions"]),
    )


def graph_input(generation: Generation) -> GenerationInput:
    options = generation.options
    return GenerationInput(
        title=options["title"],
        text=options["text"],
        outputs=options["outputs"],
        question_count=options["question_count"],
        language=options["language"],
    )


async def finish(
    *,
    session: AsyncSession,
    principal: Principal,
    generation: Generation,
    state: GenerationState,
) -> Generation:
    """Saves the graph's result as draft items and marks the generation succeeded."""
    created = await _save_drafts(
        session=session,
        principal=principal,
        generation=generation,
        material=GeneratedMaterial.model_validate(state["material"]),
        title=generation.options["title"],
    )
    generation.engine = state["engine"]
    generation.result = state["material"]
    generation.drafts = [d.model_dump(mode="json") for d in created]
    generation.status = "succeeded"
    generation.finished_at = utcnow()
    await session.flush()
    return generation


async def _save_drafts(
    *,
    session: AsyncSession,
    principal: Principal,
    generation: Generation,
    material: GeneratedMaterial,
    title: str,
) -> list[DraftItem]:
    note = f"Generated ({generation.generation_id}); review before publishing"
    created = []
    for item_in in (
        drafts.quiz_item(material, title=title, note=note),
        drafts.study_guide_item(material, title=title, note=note),
    ):
        if item_in is None:
            continue
        item = await item_service.create_item(
            session=session,
            principal=principal,
            course_id=generation.course_id,
            module_id=generation.module_id,
            item_in=item_in,
        )
        created.append(
            DraftItem(content_id=item.content_id, type=item.type, title=item.title, version=1)
        )
    return created


async def get_generation(
    *, session: AsyncSession, principal: Principal, generation_id: uuid.UUID
) -> Generation:
    """A generation, for the one who asked for it and admins (others: not found)."""
    generation = await session.get(Generation, generation_id)
    if generation is None or (
        generation.requested_by != principal.user_id
        and not principal.can(Permission.COURSE_WRITE_ANY)
    ):
        raise GenerationNotFound("No such generation.")
    return generation
