"""A course built through the API whose quiz questions are tagged with skills, and a learner
enrolled in it."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from learnwise.auth import passwords

API = "/api/v1"
Account = Any  # tests/conftest.py's Account: .user_id, .headers
OPTIONS = [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]


def question(question_id: str, skill: str) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "single_choice",
        "prompt": f"{question_id}?",
        "options": OPTIONS,
        "correct": "a",
        "skills": [skill],
    }


@dataclass
class SkillWorld:
    client: httpx.AsyncClient
    course_id: str
    quiz: str  # q1 on loops, q2 on recursion
    loops_quiz: str  # one question on loops
    lesson: str  # tagged with recursion
    skills: dict[str, uuid.UUID]  # slug -> id
    admin: Account
    owner: Account
    learner: Account
    other_learner: Account

    async def answer(
        self, answers: dict[str, str], *, by: Account | None = None, quiz: str | None = None
    ) -> dict[str, Any]:
        response = await self.client.post(
            f"{API}/items/{quiz or self.quiz}/attempts",
            json={"content_version": 1, "answers": answers},
            headers={**(by or self.learner).headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


async def _created(client: httpx.AsyncClient, url: str, body: dict, who: Account) -> dict:
    response = await client.post(f"{API}{url}", json=body, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
async def skill_world(client: httpx.AsyncClient, make_account, cheap_passwords: None) -> SkillWorld:
    admin = await make_account("admin")
    owner = await make_account("instructor")
    learner = await make_account("learner")
    other_learner = await make_account("learner")
    skills = {}
    for slug in ("loops", "recursion"):
        created = await _created(client, "/skills", {"slug": slug, "name": slug.title()}, owner)
        skills[slug] = uuid.UUID(created["skill_id"])
    course = await _created(client, "/courses", {"title": "Thinking in Python"}, owner)
    course_id = course["course_id"]
    module = await _created(client, f"/courses/{course_id}/modules", {"title": "Basics"}, owner)
    items_url = f"/courses/{course_id}/modules/{module['module_id']}/items"
    item_ids = []
    for title, content, extra in (
        (
            "Quiz",
            {"type": "quiz", "questions": [question("q1", "loops"), question("q2", "recursion")]},
            {},
        ),
        ("Loops quiz", {"type": "quiz", "questions": [question("l1", "loops")]}, {}),
        ("Recursion", {"type": "lesson", "body": "# Recursion"}, {"skills": ["recursion"]}),
    ):
        item = await _created(
            client, items_url, {"title": title, "content": content} | extra, owner
        )
        await _created(client, f"/items/{item['content_id']}/publish", {}, owner)
        item_ids.append(item["content_id"])
    await _created(client, f"/courses/{course_id}/publish", {}, owner)
    for who in (learner, other_learner):
        await _created(client, f"/courses/{course_id}/enrollment", {}, who)
    return SkillWorld(
        client,
        course_id,
        item_ids[0],
        item_ids[1],
        item_ids[2],
        skills,
        admin,
        owner,
        learner,
        other_learner,
    )
