"""A published course (tests/progress's world) with enough learners to pass k-anonymity, each
with progress and a quiz attempt; helpers to request, generate and download reports."""

import csv
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pypdf import PdfReader

from learnwise.auth import passwords
from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import LocalStorage
from tests.progress.conftest import ROLES, World, build_world

API = "/api/v1/analytics/reports"
# The quiz of the world: q1's right answer is "a", q2's "b".
ANSWERS = [{"q1": "a", "q2": "b"}] * 3 + [{"q1": "a", "q2": "c"}] * 2 + [{"q1": "c", "q2": "c"}]


@pytest.fixture(autouse=True)
def report_storage(runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "storage", LocalStorage(tmp_path / "media"))


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    # Eight accounts per test: cheap Argon2 parameters keep the suite fast.
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


@pytest.fixture
async def world(client, db_session, make_account, cheap_passwords) -> World:
    accounts = {name: await make_account(role) for name, role in ROLES.items()}
    return await build_world(client, db_session, accounts)


@pytest.fixture
async def cohort(world: World, make_account) -> list[Any]:
    """Six learners (the world's one included) who did the lesson and took the quiz."""
    learners = [world.learner]
    for _ in range(5):
        learner = await make_account("learner")
        await world.enroll(learner)
        learners.append(learner)
    for learner, answers in zip(learners, ANSWERS, strict=True):
        response = await world.report(
            world.lesson, by=learner, completed=True, time_spent_seconds=90
        )
        assert response.status_code == 200, response.text
        response = await world.attempt(answers, by=learner)
        assert response.status_code == 201, response.text
    return learners


async def request(client: httpx.AsyncClient, by: Any, **body: Any) -> httpx.Response:
    return await client.post(API, json=body, headers=by.headers)


async def generate(
    client: httpx.AsyncClient, runtime: Runtime, by: Any, **body: Any
) -> dict[str, Any]:
    """Requests a report, runs its job, and returns the report (ready)."""
    response = await request(client, by, **body)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    await jobs.run_pending(runtime)
    ready = await client.get(f"{API}/{response.json()['report_id']}", headers=by.headers)
    assert ready.json()["status"] == "ready", ready.text
    return ready.json()


async def download(client: httpx.AsyncClient, by: Any, report: dict[str, Any]) -> bytes:
    response = await client.get(f"{API}/{report['report_id']}/download", headers=by.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def csv_table(content: bytes, name: str) -> list[list[str]]:
    """The rows of one table of a CSV report, header first."""
    rows = csv_rows(content)
    start = rows.index([f"# {name}"]) + 1
    end = rows.index([], start)
    return rows[start:end]


def xlsx_sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def identities(accounts: list[Any]) -> list[str]:
    """What must not appear in an anonymized export: emails and display names."""
    return [a.email for a in accounts] + [a.email.split("@")[0] for a in accounts]


Check = Callable[[bytes], str]
TEXT_OF: dict[str, Check] = {
    "csv": lambda content: content.decode("utf-8-sig"),
    "xlsx": lambda content: repr(xlsx_sheets(content)),
    "pdf": pdf_text,
}


def new_id() -> str:
    return str(uuid.uuid4())
