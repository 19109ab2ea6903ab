"""The learner model updated online from graded quiz answers (through the API and the relay),
and refitted from every answer."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import service as learner_model
from learnwise.ai.learner_model.models import LearnerModelFit, LearnerSkillState
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime

from .conftest import SkillWorld


async def test_right_answers_raise_mastery_and_wrong_ones_do_not(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world, user_id = skill_world, skill_world.learner.user_id
    loops, recursion = world.skills["loops"], world.skills["recursion"]
    before = await learner_model.skill_mastery(session=db_session, user_id=user_id)
    assert set(before) >= {loops, recursion}
    assert before[loops].attempts == 0 and before[loops].last_practiced_at is None
    assert before[loops].p_mastery == before[recursion].p_mastery  # both from the same prior

    history = [before[loops]]
    for _ in range(4):
        await world.answer({"q1": "a", "q2": "b"})  # loops right, recursion wrong
        assert await relay.drain(runtime) >= 1
        db_session.expire_all()
        history.append(
            (await learner_model.skill_mastery(session=db_session, user_id=user_id))[loops]
        )
    after = await learner_model.skill_mastery(session=db_session, user_id=user_id)
    p_mastery = [estimate.p_mastery for estimate in history]
    p_next = [estimate.p_correct_next for estimate in history]
    assert p_mastery == sorted(p_mastery) and p_mastery[-1] > p_mastery[0] + 0.3
    assert p_next == sorted(p_next) and p_next[-1] > p_next[0]
    assert [e.uncertainty for e in history] == sorted(
        (e.uncertainty for e in history), reverse=True
    )
    assert after[loops].attempts == 4 and after[loops].last_practiced_at is not None
    assert after[recursion].attempts == 4
    assert after[recursion].p_mastery < before[recursion].p_mastery
    assert after[recursion].p_correct_next < after[loops].p_correct_next

    # Nothing changed for another learner.
    other = await learner_model.skill_mastery(
        session=db_session, user_id=world.other_learner.user_id
    )
    assert other[loops] == before[loops]


async def test_predicted_success_follows_the_learners_answers(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world, user_id = skill_world, skill_world.learner.user_id
    items = [uuid.UUID(world.loops_quiz), uuid.UUID(world.lesson), uuid.uuid4()]
    before = await learner_model.predict_success(
        session=db_session, user_id=user_id, item_ids=items
    )
    assert set(before) == set(items[:2])  # an unknown id is left out
    for _ in range(3):
        await world.answer({"l1": "a"}, quiz=world.loops_quiz)
        await world.answer({"q1": "a", "q2": "b"})  # loops right, recursion wrong
    await relay.drain(runtime)
    db_session.expire_all()
    after = await learner_model.predict_success(session=db_session, user_id=user_id, item_ids=items)
    loops_quiz, recursion_lesson = uuid.UUID(world.loops_quiz), uuid.UUID(world.lesson)
    assert 0 < after[recursion_lesson] < before[recursion_lesson] < 1
    assert before[loops_quiz] < after[loops_quiz] < 1


async def test_relaying_an_event_twice_counts_it_once(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    await skill_world.answer({"q1": "a", "q2": "a"})
    await relay.drain(runtime)
    await relay.drain(runtime, including_delayed=True)
    rows = list(
        await db_session.scalars(
            select(LearnerSkillState).where(
                LearnerSkillState.user_id == skill_world.learner.user_id
            )
        )
    )
    assert sorted((row.correct, row.wrong) for row in rows) == [(1, 0), (1, 0)]


async def test_a_refit_agrees_with_the_online_states(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world = skill_world
    for answers, by in (
        ({"q1": "a", "q2": "b"}, world.learner),
        ({"q1": "a", "q2": "a"}, world.learner),
        ({"q1": "b", "q2": "a"}, world.other_learner),
    ):
        await world.answer(answers, by=by)
    await relay.drain(runtime)
    counts = {
        (row.user_id, row.skill_id): (row.correct, row.wrong, row.last_practiced_at)
        for row in await db_session.scalars(select(LearnerSkillState))
    }
    fit = await learner_model.refit(session=db_session)
    assert fit.responses == 6 and fit.learners == 2
    assert fit.metrics == {}  # too few learners to hold any out
    fit_id = fit.fit_id
    db_session.expire_all()
    refitted = {
        (row.user_id, row.skill_id): (row.correct, row.wrong, row.last_practiced_at)
        for row in await db_session.scalars(select(LearnerSkillState))
    }
    assert refitted == counts
    assert await db_session.scalar(select(LearnerModelFit.fit_id)) == fit_id
    # The new fit serves predictions (a fit on six answers says little: only that it serves).
    served = await learner_model.current_model(session=db_session)
    stored = await db_session.scalar(select(LearnerModelFit.parameters))
    assert served.to_dict() == stored
    mastery = await learner_model.skill_mastery(session=db_session, user_id=world.learner.user_id)
    assert mastery[world.skills["loops"]].attempts == 2
