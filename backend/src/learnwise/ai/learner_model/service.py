"""The learner model of the platform: per learner and skill, P(mastery) and P(next right).

Other domains call it through this module::

    from learnwise.ai.learner_model import service as learner_model
    await learner_model.skill_mastery(session=session, user_id=user_id)
    await learner_model.predict_success(session=session, user_id=user_id, item_ids=[...])

Each graded quiz answer updates the learner's stored state online (``record_quiz_submitted``, a
relay consumer of ``quiz.submitted``); ``refit`` fits the model again on every answer and
replays every learner's history with it. Until the first fit, the untrained model serves.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import history
from learnwise.ai.learner_model.evaluation import holdout_metrics
from learnwise.ai.learner_model.model import Model
from learnwise.ai.learner_model.models import LearnerModelFit, LearnerSkillState, LearnerState
from learnwise.ai.learner_model.responses import Responses
from learnwise.ai.learner_model.schemas import SkillMastery
from learnwise.ai.learner_model.state import LearnerState as State
from learnwise.ai.learner_model.state import SkillCounts
from learnwise.content.models import Skill
from learnwise.db import utcnow

__all__ = [
    "Model",
    "SkillMastery",
    "fit_responses",
    "fit_summary",
    "predict_success",
    "refit",
    "skill_mastery",
    "store_fit",
]

Progress = Callable[[float, str], Awaitable[None]]

# Fits are immutable: each is parsed once per process.
_loaded: dict[uuid.UUID, Model] = {}
_UNTRAINED = Model.untrained()


async def latest_fit(*, session: AsyncSession) -> LearnerModelFit | None:
    return await session.scalar(
        select(LearnerModelFit).order_by(LearnerModelFit.created_at.desc()).limit(1)
    )


async def current_model(*, session: AsyncSession) -> Model:
    """The latest fit, or the untrained model before the first."""
    fit_id = await session.scalar(
        select(LearnerModelFit.fit_id).order_by(LearnerModelFit.created_at.desc()).limit(1)
    )
    if fit_id is None:
        return _UNTRAINED
    model = _loaded.get(fit_id)
    if model is None:
        parameters = await session.scalar(
            select(LearnerModelFit.parameters).where(LearnerModelFit.fit_id == fit_id)
        )
        model = await asyncio.to_thread(Model.from_dict, parameters or {})
        _loaded.clear()
        _loaded[fit_id] = model
    return model


async def _stored_state(
    *, session: AsyncSession, user_id: uuid.UUID
) -> tuple[State, dict[str, datetime | None]]:
    state = State()
    overall = await session.get(LearnerState, user_id)
    if overall is not None:
        state.correct, state.wrong = overall.correct, overall.wrong
        state.last_correct, state.recent = overall.last_correct, overall.recent
        state.item_attempts = {k: int(v) for k, v in overall.item_attempts.items()}
    practiced: dict[str, datetime | None] = {}
    rows = await session.scalars(
        select(LearnerSkillState).where(LearnerSkillState.user_id == user_id)
    )
    for row in rows:
        key = str(row.skill_id)
        state.skills[key] = SkillCounts(
            correct=row.correct,
            wrong=row.wrong,
            decayed_correct=row.decayed_correct,
            decayed_wrong=row.decayed_wrong,
            last_correct=row.last_correct,
            p_mastery=row.p_mastery,
            recent=row.recent,
        )
        practiced[key] = row.last_practiced_at
    return state, practiced


async def skill_mastery(
    *, session: AsyncSession, user_id: uuid.UUID, skill_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, SkillMastery]:
    """The learner's estimate for every skill of the platform (or only ``skill_ids``): from
    their answers on the skills they practised, from the skill's prior on the others."""
    model = await current_model(session=session)
    state, practiced = await _stored_state(session=session, user_id=user_id)
    if skill_ids is None:
        wanted = [str(s) for s in await session.scalars(select(Skill.skill_id))]
    else:
        wanted = [str(s) for s in skill_ids]
    estimates = model.mastery(state, wanted)
    return {
        uuid.UUID(skill): SkillMastery(
            skill_id=uuid.UUID(skill),
            p_mastery=estimate.p_mastery,
            p_correct_next=estimate.p_correct_next,
            uncertainty=estimate.uncertainty,
            attempts=estimate.attempts,
            last_practiced_at=practiced.get(skill),
        )
        for skill, estimate in estimates.items()
        if skill in wanted
    }


