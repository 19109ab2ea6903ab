"""Course archive errors: each a stable problem code. A refused import changes nothing."""

from learnwise.errors import AppError, InvalidInput, PayloadTooLarge


class ArchiveTooLarge(PayloadTooLarge):
    code, title = "archive-too-large", "The course archive is too large"


class MalformedUpload(AppError):
    """A multipart body that cannot be parsed, or that holds no archive."""

    status, code, title = 400, "malformed-upload", "The upload is malformed"


class InvalidArchive(InvalidInput):
    """Not a zip file, a damaged one, or one that lacks or adds entries."""

    code, title = "invalid-archive", "The file is not a valid course archive"


class UnsafeArchive(InvalidInput):
    """Paths that leave the archive, links, encryption, too many entries, zip bombs."""

    code, title = "unsafe-archive", "The course archive is unsafe"


class UnsupportedArchiveFormat(InvalidInput):
    code, title = "unsupported-archive-format", "This archive format or version is not supported"


class InvalidCourseDocument(InvalidInput):
    """course.json does not match the format; ``errors`` locates each problem."""

    code, title = "invalid-course-document", "The archive's course.json is invalid"


class UnresolvedReference(InvalidInput):
    """A media path, skill slug or module id that names nothing in the archive."""

    code, title = "unresolved-reference", "The archive refers to something it does not contain"
