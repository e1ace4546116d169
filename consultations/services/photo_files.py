"""Turning an upload into a photo the clinic may keep: decoded, checked, re-encoded.

Every upload is decoded with Pillow and refused, with a message the patient understands, when
it is not a JPEG, PNG or WebP photo (HEIC from an iPhone gets advice on sending a JPEG), when it
is too large (PHOTO_MAX_BYTES) or has too many pixels (PHOTO_MAX_PIXELS) or too much image
data (decoded_bytes, max_decoded_bytes: the peak with the copies that turning and converting
make; a few kilobytes of PNG may declare hundreds of megabytes), all checked
from the header before anything is decoded, when its declared type and its content disagree, or
when it carries more than an image or its structure cannot be walked (photo_checks.py; checked
before decoding too). What is kept is a new JPEG made from the pixels alone, turned the way the
phone's orientation tag says, colours converted to sRGB: no EXIF (GPS, device, time), no ICC
profile, no comment. Decoding keeps at most the decoded image and one turned or converted copy
(two for transparency) in memory, as decoded_bytes counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps

from consultations.photo_checks import (
    UNREADABLE,
    extra_content,
    looks_like_heic,
    sniffed_format,
)

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
# The content types browsers declare for each format (image/jpg and pjpeg: older ones).
DECLARED_FORMATS = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}
# Declared types that say nothing about the content (some Android file pickers).
UNDECLARED = {"", "application/octet-stream"}
# A photo narrower than this shows no skin detail.
MIN_SIDE = 240
JPEG_QUALITY = 90
THUMBNAIL_SIDE = 320
# What the pages open (a 12 MP original is 7 MB): long side, and its JPEG quality. A
# comparison column is about 700 CSS px wide, 1400 device px on a 2x screen; the original is one
# link away for zooming in.
DISPLAY_SIDE = 1600
DISPLAY_QUALITY = 80

HEIC_ADVICE = (
    "This photo is in the iPhone's HEIC format, which we cannot open. Share it as a JPEG "
    "instead (in Photos, tap Share, then Options, and choose Most Compatible), or set your "
    "iPhone to take JPEG photos: Settings > Camera > Formats > Most Compatible."
)
NOT_A_PHOTO = "This file is not a photo we can open. Choose a JPEG, PNG or WebP photo."
TOO_MUCH_DATA = (
    "This photo holds too much image data for us to open. Save it as a JPEG, or take a new photo."
)
DAMAGED = (
    "This photo's file is damaged or not laid out as a photo should be, so we cannot "
    "accept it. Take the photo again, or choose another one."
)


class PhotoRefused(Exception):
    """The upload is not a photo the clinic can keep; the message says why, plainly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo, ready to store."""

    data: bytes
    width: int
    height: int
    source_format: str
    sha256: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def photo_clean(upload: UploadedFile) -> CleanPhoto:
    """Check and re-encode one upload; raises PhotoRefused with the patient's message."""
    size = upload.size or 0
    if size > settings.PHOTO_MAX_BYTES:
        raise PhotoRefused(
            f"This photo is too large ({_megabytes(size)} MB). Choose one under "
            f"{_megabytes(settings.PHOTO_MAX_BYTES)} MB, or take a new photo."
        )
    upload.seek(0)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if not data:
        raise PhotoRefused("This file is empty. Choose the photo again.")
    if looks_like_heic(data) or (upload.content_type or "").lower() in {
        "image/heic",
        "image/heif",
        "image/heic-sequence",
        "image/heif-sequence",
    }:
        raise PhotoRefused(HEIC_ADVICE)
    # Before Pillow reads the header (it walks the segments before the image data too): a
    # file that carries more, or whose structure is damaged or absurd, is refused at no cost.
    sniffed = sniffed_format(data)
    if sniffed is not None:
        _check_structure(data, sniffed)
    image, image_format = _opened(data)
    declared = (upload.content_type or "").lower().split(";")[0].strip()
    if declared not in UNDECLARED and DECLARED_FORMATS.get(declared) != image_format:
        raise PhotoRefused(
            f"This file says it is {declared or 'something else'}, but it is a "
            f"{ALLOWED_FORMATS[image_format]} image. Choose the photo again, or take a new one."
        )
    if image_format != sniffed:
        _check_structure(data, image_format)
    _load(image)
    return _reencoded(image, image_format)


def _check_structure(data: bytes, image_format: str) -> None:
    """Refused when the file carries more than an image, or its structure cannot be walked."""
    extra = extra_content(data, image_format)
    if extra == UNREADABLE:
        raise PhotoRefused(DAMAGED)
    if extra is not None:
        raise PhotoRefused(
            f"This file contains more than a photo ({extra}), so we cannot accept it. "
            "Take the photo again, or choose another one."
        )


def _too_many_pixels(pixels: int | None = None) -> PhotoRefused:
    limit = settings.PHOTO_MAX_PIXELS / 1_000_000
    found = f" ({pixels / 1_000_000:.0f} million)" if pixels else ""
    return PhotoRefused(
        f"This photo has too many pixels for us to open{found}. Choose one under "
        f"{limit:.0f} million pixels, or take a new photo."
    )


_ONE_BYTE_MODES = {"1", "L", "P"}
_TURNING = {2, 3, 4, 5, 6, 7, 8}  # orientation tags that flip or turn the pixels


