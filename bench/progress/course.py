"""The benches' course, made through the API on a running stack: an author (granted the admin
role, as an operator would), a published course of lessons, and enrolled learners."""

import asyncio
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

# The auth bench's stack (two instances behind HAProxy, a throwaway database), reused as is.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "auth"))
from stack import VENV_BIN, Stack


class BenchStack(Stack):
    """The auth bench's stack, waiting longer for its instances: on this shared machine, under
    other engineers' test runs, an instance can take more than a minute to start."""

    def _wait_ready(self, url: str, timeout: float = 300) -> None:
        super()._wait_ready(url, timeout)


PASSWORD = "bench-password-3f9a"  # throwaway accounts in a throwaway database
LESSON_BODY = "# Loops\n\n" + "A `for` loop repeats its body once per element. " * 20


@dataclass
class BenchCourse:
    owner_token: str
    course_id: str
    # Every (learner's access token, lesson id), lesson by lesson.
    pairs: list[tuple[str, str]]


def author_headers(stack: Stack) -> dict[str, str]:
    """A course author's bearer token: an account registered through the API, granted the
    admin role as an operator would (``learnwise create-admin``; admins may author courses)."""
    email = f"author-{stack.run_id}@bench.learnwise.dev"
    registered = httpx.post(
        f"{stack.app_url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Author"},
        timeout=60,
    )
    registered.raise_for_status()
    subprocess.run(
        [str(VENV_BIN / "learnwise"), "create-admin", "--email", email, "--password", "unused"],
        env=stack.app_environment(secrets.token_urlsafe(48)),
        cwd=stack.workdir,
        check=True,
        capture_output=True,
    )
    login = httpx.post(
        f"{stack.app_url}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        timeout=60,
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def build_course(stack: Stack, *, learners: int, items: int) -> BenchCourse:
    """Through the API: an author's published course of ``items`` lessons, and ``learners``
    enrolled learners."""
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=60) as client:
        gate = asyncio.Semaphore(8)

        async def register(name: str) -> str:
            email = f"{name}-{stack.run_id}@bench.learnwise.dev"
            async with gate:
                response = await client.post(
                    "/api/v1/auth/register",
                    json={"email": email, "password": PASSWORD, "display_name": name},
                )
            response.raise_for_status()
            return email

        owner = await asyncio.to_thread(author_headers, stack)

        async def post(path: str, body: dict | None = None, headers: dict = owner) -> dict:
            response = await client.post(f"/api/v1{path}", json=body, headers=headers)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            return response.json()

        course = (await post("/courses", {"title": "Bench course"}))["course_id"]
        module = (await post(f"/courses/{course}/modules", {"title": "Bench module"}))["module_id"]
        item_ids = []
        for n in range(items):
            item = await post(
                f"/courses/{course}/modules/{module}/items",
                {"title": f"Lesson {n}", "content": {"type": "lesson", "body": LESSON_BODY}},
            )
            await post(f"/items/{item['content_id']}/publish")
            item_ids.append(item["content_id"])
        await post(f"/courses/{course}/publish")

        async def learner(index: int) -> str:
            email = await register(f"learner{index}")
            async with gate:
                response = await client.post(
                    "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                )
            response.raise_for_status()
            headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
            async with gate:
                await post(f"/courses/{course}/enrollment", headers=headers)
            return headers["Authorization"].removeprefix("Bearer ")

        tokens = await asyncio.gather(*(learner(i) for i in range(learners)))
        check = await client.post(
            f"/api/v1/items/{item_ids[0]}/progress",
            json={"time_spent_seconds": 1},
            headers={"Authorization": f"Bearer {tokens[0]}", "Idempotency-Key": "bench-check"},
        )
        if check.status_code != 200:
            raise RuntimeError(f"a progress write failed: {check.status_code} {check.text}")
        # Item by item, so that the requests in flight at once are different learners' (one
        # learner's client reports one thing at a time).
        return BenchCourse(
            owner_token=owner["Authorization"].removeprefix("Bearer "),
            course_id=course,
            pairs=[(token, item) for item in item_ids for token in tokens],
        )
