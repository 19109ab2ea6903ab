"""Demo data for ``learnwise seed-demo``: an account per built-in role, three published courses
with skills, taught by the demo instructor, one of them taken by the demo learner, and a cohort
of sample learners with a few weeks of history in them.

Idempotent: only what is missing is created, so running it again changes nothing.
"""

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.demo.accounts import INSTRUCTOR, LEARNER, describe_accounts, ensure_accounts
from learnwise.demo.cohort import seed_cohort
from learnwise.demo.courses import load_catalog, seed_courses, store_videos
from learnwise.platform.runtime import Runtime


async def seed(*, session: AsyncSession, runtime: Runtime) -> list[str]:
    """Creates what is missing of the demo data; returns lines describing it for the console.

    ``session`` must not have begun a transaction yet: the videos are stored first, in
    transactions of their own (see ``store_videos``)."""
    catalog = await anyio.to_thread.run_sync(load_catalog)
    videos = await store_videos(runtime=runtime, catalog=catalog)
    users = await ensure_accounts(session=session)
    courses = await seed_courses(
        session=session,
        catalog=catalog,
        videos=videos,
        instructor=users[INSTRUCTOR.email],
        learner=users[LEARNER.email],
    )
    cohort = await seed_cohort(
        session=session,
        runtime=runtime,
        skills_by_course={spec.slug: [skill.slug for skill in spec.skills] for spec in catalog},
    )
    return [*describe_accounts(), *courses, *cohort]