def decoded_bytes(image: Image.Image, *, turns: bool = False) -> int:
    """The most memory the pixels take while decoded and re-encoded, from the header: Pillow
    keeps one byte a pixel for 1-bit, greyscale and palette images, two for 16-bit greyscale
    and four for every other mode (RGB too). Then the largest of: the copy that turning the
    image by its orientation tag makes (`turns`), and the converted copies: transparency goes
    through RGBA and a flattened RGB copy, any other mode but RGB through an RGB copy."""
    pixels = image.width * image.height
    mode = image.mode
    per_pixel = 1 if mode in _ONE_BYTE_MODES else 2 if mode.startswith("I;16") else 4
    decoded = pixels * per_pixel
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in image.info):
        converted = pixels * (4 if mode == "RGBA" else 8)
    elif mode != "RGB":
        converted = pixels * 4
    else:
        converted = 0
    return decoded + max(decoded if turns else 0, converted)


def max_decoded_bytes() -> int:
    """The memory one photo's pixels may take: two copies of four bytes a pixel for four
    fifths of PHOTO_MAX_PIXELS (192 MB at 30 million: a 24 MP photo turned by its tag; an RGB
    photo at the pixel limit that needs no turning takes 120 MB)."""
    return 2 * 4 * settings.PHOTO_MAX_PIXELS * 4 // 5


def turned_by_tag(image: Image.Image, data: bytes) -> bool:
    """Whether the orientation tag will have the pixels turned (a copy), from the header. A
    PNG's EXIF may come after its image data, read only with the pixels: then it may turn."""
    if image.format == "PNG" and "exif" not in image.info:
        return b"eXIf" in data
    try:
        return image.getexif().get(0x0112) in _TURNING
    except Exception:  # an unreadable EXIF: exif_transpose will leave the pixels as they are
        return False


def _opened(data: bytes) -> tuple[Image.Image, str]:
    """The image's header (nothing decoded yet), checked: format, pixels, decoded bytes."""
    # Pillow refuses twice its limit and warns above it: the warning is an error here.
    Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))  # reads the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:  # not an image, or a damaged or hostile header
            raise PhotoRefused(NOT_A_PHOTO) from None
    # A JPEG with a Multi-Picture index (depth or gain maps from recent phones) opens as MPO:
    # it is a JPEG, and only its first image is kept.
    image_format = "JPEG" if image.format == "MPO" else (image.format or "")
    if image_format not in ALLOWED_FORMATS:
        raise PhotoRefused(
            f"We accept JPEG, PNG and WebP photos; this file is a {image_format} "
            "image. Save it as a JPEG, or take a new photo."
        )
    width, height = image.size
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(width * height)
    if decoded_bytes(image, turns=turned_by_tag(image, data)) > max_decoded_bytes():
        raise PhotoRefused(TOO_MUCH_DATA)
    if min(width, height) < MIN_SIDE:
        raise PhotoRefused(
            "This photo is too small to show your skin. Take a new photo with the "
            "phone's main camera."
        )
    return image, image_format


def _load(image: Image.Image) -> None:
    """Decode the pixels (checked from the header by _opened)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:  # a damaged or hostile file (MemoryError too): whatever it raised
            raise PhotoRefused(NOT_A_PHOTO) from None


def _reencoded(image: Image.Image, image_format: str) -> CleanPhoto:
    """A new JPEG from the pixels alone: oriented, in sRGB, without any metadata.

    Memory: at most the decoded image and one converted copy at a time (each step lets go of
    the one before); turning and re-encoding work on the image itself.
    """
    # A broken orientation tag: keep the photo as it was taken.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    image = _srgb(image)
    # Nothing of the upload's metadata goes along: the JPEG writer takes a comment from
    # `info`, and nothing else is passed to it.
    image.info = {}
    buffer = io.BytesIO()
    # No `optimize`: it triples the encoding time (a 12 MP photo: 0.28 s against 0.09 s) for
    # a file 4% smaller.
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    data = buffer.getvalue()
    return CleanPhoto(
        data=data,
        width=image.width,
        height=image.height,
        source_format=image_format,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: an embedded colour profile applied, transparency on white. Converts only
    what needs converting (an RGB image without a profile is returned as it is)."""
    profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    if profile and image.mode in ("RGB", "CMYK"):
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
                inPlace=image.mode == "RGB",
            )
            if converted is not None:
                return converted
            return image
        except Exception:  # a profile Little CMS cannot read: the pixels as they are
            logger.info("A photo's colour profile could not be read; kept as it is")
    return image if image.mode == "RGB" else image.convert("RGB")


def thumbnail_bytes(data: bytes) -> bytes:
    """A small JPEG of a stored (already clean) photo, for lists and comparisons."""
    with Image.open(io.BytesIO(data)) as image:
        # A JPEG is decoded at a reduced scale already (Pillow's draft mode).
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        fresh = image if image.mode == "RGB" else image.convert("RGB")
        fresh.info = {}
    buffer = io.BytesIO()
    fresh.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def display_bytes(data: bytes) -> bytes:
    """A display-size JPEG of a stored (already clean, sRGB, metadata-free) photo: long side
    DISPLAY_SIDE at most, what the practitioners' pages open; the original stays for zoom."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        scale = DISPLAY_SIDE / max(width, height)
        if scale < 1:
            # Draft mode decodes a JPEG at 1/2, 1/4 or 1/8 scale when that still covers the
            # display size (both sides: a 4032 x 3024 photo at half scale, 2016 x 1512, for
            # 1600 x 1200), a quarter of the pixels to decode and resize.
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.thumbnail((DISPLAY_SIDE, DISPLAY_SIDE), Image.Resampling.LANCZOS)
        # Loaded while the file is open: a photo already small enough is not resized.
        image.load()
        fresh = image if image.mode == "RGB" else image.convert("RGB")
        fresh.info = {}
        buffer = io.BytesIO()
        fresh.save(buffer, "JPEG", quality=DISPLAY_QUALITY)
    return buffer.getvalue()
