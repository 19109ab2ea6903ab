"""Skills and their prerequisite graph.

Skills are one taxonomy shared by every course. Their prerequisites form a DAG, checked with
the shared graph checks (``content.graph``) before anything is written; concurrent edits of the
graph are serialised (an advisory lock on PostgreSQL, the write lock on SQLite) so two edges
that are each fine alone cannot close a cycle together.

Other domains refer to skills by id or slug and resolve them here (``resolve_skill_refs``).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content import graph
from learnwise.content.models import ContentItemSkill, Skill, SkillPrerequisite
from learnwise.pagination import PageParams
from learnwise.skills.exceptions import SkillInUse, SkillNotFound, SkillSlugTaken, UnknownSkills
from learnwise.skills.schemas import SkillCreate, SkillUpdate

# Any fixed number: the key of the advisory lock that serialises prerequisite-graph edits.
_GRAPH_LOCK_KEY = 0x5C1115


def _as_id(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def _matches(ref: str) -> ColumnElement[bool]:
    skill_id = _as_id(ref)
    return Skill.skill_id == skill_id if skill_id is not None else Skill.slug == ref


async def get_skill(*, session: AsyncSession, ref: str) -> Skill:
    """The skill with this id or slug."""
    skill = await session.scalar(select(Skill).where(_matches(ref)))
    if skill is None:
        raise SkillNotFound(f"No skill {ref!r}.")
    return skill


async def resolve_skill_refs(*, session: AsyncSession, refs: Iterable[str]) -> dict[str, Skill]:
    """Each reference (an id or a slug) mapped to its skill; UnknownSkills, listing them, when
    some name no skill."""
    refs = set(refs)
    if not refs:
        return {}
    ids = {ref: skill_id for ref in refs if (skill_id := _as_id(ref)) is not None}
    slugs = refs - ids.keys()
    found = (
        await session.scalars(
            select(Skill).where(or_(Skill.skill_id.in_(ids.values()), Skill.slug.in_(slugs)))
        )
    ).all()
    by_id = {s.skill_id: s for s in found}
    by_slug = {s.slug: s for s in found}
    resolved = {ref: by_id.get(ids[ref]) if ref in ids else by_slug.get(ref) for ref in refs}
    unknown = sorted(ref for ref, skill in resolved.items() if skill is None)
    if unknown:
        raise UnknownSkills(f"No such skills: {', '.join(unknown)}.", unknown=unknown)
    return resolved  # type: ignore[return-value]  # no None left


async def list_skills(
    *, session: AsyncSession, query: str | None, page: PageParams
) -> tuple[list[Skill], int]:
    """Skills by slug, optionally those whose slug or name contains ``query``."""
    condition: ColumnElement[bool] | bool = True
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition = or_(
            Skill.slug.ilike(pattern, escape="\\"), Skill.name.ilike(pattern, escape="\\")
        )
    total = await session.scalar(select(func.count()).select_from(Skill).where(condition))
    skills = await session.scalars(
        select(Skill).where(condition).order_by(Skill.slug).offset(page.offset).limit(page.limit)
    )
    return list(skills), total or 0


async def prerequisite_ids(
    *, session: AsyncSession, skill_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The direct prerequisites of each of the skills (sorted, for stable answers)."""
    skill_ids = list(skill_ids)
    edges = await session.execute(
        select(SkillPrerequisite.skill_id, SkillPrerequisite.requires_id).where(
            SkillPrerequisite.skill_id.in_(skill_ids)
        )
    )
    result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for skill_id, requires_id in edges:
        result[skill_id].append(requires_id)
    return {skill_id: sorted(result[skill_id], key=str) for skill_id in skill_ids}


async def create_skill(*, session: AsyncSession, skill_in: SkillCreate) -> Skill:
    await _ensure_slug_free(session=session, slug=skill_in.slug)
    required = await resolve_skill_refs(session=session, refs=skill_in.prerequisites)
    skill = Skill(slug=skill_in.slug, name=skill_in.name, description=skill_in.description)
    await _flush_new_slug(session=session, skill=skill)
    await _replace_prerequisites(session=session, skill=skill, required=required.values())
    return skill


async def update_skill(*, session: AsyncSession, skill: Skill, changes: SkillUpdate) -> Skill:
    if changes.slug is not None and changes.slug != skill.slug:
        await _ensure_slug_free(session=session, slug=changes.slug)
    required = None
    if changes.prerequisites is not None:
        required = await resolve_skill_refs(session=session, refs=changes.prerequisites)
    for name in ("slug", "name", "description"):
        value = getattr(changes, name)
        if value is not None:
            setattr(skill, name, value)
    await _flush_new_slug(session=session, skill=skill)
    if required is not None:
        await _replace_prerequisites(session=session, skill=skill, required=required.values())
    return skill


