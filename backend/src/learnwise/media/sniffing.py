"""What a file is, judged by its bytes against an allow-list, and whether its name may be kept.

Only the types below are accepted; everything else (HTML, SVG, XML, scripts, executables,
archives, legacy binary office files...) is refused. The name a user gives is metadata only, but
it must not contradict the content or hide a second, executable extension.
"""

import codecs
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from learnwise.media.exceptions import (
    CorruptFile,
    ExtensionMismatch,
    InvalidFilename,
    UnsupportedMediaType,
)

HEAD_BYTES = 4096
MAX_FILENAME_BYTES = 255


class Kind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    kind: Kind
    extensions: tuple[str, ...]
    # Shown in the browser (Content-Disposition: inline); everything else is an attachment.
    inline: bool = False


_TYPES = (
    FileType("image/jpeg", Kind.IMAGE, ("jpg", "jpeg", "jpe", "jfif"), inline=True),
    FileType("image/png", Kind.IMAGE, ("png",), inline=True),
    FileType("image/gif", Kind.IMAGE, ("gif",), inline=True),
    FileType("image/webp", Kind.IMAGE, ("webp",), inline=True),
    FileType("video/mp4", Kind.VIDEO, ("mp4", "m4v"), inline=True),
    FileType("video/quicktime", Kind.VIDEO, ("mov", "qt"), inline=True),
    FileType("video/webm", Kind.VIDEO, ("webm",), inline=True),
    FileType("video/ogg", Kind.VIDEO, ("ogv", "ogg"), inline=True),
    FileType("audio/mpeg", Kind.AUDIO, ("mp3",), inline=True),
    FileType("audio/mp4", Kind.AUDIO, ("m4a", "m4b", "mp4", "aac"), inline=True),
    FileType("audio/ogg", Kind.AUDIO, ("ogg", "oga", "opus"), inline=True),
    FileType("audio/wav", Kind.AUDIO, ("wav",), inline=True),
    FileType("audio/flac", Kind.AUDIO, ("flac",), inline=True),
    FileType("application/pdf", Kind.DOCUMENT, ("pdf",)),
    FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Kind.DOCUMENT,
        ("docx",),
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Kind.DOCUMENT,
        ("xlsx",),
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Kind.DOCUMENT,
        ("pptx",),
    ),
    FileType("application/vnd.oasis.opendocument.text", Kind.DOCUMENT, ("odt",)),
    FileType("application/vnd.oasis.opendocument.spreadsheet", Kind.DOCUMENT, ("ods",)),
    FileType("application/vnd.oasis.opendocument.presentation", Kind.DOCUMENT, ("odp",)),
    FileType("text/plain", Kind.TEXT, ("txt", "text", "log", "srt")),
    FileType("text/markdown", Kind.TEXT, ("md", "markdown")),
    FileType("text/csv", Kind.TEXT, ("csv",)),
    FileType("text/vtt", Kind.TEXT, ("vtt",)),
)
FILE_TYPES: dict[str, FileType] = {file_type.content_type: file_type for file_type in _TYPES}
_TEXT_TYPE_BY_EXTENSION = {
    extension: file_type
    for file_type in _TYPES
    if file_type.kind == Kind.TEXT
    for extension in file_type.extensions
}

# Extensions that a web server, a browser or an operating system may execute or render as
# active content. A name carrying one anywhere ("shell.php.png") is refused.
DANGEROUS_EXTENSIONS = frozenset(
    {
        "php", "php3", "php4", "php5", "php7", "php8", "phtml", "phar", "pht", "phps",
        "html", "htm", "xhtml", "shtml", "shtm", "xht", "mht", "mhtml", "svg", "svgz", "xml",
        "xsl", "xslt", "js", "mjs", "cjs", "jsx", "vbs", "vbe", "wsf", "wsh", "hta", "jsp",
        "jspx", "asp", "aspx", "ascx", "ashx", "asmx", "cgi", "py", "pyc", "sh", "bash", "zsh",
        "ps1", "psm1", "bat", "cmd", "exe", "dll", "scr", "msi", "msp", "jar", "war", "apk",
        "dmg", "deb", "rpm", "dylib", "lnk", "swf", "htaccess", "docm", "dotm", "xlsm", "xltm",
        "xlam", "pptm", "potm", "ppsm", "sldm",
    }
)  # fmt: skip


