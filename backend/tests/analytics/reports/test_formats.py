"""Each kind of report in each format, opened by a real reader (csv, openpyxl, pypdf), with
no learner's email or name anywhere in an anonymized export."""

import uuid

import pytest

from learnwise.analytics.reports.anonymize import Pseudonymizer, pseudonym_key
from tests.analytics.reports.conftest import (
    TEXT_OF,
    csv_table,
    download,
    generate,
    identities,
    pdf_text,
    xlsx_sheets,
)


@pytest.mark.parametrize("report_format", ["csv", "xlsx", "pdf"])
async def test_course_progress_in_every_format_is_pseudonymized(
    client, runtime, world, cohort, report_format
) -> None:
    report = await generate(
        client,
        runtime,
        world.owner,
        kind="course_progress",
        format=report_format,
        course_id=world.course_id,
    )
    assert report["filename"].endswith(f".{report_format}")
    content = await download(client, world.owner, report)
    assert report["size_bytes"] == len(content)
    text = TEXT_OF[report_format](content)
    assert "Python basics" in text
    for forbidden in identities(cohort):
        assert forbidden not in text
    pseudonym = Pseudonymizer(pseudonym_key(runtime.settings), uuid.UUID(report["report_id"]))
    expected = sorted(pseudonym(learner.user_id) for learner in cohort)

    if report_format == "csv":
        learners = csv_table(content, "Learners")
        assert learners[0][0] == "Learner (pseudonym)"
        assert sorted(row[0] for row in learners[1:]) == expected
        items = csv_table(content, "Items")
        loops = next(row for row in items if row[0] == "Loops")
        assert loops[5] == "6"  # completed by all six
    elif report_format == "xlsx":
        sheets = xlsx_sheets(content)
        assert {"Summary", "Learners", "Cohorts by enrollment month", "Items"} <= set(sheets)
        assert sorted(row[0] for row in sheets["Learners"][1:]) == expected
        # Typed cells: numbers stay numbers.
        assert all(isinstance(row[4], int | float) for row in sheets["Learners"][1:])
    else:
        for each in expected:
            assert each in text
        assert "Learners by progress" in text  # the chart's title


async def test_pseudonyms_differ_between_exports(client, runtime, world, cohort) -> None:
    body = {"kind": "course_progress", "format": "csv", "course_id": world.course_id}
    first = csv_table(
        await download(client, world.owner, await generate(client, runtime, world.owner, **body)),
        "Learners",
    )
    second = csv_table(
        await download(client, world.owner, await generate(client, runtime, world.owner, **body)),
        "Learners",
    )
    assert len(first) == len(second) == 7
    assert not {row[0] for row in first[1:]} & {row[0] for row in second[1:]}


async def test_a_small_course_has_its_learners_suppressed_unless_identities_are_asked(
    client, runtime, world
) -> None:
    response = await world.report(world.lesson, completed=True)
    assert response.status_code == 200
    anonymous = await download(
        client,
        world.owner,
        await generate(
            client,
            runtime,
            world.owner,
            kind="course_progress",
            format="csv",
            course_id=world.course_id,
        ),
    )
    learners = csv_table(anonymous, "Learners")
    assert learners[1:] == [["# Fewer than 5 learners: suppressed."]]
    assert ["# Fewer than 5 learners: suppressed."] in csv_table(anonymous, "Items")
    cohorts = csv_table(anonymous, "Cohorts by enrollment month")
    assert cohorts[1][1] == "suppressed"

    named = await download(
        client,
        world.admin,
        await generate(
            client,
            runtime,
            world.admin,
            kind="course_progress",
            format="csv",
            course_id=world.course_id,
            include_identities=True,
        ),
    )
    learners = csv_table(named, "Learners")
    assert learners[0][:2] == ["Name", "Email"]
    assert learners[1][1] == world.learner.email


async def test_quiz_item_analysis_measures_each_question(client, runtime, world, cohort) -> None:
    report = await generate(
        client,
        runtime,
        world.owner,
        kind="quiz_item_analysis",
        format="xlsx",
        course_id=world.course_id,
    )
    sheets = xlsx_sheets(await download(client, world.owner, report))
    quizzes = sheets["Quizzes"]
    assert quizzes[1][:2] == ("Loops quiz", 6)
    questions = {row[1].split(" ")[0]: row for row in sheets["Questions"][1:]}
    # q1: five of six right; q2: three of six.
    assert questions["Q1"][2] == 6 and questions["Q1"][3] == pytest.approx(5 / 6, abs=1e-3)
    assert questions["Q2"][3] == pytest.approx(0.5, abs=1e-3)
    # Those who got q2 right did better on the rest: positive discrimination.
    assert questions["Q2"][4] > 0
    assert "pdf" not in sheets


async def test_my_transcript_names_me_only_when_i_ask(client, runtime, world, cohort) -> None:
    anonymous = await download(
        client,
        world.learner,
        await generate(client, runtime, world.learner, kind="learner_transcript", format="pdf"),
    )
    text = pdf_text(anonymous)
    assert "Python basics" in text and "Loops quiz" in text
    assert world.learner.email not in text

    named = await download(
        client,
        world.learner,
        await generate(
            client,
            runtime,
            world.learner,
            kind="learner_transcript",
            format="csv",
            include_identities=True,
        ),
    )
    assert world.learner.email in named.decode("utf-8-sig")
    attempts = csv_table(named, "Quiz attempts")
    assert attempts[1][:2] == ["Loops quiz", "1"]


async def test_the_platform_summary_counts_per_week(client, runtime, world, cohort) -> None:
    report = await generate(client, runtime, world.admin, kind="platform_summary", format="xlsx")
    sheets = xlsx_sheets(await download(client, world.admin, report))
    weeks = sheets["Per week"]
    assert sum(row[2] for row in weeks[1:]) >= 6  # the cohort's enrollments
    assert sum(row[3] for row in weeks[1:]) >= 6  # their attempts
    courses = {row[0]: row for row in sheets["Courses"][1:]}
    assert courses["Python basics"][2] == 6
    text = pdf_text(
        await download(
            client,
            world.admin,
            await generate(client, runtime, world.admin, kind="platform_summary", format="pdf"),
        )
    )
    assert "Platform summary" in text and "Enrollments per week" in text
    for forbidden in identities(cohort):
        assert forbidden not in text