async def predict_success(
    *, session: AsyncSession, user_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """P(the learner answers the item right now), per content item: a quiz's is the mean over
    its questions; another item's comes from its skills. Unknown ids are left out."""
    model = await current_model(session=session)
    state, _ = await _stored_state(session=session, user_id=user_id)
    questions = await history.item_questions(session=session, content_ids=item_ids)
    result: dict[uuid.UUID, float] = {}
    for content_id, parts in questions.items():
        result[content_id] = float(np.mean(model.predict(state, parts)))
    return result


async def record_quiz_submitted(
    *, session: AsyncSession, user_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """The online update: the learner's state after the answers of one graded quiz attempt
    (the ``quiz.submitted`` event's payload)."""
    model = await current_model(session=session)
    content_id = str(payload["content_id"])
    answers = [r for r in payload.get("responses", []) if r.get("answered")]
    if not answers:
        return
    at = _parse_time(payload.get("submitted_at")) or utcnow()
    named = {s for r in answers for s in r.get("skill_ids") or ()}
    skills = await history.existing_skill_ids(session=session, skill_ids=named)
    overall = await session.get(LearnerState, user_id, with_for_update=True)
    if overall is None:
        overall = LearnerState(user_id=user_id, correct=0, wrong=0, recent="", item_attempts={})
        session.add(overall)
    rows = {
        str(row.skill_id): row
        for row in await session.scalars(
            select(LearnerSkillState)
            .where(
                LearnerSkillState.user_id == user_id,
                LearnerSkillState.skill_id.in_([uuid.UUID(s) for s in skills]),
            )
            .with_for_update()
        )
    }
    state, _ = await _stored_state(session=session, user_id=user_id)
    for answer in answers:
        question_skills = tuple(s for s in answer.get("skill_ids") or () if s in skills)
        item_id = history.question_item_id(content_id, str(answer["question_id"]))
        model.observe(state, item_id, question_skills, bool(answer.get("correct")))
    _write_overall(overall, state)
    for skill in {s for r in answers for s in r.get("skill_ids") or () if s in skills}:
        row = rows.get(skill)
        if row is None:
            row = rows[skill] = LearnerSkillState(user_id=user_id, skill_id=uuid.UUID(skill))
            session.add(row)
        _write_skill(row, state.skills[skill])
        row.last_practiced_at = max(filter(None, [row.last_practiced_at, at]))
    await session.flush()


def _write_overall(row: LearnerState, state: State) -> None:
    row.correct, row.wrong, row.last_correct = state.correct, state.wrong, state.last_correct
    row.recent = state.recent
    row.item_attempts = dict(state.item_attempts)


def _write_skill(row: LearnerSkillState, counts: SkillCounts) -> None:
    row.correct, row.wrong = counts.correct, counts.wrong
    row.decayed_correct, row.decayed_wrong = counts.decayed_correct, counts.decayed_wrong
    row.last_correct, row.p_mastery = counts.last_correct, counts.p_mastery
    row.recent = counts.recent


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


async def _no_progress(_fraction: float, _message: str) -> None:
    return None


async def refit(*, session: AsyncSession, progress: Progress = _no_progress) -> LearnerModelFit:
    """Fits the model on every graded answer, stores the fit, and replays every learner's
    history with it so that the stored states agree with the new parameters."""
    await progress(0.05, "Reading graded answers")
    responses = await history.all_responses(session=session)
    fitted = await fit_responses(responses, progress=progress)
    await progress(0.8, "Updating every learner's state")
    fit = await store_fit(session=session, fitted=fitted)
    await progress(1.0, "Fitted")
    return fit


@dataclass(frozen=True, slots=True)
class Fitted:
    model: Model
    responses: Responses
    metrics: dict[str, float]
    fit_seconds: float


async def fit_responses(responses: Responses, *, progress: Progress = _no_progress) -> Fitted:
    """The held-out scores and the fit (in threads: no database, no event-loop time)."""
    await progress(0.2, "Evaluating on held-out learners")
    metrics = await asyncio.to_thread(holdout_metrics, responses)
    await progress(0.5, "Fitting the model")
    started = time.perf_counter()
    model = await asyncio.to_thread(Model().fit, responses)
    return Fitted(model, responses, metrics, time.perf_counter() - started)


async def store_fit(*, session: AsyncSession, fitted: Fitted) -> LearnerModelFit:
    """Stores the fit and replaces every learner's state by the replay of their answers."""
    model, responses = fitted.model, fitted.responses
    await _replace_states(session=session, model=model, responses=responses)
    fit = LearnerModelFit(
        model_name=model.name,
        responses=len(responses),
        learners=len(set(responses.user_ids)),
        fit_seconds=round(fitted.fit_seconds, 3),
        metrics=fitted.metrics,
        parameters=model.to_dict(),
    )
    session.add(fit)
    await session.flush()
    _loaded.clear()
    _loaded[fit.fit_id] = model
    return fit


def fit_summary(fit: LearnerModelFit) -> dict[str, Any]:
    """What a fit says about itself (the CLI's output, the job's result)."""
    return {
        "fit_id": str(fit.fit_id),
        "model": fit.model_name,
        "responses": fit.responses,
        "learners": fit.learners,
        "fit_seconds": fit.fit_seconds,
        **fit.metrics,
    }


async def _replace_states(*, session: AsyncSession, model: Model, responses: Any) -> None:
    practiced = {
        (row.user_id, row.skill_id): row.last_practiced_at
        for row in await session.execute(
            select(
                LearnerSkillState.user_id,
                LearnerSkillState.skill_id,
                LearnerSkillState.last_practiced_at,
            )
        )
    }
    by_user: dict[str, list[Any]] = {}
    for response in responses:
        by_user.setdefault(response.user_id, []).append(response)
    skills = await history.existing_skill_ids(
        session=session, skill_ids={s for ss in responses.skill_ids for s in ss}
    )
    await session.execute(delete(LearnerSkillState))
    await session.execute(delete(LearnerState))
    for user, answers in by_user.items():
        user_id = uuid.UUID(user)
        state = State()
        for answer in answers:
            kept = tuple(s for s in answer.skill_ids if s in skills)
            model.observe(state, answer.item_id, kept, answer.correct)
        overall = LearnerState(user_id=user_id)
        _write_overall(overall, state)
        session.add(overall)
        for skill, counts in state.skills.items():
            row = LearnerSkillState(
                user_id=user_id,
                skill_id=uuid.UUID(skill),
                last_practiced_at=practiced.get((user_id, uuid.UUID(skill))),
            )
            _write_skill(row, counts)
            session.add(row)
    await session.flush()
