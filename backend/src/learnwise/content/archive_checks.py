"""Checking an uploaded course archive, whole, before anything is written: the zip itself
(``archive_zip``), the manifest's format and version, course.json against the format, every
item's content against its content type, every media file through the media service's checks
(the ones every upload passes), every reference (media paths, skill slugs, module ids) and both
prerequisite graphs. Blocking work: ``check_archive`` runs in a worker thread.

Media are referred to by archive path wherever an id would stand: a path that fills a whole
value (``content.media_id``) or one inside text (a lesson's link to ``/api/v1/media/<path>/...``).
"""

import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import networkx as nx
from pydantic import ValidationError

from learnwise.config import MediaSettings
from learnwise.content.archive_exceptions import (
    InvalidArchive,
    InvalidCourseDocument,
    UnresolvedReference,
    UnsupportedArchiveFormat,
)
from learnwise.content.archive_schemas import (
    DOCUMENT,
    FORMAT,
    MANIFEST,
    MEDIA_DIRECTORY,
    MEDIA_PATH_PATTERN,
    SUPPORTED_VERSIONS,
    ArchivedMedia,
    CourseDocument,
    Manifest,
)
from learnwise.content.archive_zip import ArchiveLimits, ArchiveReader
from learnwise.content.content_types import (
    ItemContent,
    media_references,
    parse_content,
    question_skill_refs,
)
from learnwise.content.exceptions import PrerequisiteCycle
from learnwise.content.graph import ensure_acyclic
from learnwise.errors import AppError
from learnwise.media import processing, sniffing
from learnwise.media.exceptions import MediaKindMismatch
from learnwise.media.processing import SpooledFile
from learnwise.media.sniffing import FileType, Kind

MAX_MANIFEST_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_REPORTED_ERRORS = 50

_MEDIA_ENTRY = re.compile(MEDIA_PATH_PATTERN)
# An archive path inside text: not glued to letters or digits on either side.
_MEDIA_REFERENCE = re.compile(rf"(?<![A-Za-z0-9_-]){MEDIA_PATH_PATTERN}(?![A-Za-z0-9_-])")
_PLACEHOLDERS = uuid.UUID("5f0c3c52-6f8e-4d0a-9d43-2b1b8f3a6e01")


@dataclass(slots=True)
class CheckedMedia:
    """A media file of the archive that passed the upload checks, unpacked and ready to store."""

    path: str
    spooled: SpooledFile
    file_type: FileType
    filename: str


@dataclass(slots=True)
class ImportPlan:
    """A checked archive: what the import writes, in the order it writes it."""

    manifest: Manifest
    document: CourseDocument
    media: dict[str, CheckedMedia]
    used_media: list[str]  # the paths the course refers to, in document order
    skill_order: list[str]  # the archive's skill slugs, prerequisites first
    spooled: list[Path] = field(default_factory=list)  # every file unpacked, to remove


def check_archive(
    path: Path, *, limits: ArchiveLimits, media_settings: MediaSettings, temp_dir: Path
) -> ImportPlan:
    """The plan of the archive at ``path``, or the error that refuses it. The plan's media are
    unpacked under ``temp_dir``; whoever holds the plan removes ``plan.spooled``."""
    unpacked: list[Path] = []
    try:
        with ArchiveReader(path, limits) as archive:
            _check_entry_names(set(archive.entries))
            manifest = parse_manifest(archive.read(MANIFEST, max_bytes=MAX_MANIFEST_BYTES))
            document = parse_document(archive.read(DOCUMENT, max_bytes=MAX_DOCUMENT_BYTES))
            _check_media_listed(document, set(archive.entries))
            skill_order = _check_skills(document)
            _check_modules(document)
            used_media, contents = _check_contents(document)
            media: dict[str, CheckedMedia] = {}
            for entry in document.media:
                checked = _check_media_file(
                    archive, entry, limits=limits, settings=media_settings, temp_dir=temp_dir
                )
                unpacked.append(checked.spooled.path)
                media[entry.path] = checked
            _check_media_kinds(document, media, contents)
    except BaseException:
        for spooled in unpacked:
            spooled.unlink(missing_ok=True)
        raise
    return ImportPlan(manifest, document, media, used_media, skill_order, unpacked)


