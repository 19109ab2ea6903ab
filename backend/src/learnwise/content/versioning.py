"""Content versions: what a version holds, the structured diff between two, and the version
ETags that guard edits (optimistic concurrency).

A diff is a list of changes, each at a path into the version's document (``title``, ``type``,
``content``, ``metadata``, ``skill_ids``). It recurses into objects and lists; lists whose
elements are all objects with a unique ``id`` (quiz questions, options, rubric criteria) are
matched by id, so inserting a question reports one added question and not every later one as
changed, and a new order is reported once as ``reordered``. Lists of plain values (skill ids,
tags) report the values added and removed.
"""

import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel

VERSIONED_FIELDS = ("title", "type", "content", "metadata", "skill_ids")

Path = tuple[str | int, ...]


class FieldChange(BaseModel):
    """One difference. ``path`` leads from the version's document to the changed value: object
    keys, list indexes, or the ``id`` of an element of an id-keyed list; ``field`` writes the
    same path for people (``content.questions[id=q3].prompt``)."""

    kind: Literal["added", "removed", "changed", "reordered"]
    path: list[str | int]
    field: str
    old: Any = None
    new: Any = None


def snapshot(
    *,
    title: str,
    type: str,
    content: dict[str, Any],
    metadata: dict[str, Any],
    skill_ids: list[str],
) -> dict[str, Any]:
    """The versioned part of an item, as compared and diffed."""
    return {
        "title": title,
        "type": type,
        "content": content,
        "metadata": metadata,
        "skill_ids": sorted(skill_ids),
    }


def diff_documents(old: Any, new: Any) -> list[FieldChange]:
    changes: list[FieldChange] = []
    _diff(old, new, (), "", changes)
    return changes


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON values: unlike Python, JSON tells true from 1 (also inside containers)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(map(_same, old, new))
    if _is_number(old) and _is_number(new):
        return old == new
    return type(old) is type(new) and old == new


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _change(changes: list[FieldChange], kind: str, path: Path, field: str, **values: Any) -> None:
    changes.append(FieldChange(kind=kind, path=list(path), field=field, **values))  # type: ignore[arg-type]


def _diff(old: Any, new: Any, path: Path, field: str, changes: list[FieldChange]) -> None:
    if _same(old, new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            sub_path, sub_field = (*path, key), f"{field}.{key}" if field else str(key)
            if key not in new:
                _change(changes, "removed", sub_path, sub_field, old=old[key])
            elif key not in old:
                _change(changes, "added", sub_path, sub_field, new=new[key])
            else:
                _diff(old[key], new[key], sub_path, sub_field, changes)
    elif isinstance(old, list) and isinstance(new, list):
        if _keyed_by_id(old) and _keyed_by_id(new):
            _diff_keyed(old, new, path, field, changes)
        elif all(map(_is_scalar, old)) and all(map(_is_scalar, new)):
            _diff_values(old, new, path, field, changes)
        else:
            _diff_positional(old, new, path, field, changes)
    else:
        _change(changes, "changed", path, field, old=old, new=new)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _keyed_by_id(items: list[Any]) -> bool:
    if not all(isinstance(i, dict) and _is_id(i.get("id")) for i in items):
        return False
    ids = [i["id"] for i in items]
    return len(set(ids)) == len(ids)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _diff_keyed(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    path: Path,
    field: str,
    changes: list[FieldChange],
) -> None:
    old_by_id = {i["id"]: i for i in old}
    new_by_id = {i["id"]: i for i in new}
    for key, item in old_by_id.items():
        sub_path, sub_field = (*path, key), f"{field}[id={key}]"
        if key in new_by_id:
            _diff(item, new_by_id[key], sub_path, sub_field, changes)
        else:
            _change(changes, "removed", sub_path, sub_field, old=item)
    for key, item in new_by_id.items():
        if key not in old_by_id:
            _change(changes, "added", (*path, key), f"{field}[id={key}]", new=item)
    kept_old_order = [k for k in old_by_id if k in new_by_id]
    kept_new_order = [k for k in new_by_id if k in old_by_id]
    if kept_old_order != kept_new_order:
        _change(changes, "reordered", path, field, old=list(old_by_id), new=list(new_by_id))


def _diff_values(old: list[Any], new: list[Any], path: Path, field: str, changes: list) -> None:
    old_counts, new_counts = Counter(map(_hashable, old)), Counter(map(_hashable, new))
    for _, value in (old_counts - new_counts).elements():
        _change(changes, "removed", path, field, old=value)
    for _, value in (new_counts - old_counts).elements():
        _change(changes, "added", path, field, new=value)
    if old_counts == new_counts:
        _change(changes, "reordered", path, field, old=old, new=new)


def _hashable(value: Any) -> tuple[str, Any]:
    # Keeps true and 1 apart in the counters.
    return (type(value).__name__ if not _is_number(value) else "number", value)


def _diff_positional(old: list[Any], new: list[Any], path: Path, field: str, changes: list) -> None:
    for index in range(max(len(old), len(new))):
        sub_path, sub_field = (*path, index), f"{field}[{index}]"
        if index >= len(new):
            _change(changes, "removed", sub_path, sub_field, old=old[index])
        elif index >= len(old):
            _change(changes, "added", sub_path, sub_field, new=new[index])
        else:
            _diff(old[index], new[index], sub_path, sub_field, changes)


# ---------------------------------------------------------------------------------------------
# ETags: W/"<version>"


def etag(version: int) -> str:
    return f'W/"{version}"'


_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d{1,9})"\s*')


def parse_if_match(header: str) -> set[int] | None:
    """The versions an If-Match header names (``W/"3"``, ``"3"``, or a comma-separated list of
    them); None when it names no version (``*``, or anything else)."""
    versions = set()
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            return None
        versions.add(int(match.group(1)))
    return versions or None
