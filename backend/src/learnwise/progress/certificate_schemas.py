"""Certificate schemas: a learner's certificates and the public verification."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from learnwise.config import Settings
from learnwise.progress.certificates import verification_url
from learnwise.progress.models import Certificate


class CertificateRead(BaseModel):
    certificate_id: uuid.UUID
    course_id: uuid.UUID
    learner_name: str
    course_title: str
    issued_at: datetime
    verification_code: str
    verification_url: str
    pdf_url: str

    @classmethod
    def of(cls, certificate: Certificate, settings: Settings) -> "CertificateRead":
        return cls(
            certificate_id=certificate.certificate_id,
            course_id=certificate.course_id,
            learner_name=certificate.learner_name,
            course_title=certificate.course_title,
            issued_at=certificate.issued_at,
            verification_code=certificate.verification_code,
            verification_url=verification_url(settings, certificate.verification_code),
            pdf_url=f"/api/v1/certificates/{certificate.certificate_id}.pdf",
        )


class CertificateVerification(BaseModel):
    """What anyone holding a verification code may know (unknown codes are 404)."""

    status: Literal["valid"] = "valid"
    learner_name: str
    course_title: str
    issued_at: datetime
    verification_code: str

    @classmethod
    def of(cls, certificate: Certificate) -> "CertificateVerification":
        return cls(
            learner_name=certificate.learner_name,
            course_title=certificate.course_title,
            issued_at=certificate.issued_at,
            verification_code=certificate.verification_code,
        )
