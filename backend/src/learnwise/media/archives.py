"""Office documents (OOXML and OpenDocument are zip archives): which one a file is, and whether
its archive is safe to hand to learners.

Refused: anything that is not a Word, Excel, PowerPoint or OpenDocument file; macros; entries
whose names are absolute or climb out with '..'; links; encryption; and zip bombs, judged by the
declared sizes and ratios and then by unpacking every entry against a budget (a lying central
directory cannot get past that, and the CRC of every entry is checked on the way).
"""

import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from learnwise.media.exceptions import CorruptFile, UnsafeArchive, UnsupportedMediaType
from learnwise.media.sniffing import FILE_TYPES, FileType

MAX_ENTRIES = 10_000
# An entry unpacking to more than this many times its packed size is a bomb (real documents
# stay far below; only entries larger than RATIO_FLOOR_BYTES are judged).
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
READ_BYTES = 1024 * 1024

_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
_CONTENT_TYPE_ATTRIBUTE = re.compile(rb'ContentType\s*=\s*"([^"]{1,255})"')


def check_office_document(path: Path, *, max_unpacked_bytes: int) -> FileType:
    """The document's type, or an error saying why it is refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _check_entries(entries, max_unpacked_bytes)
            file_type = _document_type(archive)
            _unpack_within_budget(archive, entries, max_unpacked_bytes)
            return file_type
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        OSError,  # a damaged header's offset points outside the file
        UnicodeDecodeError,  # a damaged entry name
    ) as exc:
        raise CorruptFile("The document's zip archive is damaged.") from exc


def _check_entries(entries: list[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    if len(entries) > MAX_ENTRIES:
        raise UnsafeArchive(f"The archive has more than {MAX_ENTRIES} entries.")
    names: set[str] = set()
    declared_total = 0
    for entry in entries:
        _check_name(entry.filename)
        if entry.filename in names:
            raise UnsafeArchive("The archive names one entry twice.")
        names.add(entry.filename)
        if entry.flag_bits & 0x1:
            raise UnsafeArchive("Encrypted documents are not accepted.")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeArchive("The archive uses an unsupported compression method.")
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise UnsafeArchive("The archive contains a symbolic link.")
        declared_total += entry.file_size
        if declared_total > max_unpacked_bytes:
            raise UnsafeArchive(f"The document unpacks to more than {max_unpacked_bytes} bytes.")
        if entry.file_size > RATIO_FLOOR_BYTES and (
            entry.compress_size == 0 or entry.file_size / entry.compress_size > MAX_RATIO
        ):
            raise UnsafeArchive("The archive is compressed suspiciously well (a zip bomb).")


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if (
        "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or ".." in path.parts
        or (path.parts and ":" in path.parts[0])
    ):
        raise UnsafeArchive(f"The archive contains an unsafe path: {name[:100]!r}.")


def _document_type(archive: zipfile.ZipFile) -> FileType:
    names = archive.namelist()
    if "[Content_Types].xml" in names:
        return _ooxml_type(archive, names)
    if names and names[0] == "mimetype":
        return _odf_type(archive, names)
    raise UnsupportedMediaType(
        "Zip archives are not accepted; office documents must be Word, Excel, PowerPoint or "
        "OpenDocument files."
    )


def _ooxml_type(archive: zipfile.ZipFile, names: list[str]) -> FileType:
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise UnsafeArchive("The document's content types part is too large.")
    with archive.open(info) as member:
        declared = set(_CONTENT_TYPE_ATTRIBUTE.findall(member.read(MAX_CONTENT_TYPES_BYTES)))
    content_types = {value.decode("ascii", "replace").lower() for value in declared}
    if any("macroenabled" in value or "vbaproject" in value for value in content_types) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise UnsafeArchive("Documents with macros are not accepted.")
    for part, document_type in _OOXML_MAIN_PARTS.items():
        if part in content_types:
            return FILE_TYPES[document_type]
    raise UnsupportedMediaType("Only Word, Excel and PowerPoint documents are accepted.")


def _odf_type(archive: zipfile.ZipFile, names: list[str]) -> FileType:
    with archive.open("mimetype") as member:
        declared = member.read(100).decode("ascii", "replace").strip()
    if declared not in _ODF_TYPES:
        raise UnsupportedMediaType("Only OpenDocument text, spreadsheets and presentations.")
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise UnsafeArchive("Documents with macros are not accepted.")
    return FILE_TYPES[declared]


def _unpack_within_budget(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], max_unpacked_bytes: int
) -> None:
    budget = max_unpacked_bytes
    for entry in entries:
        if entry.is_dir():
            continue
        with archive.open(entry) as member:
            while chunk := member.read(READ_BYTES):
                budget -= len(chunk)
                if budget < 0:
                    raise UnsafeArchive(
                        f"The document unpacks to more than {max_unpacked_bytes} bytes."
                    )