class Sniffed(StrEnum):
    """Content that needs a closer look before its type is known."""

    ZIP = "zip"  # an office document, or an archive (refused)
    TEXT = "text"  # plain text, or markup (refused)


# ---------------------------------------------------------------------------------------------
# Names


def clean_filename(name: str) -> str:
    """The name to keep as metadata, or InvalidFilename."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise InvalidFilename("Give the file's name.")
    if "\x00" in name:
        raise InvalidFilename("The file name contains a null byte.")
    if "/" in name or "\\" in name:
        raise InvalidFilename("The file name must not contain a path.")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in name):
        raise InvalidFilename("The file name contains control or invisible characters.")
    if len(name.encode()) > MAX_FILENAME_BYTES:
        raise InvalidFilename(f"The file name is longer than {MAX_FILENAME_BYTES} bytes.")
    if name.startswith(".") or name.endswith((".", " ")):
        raise InvalidFilename("The file name must not start or end with a dot.")
    parts = name.lower().split(".")
    dangerous = [part.strip() for part in parts[1:] if part.strip() in DANGEROUS_EXTENSIONS]
    if dangerous:
        raise InvalidFilename(
            f"The file name carries the extension {dangerous[0]!r}, which is not accepted."
        )
    return name


def extension_of(name: str) -> str | None:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else None


def check_extension(name: str, file_type: FileType) -> None:
    """Refuses a name whose extension claims another type than the content's."""
    extension = extension_of(name)
    if extension is not None and extension not in file_type.extensions:
        raise ExtensionMismatch(
            f"The name ends in .{extension} but the content is {file_type.content_type}; "
            f"expected one of: .{', .'.join(file_type.extensions)}."
        )


# ---------------------------------------------------------------------------------------------
# Content


