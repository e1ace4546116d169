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
    assert decoded_bytes(rgb) == 1000 * 500 * 3
    assert decoded_bytes(grey) == 1000 * 500
    assert max_decoded_bytes() == 3 * settings.PHOTO_MAX_PIXELS


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
