"""Fixtures of the courses API tests: someone in every role, and course factories."""

import uuid
from typing import Any

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords

from .factories import Courses, People, Taught


@pytest.fixture
async def people(make_account, monkeypatch: pytest.MonkeyPatch) -> People:
    # Six accounts per test: cheap Argon2 parameters keep the suite fast (passwords are not
    # what these tests are about).
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )
    return People(
        admin=await make_account("admin"),
        owner=await make_account("instructor", email=f"owen-{uuid.uuid4().hex[:6]}@example.org"),
        co_instructor=await make_account("instructor"),
        other_instructor=await make_account("instructor"),
        learner=await make_account("learner"),
        outsider=await make_account("learner"),
    )


@pytest.fixture
def courses(client: httpx.AsyncClient, db_session: AsyncSession) -> Courses:
    return Courses(client, db_session)


@pytest.fixture
def teach(courses: Courses, people: People):
    async def make(*, published: bool, **fields: Any) -> Taught:
        course = await courses.create(people.owner, **fields)
        course_id = course["course_id"]
        await courses.add_co_instructor(people.owner, course_id, people.co_instructor.user_id)
        first = await courses.module(people.owner, course_id, "Basics")
        second = await courses.module(people.owner, course_id, "Advanced")
        await courses.item(course_id, first["module_id"], "Variables", sequence_number=1)
        await courses.item(course_id, first["module_id"], "Loops", sequence_number=2)
        if published:
            await courses.publish(people.owner, course_id)
        return Taught(course_id, [first["module_id"], second["module_id"]])

    return make
