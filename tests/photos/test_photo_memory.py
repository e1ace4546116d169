"""A small file that declares a large image: refused from its header when its decoded pixels
would take more memory than a photo may, and decoded without copies of it when within."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from consultations.services.photo_files import (
    TOO_MUCH_DATA,
    PhotoRefused,
    decoded_bytes,
    max_decoded_bytes,
    photo_clean,
)
from tests.photos import images


def test_a_tiny_png_declaring_more_image_data_than_a_photo_may_hold_is_refused():
    # 30 million pixels (the limit) of RGBA: 120 MB once decoded, from a 120 kB file.
    side = 5470
    data = images.png_bomb(side, bands=4, complete=True)
    assert len(data) < 200_000 and side * side <= settings.PHOTO_MAX_PIXELS

    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data, "p.png", "image/png"))

    assert caught.value.message == TOO_MUCH_DATA
    assert caught.value.message.startswith("This photo holds too much image data")


def test_the_decoded_size_is_read_from_the_header():
    from io import BytesIO

    from PIL import Image

    rgb = Image.open(BytesIO(images.png_bomb(1000, height=500, bands=3)))
    grey = Image.open(BytesIO(images.png_bomb(1000, height=500, bands=1)))
    # Pillow keeps RGB in four bytes a pixel; greyscale in one, plus its RGB copy.
    assert decoded_bytes(rgb) == 1000 * 500 * 4
    assert decoded_bytes(rgb, turns=True) == 1000 * 500 * 8
    assert decoded_bytes(grey) == 1000 * 500 * 5
    assert decoded_bytes(Image.open(BytesIO(palette_png(1000, 500)))) == 1000 * 500 * 9
    assert max_decoded_bytes() == 8 * settings.PHOTO_MAX_PIXELS * 4 // 5


def palette_png(width: int, height: int) -> bytes:
    """A palette PNG with a transparent colour (tRNS): decoded through RGBA and flattened."""
    import struct
    import zlib

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + images.png_chunk(b"IHDR", header)
        + images.png_chunk(b"PLTE", b"\x00\x00\x00" * 256)
        + images.png_chunk(b"tRNS", b"\x00")
        + images.png_chunk(b"IDAT", body)
        + images.png_chunk(b"IEND", b"")
    )


def turned_jpeg(width: int, height: int, orientation: int = 6) -> bytes:
    from io import BytesIO

    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = BytesIO()
    Image.new("RGB", (width, height), "grey").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_palette_png_with_transparency_at_the_pixel_limit_is_refused():
    """Nine bytes a pixel (the palette, its RGBA copy, the flattened copy): 270 MB."""
    data = palette_png(5470, 5470)

    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data, "p.png", "image/png"))

    assert caught.value.message == TOO_MUCH_DATA


def test_a_jpeg_at_the_pixel_limit_that_its_tag_turns_is_refused_and_unturned_is_kept():
    """Turning makes a copy: 240 MB for 30 million pixels."""
    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(turned_jpeg(5470, 5470)))
    assert caught.value.message == TOO_MUCH_DATA

    assert photo_clean(images.upload(turned_jpeg(5470, 5470, orientation=1))).width == 5470


@pytest.mark.parametrize("size", [(4000, 3000), (6000, 4000)], ids=["12MP", "24MP"])
def test_a_phone_photo_turned_by_its_tag_is_kept(size):
    clean = photo_clean(images.upload(turned_jpeg(*size)))
    assert (clean.width, clean.height) == (size[1], size[0])


MEASURE = textwrap.dedent(
    """
    import resource, sys
    import django
    django.setup()
    from consultations.services.photo_files import photo_clean
    from tests.photos import images
    data = images.png_bomb(5470, bands=3, complete=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clean = photo_clean(images.upload(data, "p.png", "image/png"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(clean.width, (after - before) // 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory as Linux reports it")
def test_a_photo_at_the_pixel_limit_is_re_encoded_without_copies_of_its_pixels():
    """30 million RGB pixels take 120 MB in Pillow (four bytes a pixel). Re-encoding them used
    to take 460 MB (a turned copy, a converted copy, tobytes and frombytes); now the decoded
    image and the encoder's output only."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEASURE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        check=True,
    )
    width, grown_megabytes = map(int, result.stdout.split())
    assert width == 5470
    assert grown_megabytes < 220, grown_megabytes


MEASURE_FILE = textwrap.dedent(
    """
    import resource, sys
    import django
    django.setup()
    from consultations.services.photo_files import photo_clean
    from tests.photos import images
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clean = photo_clean(images.upload(data, "p", sys.argv[2]))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(clean.width, (after - before) // 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory as Linux reports it")
@pytest.mark.parametrize(
    ("make", "content_type", "width"),
    [
        (lambda: palette_png(4600, 4600), "image/png", 4600),  # the largest accepted
        (lambda: turned_jpeg(6000, 4000), "image/jpeg", 4000),  # 24 MP, turned
    ],
    ids=["palette-with-transparency", "turned-jpeg"],
)
def test_the_largest_photos_kept_stay_within_the_memory_bound(tmp_path, make, content_type, width):
    path = tmp_path / "photo"
    path.write_bytes(make())
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEASURE_FILE, str(path), content_type],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        check=True,
    )
    kept_width, grown_megabytes = map(int, result.stdout.split())
    assert kept_width == width
    assert grown_megabytes < 220, grown_megabytes