# ---------------------------------------------------------------------------------------------
# Entries, manifest, document


def _check_entry_names(names: set[str]) -> None:
    for required in (MANIFEST, DOCUMENT):
        if required not in names:
            raise InvalidArchive(f"The archive has no {required}: it is not a course archive.")
    unexpected = sorted(
        name
        for name in names - {MANIFEST, DOCUMENT, MEDIA_DIRECTORY}
        if not _MEDIA_ENTRY.fullmatch(name)
    )
    if unexpected:
        raise InvalidArchive(
            f"The archive holds unexpected entries: {', '.join(repr(n) for n in unexpected[:10])}"
            f". Only {MANIFEST}, {DOCUMENT} and media/<sha256>.<extension> belong in it.",
            entries=unexpected[:100],
        )


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest, once its format and version are known to be ones this code reads (so an
    archive of a later version is told so, whatever else its manifest holds)."""
    try:
        fields = json.loads(raw)
    except ValueError as exc:
        raise UnsupportedArchiveFormat(f"{MANIFEST} is not a JSON document.") from exc
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        found = fields.get("format") if isinstance(fields, dict) else None
        raise UnsupportedArchiveFormat(
            f"The archive is of format {str(found)[:100]!r}, not {FORMAT!r}."
        )
    version = fields.get("format_version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        raise UnsupportedArchiveFormat(
            f"The archive is of version {str(version)[:20]} of the format; this installation "
            f"reads version {', '.join(map(str, sorted(SUPPORTED_VERSIONS)))}.",
            supported_versions=sorted(SUPPORTED_VERSIONS),
        )
    try:
        return Manifest.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(InvalidArchive, exc, (MANIFEST,), f"{MANIFEST} is invalid") from exc


def parse_document(raw: bytes) -> CourseDocument:
    try:
        return CourseDocument.model_validate_json(raw)
    except ValidationError as exc:
        raise _invalid(
            InvalidCourseDocument, exc, (), f"{DOCUMENT} does not match the format"
        ) from exc


def _errors(exc: ValidationError, prefix: tuple[str | int, ...]) -> list[dict[str, Any]]:
    return [
        {"loc": [*prefix, *e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in exc.errors()[:MAX_REPORTED_ERRORS]
    ]


def _invalid(
    error: type[AppError], exc: ValidationError, prefix: tuple[str | int, ...], what: str
) -> AppError:
    """``error`` naming the first problem ``exc`` found (and listing them all)."""
    errors = _errors(exc, prefix)
    first = errors[0]
    where = ".".join(map(str, first["loc"])) or DOCUMENT
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return error(f"{what}: {where}: {first['msg']}{more}.", errors=errors)


def _where(module: int, item: int | None = None) -> str:
    return f"modules.{module}" if item is None else f"modules.{module}.items.{item}"


def _check_media_listed(document: CourseDocument, names: set[str]) -> None:
    listed = {entry.path for entry in document.media}
    missing = sorted(listed - names)
    if missing:
        raise UnresolvedReference(
            f"{DOCUMENT} lists media the archive does not hold: {', '.join(missing[:10])}.",
            references=missing[:100],
        )
    unlisted = sorted(name for name in names - listed if _MEDIA_ENTRY.fullmatch(name))
    if unlisted:
        raise InvalidArchive(
            f"The archive holds media {DOCUMENT} does not list: {', '.join(unlisted[:10])}.",
            entries=unlisted[:100],
        )


# ---------------------------------------------------------------------------------------------
# References and graphs


def _check_skills(document: CourseDocument) -> list[str]:
    """Every prerequisite names a skill of the archive and the graph is acyclic; returns the
    slugs in an order that puts each skill after those it requires."""
    slugs = {skill.slug for skill in document.skills}
    edges = []
    for skill in document.skills:
        for requires in skill.prerequisites:
            if requires not in slugs:
                raise UnresolvedReference(
                    f"The skill {skill.slug!r} requires {requires!r}, which the archive does "
                    "not describe.",
                    reference=requires,
                )
            edges.append((skill.slug, requires))
    ensure_acyclic(edges)
    graph = nx.DiGraph()
    graph.add_nodes_from(skill.slug for skill in document.skills)
    graph.add_edges_from((requires, slug) for slug, requires in edges)
    return list(nx.lexicographical_topological_sort(graph))


def _check_modules(document: CourseDocument) -> None:
    titles = {module.id: module.title for module in document.modules}
    edges = []
    for index, module in enumerate(document.modules):
        for requires in module.prerequisites:
            if requires not in titles:
                raise UnresolvedReference(
                    f"{_where(index)}: the module {module.title!r} requires the module "
                    f"{requires!r}, which the archive does not hold.",
                    reference=requires,
                )
            edges.append((module.id, requires))
    try:
        ensure_acyclic(edges)
    except PrerequisiteCycle as exc:
        path = " -> ".join(repr(titles[node]) for node in exc.cycle)  # type: ignore[index]
        detail = f"The module prerequisites form a cycle: {path}."
        raise PrerequisiteCycle(exc.cycle, detail) from None


def placeholder(path: str) -> str:
    """The id a media path stands for while content is checked, before the file is stored."""
    return str(uuid.uuid5(_PLACEHOLDERS, path))


def with_media_ids(
    value: Any, ids: Mapping[str, str], *, where: str, used: Callable[[str], None] | None = None
) -> Any:
    """``value`` (a JSON document) with each media path replaced by ``ids[path]``;
    UnresolvedReference for a path that ``ids`` does not know."""

    def replace(match: re.Match[str]) -> str:
        path = match.group(0)
        if path not in ids:
            raise UnresolvedReference(
                f"{where}: {path} is not among the archive's media.", reference=path
            )
        if used is not None:
            used(path)
        return ids[path]

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _MEDIA_REFERENCE.sub(replace, node)
        if isinstance(node, list):
            return [walk(element) for element in node]
        if isinstance(node, dict):
            return {key: walk(element) for key, element in node.items()}
        return node

    return walk(value)


def _check_contents(
    document: CourseDocument,
) -> tuple[list[str], list[tuple[str, ItemContent]]]:
    """Each item's content is valid for its type once its media paths stand for placeholder
    ids, and names only skills the archive describes. Returns the media paths used, in document
    order, and each item's place and parsed content."""
    used: dict[str, None] = {}
    contents: list[tuple[str, ItemContent]] = []
    if document.course.cover is not None:
        used[document.course.cover] = None
    ids = {entry.path: placeholder(entry.path) for entry in document.media}
    slugs = {skill.slug for skill in document.skills}
    for position, item, where in _items(document):
        content = parse_item_content(
            item.content, ids, where=where, position=position, used=lambda p: used.setdefault(p)
        )
        named = set(item.skills) | question_skill_refs(content)
        unknown = sorted(named - slugs)
        if unknown:
            raise UnresolvedReference(
                f"{where}: the item {item.title!r} names skills the archive does not describe: "
                f"{', '.join(unknown)}.",
                references=unknown,
            )
        contents.append((where, content))
    return list(used), contents


