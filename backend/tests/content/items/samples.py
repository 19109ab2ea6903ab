"""Valid content of every type, and invalid variants of each, shared by the unit and API tests."""

from typing import Any

# The media files the item tests' world uploads (tests/content/items/conftest.py).
VIDEO_ID = "7b0f3f7e-8a4b-4a8e-9a51-0c0c3b6b2f10"
VTT_ID = "0b8e2a44-3a53-4f0e-a2a9-8e7a0a4cc1d2"
FILE_ID = "c3a1d0f5-54a2-4d0b-8f9c-3f3b4b1f6e07"


def lesson(body: str = "# Loops\n\nA `for` loop repeats; $\\sum_{i=1}^n i$.") -> dict[str, Any]:
    return {"type": "lesson", "body": body}


def video() -> dict[str, Any]:
    return {
        "type": "video",
        "media_id": VIDEO_ID,
        "duration_seconds": 300,
        "captions": [
            {"language": "en", "vtt": "WEBVTT\n\n00:00.000 --> 00:02.000\nHello"},
            {"language": "fr", "media_id": VTT_ID},
        ],
        "transcript": "Hello",
    }


def quiz(*questions: dict[str, Any], passing_score: float = 0.5) -> dict[str, Any]:
    return {
        "type": "quiz",
        "instructions": "Answer **all** questions.",
        "passing_score": passing_score,
        "questions": list(questions) or all_questions(),
    }


def all_questions() -> list[dict[str, Any]]:
    def options() -> list[dict[str, str]]:
        return [{"id": "a", "text": "2"}, {"id": "b", "text": "3"}, {"id": "c", "text": "4"}]

    return [
        {
            "id": "q1",
            "type": "single_choice",
            "prompt": "What is $1 + 1$?",
            "options": options(),
            "correct": "a",
            "explanation": "One and one make two.",
        },
        {
            "id": "q2",
            "type": "multiple_choice",
            "prompt": "Which are even?",
            "options": options(),
            "correct": ["a", "c"],
            "explanation": "Divisible by two.",
            "partial_credit": True,
        },
        {
            "id": "q3",
            "type": "true_false",
            "prompt": "Python is compiled to bytecode.",
            "correct": True,
            "explanation": "CPython compiles to bytecode first.",
        },
        {
            "id": "q4",
            "type": "short_answer",
            "prompt": "The capital of France?",
            "accepted_answers": ["Paris", "Paris, France"],
            "explanation": "It is Paris.",
        },
        {
            "id": "q5",
            "type": "numeric",
            "prompt": "Pi to two decimals?",
            "answer": 3.14,
            "tolerance": 0.005,
            "explanation": "3.14159...",
            "points": 2,
        },
    ]


def exercise() -> dict[str, Any]:
    return {
        "type": "exercise",
        "instructions": "Write a function `fizzbuzz(n)`.",
        "rubric": {
            "criteria": [
                {"id": "correct", "description": "Returns the right strings", "points": 6},
                {"id": "style", "description": "Readable", "points": 4},
            ]
        },
    }


def file() -> dict[str, Any]:
    return {"type": "file", "media_id": FILE_ID, "description": "Slides"}


def link(url: str = "https://docs.python.org/3/tutorial/") -> dict[str, Any]:
    return {"type": "link", "url": url, "description": "The tutorial"}


VALID: dict[str, dict[str, Any]] = {
    "lesson": lesson(),
    "video": video(),
    "quiz": quiz(),
    "exercise": exercise(),
    "file": file(),
    "link": link(),
}


def _question(**changes: Any) -> dict[str, Any]:
    return quiz({**all_questions()[0], **changes})


# (name, content, a fragment of the location the error must name)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("unknown type", {"type": "podcast", "media_id": VIDEO_ID}, "content"),
    ("no type", {"body": "hello"}, "content"),
    ("empty lesson", lesson(""), "body"),
    ("lesson with unknown field", {**lesson(), "script": "x"}, "script"),
    ("video without media", {"type": "video", "duration_seconds": 3}, "media_id"),
    ("video of zero seconds", {**video(), "duration_seconds": 0}, "duration_seconds"),
    (
        "caption with two sources",
        {**video(), "captions": [{"language": "en", "media_id": VIDEO_ID, "vtt": "WEBVTT"}]},
        "captions",
    ),
    (
        "caption that is not WebVTT",
        {**video(), "captions": [{"language": "en", "vtt": "1\n00:00:01,000 --> x"}]},
        "captions",
    ),
    ("quiz without questions", {"type": "quiz", "questions": []}, "questions"),
    ("question of unknown type", _question(type="essay"), "questions"),
    ("correct option that does not exist", _question(correct="z"), "questions"),
    ("one option only", _question(options=[{"id": "a", "text": "2"}]), "options"),
    (
        "duplicate option ids",
        _question(options=[{"id": "a", "text": "2"}, {"id": "a", "text": "3"}]),
        "questions",
    ),
    ("duplicate question ids", quiz(all_questions()[0], all_questions()[0]), "questions"),
    ("passing score above 1", quiz(passing_score=70), "passing_score"),
    (
        "negative tolerance",
        quiz({**all_questions()[4], "tolerance": -1}),
        "tolerance",
    ),
    (
        "short answer with no accepted answers",
        quiz({**all_questions()[3], "accepted_answers": []}),
        "accepted_answers",
    ),
    ("zero points", _question(points=0), "points"),
    ("exercise without criteria", {**exercise(), "rubric": {"criteria": []}}, "criteria"),
    ("javascript link", link("javascript:alert(1)"), "url"),
    ("data link", link("data:text/html,<script>alert(1)</script>"), "url"),
    ("ftp link", link("ftp://example.org/file"), "url"),
    ("file without media", {"type": "file"}, "media_id"),
]

ANSWER_KEY_FIELDS = {"correct", "accepted_answers", "explanation", "answer", "tolerance"}


def keys_anywhere(document: Any) -> set[str]:
    """Every object key anywhere in a JSON document."""
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in keys_anywhere(v)}
    if isinstance(document, list):
        return {k for v in document for k in keys_anywhere(v)}
    return set()
