"""Photo rows for the bench (issue 17): the photo view and an upload, measured in-process as
bench/queries.py measures every page (round trips, CPU per request: Django's and the
PostgreSQL backend's), through the whole middleware stack, against a database of their own.

    .venv/bin/python -m bench.photos     # BENCH_PHOTOS_DATABASE_URL to use another database

Recreates `clinic_bench_photos`, stores one phone-sized photo (4032 x 3024, 12 MP, noisy like a
real one so that it compresses like one) and measures:

- practitioner photo GET: the full photo, and its thumbnail (staff URL, logged);
- patient photo GET through the private link;
- patient upload POST: the 12 MP JPEG decoded, checked, re-encoded and stored (the intake's
  photo page, a retake each time).

Writes bench/results/photos.json and prints a table. Separate from `make bench` (bench/run.py)
so that the two can change independently; its rows read the same way as that table's CPU column.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

URL = os.environ.get(
    "BENCH_PHOTOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench_photos"
)
RESULTS = Path(__file__).resolve().parent / "results" / "photos.json"
UPLOAD_REPEATS = int(os.environ.get("BENCH_PHOTOS_UPLOAD_REPEATS", "5"))


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    assert name.replace("_", "").isalnum(), name
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def configure() -> None:
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
        PHOTOS_ROOT=tempfile.mkdtemp(prefix="bench-photos-"),
        PHOTO_UPLOAD_RATE_LIMIT="1000000/1m",
        PHOTO_CONSULTATION_RATE_LIMIT="1000000/1m",
        INTAKE_RATE_LIMIT="1000000/1m",
    )


def phone_photo() -> bytes:
    """A 12 MP JPEG with a phone's kind of noise (and EXIF with GPS, as a phone's has)."""
    from PIL import Image

    size = (4032, 3024)
    noise = Image.effect_noise(size, 30)
    image = Image.merge("RGB", [noise.point(lambda v, o=o: min(255, v + o)) for o in (90, 50, 30)])
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (1.0, 17.0, 0.0), 3: "E", 4: (103.0, 51.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def main() -> int:
    recreate_database(URL)
    configure()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)

    from bench.queries import profiled
    from consultations.services.photo_files import photo_clean
    from consultations.services.photos import photo_thumbnail_make
    from tests.factories import DraftConsultationFactory, PractitionerFactory, submitted
    from tests.intake.steps import open_draft
    from tests.photos.factories import PhotoFactory

    data = phone_photo()
    clean = photo_clean(SimpleUploadedFile("p.jpg", data, content_type="image/jpeg"))
    photo = PhotoFactory(consultation=submitted(), clean=clean)
    photo_thumbnail_make(photo_id=photo.pk)
    staff, patient = Client(), Client()
    staff.force_login(PractitionerFactory())
    full = reverse("review:photo", kwargs={"photo": photo.pk, "size": "full"})
    thumbnail = reverse("review:photo", kwargs={"photo": photo.pk, "size": "thumbnail"})
    link = reverse(
        "intake:photo",
        kwargs={"token": photo.consultation.public_token, "photo": photo.pk, "size": "full"},
    )
    open_draft(patient, DraftConsultationFactory())

    def get(client: Client, path: str):
        def send(_n: int):
            response = client.get(path)
            b"".join(response.streaming_content)  # the bytes go out, as under gunicorn
            return response

        return send

    def upload(_n: int):
        file = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
        return patient.post("/consultation/photos/", {"front": file, "clinical_consent": "on"})

    started = time.time()
    rows = {
        "practitioner photo GET (full, 12 MP)": profiled(get(staff, full)),
        "practitioner photo GET (thumbnail)": profiled(get(staff, thumbnail)),
        "patient photo GET (private link, full)": profiled(get(Client(), link)),
        "patient upload POST (12 MP JPEG)": profiled(upload, repeats=UPLOAD_REPEATS),
    }
    result = {
        "run_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "photo_bytes": {"upload": len(data), "stored": clean and len(clean.data)},
        "load_average": os.getloadavg(),
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("| request | status | queries | ms | CPU ms: app + db |")
    print("|---|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['status']} | {row['queries']} | {row['ms']} | "
            f"{row['cpu_ms']} ({row['app_cpu_ms']} + {row['db_cpu_ms']}) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
