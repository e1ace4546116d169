"""Settings come from the environment; a bad value stops start-up and names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-django-checks-0123456789",
    "ALLOWED_HOSTS": "clinic.example",
    "CSRF_TRUSTED_ORIGINS": "https://clinic.example",
    "SITE_URL": "https://clinic.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "CLINIC_NAME": "Tanglin Skin Clinic",
    "CLINIC_PHONE": "+65 6123 4567",
    "CLINIC_ADDRESS": "10 Tanglin Road, Singapore 247909",
    "CLINIC_WHATSAPP": "",
    "CLINIC_EMAIL": "hello@tanglin.example",
    "CLINIC_HOURS": "Monday to Saturday 10 am to 6 pm",
}


def outside_environment() -> dict[str, str]:
    """This process's environment without the test-run defaults (pyproject.toml, pytest env)."""
    test_only = {
        *PRODUCTION,
        "REDIS_URL",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "STATIC_MANIFEST",
    }
    return {k: v for k, v in os.environ.items() if k not in test_only}


def start_django(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    clean = outside_environment()
    clean.update(env, DJANGO_SETTINGS_MODULE="clinic.settings")
    script = "import django; django.setup(); from django.conf import settings as s; " + code
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = start_django({**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_it_starts_without_secret_key_in_debug():
    result = start_django({"DEBUG": "1"}, "print(s.DEBUG, bool(s.SECRET_KEY))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("CSRF_TRUSTED_ORIGINS", "clinic.example"),
        ("DB_CONNECT_TIMEOUT", "soon"),
        ("SITE_URL", "clinic.example"),
        ("ALLOWED_HOSTS", ""),
    ],
)
def test_a_bad_setting_names_its_variable(variable, value):
    result = start_django(
        {**PRODUCTION, "DATABASE_URL": "postgres://u@db.example/c", variable: value}
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_production_values_turn_the_secure_settings_on():
    result = start_django(
        PRODUCTION,
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.TIME_ZONE, s.USE_TZ)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "Asia/Singapore", "True"]


def test_ssl_redirect_can_be_turned_off_for_a_local_run_without_tls():
    result = start_django(
        {**PRODUCTION, "SECURE_SSL_REDIRECT": "0"}, "print(s.SECURE_SSL_REDIRECT)"
    )
    assert result.stdout.strip() == "False"


def test_postgresql_connections_are_persistent_with_health_checks_and_a_short_timeout():
    result = start_django(
        {**PRODUCTION, "DATABASE_URL": "postgres://u@db.example:5432/clinic"},
        "d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'] > 0, d['CONN_HEALTH_CHECKS'], d['OPTIONS']['connect_timeout'], "
        "'statement_timeout' in d['OPTIONS']['options'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "3", "True"]


def test_without_database_url_it_uses_a_sqlite_file_under_var():
    result = start_django({"DEBUG": "1"}, "print(s.DATABASES['default']['NAME'])")
    assert result.stdout.strip().endswith("var/db.sqlite3")


def test_deploy_checks_are_clean_under_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**outside_environment(), **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_manage_py_names_the_missing_variable_instead_of_an_unrelated_error():
    env = {**outside_environment(), **PRODUCTION, "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Configuration error: SECRET_KEY is required")
    assert "Traceback" not in result.stderr


def test_make_run_builds_links_on_the_port_it_serves():
    """`make run PORT=8123`: every command it runs gets SITE_URL on that port, so emails and the
    confirmation page link to the server the patient is using."""
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],  # noqa: S607 (make from PATH, as the README says)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=outside_environment(),
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert commands and all('SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in c for c in commands)
    assert commands[-1].endswith("runserver 127.0.0.1:8123")


def test_deploy_checks_warn_while_the_clinic_is_the_demo_clinic():
    env = {**outside_environment(), **PRODUCTION}
    for name in ("CLINIC_NAME", "CLINIC_PHONE", "CLINIC_ADDRESS", "CLINIC_WHATSAPP"):
        del env[name]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "clinic.W001" in result.stderr
    assert "CLINIC_PHONE is still the demo value" in result.stderr
    assert "CLINIC_WHATSAPP is still the demo value" in result.stderr


# --- Emails never end up in a log ---------------------------------------------------------------


@pytest.mark.parametrize("backend", ["console", "filebased"])
def test_it_refuses_to_start_with_an_email_backend_that_logs_when_debug_is_off(backend):
    path = f"django.core.mail.backends.{backend}.EmailBackend"
    result = start_django({**PRODUCTION, "EMAIL_BACKEND": path})
    assert result.returncode != 0
    assert "EMAIL_BACKEND" in result.stderr.splitlines()[-1]
    assert "ALLOW_EMAIL_IN_LOGS" in result.stderr

    allowed = start_django(
        {**PRODUCTION, "EMAIL_BACKEND": path, "ALLOW_EMAIL_IN_LOGS": "1"}, "print(s.EMAIL_BACKEND)"
    )
    assert allowed.returncode == 0 and allowed.stdout.strip() == path


def test_with_debug_off_emails_go_to_smtp_by_default_and_print_only_in_debug():
    production = start_django(PRODUCTION, "print(s.EMAIL_BACKEND)")
    assert production.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
    debug = start_django({"DEBUG": "1"}, "print(s.EMAIL_BACKEND)")
    assert debug.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_deploy_checks_fail_on_an_email_backend_that_logs():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={
            **outside_environment(),
            **PRODUCTION,
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "EMAIL_BACKEND" in result.stderr