def parse_item_content(
    content: dict[str, Any],
    ids: Mapping[str, str],
    *,
    where: str,
    position: tuple[int, int],
    used: Callable[[str], None] | None = None,
) -> ItemContent:
    resolved = with_media_ids(content, ids, where=f"{where}.content", used=used)
    try:
        return parse_content(resolved)
    except ValidationError as exc:
        module, item = position
        raise _invalid(
            InvalidCourseDocument,
            exc,
            ("modules", module, "items", item, "content"),
            "An item's content is not valid for its type",
        ) from exc


def _items(document: CourseDocument) -> Iterator[tuple[tuple[int, int], Any, str]]:
    for m, module in enumerate(document.modules):
        for i, item in enumerate(module.items):
            yield (m, i), item, _where(m, i)


# ---------------------------------------------------------------------------------------------
# Media


def _check_media_file(
    archive: ArchiveReader,
    entry: ArchivedMedia,
    *,
    limits: ArchiveLimits,
    settings: MediaSettings,
    temp_dir: Path,
) -> CheckedMedia:
    """Unpacks the file and puts it through the checks of an upload (allow-listed type sniffed
    from the content, a name that agrees with it, images decoded and re-encoded)."""
    spooled = archive.extract(entry.path, temp_dir, max_bytes=limits.max_media_bytes)
    checked = None
    try:
        stem, extension = PurePosixPath(entry.path).name.split(".")
        if spooled.checksum != stem:
            raise InvalidArchive(
                f"{entry.path} does not hold the file its name's checksum names (it was "
                "altered or damaged)."
            )
        if spooled.size != entry.size_bytes:
            raise InvalidArchive(
                f"{entry.path} has {spooled.size} bytes; {DOCUMENT} says {entry.size_bytes}."
            )
        filename = sniffing.clean_filename(entry.filename or f"{stem[:16]}.{extension}")
        checked = processing.check_file(spooled, filename, settings)
        sniffing.check_extension(entry.path, checked.file_type)
        if checked.file_type.content_type != entry.content_type:
            raise MediaKindMismatch(
                f"{DOCUMENT} says {entry.content_type}, but the content is "
                f"{checked.file_type.content_type}."
            )
    except AppError as exc:
        spooled.path.unlink(missing_ok=True)
        exc.detail = f"{entry.path}: {exc.detail}"
        exc.extra.setdefault("entry", entry.path)
        raise
    except BaseException:
        spooled.path.unlink(missing_ok=True)
        raise
    finally:
        # The media service checks (and re-encodes) the file again when it stores it.
        if checked is not None and checked.path != spooled.path:
            checked.path.unlink(missing_ok=True)
    return CheckedMedia(entry.path, spooled, checked.file_type, filename)


