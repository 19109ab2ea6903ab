"""Certificates of completion: issued once per learner and course, downloaded as a PDF by their
owner (or an admin), verified by anyone who has the code.

A certificate is issued when the relay hands the ``certificates`` consumer a
``course.completed`` event, or when the learner asks for it after completing the course. It
keeps the learner's name and the course's title as they were then.
"""

import asyncio
import secrets
import uuid

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.models import User
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import Settings
from learnwise.content import service as content_service
from learnwise.content.exceptions import CourseNotFound
from learnwise.content.models import Course
from learnwise.db import new_id, utcnow
from learnwise.platform.cache import Cache
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.progress import certificate_pdf
from learnwise.progress import service as progress_service
from learnwise.progress.achievement_exceptions import CertificateNotFound, CourseNotCompleted
from learnwise.progress.achievement_rules import COURSE_COMPLETED
from learnwise.progress.models import Achievement, Certificate

VERIFY_PATH = "/api/v1/certificates/verify/"
# A consumer acts for the learner outside any sign-in session.
_NO_SESSION = uuid.UUID(int=0)


def verification_url(settings: Settings, code: str) -> str:
    return f"{settings.public_url.rstrip('/')}{VERIFY_PATH}{code}"


def _new_code() -> str:
    # 144 random bits: codes are public-facing and must not be guessable.
    return secrets.token_urlsafe(18)


async def _insert_once(session: AsyncSession, *, user: User, course: Course) -> bool:
    """Inserts the certificate unless the learner has one for the course; True if it did."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Certificate)
        .values(
            certificate_id=new_id(),
            user_id=user.user_id,
            course_id=course.course_id,
            verification_code=_new_code(),
            learner_name=user.display_name,
            course_title=course.title,
            issued_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
        .returning(Certificate.certificate_id)
    )
    return (await session.scalar(statement)) is not None


async def _certificate_of(
    session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID
) -> Certificate | None:
    return await session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


async def issue(*, session: AsyncSession, user: User, course: Course) -> tuple[Certificate, bool]:
    """The learner's certificate for the course, issued now unless it was before (concurrent
    calls issue one). Returns it and whether it was issued now."""
    created = await _insert_once(session, user=user, course=course)
    certificate = await _certificate_of(session, user.user_id, course.course_id)
    assert certificate is not None
    return certificate, created


async def _declared_completed(
    *, session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID
) -> bool:
    """Whether the course was declared completed by the learner, even if it has changed since:
    its ``course.completed`` event is in the outbox, or its award was made (events outlive their
    retention only as awards)."""
    awarded = exists().where(
        Achievement.user_id == user_id,
        Achievement.type == COURSE_COMPLETED,
        Achievement.award_key == str(course_id),
    )
    recorded = exists().where(
        OutboxEvent.type == EventType.COURSE_COMPLETED,
        OutboxEvent.user_id == user_id,
        OutboxEvent.course_id == course_id,
    )
    return bool(await session.scalar(select(awarded | recorded)))


async def _completed(
    *, session: AsyncSession, cache: Cache, user_id: uuid.UUID, course: Course
) -> bool:
    if await _declared_completed(session=session, user_id=user_id, course_id=course.course_id):
        return True
    _, state = await progress_service.course_state(
        session=session, cache=cache, course=course, user_id=user_id
    )
    return state.completed


async def request_certificate(
    *, session: AsyncSession, cache: Cache, principal: Principal, course_id: uuid.UUID
) -> tuple[Certificate, bool]:
    """The caller's certificate for a course they completed (idempotent)."""
    course = await content_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    existing = await _certificate_of(session, principal.user_id, course_id)
    if existing is not None:
        return existing, False
    if not await _completed(session=session, cache=cache, user_id=principal.user_id, course=course):
        raise CourseNotCompleted("Complete every required item of the course first.")
    user = await auth_service.get_user(session=session, user_id=principal.user_id)
    return await issue(session=session, user=user, course=course)


async def issue_on_completion(
    *, session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID
) -> Certificate | None:
    """Issues the certificate of a ``course.completed`` event; None if the learner can no
    longer see the course (a course taken back to draft: nothing to certify)."""
    user = await auth_service.get_user(session=session, user_id=user_id)
    learner = Principal(
        user_id=user.user_id,
        session_id=_NO_SESSION,
        roles=frozenset(user.role_names),
        permissions=await auth_service.permissions_of(session=session, user=user),
    )
    try:
        course = await content_service.get_course_for_read(
            session=session, principal=learner, course_id=course_id
        )
    except CourseNotFound:
        return None
    certificate, _ = await issue(session=session, user=user, course=course)
    return certificate


async def list_mine(*, session: AsyncSession, user_id: uuid.UUID) -> list[Certificate]:
    found = await session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at.desc(), Certificate.certificate_id)
    )
    return list(found)


async def get_for_owner_or_admin(
    *, session: AsyncSession, principal: Principal, certificate_id: uuid.UUID
) -> Certificate:
    """The certificate if it is the caller's, or the caller is an admin; others' certificates
    are not found, exactly as missing ones."""
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None or (
        certificate.user_id != principal.user_id and not principal.can(Permission.USER_READ)
    ):
        raise CertificateNotFound("No such certificate.")
    return certificate


async def verify(*, session: AsyncSession, code: str) -> Certificate:
    certificate = await session.scalar(
        select(Certificate).where(Certificate.verification_code == code)
    )
    if certificate is None:
        raise CertificateNotFound("No certificate has this verification code.")
    return certificate


async def render_pdf(*, settings: Settings, certificate: Certificate) -> bytes:
    content = certificate_pdf.CertificateContent(
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_at=certificate.issued_at,
        verification_code=certificate.verification_code,
        verification_url=verification_url(settings, certificate.verification_code),
    )
    return await asyncio.to_thread(certificate_pdf.render, content)
