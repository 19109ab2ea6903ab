"""Fixtures for the job tests: a registry of the test's own kinds, a realtime listener."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> jobs.JobRegistry:
    """The global registry, holding only the kinds and schedules the test registers."""
    monkeypatch.setattr(jobs.registry, "kinds", {})
    monkeypatch.setattr(jobs.registry, "schedules", {})
    return jobs.registry


class Listener:
    """Collects what a realtime channel receives."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def deliver(self, channel: str, seq: int, frame: str) -> None:
        self.messages.put_nowait(json.loads(frame)["data"])

    def interrupted(self, channel: str) -> None:
        raise AssertionError("interrupted")

    async def next(self, type: str) -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(self.messages.get(), 5)
            if message.get("type") == type:
                return message


@pytest.fixture
async def listen(runtime: Runtime) -> AsyncIterator[Callable[[str], Listener]]:
    attached: list[tuple[str, Listener]] = []

    def attach(channel: str) -> Listener:
        listener = Listener()
        runtime.hub.attach(channel, listener)
        attached.append((channel, listener))
        return listener

    yield attach
    for channel, listener in attached:
        runtime.hub.detach(channel, listener)
