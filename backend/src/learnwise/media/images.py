"""Images are decoded and encoded again (Pillow) before they are stored.

Re-encoding keeps only the pixels: EXIF (GPS position, camera, owner), XMP, comments and any
bytes hidden after the image data (a PHP or HTML payload in a polyglot file) are gone. Colours
are converted to sRGB where the image carried a colour profile, and the EXIF orientation is
applied to the pixels. The pixel count is checked from the header before anything is decoded,
so a small file that would decode to gigabytes (a decompression bomb) is refused.
"""

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from learnwise.media.exceptions import CorruptFile, ImageTooLarge

THUMBNAIL_CONTENT_TYPE = "image/webp"
_PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "GIF": {},
    "WEBP": {"quality": 90},
}
_MODES = {
    "JPEG": ("L", "RGB"),
    "PNG": ("1", "L", "LA", "RGB", "RGBA"),
    "GIF": ("L", "RGB", "RGBA"),
    "WEBP": ("RGB", "RGBA"),
}
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    width: int
    height: int
    frames: int
    thumbnail: bytes


def reencode_image(
    source: Path, target: Path, *, content_type: str, max_pixels: int, thumbnail_pixels: int
) -> ProcessedImage:
    """Writes the clean image to ``target`` in the source's format and returns what is known
    about it, with a WebP thumbnail."""
    pillow_format = _PILLOW_FORMATS[content_type]
    try:
        with Image.open(source, formats=[pillow_format]) as image:
            width, height = image.size
            # A camera's multi-picture JPEG (MPO) keeps its first picture; GIF, WebP and PNG
            # (APNG) keep their animation.
            frames = 1 if pillow_format == "JPEG" else getattr(image, "n_frames", 1)
            if width * height * frames > max_pixels:
                raise ImageTooLarge(
                    f"The image is {width}x{height} pixels"
                    + (f" in {frames} frames" if frames > 1 else "")
                    + f"; at most {max_pixels} pixels are accepted."
                )
            if frames > 1:
                first = _save_animation(image, target, pillow_format)
            else:
                first = _clean_still(image, pillow_format)
                first.save(target, format=pillow_format, **_SAVE_OPTIONS[pillow_format])
            return ProcessedImage(
                width=first.width,
                height=first.height,
                frames=frames,
                thumbnail=_thumbnail(first, thumbnail_pixels),
            )
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge("The image decodes to too many pixels.") from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,  # seen from Pillow on damaged GIF and WebP data
        struct.error,
    ) as exc:
        raise CorruptFile("The image is damaged or not what its header claims.") from exc


def _clean_still(image: Image.Image, pillow_format: str) -> Image.Image:
    image.load()
    upright = ImageOps.exif_transpose(image)
    icc_profile = image.info.get("icc_profile")
    if upright.mode == "P":
        upright = upright.convert("RGBA" if "transparency" in image.info else "RGB")
    elif upright.mode == "CMYK" and not icc_profile:
        upright = upright.convert("RGB")
    if icc_profile:
        upright = _to_srgb(upright, icc_profile)
    if upright.mode not in _MODES[pillow_format]:
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
        if upright.mode not in _MODES[pillow_format]:
            upright = upright.convert("RGB")
    return _without_metadata(upright)


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    output_mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
    if image.mode == "L":
        output_mode = "L"
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
            _SRGB,
            outputMode=output_mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or unusable profile: the pixels are kept as they are.
        return image.convert(output_mode) if image.mode == "CMYK" else image
    return converted if converted is not None else image


def _without_metadata(image: Image.Image) -> Image.Image:
    clean = image.copy()
    clean.info = {}
    return clean


def _save_animation(image: Image.Image, target: Path, pillow_format: str) -> Image.Image:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100)))
        frames.append(_without_metadata(frame.convert("RGBA")))
    options: dict[str, Any] = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations,
        "loop": int(image.info.get("loop", 0)),
        **_SAVE_OPTIONS[pillow_format],
    }
    if pillow_format == "GIF":
        options["disposal"] = 2
    frames[0].save(target, format=pillow_format, **options)
    return frames[0]


def _thumbnail(image: Image.Image, size: int) -> bytes:
    thumbnail = image.copy()
    thumbnail.thumbnail((size, size))
    if thumbnail.mode not in ("RGB", "RGBA"):
        thumbnail = thumbnail.convert("RGBA" if "A" in thumbnail.getbands() else "RGB")
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="WEBP", quality=80)
    return buffer.getvalue()
