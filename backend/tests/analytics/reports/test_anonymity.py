"""No learner's email, name or user id anywhere in an anonymized export: not in the cells or
text a reader shows, and not in the file's other parts (an XLSX workbook's every XML part, its
properties included; a PDF's metadata and its uncompressed bytes)."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from tests.analytics.reports.conftest import download, generate, identities, pdf_text


def everything_in(content: bytes, report_format: str) -> str:
    if report_format == "csv":
        return content.decode("utf-8-sig")
    if report_format == "xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "\n".join(
                workbook.read(part).decode("utf-8", errors="replace")
                for part in workbook.namelist()
            )
    metadata = PdfReader(io.BytesIO(content)).metadata or {}
    return "\n".join([pdf_text(content), *map(str, metadata.values()), content.decode("latin-1")])


@pytest.mark.parametrize("report_format", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("kind", ["course_progress", "quiz_item_analysis", "learner_transcript"])
async def test_no_identity_anywhere_in_an_anonymized_export(
    client, runtime, world, cohort, kind, report_format
) -> None:
    requester = world.learner if kind == "learner_transcript" else world.owner
    body = {"kind": kind, "format": report_format}
    if kind != "learner_transcript":
        body["course_id"] = world.course_id
    report = await generate(client, runtime, requester, **body)
    content = await download(client, requester, report)

    found = everything_in(content, report_format)

    assert "Python basics" in found  # the reader did read the file
    forbidden = identities(cohort) + [str(a.user_id) for a in cohort]
    forbidden += [a.user_id.hex for a in cohort]
    for identity in forbidden:
        assert identity not in found, (kind, report_format, identity)
