"""Media errors. Each refused upload names what was wrong; none leaves anything behind."""

from typing import Any

from learnwise.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge


class MediaNotFound(NotFound):
    code, title = "media-not-found", "No such media file"


class MediaAccessDenied(Forbidden):
    code, title = "media-access-denied", "Only the file's owner and admins may do this"


class MediaKindMismatch(InvalidInput):
    code, title = "media-kind-mismatch", "The media file is not of the kind expected"


class UploadNotFound(NotFound):
    code, title = "upload-not-found", "No such upload"


class UnsupportedMediaType(AppError):
    """The content is of a type that is not accepted (HTML, SVG, executables, archives...),
    or not the type its name claims."""

    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class ExtensionMismatch(UnsupportedMediaType):
    code, title = "extension-mismatch", "The file name does not match its content"


class InvalidFilename(InvalidInput):
    code, title = "invalid-filename", "Invalid file name"


class EmptyFile(InvalidInput):
    code, title = "empty-file", "The file is empty"


class CorruptFile(InvalidInput):
    code, title = "corrupt-file", "The file is damaged or not what it claims to be"


class UnsafeArchive(InvalidInput):
    code, title = "unsafe-archive", "The document's archive is unsafe"


class FileTooLarge(PayloadTooLarge):
    code, title = "file-too-large", "The file is too large"


class ImageTooLarge(FileTooLarge):
    code, title = "image-too-large", "The image has too many pixels"


class QuotaExceeded(PayloadTooLarge):
    code, title = "quota-exceeded", "Storage quota exceeded"


class ChunkTooLarge(PayloadTooLarge):
    code, title = "chunk-too-large", "The chunk is too large"


class UploadIncomplete(AppError):
    status, code, title = 400, "upload-incomplete", "The upload was interrupted"


class UploadOffsetMismatch(Conflict):
    """The chunk does not start where the upload stands; ``offset`` says where it does."""

    code, title = "upload-offset-mismatch", "The chunk does not start at the upload's offset"

    def __init__(self, offset: int, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"Upload-Offset": str(offset)}, offset=offset, **extra)


class UploadOverflow(InvalidInput):
    code, title = "upload-overflow", "The chunk goes past the declared upload size"


class UploadFinished(Conflict):
    code, title = "upload-finished", "The upload is already complete"


class UploadExpired(AppError):
    status, code, title = 410, "upload-expired", "The upload has expired"


class RangeNotSatisfiable(AppError):
    status, code, title = 416, "range-not-satisfiable", "Range not satisfiable"

    def __init__(self, size: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Content-Range": f"bytes */{size}"})


class InvalidSignature(Forbidden):
    code, title = "invalid-signature", "Invalid media URL signature"


class SignatureExpired(Forbidden):
    code, title = "signature-expired", "The media URL has expired"


class MediaInUse(Conflict):
    code, title = "media-in-use", "The media file is in use"
