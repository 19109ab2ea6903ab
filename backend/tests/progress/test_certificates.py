"""Certificates of completion: issued on completion (consumer) or on request, once; the PDF for
its owner or an admin; the public verification."""

import asyncio
import io
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords
from learnwise.auth.models import User
from learnwise.platform.events import EventType
from learnwise.platform.runtime import Runtime
from learnwise.progress import certificates
from learnwise.progress.certificate_pdf import CertificateContent, render
from learnwise.progress.models import Certificate

from .rewards import count, happened, make_course, make_learner

API = "/api/v1"
NAME = "Zoë Ångström"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


async def named(session: AsyncSession, account, name: str = NAME) -> None:
    user = await session.get(User, account.user_id)
    assert user is not None
    user.display_name = name
    await session.commit()


async def completed_course(session: AsyncSession, learner_id: uuid.UUID, owner_id: uuid.UUID):
    course, _, _ = await make_course(session, owner_id, title="Graph Algorithms in Practice")
    await happened(session, EventType.COURSE_COMPLETED, learner_id, course_id=course.course_id)
    await session.commit()
    return course


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


async def test_asking_for_a_certificate(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, runtime: Runtime
) -> None:
    owner = await make_account("instructor")
    learner = await make_account("learner")
    await named(db_session, learner)
    course, _, _ = await make_course(db_session, owner.user_id, title="Graph Algorithms")
    await db_session.commit()
    url = f"{API}/courses/{course.course_id}/certificate"

    assert (await client.post(url)).status_code == 401
    refused = await client.post(url, headers=learner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "course-not-completed"

    await happened(
        db_session, EventType.COURSE_COMPLETED, learner.user_id, course_id=course.course_id
    )
    await db_session.commit()
    issued = await client.post(url, headers=learner.headers)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["learner_name"] == NAME
    assert body["course_title"] == "Graph Algorithms"
    assert body["course_id"] == str(course.course_id)
    code = body["verification_code"]
    assert len(code) >= 24
    assert (
        body["verification_url"] == f"{runtime.settings.public_url}{API}/certificates/verify/{code}"
    )
    assert body["pdf_url"] == f"{API}/certificates/{body['certificate_id']}.pdf"

    again = await client.post(url, headers=learner.headers)
    assert again.status_code == 200
    assert again.json() == body

    mine = await client.get(f"{API}/certificates/me", headers=learner.headers)
    assert mine.json() == [body]


async def test_no_certificate_for_a_course_one_cannot_see(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    owner = await make_account("instructor")
    learner = await make_account("learner")
    course, _, _ = await make_course(db_session, owner.user_id, status="draft")
    await happened(
        db_session, EventType.COURSE_COMPLETED, learner.user_id, course_id=course.course_id
    )
    await db_session.commit()
    for course_id in (course.course_id, uuid.uuid4()):
        response = await client.post(
            f"{API}/courses/{course_id}/certificate", headers=learner.headers
        )
        assert response.status_code == 404
        assert response.json()["code"] == "course-not-found"


async def test_the_pdf_is_for_its_owner_and_admins(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, runtime: Runtime
) -> None:
    owner = await make_account("instructor")
    learner = await make_account("learner")
    other = await make_account("learner")
    admin = await make_account("admin")
    await named(db_session, learner)
    course = await completed_course(db_session, learner.user_id, owner.user_id)
    issued = await client.post(
        f"{API}/courses/{course.course_id}/certificate", headers=learner.headers
    )
    certificate = issued.json()
    pdf_url = certificate["pdf_url"]

    assert (await client.get(pdf_url)).status_code == 401
    hidden = await client.get(pdf_url, headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "certificate-not-found"
    assert (await client.get(pdf_url, headers=owner.headers)).status_code == 404
    missing = await client.get(f"{API}/certificates/{uuid.uuid4()}.pdf", headers=learner.headers)
    assert missing.status_code == 404

    for who in (learner, admin):
        response = await client.get(pdf_url, headers=who.headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "private, no-store"
        assert response.content.startswith(b"%PDF-")
        text = pdf_text(response.content)
        assert NAME in text
        assert "Graph Algorithms in Practice" in text
        assert certificate["verification_url"] in text
        assert certificate["verification_url"].startswith(runtime.settings.public_url)

    # Others' certificates do not show among mine.
    assert (await client.get(f"{API}/certificates/me", headers=other.headers)).json() == []
    assert (await client.get(f"{API}/certificates/me")).status_code == 401


async def test_verification_is_public(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    owner = await make_account("instructor")
    learner = await make_account("learner")
    await named(db_session, learner)
    course = await completed_course(db_session, learner.user_id, owner.user_id)
    issued = (
        await client.post(f"{API}/courses/{course.course_id}/certificate", headers=learner.headers)
    ).json()

    response = await client.get(f"{API}/certificates/verify/{issued['verification_code']}")
    assert response.status_code == 200
    assert response.json() == {
        "status": "valid",
        "learner_name": NAME,
        "course_title": "Graph Algorithms in Practice",
        "issued_at": issued["issued_at"],
        "verification_code": issued["verification_code"],
    }
    for unknown in ("not-a-code", issued["verification_code"][:-1], "x" * 300):
        response = await client.get(f"{API}/certificates/verify/{unknown}")
        assert response.status_code == 404
        assert response.json()["code"] == "certificate-not-found"


async def test_completion_issues_the_certificate_once(
    db_session: AsyncSession,
) -> None:
    learner = await make_learner(db_session, name=NAME)
    course, _, _ = await make_course(db_session, learner.user_id, title="Compilers")
    for _ in range(2):
        await certificates.issue_on_completion(
            session=db_session, user_id=learner.user_id, course_id=course.course_id
        )

    [certificate] = await certificates.list_mine(session=db_session, user_id=learner.user_id)
    assert certificate.course_id == course.course_id
    assert certificate.learner_name == NAME
    assert certificate.course_title == "Compilers"

    # The names stay as they were when it was issued.
    course.title = "Compilers, 2nd edition"
    await db_session.flush()
    await certificates.issue_on_completion(
        session=db_session, user_id=learner.user_id, course_id=course.course_id
    )
    assert await count(db_session, Certificate, user_id=learner.user_id) == 1
    assert (await certificates.verify(session=db_session, code=certificate.verification_code)) == (
        certificate
    )


async def test_completing_a_course_taken_back_to_draft_issues_nothing(
    db_session: AsyncSession,
) -> None:
    owner = await make_learner(db_session)
    learner = await make_learner(db_session)
    course, _, _ = await make_course(db_session, owner.user_id, status="draft")
    issued = await certificates.issue_on_completion(
        session=db_session, user_id=learner.user_id, course_id=course.course_id
    )
    assert issued is None
    assert await count(db_session, Certificate, user_id=learner.user_id) == 0


async def test_concurrent_requests_issue_one_certificate(
    runtime: Runtime, live_client: httpx.AsyncClient
) -> None:
    async with runtime.sessionmaker() as session:
        learner = await make_learner(session)
        course, _, _ = await make_course(session, learner.user_id)
        await session.commit()

    async def issue() -> uuid.UUID:
        async with runtime.sessionmaker() as session:
            certificate = await certificates.issue_on_completion(
                session=session, user_id=learner.user_id, course_id=course.course_id
            )
            await session.commit()
            assert certificate is not None
            return certificate.certificate_id

    issued = await asyncio.gather(*(issue() for _ in range(10)))
    assert len(set(issued)) == 1
    async with runtime.sessionmaker() as session:
        assert await count(session, Certificate, user_id=learner.user_id) == 1


def test_the_pdf_wraps_long_titles_and_keeps_unicode() -> None:
    title = "A very long course title " * 6
    pdf = render(
        CertificateContent(
            learner_name="Łukasz Żółć-Éloïse",
            course_title=title,
            issued_at=datetime(2026, 11, 5, tzinfo=UTC),
            verification_code="abc",
            verification_url="https://learnwise.example/api/v1/certificates/verify/abc",
        )
    )
    text = pdf_text(pdf)
    assert "Łukasz Żółć-Éloïse" in text
    assert "Issued on 5 November 2026" in text
    assert " ".join(text.split()).count("A very long course title") >= 5
    assert "https://learnwise.example/api/v1/certificates/verify/abc" in text
