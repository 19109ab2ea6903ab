"""The learning-path graph's state: a narrow input, and what the nodes add (all JSON-friendly,
since every step is checkpointed)."""

from typing import Any, TypedDict


class PathInput(TypedDict):
    user_id: str
    goal: dict[str, Any]  # {"kind": "course" | "skill" | "text", "value": str}
    weekly_minutes: int
    start_on: str  # ISO date
    path_id: str | None  # set when re-planning a saved path


class PathState(PathInput, total=False):
    goal_title: str
    goal_course_ids: list[str]
    goal_skill_ids: list[str]
    target_ids: list[str]
    course_ids: list[str]
    completed_ids: list[str]
    mastery: dict[str, float]
    ordered: list[dict[str, Any]]  # content_id, after (the planned items it needs)
    steps: list[dict[str, Any]]
    saved_path_id: str
