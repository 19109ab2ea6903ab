"""Job kinds: their handlers and schedules, registered at import time."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from learnwise.platform.jobs.context import JobContext

_KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
DEFAULT_MAX_ATTEMPTS = 3


class JobHandler(Protocol):
    def __call__(self, ctx: "JobContext") -> Awaitable[dict[str, Any] | None]: ...


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    handler: JobHandler
    max_attempts: int
    # None: the worker's default (LEARNWISE_JOBS__DEFAULT_TIMEOUT_SECONDS).
    timeout_seconds: float | None


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str
    every_seconds: int
    payload: dict[str, Any] = field(default_factory=dict)


class JobRegistry:
    def __init__(self) -> None:
        self.kinds: dict[str, JobKind] = {}
        self.schedules: dict[str, Schedule] = {}

    def handler(
        self,
        kind: str,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        timeout_seconds: float | None = None,
    ) -> Callable[[JobHandler], JobHandler]:
        """Registers ``async def handler(ctx) -> dict | None`` for the jobs of ``kind``."""
        if not _KIND.match(kind):
            raise ValueError(f"invalid job kind {kind!r}")
        if max_attempts < 1 or (timeout_seconds is not None and timeout_seconds <= 0):
            raise ValueError("max_attempts must be at least 1 and timeout_seconds positive")

        def register(handler: JobHandler) -> JobHandler:
            existing = self.kinds.get(kind)
            if existing is not None and _qualname(existing.handler) != _qualname(handler):
                raise ValueError(f"job kind {kind!r} already has a handler")
            self.kinds[kind] = JobKind(kind, handler, max_attempts, timeout_seconds)
            return handler

        return register

    def periodic(
        self, kind: str, *, every_seconds: int, payload: dict[str, Any] | None = None
    ) -> None:
        """Queues a job of ``kind`` once per period of ``every_seconds`` (periods are aligned
        on the Unix epoch, so every instance agrees on them), across all instances."""
        if not _KIND.match(kind) or every_seconds < 1:
            raise ValueError(f"invalid schedule for {kind!r}")
        self.schedules[kind] = Schedule(kind, int(every_seconds), dict(payload or {}))

    def get(self, kind: str) -> JobKind | None:
        return self.kinds.get(kind)


def _qualname(handler: JobHandler) -> str:
    return f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', '')}"


registry = JobRegistry()
