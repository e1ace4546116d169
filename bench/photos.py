"""Photo rows for the bench (issue 17): the photo view and an upload.

`make bench` (bench/run.py) measures them with every other request:

- in-process (bench/queries.py calls `rows()`), at 100, 10,000 and 1,000,000 consultations:
  round trips and CPU per request (Django's and the PostgreSQL backend's), through the whole
  middleware stack, for
  - practitioner photo GET: the display copy (what the pages open), the full original (12 MP,
    the detail page's "Original" link) and the thumbnail (staff URL, logged);
  - patient photo GET through the private link;
  - patient upload POST: a 12 MP phone-like JPEG decoded, checked, re-encoded and stored (the
    intake's photo page, a retake each time);
- under wrk, the practitioner's photo GETs the pages make (display copy, thumbnail) against the
  bare view (bench/run.py's pages table), on a photo bench/prepare.py stores (`--photos`). The
  original is opened only to zoom in or download: an in-process row, with no wrk target.

Each run stores one phone-sized photo (4032 x 3024, 12 MP, noisy like a real one so that it
compresses like one) on a sent consultation of its database, in the photo storage its
PHOTOS_ROOT names (bench/run.py: a temporary directory, removed at the end).

    .venv/bin/python -m bench.photos     # BENCH_PHOTOS_DATABASE_URL to use another database

is the quick single run of the in-process rows alone: it recreates `clinic_bench_photos` with
a few seeded consultations, prints a table and writes bench/results/photos.json.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consultations.models import Photo

URL = os.environ.get(
    "BENCH_PHOTOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench_photos"
)
RESULTS = Path(__file__).resolve().parent / "results" / "photos.json"
# A 12 MP upload costs about half a second: a few are enough for a steady average.
UPLOAD_REPEATS = int(os.environ.get("BENCH_PHOTOS_UPLOAD_REPEATS", "8"))
# The phone's photo, as uploaded (the default is a 12 MP phone camera's).
SIZE = (4032, 3024)

DISPLAY = "practitioner photo GET (display)"
FULL = "practitioner photo GET (full, 12 MP)"
THUMBNAIL = "practitioner photo GET (thumbnail)"
LINK = "patient photo GET (private link, full)"
UPLOAD = "patient upload POST (12 MP JPEG)"
ROWS = (DISPLAY, FULL, THUMBNAIL, LINK, UPLOAD)

# The practitioner's photo GETs under wrk, the ones the pages make (the thumbnails they embed,
# the display copies they open): at least this fraction of the bare view's throughput, as the
# practitioner's pages they sit on (queue and detail, issue 15). The full original (FULL) is
# measured in-process only.
PAGE_TARGETS = {THUMBNAIL: 0.10, DISPLAY: 0.10}
# CPU per 12 MP upload (app + database) at most this: half a core-second, so that one core
# takes two uploads a second (7,200 an hour, far beyond a clinic's), and a client at the
# upload limit (PHOTO_UPLOAD_RATE_LIMIT, 60 per 10 minutes) uses at most 5% of one core.
UPLOAD_CPU_BUDGET_MS = 500
# The bench's own requests come from one client: the photo limits out of the way.
UNLIMITED = {
    "PHOTO_UPLOAD_RATE_LIMIT": "1000000/1m",
    "PHOTO_CONSULTATION_RATE_LIMIT": "1000000/1m",
}


@functools.cache
def phone_photo(size: tuple[int, int] = SIZE) -> bytes:
    """A JPEG with a phone's kind of noise (and EXIF with GPS, as a phone's has)."""
    from PIL import Image

    noise = Image.effect_noise(size, 30)
    image = Image.merge("RGB", [noise.point(lambda v, o=o: min(255, v + o)) for o in (90, 50, 30)])
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (1.0, 17.0, 0.0), 3: "E", 4: (103.0, 51.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")


def stored_photo() -> Photo:
    """The phone photo, cleaned and stored as an upload is (services/photos.py), with its
    thumbnail and display copy, as the front intake photo of a sent consultation that had none."""
    from django.core.files.base import ContentFile

    from consultations.models import Consultation, Photo, PhotoMoment, PhotoView
    from consultations.models.photos import photo_name
    from consultations.services.photo_files import photo_clean
    from consultations.services.photos import photo_thumbnail_make
    from consultations.storage import photo_storage

    consultation = (
        Consultation.objects.sent()
        .filter(patient__anonymised_at__isnull=True)
        .exclude(photos__moment=PhotoMoment.INTAKE, photos__view=PhotoView.FRONT)
        .order_by("pk")
        .first()
    )
    assert consultation is not None, "the bench database has no sent consultation"
    clean = photo_clean(_upload(phone_photo()))
    photo = Photo.objects.create(
        consultation=consultation,
        moment=PhotoMoment.INTAKE,
        view=PhotoView.FRONT,
        file=photo_storage().save(photo_name(), ContentFile(clean.data)),
        width=clean.width,
        height=clean.height,
        source_format=clean.source_format,
        byte_size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
    )
    photo_thumbnail_make(photo_id=photo.pk)  # the task queue's job (both copies), done here
    photo.refresh_from_db()
    return photo


def paths(photo: Photo) -> dict[str, str]:
    """The URLs each GET row opens."""
    from django.urls import reverse

    return {
        DISPLAY: reverse("review:photo", kwargs={"photo": photo.pk, "size": "display"}),
        FULL: reverse("review:photo", kwargs={"photo": photo.pk, "size": "full"}),
        THUMBNAIL: reverse("review:photo", kwargs={"photo": photo.pk, "size": "thumbnail"}),
        LINK: reverse(
            "intake:photo",
            kwargs={"token": photo.consultation.public_token, "photo": photo.pk, "size": "full"},
        ),
    }


def clean_cpu_ms(repeats: int = 2) -> float:
    """CPU of the upload's decode, checks and re-encode alone (services/photo_files.py)."""
    from consultations.services.photo_files import photo_clean

    data = phone_photo()
    photo_clean(_upload(data))
    started = time.process_time()
    for _ in range(repeats):
        photo_clean(_upload(data))
    return round((time.process_time() - started) * 1000 / repeats, 1)


