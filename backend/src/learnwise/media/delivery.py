"""Sending media over HTTP: byte ranges (RFC 9110 §14, for video seeking), ETags and
conditional requests, Content-Disposition (RFC 6266) and the headers that keep a browser from
ever running what it downloads.

Only raster images, video and audio are shown inline; everything else is an attachment. Every
response carries ``X-Content-Type-Options: nosniff`` and a CSP that forbids everything and
sandboxes the document, so even a file that a browser would take for HTML could not run.
"""

import unicodedata
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from learnwise.media.exceptions import RangeNotSatisfiable
from learnwise.media.service import Download
from learnwise.platform.storage import Storage

MEDIA_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
# RFC 8187 attr-char, beside the letters and digits that quote() always keeps.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


def content_disposition(disposition: str, filename: str) -> str:
    """``inline`` or ``attachment`` with an ASCII fallback name and the exact UTF-8 one."""
    fallback = "".join(
        char if 0x20 <= ord(char) < 0x7F and char not in '"\\%' else "_"
        for char in unicodedata.normalize("NFKD", filename)
        if not unicodedata.combining(char)
    )
    return (
        f'{disposition}; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename, safe=_ATTR_CHAR_SAFE)}"
    )


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, length) of a single byte range; None to send the whole file (another unit, or
    several ranges). RangeNotSatisfiable for a malformed range or one beyond the end."""
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in ranges:
        return None
    first, dash, last = ranges.strip().partition("-")
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        raise RangeNotSatisfiable(size, f"Malformed range {header[:100]!r}.")
    if first == "":
        if last == "" or int(last) == 0:
            raise RangeNotSatisfiable(size, "An empty suffix range.")
        start = max(0, size - int(last))
        return start, size - start
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable(size, f"The file has {size} bytes.")
    return start, end - start + 1


def _matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison."""
    candidates = [candidate.strip() for candidate in header.split(",")]
    return "*" in candidates or any(
        candidate.removeprefix("W/") == etag for candidate in candidates
    )


async def send(request: Request, storage: Storage, download: Download) -> Response:
    headers = {
        "ETag": download.etag,
        "Cache-Control": (
            f"public, max-age={download.public_seconds}, immutable"
            if download.public_seconds is not None
            else "private, no-cache"
        ),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, download.etag):
        return Response(status_code=304, headers=headers)

    content_type = download.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    headers["Content-Type"] = content_type
    headers["Content-Disposition"] = content_disposition(
        "inline" if download.inline else "attachment", download.filename
    )

    byte_range = None
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header is not None and (if_range is None or if_range.strip() == download.etag):
        byte_range = parse_range(range_header, download.size)
    start, length = byte_range or (0, download.size)
    status = 206 if byte_range else 200
    if byte_range:
        headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{download.size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    body = await storage.open_range(download.key, start, length)
    return StreamingResponse(body, status_code=status, headers=headers)
