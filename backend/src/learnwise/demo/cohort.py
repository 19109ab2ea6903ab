"""A cohort of demo learners with a few weeks of plausible history in the demo courses, so that
the analytics and AI features have real-looking data: lessons read, videos watched and quiz
attempts, with the mistakes that an ability, a weak skill or two and retakes make.

The history is made through the progress services, as the learners' apps would report it, with
times spread over the past weeks (``occurred_at``; enrollments are dated to match). It is drawn
from a random generator seeded by each learner's email, so it is the same on every machine.
Cohort learners have no password: they are sample data, not accounts to sign in with.

A learner is simulated only when created, so running the seed again changes nothing.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.permissions import BuiltinRole
from learnwise.auth.service import Principal
from learnwise.content import service as content_service
from learnwise.content.content_types import (
    MultipleChoiceQuestion,
    NumericQuestion,
    QuizContent,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    parse_content,
)
from learnwise.content.models import ContentItem, ContentVersion, Course, Skill
from learnwise.content.schemas import OutlineItem
from learnwise.db import utcnow
from learnwise.demo.accounts import acting_as
from learnwise.platform.runtime import Runtime
from learnwise.progress import quizzes as quiz_service
from learnwise.progress import service as progress_service
from learnwise.progress.schemas import AttemptSubmit, ProgressUpdate

COHORT_DOMAIN = "cohort.learnwise.dev"
COHORT_NAMES = (
    "Amara Okafor",
    "Bruno Costa",
    "Chen Wei",
    "Dana Levi",
    "Elif Yilmaz",
    "Farid Haddad",
    "Greta Lindqvist",
    "Hiroshi Tanaka",
    "Isabel Moreno",
    "Jonas Becker",
    "Kavya Reddy",
    "Liam O'Connor",
    "Maya Cohen",
    "Nikolai Petrov",
    "Olivia Smith",
    "Pedro Alves",
    "Quynh Tran",
    "Rosa Martínez",
    "Samuel Mensah",
    "Tara Nolan",
)
# How likely a cohort learner is to take each course (each takes at least one).
COURSE_POPULARITY = {"python-basics": 0.7, "intro-statistics": 0.45, "spanish-for-beginners": 0.35}
HISTORY_DAYS = 26  # within the 30 days the progress service accepts reports for
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Profile:
    """What drives one learner's history: how able they are, which skills trip them up, and
    how far into each course they got."""

    ability: float
    weak_skills: frozenset[str]
    modules_reached: dict[str, int]


def cohort_email(name: str) -> str:
    local = name.lower().replace("'", "").replace(" ", ".")
    return f"{local.encode('ascii', 'ignore').decode()}@{COHORT_DOMAIN}"


async def seed_cohort(
    *, session: AsyncSession, runtime: Runtime, skills_by_course: dict[str, list[str]]
) -> list[str]:
    """Creates the cohort learners that are missing, each with their history in the courses
    of ``skills_by_course`` (course slug -> its skill slugs)."""
    courses = {
        course.slug: course
        for course in await session.scalars(select(Course).where(Course.slug.in_(skills_by_course)))
    }
    skill_slugs = {
        str(skill_id): slug
        for skill_id, slug in await session.execute(select(Skill.skill_id, Skill.slug))
    }
    now = utcnow()
    for name in COHORT_NAMES:
        email = cohort_email(name)
        if await auth_service.get_user_by_email(session=session, email=email) is not None:
            continue
        user = await auth_service.create_user(
            session=session,
            email=email,
            display_name=name,
            password=None,
            roles=(BuiltinRole.LEARNER,),
            email_verified=True,
        )
        learner = _Learner(
            session=session,
            runtime=runtime,
            principal=await acting_as(session=session, user=user),
            rng=random.Random(email),  # noqa: S311 (sample data, not secrets)
            skill_slugs=skill_slugs,
            now=now,
        )
        profile = learner.draw_profile(skills_by_course)
        for slug, reached in profile.modules_reached.items():
            await learner.take_course(courses[slug], reached, profile)
    return [
        f"  {len(COHORT_NAMES)} more learners (@{COHORT_DOMAIN}, no password) "
        f"with {HISTORY_DAYS} days of progress and quiz attempts, as sample data."
    ]


@dataclass
class _Learner:
    session: AsyncSession
    runtime: Runtime
    principal: Principal
    rng: random.Random
    skill_slugs: dict[str, str]  # skill id -> slug
    now: datetime
    clock: datetime = field(init=False)  # when the learner's current step happens
    ability: float = 0.0

    def draw_profile(self, skills_by_course: dict[str, list[str]]) -> Profile:
        rng = self.rng
        taken = [slug for slug, p in COURSE_POPULARITY.items() if rng.random() < p]
        taken = [s for s in taken if s in skills_by_course] or [next(iter(skills_by_course))]
        weak = set()
        for slug in taken:
            if rng.random() < 0.6:
                weak.add(rng.choice(skills_by_course[slug]))
        return Profile(
            ability=rng.gauss(0.3, 0.8),
            weak_skills=frozenset(weak),
            # Many stop early, some finish: the usual shape of an online course.
            modules_reached={slug: rng.choice((1, 1, 2, 2, 3, 4)) for slug in taken},
        )

    async def take_course(self, course: Course, modules_reached: int, profile: Profile) -> None:
        self.clock = self.now - timedelta(days=self.rng.uniform(HISTORY_DAYS - 8, HISTORY_DAYS))
        enrollment, _ = await content_service.enroll(
            session=self.session, principal=self.principal, course_id=course.course_id
        )
        enrollment.enrolled_at = self.clock
        outline = await content_service.course_outline(
            session=self.session, cache=self.runtime.cache, course=course, view="published"
        )
        self.ability = profile.ability
        for module in outline[:modules_reached]:
            for item in module.items:
                if not self._advance(timedelta(minutes=self.rng.uniform(3, 25))):
                    return
                await self._work_on(item, profile)
            self._advance(timedelta(days=self.rng.uniform(0.5, 4)))

    def _advance(self, by: timedelta) -> bool:
        """Moves the learner's clock on; False once that would reach the present."""
        self.clock += by
        return self.clock < self.now - timedelta(minutes=10)

    async def _work_on(self, item: OutlineItem, profile: Profile) -> None:
        """Reports the learner's work on one item (studying makes them a little abler)."""
        rng = self.rng
        match item.type:
            case "lesson":
                read_fully = rng.random() < 0.85
                await self._report(
                    item,
                    ProgressUpdate(
                        time_spent_seconds=rng.randint(240, 900) if read_fully else 60,
                        completion_percentage=100 if read_fully else rng.randint(20, 70),
                        occurred_at=self.clock,
                    ),
                )
                self.ability += 0.1 if read_fully else 0.0
            case "video":
                version = await self._published(item)
                duration = float(version.content["duration_seconds"])
                watched = duration if rng.random() < 0.8 else duration * rng.uniform(0.3, 0.8)
                await self._report(
                    item,
                    ProgressUpdate(
                        time_spent_seconds=math.ceil(watched),
                        watched_ranges=[(0.0, watched)],
                        occurred_at=self.clock,
                    ),
                )
                self.ability += 0.05
            case "quiz":
                await self._take_quiz(item, profile)
            case _:
                if item.is_required or rng.random() < 0.15:
                    await self._report(
                        item,
                        ProgressUpdate(
                            time_spent_seconds=rng.randint(300, 1500),
                            completed=True,
                            occurred_at=self.clock,
                        ),
                    )

    async def _take_quiz(self, item: OutlineItem, profile: Profile) -> None:
        version = await self._published(item)
        quiz = parse_content(version.content)
        assert isinstance(quiz, QuizContent)
        difficulty = version.metadata_.get("difficulty") or 0.4
        for attempt in range(MAX_ATTEMPTS):
            # A retake comes the next day, after going over the material again.
            if attempt and not self._advance(timedelta(hours=self.rng.uniform(12, 30))):
                return
            skill = self.ability + 0.6 * attempt
            answers: dict[str, Any] = {}
            seconds: dict[str, float] = {}
            for question in quiz.questions:
                weak = {self.skill_slugs.get(s) for s in question.skills} & profile.weak_skills
                logit = 0.9 + skill - 3 * (difficulty - 0.3) - (1.8 if weak else 0.0)
                right = self.rng.random() < 1 / (1 + math.exp(-logit))
                answer = simulated_answer(question, right=right, rng=self.rng)
                if answer is not None:
                    answers[question.id] = answer
                seconds[question.id] = round(self.rng.uniform(10, 80), 1)
            started = self.clock
            if not self._advance(timedelta(seconds=sum(seconds.values()))):
                return
            result = await quiz_service.submit_attempt(
                session=self.session,
                cache=self.runtime.cache,
                principal=self.principal,
                content_id=item.content_id,
                submission=AttemptSubmit(
                    content_version=version.version,
                    answers=answers,
                    question_seconds=seconds,
                    duration_seconds=math.ceil(sum(seconds.values())),
                    started_at=started,
                    occurred_at=self.clock,
                ),
            )
            if result.passed or self.rng.random() < 0.3:  # some give up after a failure
                return

    async def _published(self, item: OutlineItem) -> ContentVersion:
        """The version of the item the learner is shown (with its answer key: the simulation
        decides which answers are right)."""
        version = await self.session.scalar(
            select(ContentVersion)
            .join(ContentItem, ContentItem.content_id == ContentVersion.content_id)
            .where(
                ContentVersion.content_id == item.content_id,
                ContentVersion.version == ContentItem.published_version,
            )
        )
        assert version is not None
        return version

    async def _report(self, item: OutlineItem, update: ProgressUpdate) -> None:
        await progress_service.record_progress(
            session=self.session,
            cache=self.runtime.cache,
            principal=self.principal,
            content_id=item.content_id,
            update=update,
        )