def _check_media_kinds(
    document: CourseDocument,
    media: dict[str, CheckedMedia],
    contents: list[tuple[str, ItemContent]],
) -> None:
    """Each file is of the kind its place needs: a video for a video, WebVTT for captions, an
    image for the cover."""
    cover = document.course.cover
    if cover is not None and media[cover].file_type.kind != Kind.IMAGE:
        raise MediaKindMismatch(
            f"course.cover: {cover} is {media[cover].file_type.content_type}, not an image.",
            field="course.cover",
        )
    paths = {placeholder(path): path for path in media}
    for where, content in contents:
        for reference in media_references(content):
            path = paths.get(str(reference.media_id))
            if path is None:  # an id written as such: it names no file of the archive
                raise UnresolvedReference(
                    f"{where}.{reference.field}: media are referred to by archive path "
                    "(media/<sha256>.<extension>), not by id.",
                    reference=str(reference.media_id),
                )
            file_type = media[path].file_type
            if reference.kinds is not None and file_type.kind not in reference.kinds:
                raise MediaKindMismatch(
                    f"{where}.{reference.field}: {path} is {file_type.kind}; expected "
                    f"{' or '.join(sorted(reference.kinds))}.",
                    field=f"{where}.{reference.field}",
                )
            if (
                reference.content_types is not None
                and file_type.content_type not in reference.content_types
            ):
                raise MediaKindMismatch(
                    f"{where}.{reference.field}: {path} is {file_type.content_type}; expected "
                    f"{', '.join(sorted(reference.content_types))}.",
                    field=f"{where}.{reference.field}",
                )