def rows(repeats: int | None = None, upload_repeats: int = UPLOAD_REPEATS) -> dict[str, dict]:
    """bench/queries.py's numbers for each photo row, on this process's database."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from bench.prepare import drafts, staff_sessions
    from bench.queries import REPEATS, profiled

    photo = stored_photo()
    urls = paths(photo)
    staff, anyone, patient = Client(), Client(), Client()
    staff.cookies[settings.SESSION_COOKIE_NAME] = staff_sessions(1)[0]
    # A draft of the intake in this browser: each upload is a retake of its front view.
    patient.cookies[settings.SESSION_COOKIE_NAME] = drafts(1, f"photo{secrets.token_hex(3)}")[0]
    data = phone_photo()

    def get(client: Client, path: str):
        def send(_n: int):
            response = client.get(path)
            b"".join(response.streaming_content)  # the bytes go out, as under gunicorn
            return response

        return send

    def upload(_n: int):
        return patient.post(
            reverse("intake:photos"), {"front": _upload(data), "clinical_consent": "on"}
        )

    repeats = repeats or REPEATS
    result = {
        DISPLAY: profiled(get(staff, urls[DISPLAY]), repeats),
        FULL: profiled(get(staff, urls[FULL]), repeats),
        THUMBNAIL: profiled(get(staff, urls[THUMBNAIL]), repeats),
        LINK: profiled(get(anyone, urls[LINK]), repeats),
        UPLOAD: profiled(upload, upload_repeats),
    }
    result[UPLOAD]["clean_cpu_ms"] = clean_cpu_ms()
    result[UPLOAD]["upload_bytes"] = len(data)
    sent = {
        DISPLAY: photo.display,
        FULL: photo.file,
        THUMBNAIL: photo.thumbnail,
        LINK: photo.file,
    }
    for row, file in sent.items():
        result[row]["bytes"] = file.size  # what each response carries
    return result


# --- Report (bench/run.py writes it into docs/benchmarks.md) ---------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def missed_because(row: str, page: dict) -> str:
    """What a photo GET's miss of its wrk target owes to the bytes it sends, if much."""
    size = page.get("bytes", 0)
    if row not in PAGE_TARGETS or size < 1_000_000:
        return ""
    return (
        f" Each response is {size / 1e6:.1f} MB of photo: gunicorn hands the file to "
        "the kernel (sendfile), but every byte still crosses loopback to wrk, which reads it "
        "on the same two cores (and copies each body into its Lua script, which counts the "
        "statuses): the row measures bytes moved as much as the view's work. Its CPU column "
        "is the view's, measured in-process, where Python reads the file that gunicorn "
        "hands to sendfile: an upper bound."
    )


