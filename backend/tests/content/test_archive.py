"""Course archives: export, import, the round trip between them, who may do either, and every
kind of bad archive refused with nothing created."""

import asyncio
import hashlib
import io
import json
import secrets
import stat
import struct
import uuid
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.config import MediaSettings
from learnwise.content import archive_zip
from learnwise.content.models import ContentItem, Course, Module, Skill
from learnwise.errors import PROBLEM_JSON
from learnwise.media.models import Media, MediaBlob
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import LocalStorage
from tests.conftest import PASSWORD
from tests.media.files import image_bytes, mp4_bytes

from .factories import API, COURSES, Courses, People, headers

IMPORT = f"{COURSES}/import"
KIB = 1024
MIB = 1024 * KIB
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n"


# ---------------------------------------------------------------------------------------------
# Fixtures: media storage of the test's own, and a course with everything an archive holds


@pytest.fixture
async def storage(
    tmp_path: Path, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[LocalStorage]:
    settings = MediaSettings(local_root=tmp_path / "media", max_file_bytes=3 * MIB)
    local = LocalStorage(settings.local_root)
    monkeypatch.setattr(runtime, "storage", local)
    monkeypatch.setattr(
        runtime, "settings", runtime.settings.model_copy(update={"media": settings})
    )
    yield local
    await local.close()


def limit_media(runtime: Runtime, monkeypatch: pytest.MonkeyPatch, **limits: Any) -> None:
    media = runtime.settings.media.model_copy(update=limits)
    monkeypatch.setattr(runtime, "settings", runtime.settings.model_copy(update={"media": media}))


async def upload(client: httpx.AsyncClient, who: Any, filename: str, data: bytes) -> str:
    response = await client.post(
        f"{API}/media", params={"filename": filename}, content=data, headers=headers(who)
    )
    assert response.status_code == 201, response.text
    return response.json()["media_id"]


async def post(client: httpx.AsyncClient, who: Any, url: str, body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers(who))
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass
class Taught:
    course_id: str
    slug: str
    media_ids: dict[str, str]


@pytest.fixture
async def taught(
    client: httpx.AsyncClient, courses: Courses, people: People, storage: LocalStorage
) -> Taught:
    """A draft course with lessons (one embedding an image by its URL), a video with a caption
    file, a quiz whose questions and item name skills (one requiring another), a file, and
    module prerequisites; some items published, one edited since."""
    owner = people.owner
    media = {
        "video": await upload(client, owner, "intro.mp4", mp4_bytes(64 * KIB)),
        "vtt": await upload(client, owner, "captions-fr.vtt", VTT),
        "cover": await upload(client, owner, "cover.png", image_bytes("PNG", size=(40, 30))),
        "diagram": await upload(client, owner, "diagram.png", image_bytes("PNG", color=(1, 2, 3))),
        "pdf": await upload(client, owner, "handout.pdf", b"%PDF-1.4\n% a tiny pdf\n%%EOF\n"),
    }
    await post(client, owner, f"{API}/skills", {"slug": "py-basics", "name": "Basics"})
    await post(
        client,
        owner,
        f"{API}/skills",
        {"slug": "py-loops", "name": "Loops", "prerequisites": ["py-basics"]},
    )
    await post(client, owner, f"{API}/skills", {"slug": "py-loop-quiz", "name": "Loop quizzes"})
    course = await courses.create(
        owner,
        title="Python from scratch",
        slug="python-from-scratch",
        summary="Learn Python.",
        description="# Python\n\nFrom **scratch**.",
        level="intermediate",
        language="en-GB",
        tags=["python", "programming"],
        estimated_minutes=90,
        cover_media_id=media["cover"],
        settings={"passing_score": 60, "max_quiz_attempts": 3, "enforce_prerequisites": True},
    )
    course_id = course["course_id"]
    await courses.add_co_instructor(owner, course_id, people.co_instructor.user_id)
    basics = await courses.module(owner, course_id, "Basics")
    loops = await courses.module(owner, course_id, "Loops")
    final = await courses.module(owner, course_id, "Final quiz")

    def items_url(module: dict[str, Any]) -> str:
        return f"{COURSES}/{course_id}/modules/{module['module_id']}/items"

    lesson = await post(
        client,
        owner,
        items_url(basics),
        {
            "title": "Hello",
            "content": {
                "type": "lesson",
                "body": f"# Hello\n\n![diagram]({API}/media/{media['diagram']}/content)",
            },
            "metadata": {"estimated_minutes": 5, "tags": ["intro"]},
            "skills": ["py-basics"],
        },
    )
    video = await post(
        client,
        owner,
        items_url(basics),
        {
            "title": "Watch",
            "content": {
                "type": "video",
                "media_id": media["video"],
                "duration_seconds": 120,
                "captions": [
                    {"language": "fr", "label": "Français", "media_id": media["vtt"]},
                    {"language": "en", "vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi"},
                ],
            },
            "is_required": False,
        },
    )
    await post(
        client,
        owner,
        items_url(loops),
        {
            "title": "Handout",
            "content": {"type": "file", "media_id": media["pdf"], "description": "Print it."},
        },
    )
    quiz = await post(
        client,
        owner,
        items_url(final),
        {
            "title": "Loops quiz",
            "skills": ["py-loop-quiz"],
            "content": {
                "type": "quiz",
                "passing_score": 0.5,
                "questions": [
                    {
                        "id": "q1",
                        "type": "single_choice",
                        "prompt": "Which keyword loops?",
                        "options": [{"id": "a", "text": "for"}, {"id": "b", "text": "def"}],
                        "correct": "a",
                        "skills": ["py-loops", "py-basics"],
                        "explanation": "for loops.",
                    },
                    {
                        "id": "q2",
                        "type": "numeric",
                        "prompt": "len(range(3))?",
                        "answer": 3,
                        "skills": ["py-loops"],
                    },
                ],
            },
        },
    )
    for item in (lesson, video, quiz):
        await post(client, owner, f"{API}/items/{item['content_id']}/publish", None)
    edited = await client.patch(
        f"{API}/items/{lesson['content_id']}",
        json={"title": "Hello, world", "version": 1},
        headers=headers(owner),
    )
    assert edited.status_code == 200, edited.text
    for module, requires in ((loops, [basics]), (final, [basics, loops])):
        response = await client.put(
            f"{COURSES}/{course_id}/modules/{module['module_id']}/prerequisites",
            json={"module_ids": [m["module_id"] for m in requires]},
            headers=headers(owner),
        )
        assert response.status_code == 200, response.text
    return Taught(course_id, course["slug"], media)


async def export(client: httpx.AsyncClient, who: Any, course_id: str) -> bytes:
    response = await client.get(f"{COURSES}/{course_id}/export", headers=headers(who))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


async def import_archive(
    client: httpx.AsyncClient, who: Any, data: bytes
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        IMPORT, content=data, headers=headers(who, **{"Content-Type": "application/zip"})
    )
    return response.status_code, response.json()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def document(data: bytes) -> dict[str, Any]:
    return json.loads(entries(data)["course.json"])


def without_ids(course_json: dict[str, Any]) -> dict[str, Any]:
    """course.json as it must survive a round trip: module ids become positions, and the
    slug (numbered when the original's is taken) goes."""
    result = json.loads(json.dumps(course_json))
    positions = {module["id"]: index for index, module in enumerate(result["modules"])}
    for module in result["modules"]:
        module["id"] = positions[module["id"]]
        module["prerequisites"] = sorted(positions[p] for p in module["prerequisites"])
    del result["course"]["slug"]
    return result


# ---------------------------------------------------------------------------------------------
# Export


async def test_export_holds_the_course_its_skills_and_media(
    client: httpx.AsyncClient, people: People, taught: Taught, db_session: AsyncSession
) -> None:
    response = await client.get(
        f"{COURSES}/{taught.course_id}/export", headers=headers(people.co_instructor)
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    assert "python-from-scratch.zip" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    files = entries(response.content)

    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "learnwise-course-archive"
    assert manifest["format_version"] == 1
    assert manifest["source_url"] == "http://localhost:8000"
    assert manifest["source_course_id"] == taught.course_id
    assert manifest["exported_at"]

    course = json.loads(files["course.json"])
    assert course["course"]["slug"] == "python-from-scratch"
    assert course["course"]["settings"]["passing_score"] == 60
    assert course["course"]["cover"].startswith("media/")
    modules = course["modules"]
    assert [m["title"] for m in modules] == ["Basics", "Loops", "Final quiz"]
    assert modules[2]["prerequisites"] == sorted([modules[0]["id"], modules[1]["id"]])
    lesson, video = modules[0]["items"]
    # The current content (edited after publishing), published as it was.
    assert lesson["title"] == "Hello, world"
    assert lesson["published"] is True
    assert lesson["skills"] == ["py-basics"]
    assert lesson["metadata"]["estimated_minutes"] == 5
    assert video["is_required"] is False
    assert modules[1]["items"][0]["published"] is False
    quiz = modules[2]["items"][0]
    assert quiz["content"]["questions"][0]["skills"] == ["py-basics", "py-loops"]
    assert quiz["content"]["questions"][0]["correct"] == "a"  # the answer key travels
    assert [(s["slug"], s["prerequisites"]) for s in course["skills"]] == [
        ("py-basics", []),
        ("py-loop-quiz", []),
        ("py-loops", ["py-basics"]),
    ]

    # Media are named by checksum, referred to by path, and stored byte for byte.
    media_ids = taught.media_ids.values()
    checksums = {
        str(m.media_id): m.checksum
        for m in await db_session.scalars(
            select(Media).where(Media.media_id.in_([uuid.UUID(i) for i in media_ids]))
        )
    }
    paths = {entry["path"] for entry in course["media"]}
    assert paths == {name for name in files if name.startswith("media/")}
    assert video["content"]["media_id"] == f"media/{checksums[taught.media_ids['video']]}.mp4"
    assert video["content"]["captions"][0]["media_id"] == (
        f"media/{checksums[taught.media_ids['vtt']]}.vtt"
    )
    diagram = f"media/{checksums[taught.media_ids['diagram']]}.png"
    assert lesson["content"]["body"].endswith(f"({API}/media/{diagram}/content)")
    assert files[video["content"]["media_id"]].startswith(mp4_bytes(0)[:16])
    assert files["media/" + checksums[taught.media_ids["vtt"]] + ".vtt"] == VTT
    assert not any(taught.media_ids[k] in files["course.json"].decode() for k in taught.media_ids)


@pytest.mark.parametrize(
    ("who", "published", "expected"),
    [
        ("anonymous", False, 401),
        ("learner", False, 404),
        ("learner", True, 403),
        ("other_instructor", False, 404),
        ("other_instructor", True, 403),
        ("co_instructor", False, 200),
        ("admin", False, 200),
    ],
)
async def test_only_the_courses_instructors_and_admins_export(
    client: httpx.AsyncClient,
    courses: Courses,
    people: People,
    storage: LocalStorage,
    who: str,
    published: bool,
    expected: int,
) -> None:
    course = await courses.create(people.owner)
    await courses.add_co_instructor(people.owner, course["course_id"], people.co_instructor.user_id)
    if published:
        await courses.publish(people.owner, course["course_id"])
    account = None if who == "anonymous" else getattr(people, who)
    response = await client.get(f"{COURSES}/{course['course_id']}/export", headers=headers(account))
    assert response.status_code == expected, response.text
    if expected != 200:
        assert response.headers["content-type"] == PROBLEM_JSON


# ---------------------------------------------------------------------------------------------
# Import and the round trip


COURSE_FIELDS = (
    *("title", "summary", "description", "level", "language", "tags"),
    *("estimated_minutes", "settings", "status", "cover_media_id"),
)
ITEM_FIELDS = (
    *("type", "title", "sequence_number", "is_required"),
    *("content", "metadata", "skill_ids", "all_skill_ids"),
)


async def item_snapshot(
    client: httpx.AsyncClient, session: AsyncSession, who: Any, course_id: str
) -> dict[str, Any]:
    """The course and every item as its instructors read them, with ids, slugs, versions and
    timestamps left out, media named by checksum and skills by slug."""
    course = (await client.get(f"{COURSES}/{course_id}", headers=headers(who))).json()
    checksums = {str(m.media_id): m.checksum for m in await session.scalars(select(Media))}
    slugs = {str(s.skill_id): s.slug for s in await session.scalars(select(Skill))}

    def named(value: Any) -> Any:
        text = json.dumps(value)
        for table in (checksums, slugs):
            for key, name in table.items():
                text = text.replace(key, name)
        result = json.loads(text)
        # Skills are kept sorted by id, which differ between the two installations.
        for key in ("skill_ids", "all_skill_ids"):
            if key in result:
                result[key] = sorted(result[key])
        for question in result.get("content", {}).get("questions", []):
            question["skills"] = sorted(question["skills"])
        return result

    modules = course["modules"]
    positions = {m["module_id"]: i for i, m in enumerate(modules)}
    items = []
    for module in modules:
        for summary in module["items"]:
            item = (
                await client.get(
                    f"{API}/items/{summary['content_id']}",
                    params={"view": "draft"},
                    headers=headers(who),
                )
            ).json()
            items.append(
                named(
                    {key: item[key] for key in ITEM_FIELDS}
                    | {"published": item["published_version"] is not None}
                )
            )
    return {
        "course": named({key: course[key] for key in COURSE_FIELDS}),
        "modules": [
            {
                "title": m["title"],
                "description": m["description"],
                "status": m["status"],
                "prerequisites": sorted(positions[p] for p in m["prerequisite_ids"]),
            }
            for m in modules
        ],
        "items": items,
    }


async def counts(session: AsyncSession, storage: LocalStorage) -> tuple[Any, ...]:
    """Everything a refused import must leave as it was."""

    async def count(model: type) -> int:
        return await session.scalar(select(func.count()).select_from(model)) or 0

    objects = tuple(stored.key for stored in await storage.list_prefix("blobs/"))
    spooled = (
        sorted(p.name for p in storage.temp_dir.glob("*")) if storage.temp_dir.exists() else []
    )
    return (
        await count(Course),
        await count(Module),
        await count(ContentItem),
        await count(Skill),
        await count(Media),
        await count(MediaBlob),
        objects,
        tuple(spooled),
    )


async def test_round_trip_keeps_the_course_whole(
    client: httpx.AsyncClient,
    people: People,
    taught: Taught,
    db_session: AsyncSession,
    storage: LocalStorage,
) -> None:
    original = await export(client, people.owner, taught.course_id)
    status, body = await import_archive(client, people.other_instructor, original)
    assert status == 201, body
    imported = body["course"]
    assert imported["status"] == "draft"
    assert imported["owner_id"] == str(people.other_instructor.user_id)
    assert imported["slug"] == "python-from-scratch-2"  # the original keeps its slug
    assert imported["course_id"] != taught.course_id
    assert body["skills_created"] == []
    assert body["skills_matched"] == ["py-basics", "py-loop-quiz", "py-loops"]
    assert (body["media_stored"], body["media_reused"]) == (5, 0)
    assert body["source_url"] == "http://localhost:8000"

    assert await item_snapshot(
        client, db_session, people.other_instructor, imported["course_id"]
    ) == await item_snapshot(client, db_session, people.owner, taught.course_id)

    again = await export(client, people.other_instructor, imported["course_id"])
    assert without_ids(document(again)) == without_ids(document(original))
    original_files, files = entries(original), entries(again)
    assert {k: v for k, v in files.items() if k.startswith("media/")} == {
        k: v for k, v in original_files.items() if k.startswith("media/")
    }
    # The imported media are the importer's own records of the same stored bytes.
    new_media = await db_session.scalars(
        select(Media).where(Media.owner_id == people.other_instructor.user_id)
    )
    assert len(new_media.all()) == 5
    assert (
        len(await storage.list_prefix("blobs/"))
        == len([k for k in original_files if k.startswith("media/")]) + 2
    )  # each PNG's thumbnail


async def test_import_into_another_installation_creates_the_skills(
    client: httpx.AsyncClient, people: People, taught: Taught, db_session: AsyncSession
) -> None:
    original = await export(client, people.owner, taught.course_id)
    # Another installation: no such course, skills or media.
    course_json = document(original)
    for skill in course_json["skills"]:
        skill["slug"] = "new-" + skill["slug"]
        skill["prerequisites"] = ["new-" + p for p in skill["prerequisites"]]
    for module in course_json["modules"]:
        for item in module["items"]:
            item["skills"] = ["new-" + s for s in item["skills"]]
            for question in item["content"].get("questions", []):
                question["skills"] = ["new-" + s for s in question["skills"]]
    course_json["course"]["slug"] = "fresh-course"
    status, body = await import_archive(
        client, people.admin, rezip(original, {"course.json": json.dumps(course_json).encode()})
    )
    assert status == 201, body
    assert body["course"]["slug"] == "fresh-course"
    assert body["skills_created"] == ["new-py-basics", "new-py-loop-quiz", "new-py-loops"]
    loops = await db_session.scalar(select(Skill).where(Skill.slug == "new-py-loops"))
    graph = (await client.get(f"{API}/skills/new-py-loops", headers=headers(people.admin))).json()
    basics = await db_session.scalar(select(Skill).where(Skill.slug == "new-py-basics"))
    assert loops is not None and basics is not None
    assert graph["prerequisite_ids"] == [str(basics.skill_id)]
    quiz = document(await export(client, people.admin, body["course"]["course_id"]))["modules"][2]
    assert quiz["items"][0]["content"]["questions"][1]["skills"] == ["new-py-loops"]


async def test_importing_ones_own_export_reuses_ones_media(
    client: httpx.AsyncClient, people: People, taught: Taught, db_session: AsyncSession
) -> None:
    original = await export(client, people.owner, taught.course_id)
    media_before = await db_session.scalar(select(func.count()).select_from(Media))
    response = await client.post(
        IMPORT,
        files={"file": ("course.zip", original, "application/zip")},
        data={"note": "multipart works too"},
        headers=headers(people.owner),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["media_stored"], body["media_reused"]) == (0, 5)
    assert await db_session.scalar(select(func.count()).select_from(Media)) == media_before
    assert response.headers["Location"] == f"{COURSES}/{body['course']['course_id']}"
    assert body["course"]["cover_media_id"] == taught.media_ids["cover"]


# ---------------------------------------------------------------------------------------------
# Refused archives


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The archive with entries replaced, added, or (None) removed."""
    files = entries(data)
    for name, content in replace.items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return make_zip(list(files.items()))


def make_zip(files: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with the uncompressed size of ``name`` rewritten in its local header and
    in the central directory."""
    buffer = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = buffer.find(signature)
        while at != -1:
            if buffer[at + name_at : at + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", buffer, at + size_at, declared)
            at = buffer.find(signature, at + 4)
    return bytes(buffer)


def overlapping(data: bytes) -> bytes:
    """manifest.json's directory record pointing at course.json's data: two names for one
    stream of compressed bytes (how the overlapping-files zip bombs multiply their size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        target = archive.getinfo("course.json").header_offset
    buffer = bytearray(data)
    at = buffer.find(b"PK\x01\x02")
    while at != -1:
        if buffer[at + 46 : at + 46 + len(b"manifest.json")] == b"manifest.json":
            struct.pack_into("<I", buffer, at + 42, target)
        at = buffer.find(b"PK\x01\x02", at + 4)
    return bytes(buffer)


def manifest_with(**fields: Any) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        manifest = json.loads(entries(data)["manifest.json"]) | fields
        return rezip(data, {"manifest.json": json.dumps(manifest).encode()})

    return change


def changed(path: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        course_json = document(data)
        path(course_json)
        return rezip(data, {"course.json": json.dumps(course_json).encode()})

    return change


def symlink(data: bytes) -> bytes:
    link = zipfile.ZipInfo("media/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return make_zip([*entries(data).items(), (link, b"/etc/passwd")])


def php_as_png(data: bytes) -> bytes:
    payload = b"<?php system($_GET['cmd']); ?>\n"
    path = f"media/{hashlib.sha256(payload).hexdigest()}.png"
    course_json = document(data)
    course_json["media"].append(
        {"path": path, "content_type": "image/png", "size_bytes": len(payload), "filename": ""}
    )
    course_json["course"]["cover"] = path
    return rezip(data, {"course.json": json.dumps(course_json).encode(), path: payload})


def dangling_media(course_json: dict[str, Any]) -> None:
    video = course_json["modules"][0]["items"][1]
    video["content"]["media_id"] = "media/" + "0" * 64 + ".mp4"


def media_by_id(course_json: dict[str, Any]) -> None:
    video = course_json["modules"][0]["items"][1]
    video["content"]["media_id"] = str(uuid.uuid4())


def module_cycle(course_json: dict[str, Any]) -> None:
    basics, loops, _ = course_json["modules"]
    basics["prerequisites"] = [loops["id"]]


def skill_cycle(course_json: dict[str, Any]) -> None:
    skills = {s["slug"]: s for s in course_json["skills"]}
    skills["py-basics"]["prerequisites"] = ["py-loops"]


def invalid_quiz(course_json: dict[str, Any]) -> None:
    quiz = course_json["modules"][2]["items"][0]
    quiz["content"]["questions"][0]["correct"] = "z"


def unknown_skill(course_json: dict[str, Any]) -> None:
    course_json["modules"][0]["items"][0]["skills"] = ["not-described"]


def unknown_prerequisite(course_json: dict[str, Any]) -> None:
    course_json["modules"][1]["prerequisites"] = ["no-such-module"]


def wrong_version(data: bytes) -> bytes:
    manifest = json.loads(entries(data)["manifest.json"])
    manifest["format_version"] = 99
    return rezip(data, {"manifest.json": json.dumps(manifest).encode()})


def bomb(data: bytes) -> bytes:
    """A media entry of 2 MiB of zeros: a few KiB compressed."""
    path = "media/" + "1" * 64 + ".mp4"
    return rezip(data, {path: bytes(2 * MIB)})


def lying_header(data: bytes) -> bytes:
    """course.json padded with 2 MiB of spaces, its headers claiming 1000 bytes."""
    padded = entries(data)["course.json"] + b" " * (2 * MIB)
    return lie_about_size(rezip(data, {"course.json": padded}), "course.json", 1000)


def understated_size(data: bytes) -> bytes:
    """course.json's headers claim one byte more than it holds."""
    size = len(entries(data)["course.json"])
    return lie_about_size(data, "course.json", size + 1)


ATTACKS: dict[str, tuple[Callable[[bytes], bytes], int, str]] = {
    "not a zip": (lambda _: b"just some text, no zip at all", 422, "invalid-archive"),
    "empty body": (lambda _: b"", 422, "invalid-archive"),
    "zip bomb: a highly compressed entry": (bomb, 422, "unsafe-archive"),
    "zip bomb: a lying header": (lying_header, 422, "invalid-archive"),
    "a header that overstates": (understated_size, 422, "invalid-archive"),
    "path traversal": (lambda d: rezip(d, {"../evil.sh": b"rm -rf /"}), 422, "unsafe-archive"),
    "nested traversal": (
        lambda d: rezip(d, {"media/../../evil": b"x"}),
        422,
        "unsafe-archive",
    ),
    "absolute path": (lambda d: rezip(d, {"/etc/cron.d/evil": b"x"}), 422, "unsafe-archive"),
    "symbolic link": (symlink, 422, "unsafe-archive"),
    "unexpected entry": (lambda d: rezip(d, {"evil.php": b"<?php"}), 422, "invalid-archive"),
    "missing manifest": (lambda d: rezip(d, {"manifest.json": None}), 422, "invalid-archive"),
    "missing course.json": (lambda d: rezip(d, {"course.json": None}), 422, "invalid-archive"),
    "overlapping entries": (overlapping, 422, "unsafe-archive"),
    "wrong format version": (wrong_version, 422, "unsupported-archive-format"),
    "version as a list": (
        manifest_with(format_version=[1]),
        422,
        "unsupported-archive-format",
    ),
    "version as a boolean": (
        manifest_with(format_version=True),
        422,
        "unsupported-archive-format",
    ),
    "another format": (manifest_with(format="scorm"), 422, "unsupported-archive-format"),
    "manifest incomplete": (manifest_with(exported_at="yesterday"), 422, "invalid-archive"),
    "manifest not json": (
        lambda d: rezip(d, {"manifest.json": b"{not json"}),
        422,
        "unsupported-archive-format",
    ),
    "course.json not json": (
        lambda d: rezip(d, {"course.json": b"[1, 2"}),
        422,
        "invalid-course-document",
    ),
    "invalid item content": (changed(invalid_quiz), 422, "invalid-course-document"),
    "php named .png": (php_as_png, 415, "unsupported-media-type"),
    "media file missing": (
        lambda d: rezip(d, {next(n for n in entries(d) if n.endswith(".mp4")): None}),
        422,
        "unresolved-reference",
    ),
    "media file altered": (
        lambda d: rezip(d, {next(n for n in entries(d) if n.endswith(".vtt")): b"WEBVTT\n\nx"}),
        422,
        "invalid-archive",
    ),
    "dangling media reference": (changed(dangling_media), 422, "unresolved-reference"),
    "media referred to by id": (changed(media_by_id), 422, "unresolved-reference"),
    "module prerequisite cycle": (changed(module_cycle), 422, "prerequisite-cycle"),
    "skill prerequisite cycle": (changed(skill_cycle), 422, "prerequisite-cycle"),
    "unknown skill": (changed(unknown_skill), 422, "unresolved-reference"),
    "unknown module prerequisite": (changed(unknown_prerequisite), 422, "unresolved-reference"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_bad_archive_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    people: People,
    taught: Taught,
    db_session: AsyncSession,
    storage: LocalStorage,
    attack: str,
) -> None:
    make, status, code = ATTACKS[attack]
    bad = make(await export(client, people.owner, taught.course_id))
    before = await counts(db_session, storage)
    response = await client.post(IMPORT, content=bad, headers=headers(people.other_instructor))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == code, response.json()
    assert await counts(db_session, storage) == before


async def test_too_many_entries_are_refused(
    client: httpx.AsyncClient,
    people: People,
    taught: Taught,
    db_session: AsyncSession,
    storage: LocalStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = await export(client, people.owner, taught.course_id)
    monkeypatch.setattr(archive_zip, "MAX_ENTRIES", len(entries(original)) + 5)
    crowded = rezip(original, {f"media/{i:064x}.txt": b"x" for i in range(10)})
    before = await counts(db_session, storage)
    status, body = await import_archive(client, people.other_instructor, crowded)
    assert (status, body["code"]) == (422, "unsafe-archive"), body
    assert "entries" in body["detail"]
    assert await counts(db_session, storage) == before


async def test_archive_over_the_limit_is_cut_off(
    client: httpx.AsyncClient,
    people: People,
    storage: LocalStorage,
    db_session: AsyncSession,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit_media(runtime, monkeypatch, max_file_bytes=50 * KIB)
    before = await counts(db_session, storage)
    status, body = await import_archive(client, people.owner, bytes(60 * KIB))
    assert (status, body["code"]) == (413, "archive-too-large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield bytes(10 * KIB)

    response = await client.post(IMPORT, content=chunks(), headers=headers(people.owner))
    assert response.status_code == 413
    assert response.json()["code"] == "archive-too-large"
    assert await counts(db_session, storage) == before


def swap_media(data: bytes, path: str, content: bytes) -> bytes:
    """The archive with the media file at ``path`` replaced by other bytes (and a new path)."""
    new_path = f"media/{hashlib.sha256(content).hexdigest()}.{path.rsplit('.', 1)[1]}"
    course_json = json.loads(entries(data)["course.json"].decode().replace(path, new_path))
    for entry in course_json["media"]:
        if entry["path"] == new_path:
            entry["size_bytes"] = len(content)
    return rezip(
        data, {"course.json": json.dumps(course_json).encode(), path: None, new_path: content}
    )


async def test_a_failure_while_writing_removes_the_media_stored(
    client: httpx.AsyncClient,
    people: People,
    taught: Taught,
    db_session: AsyncSession,
    storage: LocalStorage,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = await export(client, people.owner, taught.course_id)
    course_json = document(original)
    lesson, video = course_json["modules"][0]["items"]
    diagram = lesson["content"]["body"].split(f"{API}/media/")[1].split("/content")[0]
    # New bytes, so that the import stores new files: the diagram (first in document order
    # after the cover) is stored, then the video goes over the quota.
    archive = swap_media(original, diagram, image_bytes("PNG", color=(9, 9, 9)))
    archive = swap_media(archive, video["content"]["media_id"], mp4_bytes(64 * KIB))
    limit_media(runtime, monkeypatch, quota_bytes=64 * KIB)
    before = await counts(db_session, storage)
    status, body = await import_archive(client, people.other_instructor, archive)
    assert (status, body["code"]) == (413, "quota-exceeded"), body
    assert await counts(db_session, storage) == before


async def test_only_course_creators_import(
    client: httpx.AsyncClient, people: People, taught: Taught, storage: LocalStorage
) -> None:
    original = await export(client, people.owner, taught.course_id)
    status, body = await import_archive(client, people.learner, original)
    assert status == 403, body
    response = await client.post(IMPORT, content=original)
    assert response.status_code == 401


async def test_multipart_without_the_archive_is_refused(
    client: httpx.AsyncClient, people: People, storage: LocalStorage
) -> None:
    response = await client.post(
        IMPORT, files={"other": ("x.zip", b"PK", "application/zip")}, headers=headers(people.owner)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-upload"

    oversized = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
        + b"x" * (16 * KIB)
        + b'"\r\n\r\nPK\r\n--b--\r\n'
    )
    response = await client.post(
        IMPORT,
        content=oversized,
        headers=headers(people.owner, **{"Content-Type": "multipart/form-data; boundary=b"}),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-upload"


# ---------------------------------------------------------------------------------------------
# With real commits: the import's transaction, the media service's lookups inside it, and
# concurrent imports of one archive


async def sign_in(live_client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    email = f"importer-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        await auth_service.create_user(
            session=session,
            email=email,
            display_name="Importer",
            password=PASSWORD,
            roles=("instructor",),
        )
        await session.commit()
    response = await live_client.post(
        f"{API}/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_imports_commit_or_leave_nothing_behind(
    live_client: httpx.AsyncClient,
    runtime: Runtime,
    storage: LocalStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    author, first, second = [await sign_in(live_client, runtime) for _ in range(3)]
    video = (
        await live_client.post(
            f"{API}/media", params={"filename": "v.mp4"}, content=mp4_bytes(), headers=author
        )
    ).json()["media_id"]
    vtt = (
        await live_client.post(
            f"{API}/media", params={"filename": "c.vtt"}, content=VTT, headers=author
        )
    ).json()["media_id"]
    course = (
        await live_client.post(COURSES, json={"title": "Live", "slug": "live"}, headers=author)
    ).json()
    module = (
        await live_client.post(
            f"{COURSES}/{course['course_id']}/modules", json={"title": "M"}, headers=author
        )
    ).json()
    created = await live_client.post(
        f"{COURSES}/{course['course_id']}/modules/{module['module_id']}/items",
        json={
            "title": "Video",
            "content": {
                "type": "video",
                "media_id": video,
                "duration_seconds": 60,
                "captions": [{"language": "fr", "media_id": vtt}],
            },
        },
        headers=author,
    )
    assert created.status_code == 201, created.text
    archive = (
        await live_client.get(f"{COURSES}/{course['course_id']}/export", headers=author)
    ).content

    async def import_as(who: dict[str, str]) -> httpx.Response:
        return await live_client.post(IMPORT, content=archive, headers=who)

    responses = await asyncio.gather(import_as(first), import_as(second))
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert sorted(r.json()["course"]["slug"] for r in responses) == ["live-2", "live-3"]
    blobs = sorted(stored.key for stored in await storage.list_prefix("blobs/"))

    # A new video stored, then the quota exceeded by the new captions: all of it undone, and
    # the video's stored bytes deleted.
    new_video, new_vtt = mp4_bytes(100 * KIB), b"WEBVTT\n\n00:00.000 --> 00:01.000\nAutre\n"
    video_path, vtt_path = (entry["path"] for entry in document(archive)["media"])
    if video_path.endswith(".vtt"):
        video_path, vtt_path = vtt_path, video_path
    bigger = swap_media(swap_media(archive, video_path, new_video), vtt_path, new_vtt)
    limit_media(runtime, monkeypatch, quota_bytes=len(new_video) + len(new_vtt) - 1)
    response = await live_client.post(
        IMPORT, content=bigger, headers=await sign_in(live_client, runtime)
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "quota-exceeded"
    assert sorted(stored.key for stored in await storage.list_prefix("blobs/")) == blobs
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Course)) == 3
        assert await session.scalar(select(func.count()).select_from(Media)) == 6
