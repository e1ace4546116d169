"""Production serves hashed, compressed static files; the test run serves them as they are."""

from __future__ import annotations

import subprocess
import sys

from tests.clinic.test_settings import PRODUCTION, ROOT, outside_environment


def test_collectstatic_under_production_settings_writes_hashed_names_and_a_manifest(tmp_path):
    env = {**outside_environment(), **PRODUCTION}
    code = (
        "import django, os; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; "
        f"settings.STATIC_ROOT = {str(tmp_path)!r}; "
        "from django.contrib.staticfiles.storage import staticfiles_storage as s; "
        "s.location = settings.STATIC_ROOT; s.base_location = settings.STATIC_ROOT; "
        "call_command('collectstatic', '--no-input', verbosity=0); "
        "print(s.url('css/site.css'))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith("/static/css/site.") and url.endswith(".css")
    assert url != "/static/css/site.css"  # a content hash in the name
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/site.*.css.gz"))