def sniff(head: bytes) -> FileType | Sniffed:
    """The type of the content from its first bytes (HEAD_BYTES of them, or the whole file if
    shorter). Refuses content that is not on the allow-list with UnsupportedMediaType."""
    if head.startswith(b"\xff\xd8\xff"):
        return FILE_TYPES["image/jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FILE_TYPES["image/png"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FILE_TYPES["image/gif"]
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FILE_TYPES["image/webp"]
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return FILE_TYPES["audio/wav"]
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"\x42\x82\x84webm" in head[:64]:
            return FILE_TYPES["video/webm"]
        raise UnsupportedMediaType("Matroska video is not accepted; upload MP4 or WebM.")
    if head.startswith(b"OggS"):
        return _ogg(head)
    if head.startswith(b"fLaC"):
        return FILE_TYPES["audio/flac"]
    if _is_mp3(head):
        return FILE_TYPES["audio/mpeg"]
    if head.startswith(b"%PDF-"):
        return FILE_TYPES["application/pdf"]
    if head.startswith(b"PK\x03\x04"):
        return Sniffed.ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedMediaType(
            "Legacy binary office files (.doc, .xls, .ppt) are not accepted; save the document "
            "as .docx, .xlsx, .pptx or OpenDocument."
        )
    if _is_executable(head):
        raise UnsupportedMediaType("Executable files are not accepted.")
    if _looks_like_text(head):
        return Sniffed.TEXT
    raise UnsupportedMediaType(
        "This type of file is not accepted. Accepted are images (JPEG, PNG, GIF, WebP), video "
        "(MP4, MOV, WebM), audio (MP3, M4A, Ogg, WAV, FLAC), PDF, office documents and plain "
        "text."
    )


_MP4_VIDEO_BRANDS = frozenset(
    {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "mmp4",
     "msnv", "m4v ", "m4vh", "m4vp", "f4v "}
)  # fmt: skip
_MP4_AUDIO_BRANDS = frozenset({"m4a ", "m4b ", "f4a ", "f4b "})


def _iso_media(head: bytes) -> FileType:
    """ISO base media files (MP4, MOV, M4A, HEIF, 3GP...) by their major brand."""
    box_size = int.from_bytes(head[0:4], "big")
    if not 16 <= box_size <= 4096:
        raise CorruptFile("The file's ISO media header is malformed.")
    brand = head[8:12].decode("latin-1").lower()
    if brand == "qt  ":
        return FILE_TYPES["video/quicktime"]
    if brand in _MP4_AUDIO_BRANDS:
        return FILE_TYPES["audio/mp4"]
    if brand in _MP4_VIDEO_BRANDS:
        return FILE_TYPES["video/mp4"]
    raise UnsupportedMediaType(f"ISO media of brand {brand.strip()!r} is not accepted.")


def _ogg(head: bytes) -> FileType:
    first_page = head[:512]
    if b"\x80theora" in first_page:
        return FILE_TYPES["video/ogg"]
    if any(codec in first_page for codec in (b"\x01vorbis", b"OpusHead", b"\x7fFLAC")):
        return FILE_TYPES["audio/ogg"]
    raise UnsupportedMediaType("This Ogg stream's codec is not accepted.")


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3") and len(head) >= 10:
        return True
    if len(head) < 4 or head[0] != 0xFF:
        return False
    second = head[1]
    # Frame sync, an MPEG version that is not reserved, layer III, a valid bitrate index.
    return (
        second & 0xE0 == 0xE0
        and second & 0x18 != 0x08
        and second & 0x06 == 0x02
        and head[2] >> 4 not in (0, 15)
    )


def _is_executable(head: bytes) -> bool:
    return head.startswith(
        (
            b"MZ",  # Windows PE
            b"\x7fELF",
            b"\xfe\xed\xfa\xce",  # Mach-O
            b"\xfe\xed\xfa\xcf",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
            b"\x00asm",  # WebAssembly
            b"#!",
        )
    )


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head and not any(
        byte < 0x20 and byte not in (0x09, 0x0A, 0x0C, 0x0D) for byte in head
    )


def check_text(path: Path) -> str:
    """Reads the whole file: UTF-8 without control characters, and no markup (HTML, XML, SVG,
    PHP) that a browser or a server could take for active content. Returns its beginning."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    start = ""
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            if not _looks_like_text(chunk):
                raise UnsupportedMediaType("The file is binary, not plain text.")
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise UnsupportedMediaType("Plain text must be encoded in UTF-8.") from exc
            if len(start) < 64:
                start += text[:64]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise UnsupportedMediaType("Plain text must be encoded in UTF-8.") from exc
    if start.lstrip().startswith("<"):
        raise UnsupportedMediaType("HTML, XML, SVG and script documents are not accepted.")
    return start


def text_type_for(name: str, start: str) -> FileType:
    """The type of a plain-text file, from its name's extension (text has no signature)."""
    extension = extension_of(name)
    if extension is None:
        return FILE_TYPES["text/plain"]
    file_type = _TEXT_TYPE_BY_EXTENSION.get(extension)
    if file_type is None:
        raise ExtensionMismatch(
            f"The content is plain text but the name ends in .{extension}; plain text is "
            f"accepted as .{', .'.join(sorted(_TEXT_TYPE_BY_EXTENSION))}."
        )
    if file_type.content_type == "text/vtt" and not start.startswith("WEBVTT"):
        raise ExtensionMismatch("A .vtt file must be a WebVTT document (starting with WEBVTT).")
    return file_type
