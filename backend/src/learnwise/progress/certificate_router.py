"""Certificates of completion: ask for one, list mine, download the PDF, verify a code."""

import uuid

from fastapi import APIRouter, Response, status

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.platform.runtime import RuntimeDep
from learnwise.progress import certificates as service
from learnwise.progress.certificate_schemas import CertificateRead, CertificateVerification

router = APIRouter(tags=["certificates"])


@router.post(
    "/courses/{course_id}/certificate",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": CertificateRead, "description": "Issued before"}},
)
async def request_certificate(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> CertificateRead:
    """My certificate for a course I completed: 201 when issued now, 200 when issued before;
    409 while the course is not completed."""
    certificate, created = await service.request_certificate(
        session=session, cache=runtime.cache, principal=principal, course_id=course_id
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CertificateRead.of(certificate, runtime.settings)


@router.get("/certificates/me")
async def my_certificates(
    principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> list[CertificateRead]:
    """My certificates, newest first."""
    found = await service.list_mine(session=session, user_id=principal.user_id)
    return [CertificateRead.of(certificate, runtime.settings) for certificate in found]


@router.get("/certificates/verify/{code}")
async def verify_certificate(code: str, session: SessionDep) -> CertificateVerification:
    """Public: whether a verification code belongs to a certificate, and whose it is."""
    certificate = await service.verify(session=session, code=code)
    return CertificateVerification.of(certificate)


@router.get(
    "/certificates/{certificate_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The certificate"}},
)
async def certificate_pdf(
    certificate_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The certificate as a PDF: its owner's, or any for an admin."""
    certificate = await service.get_for_owner_or_admin(
        session=session, principal=principal, certificate_id=certificate_id
    )
    pdf = await service.render_pdf(settings=runtime.settings, certificate=certificate)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificate-{certificate_id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