Sizes = list[tuple[str, int]]  # (key in bench.json's "queries", consultations)


def upload_report(queries: dict, sizes: Sizes) -> list[str]:
    """The upload's CPU against its budget at each size (bench.json's "queries")."""
    sizes = [(key, count) for key, count in sizes if UPLOAD in queries[key]["pages"]]
    if not sizes:
        return []
    lines = [
        "",
        "### Photo upload, against its CPU budget",
        "",
        f"A patient's 12 MP phone photo ({SIZE[0]} x {SIZE[1]}, "
        f"{queries[sizes[0][0]]['pages'][UPLOAD]['upload_bytes'] / 1e6:.1f} MB, "
        "with GPS EXIF) posted to the intake's photo page: decoded, checked for hidden "
        "content, re-encoded without metadata and stored (`bench/photos.py`). Budget: at most "
        f"{UPLOAD_CPU_BUDGET_MS} ms of CPU per upload (half a core-second: one core takes two "
        "uploads a second, and a client at the upload limit of 60 per 10 minutes uses at "
        "most 5% of one core). Uploads are not run under wrk: their cost is the decode, "
        "measured here.",
        "",
        "| consultations | queries | CPU ms: app + db | of which decode, checks, re-encode | "
        "budget |",
        "|---:|---:|---:|---:|---|",
    ]
    for key, count in sizes:
        row = queries[key]["pages"][UPLOAD]
        lines.append(
            f"| {count:,} | {row['queries']} | {row['cpu_ms']:.1f} ({row['app_cpu_ms']:.1f} + "
            f"{row['db_cpu_ms']:.1f}) | {row['clean_cpu_ms']:.1f} | <= {UPLOAD_CPU_BUDGET_MS}: "
            f"{_met(row['cpu_ms'] <= UPLOAD_CPU_BUDGET_MS)} |"
        )
    return lines


def upload_missed(queries: dict, sizes: Sizes) -> list[str]:
    """Where an upload went over its budget, and why: how much of it is the image work."""
    lines = []
    for key, count in sizes:
        row = queries[key]["pages"].get(UPLOAD)
        if row is None or row["cpu_ms"] <= UPLOAD_CPU_BUDGET_MS:
            continue
        rest = row["cpu_ms"] - row["clean_cpu_ms"]
        lines.append(
            f"- {UPLOAD} at {count:,} rows: {row['cpu_ms']:.1f} ms of CPU, budget "
            f"{UPLOAD_CPU_BUDGET_MS} ms. Decoding, checking and re-encoding 12 million pixels "
            f"alone took {row['clean_cpu_ms']:.1f} ms of it (Pillow, measured apart in the "
            f"same process); the request around it {rest:.1f} ms (reading the "
            f"{row['upload_bytes'] / 1e6:.1f} MB multipart body, storing the file, "
            f"{row['queries']} queries)."
        )
    return lines


# --- The quick single run -------------------------------------------------------------------


def configure(photos_root: str) -> None:
    """A production-like process (DEBUG off) on the bench database, limits out of the way."""
    os.environ.update(
        DATABASE_URL=URL,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_MANIFEST="0",
        PHOTOS_ROOT=photos_root,
        INTAKE_RATE_LIMIT="1000000/1m",
        **UNLIMITED,
    )


def main() -> int:
    from bench.run import recreate_database

    recreate_database(URL)
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as photos_root:
        configure(photos_root)
        seed = [sys.executable, "manage.py", "seed_demo", "--consultations", "20"]
        root = Path(__file__).resolve().parent.parent
        for argv in (
            [sys.executable, "manage.py", "migrate", "--no-input"],
            [*seed, "--allow-demo-logins", "--seed", "7"],
        ):
            subprocess.run(argv, cwd=root, check=True, capture_output=True)
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
        django.setup()
        from django.db import connection

        connection.ensure_connection()  # opening the connection is not part of any row
        started = time.time()
        measured = rows()
    result = {
        "run_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "load_average": os.getloadavg(),
        "rows": measured,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("| request | status | queries | ms | CPU ms: app + db |")
    print("|---|---:|---:|---:|---:|")
    for name, row in measured.items():
        print(
            f"| {name} | {row['status']} | {row['queries']} | {row['ms']} | "
            f"{row['cpu_ms']} ({row['app_cpu_ms']} + {row['db_cpu_ms']}) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