def simulated_answer(question: Any, *, right: bool, rng: random.Random) -> Any:
    """A right answer to the question, or a plausible wrong one (None: left blank)."""
    match question:
        case SingleChoiceQuestion():
            if right:
                return question.correct
            return rng.choice([o.id for o in question.options if o.id != question.correct])
        case MultipleChoiceQuestion():
            picked = set(question.correct)
            if not right:
                wrong = [o.id for o in question.options if o.id not in picked]
                if wrong and (len(picked) == 1 or rng.random() < 0.5):
                    picked.add(rng.choice(wrong))
                else:
                    picked.discard(rng.choice(sorted(picked)))
            return sorted(picked)
        case TrueFalseQuestion():
            return question.correct if right else not question.correct
        case ShortAnswerQuestion():
            accepted = question.accepted_answers[0]
            if right:
                return accepted
            return None if rng.random() < 0.3 else _near_miss(accepted, rng)
        case NumericQuestion():
            if right:
                return question.answer
            return _wrong_number(question.answer, question.tolerance, rng)
    raise TypeError(f"no simulated answer for {type(question).__name__}")


def _near_miss(text: str, rng: random.Random) -> str:
    """A typical slip: a letter dropped (a one-letter answer doubled)."""
    if len(text) < 2:
        return text * 2
    index = rng.randrange(len(text))
    return text[:index] + text[index + 1 :]


def _wrong_number(answer: float, tolerance: float, rng: random.Random) -> float:
    """A plausible wrong number: off by one, doubled or halved, or a digit too far."""
    candidates: Sequence[float] = (answer + 1, answer - 1, answer * 2, answer / 2, answer * 10)
    wrong = [round(c, 3) for c in candidates if abs(c - answer) > tolerance]
    return rng.choice(wrong)