async def delete_skill(*, session: AsyncSession, skill: Skill) -> None:
    """Deletes a skill no content item is tagged with and no other skill requires."""
    await _lock_graph(session)
    tagged = await session.scalar(
        select(func.count())
        .select_from(ContentItemSkill)
        .where(ContentItemSkill.skill_id == skill.skill_id)
    )
    dependents = (
        await session.scalars(
            select(Skill.slug)
            .join(SkillPrerequisite, SkillPrerequisite.skill_id == Skill.skill_id)
            .where(SkillPrerequisite.requires_id == skill.skill_id)
            .order_by(Skill.slug)
        )
    ).all()
    if tagged or dependents:
        reasons = []
        if tagged:
            reasons.append(f"{tagged} content item(s) are tagged with it")
        if dependents:
            reasons.append(f"the skills {', '.join(dependents)} require it")
        raise SkillInUse(
            f"Skill {skill.slug!r} is in use: {'; '.join(reasons)}.",
            tagged_items=tagged,
            required_by=list(dependents),
        )
    await session.delete(skill)
    await session.flush()


async def add_prerequisite(*, session: AsyncSession, skill: Skill, requires_ref: str) -> None:
    required = await get_skill(session=session, ref=requires_ref)
    current = await prerequisite_ids(session=session, skill_ids=[skill.skill_id])
    if required.skill_id in current[skill.skill_id]:
        return
    await _check_acyclic(session=session, skill=skill, required=[required], replace=False)
    session.add(SkillPrerequisite(skill_id=skill.skill_id, requires_id=required.skill_id))
    await session.flush()


async def remove_prerequisite(*, session: AsyncSession, skill: Skill, requires_ref: str) -> None:
    required = await get_skill(session=session, ref=requires_ref)
    removed = await session.execute(
        delete(SkillPrerequisite).where(
            SkillPrerequisite.skill_id == skill.skill_id,
            SkillPrerequisite.requires_id == required.skill_id,
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise SkillNotFound(f"{skill.slug!r} does not require {required.slug!r}.")


async def skill_graph(
    *, session: AsyncSession
) -> tuple[list[Skill], list[tuple[uuid.UUID, uuid.UUID]]]:
    """Every skill (by slug) and every prerequisite edge ``(skill_id, requires_id)``."""
    skills = (await session.scalars(select(Skill).order_by(Skill.slug))).all()
    edges = (
        await session.execute(
            select(SkillPrerequisite.skill_id, SkillPrerequisite.requires_id).order_by(
                SkillPrerequisite.skill_id, SkillPrerequisite.requires_id
            )
        )
    ).all()
    return list(skills), [(skill_id, requires_id) for skill_id, requires_id in edges]


# ---------------------------------------------------------------------------------------------


async def _ensure_slug_free(*, session: AsyncSession, slug: str) -> None:
    if await session.scalar(select(exists().where(Skill.slug == slug))):
        raise SkillSlugTaken(f"The slug {slug!r} is taken.")


async def _flush_new_slug(*, session: AsyncSession, skill: Skill) -> None:
    """Flushes the skill; a slug taken meanwhile by a concurrent request is SkillSlugTaken."""
    try:
        async with session.begin_nested():
            session.add(skill)
    except IntegrityError as exc:
        raise SkillSlugTaken(f"The slug {skill.slug!r} is taken.") from exc


async def _lock_graph(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _GRAPH_LOCK_KEY})


async def _replace_prerequisites(
    *, session: AsyncSession, skill: Skill, required: Iterable[Skill]
) -> None:
    required = sorted(required, key=lambda s: s.slug)
    await _check_acyclic(session=session, skill=skill, required=required, replace=True)
    await session.execute(
        delete(SkillPrerequisite).where(SkillPrerequisite.skill_id == skill.skill_id)
    )
    session.add_all(
        SkillPrerequisite(skill_id=skill.skill_id, requires_id=r.skill_id) for r in required
    )
    await session.flush()


async def _check_acyclic(
    *, session: AsyncSession, skill: Skill, required: list[Skill], replace: bool
) -> None:
    """Raises PrerequisiteCycle (naming the skills by slug) if ``skill`` needing ``required``
    would close a cycle; with ``replace`` its current prerequisites are left out first."""
    await _lock_graph(session)
    requirer = Skill.__table__.alias("requirer")
    required_skill = Skill.__table__.alias("required")
    query = (
        select(requirer.c.slug, required_skill.c.slug)
        .select_from(SkillPrerequisite)
        .join(requirer, requirer.c.skill_id == SkillPrerequisite.skill_id)
        .join(required_skill, required_skill.c.skill_id == SkillPrerequisite.requires_id)
    )
    if replace:
        query = query.where(SkillPrerequisite.skill_id != skill.skill_id)
    edges = [(node, requires) for node, requires in await session.execute(query)]
    graph.ensure_acyclic(edges, [(skill.slug, r.slug) for r in required])
