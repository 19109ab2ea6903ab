"""Who is reading a media file: a signed-in caller, or anyone holding a signed URL."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from learnwise.auth.dependencies import bearer_scheme, current_principal
from learnwise.auth.service import Principal
from learnwise.media.exceptions import InvalidSignature
from learnwise.media.service import SignedAccess
from learnwise.platform.runtime import RuntimeDep


@dataclass(frozen=True, slots=True)
class MediaReader:
    principal: Principal | None
    signed: SignedAccess | None


async def media_reader(
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
    expires: Annotated[int | None, Query(description="From a signed URL.")] = None,
    signature: Annotated[
        str | None, Query(max_length=128, description="From a signed URL.")
    ] = None,
) -> MediaReader:
    """A signed URL's query when there is one (no sign-in needed); the caller's token else."""
    if expires is None and signature is None:
        return MediaReader(await current_principal(runtime, token), None)
    if expires is None or signature is None:
        raise InvalidSignature("A signed media URL needs both expires and signature.")
    return MediaReader(None, SignedAccess(expires, signature))


MediaReaderDep = Annotated[MediaReader, Depends(media_reader)]
