"""Fixtures of the AI tests: accounts in every role and a course with real lessons, built
through the API."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from learnwise.auth import passwords
from learnwise.platform import jobs
from tests.progress.conftest import cheap_passwords, world  # noqa: F401  (the progress tests' course world)

API = "/api/v1"

PHOTOSYNTHESIS = """# Photosynthesis

Photosynthesis is the process by which green plants convert light energy into chemical energy.
It takes place in the chloroplasts, which contain the green pigment chlorophyll.
Chlorophyll absorbs mostly blue and red light and reflects green light.
During the light-dependent reactions, water molecules are split and oxygen is released.
The energy captured from light is stored in ATP and NADPH.
In the Calvin cycle, the enzyme Rubisco fixes carbon dioxide into organic molecules.
The Calvin cycle uses ATP and NADPH to build glucose from carbon dioxide.
Glucose is used by the plant for energy and to build cellulose for its cell walls.
Stomata are small pores on leaves that let carbon dioxide in and oxygen out.
The rate of photosynthesis depends on light intensity, temperature and carbon dioxide levels.
"""

CELL_DIVISION = """# Cell division

Mitosis is the division of a cell nucleus into two identical nuclei.
Before mitosis, the cell copies its DNA during the S phase of interphase.
In prophase, chromosomes condense and the nuclear envelope breaks down.
In metaphase, chromosomes line up at the middle of the cell on the spindle.
In anaphase, sister chromatids are pulled to opposite poles of the cell.
Cytokinesis then splits the cytoplasm, producing two daughter cells.
"""

BOND_MARKETS = """# Bonds

A bond is a loan that an investor makes to a government or a company.
The issuer pays interest, called the coupon, until the bond matures.
When interest rates rise, the price of existing bonds falls.
"""


@dataclass
class People:
    admin: Any
    owner: Any
    other_instructor: Any
    learner: Any


@dataclass
class Course:
    course_id: str
    module_id: str
    item_ids: dict[str, str]


@pytest.fixture
async def people(make_account, monkeypatch: pytest.MonkeyPatch) -> People:
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )
    return People(
        admin=await make_account("admin"),
        owner=await make_account("instructor"),
        other_instructor=await make_account("instructor"),
        learner=await make_account("learner"),
    )


async def create_course(
    client: httpx.AsyncClient, owner: Any, lessons: dict[str, str], *, publish: bool
) -> Course:
    response = await client.post(
        f"{API}/courses", json={"title": f"Biology {uuid.uuid4().hex[:6]}"}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    course_id = response.json()["course_id"]
    response = await client.post(
        f"{API}/courses/{course_id}/modules", json={"title": "Unit 1"}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    module_id = response.json()["module_id"]
    item_ids = {}
    for title, body in lessons.items():
        response = await client.post(
            f"{API}/courses/{course_id}/modules/{module_id}/items",
            json={"title": title, "content": {"type": "lesson", "body": body}},
            headers=owner.headers,
        )
        assert response.status_code == 201, response.text
        item_ids[title] = response.json()["content_id"]
    if publish:
        response = await client.post(f"{API}/courses/{course_id}/publish", headers=owner.headers)
        assert response.status_code == 200, response.text
    return Course(course_id, module_id, item_ids)


@pytest.fixture
async def biology(client: httpx.AsyncClient, people: People) -> Course:
    """A published course of three lessons (two about cells, one about bonds)."""
    return await create_course(
        client,
        people.owner,
        {
            "Photosynthesis": PHOTOSYNTHESIS,
            "Cell division": CELL_DIVISION,
            "Bonds": BOND_MARKETS,
        },
        publish=True,
    )


async def generate(
    client: httpx.AsyncClient, runtime: Any, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """POST /ai/generate (queued: 202, no result yet), runs the ai.generate job as the worker
    would, and returns the generation read back once it has finished."""
    response = await client.post(f"{API}/ai/generate", json=body, headers=headers)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "queued" and queued["result"] is None and queued["job_id"]
    await jobs.run_pending(runtime)
    done = await client.get(f"{API}/ai/generations/{queued['generation_id']}", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()
