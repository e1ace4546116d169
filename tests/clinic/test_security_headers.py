"""Security headers, cookies and the Content-Security-Policy, on every kind of page.

The production settings as a whole are checked by Django's own deploy checks in
tests/clinic/test_settings.py (test_deploy_checks_are_clean_under_production_values); the tests here
check what a browser actually receives. The authorization matrix (test_authorization_matrix.py)
also checks the CSP and no-store headers on every page it opens.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.clinic.test_settings import PRODUCTION, start_django
from tests.factories import AdminFactory, DraftConsultationFactory, submitted
from tests.intake.steps import open_draft

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "templates",
    ROOT / "jinja2",
    *sorted((ROOT / "consultations").glob("**/templates")),
    *sorted((ROOT / "consultations").glob("**/jinja2")),
]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_csp(response) -> None:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    directives = csp_directives(header)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def assert_security_headers(response) -> None:
    assert_strict_csp(response)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def public_pages(db) -> list[str]:
    return [reverse("home"), reverse("login"), reverse("admin:login"), "/no-such-page/"]


def test_every_public_page_has_a_strict_csp_and_the_security_headers(client, public_pages):
    for url in public_pages:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html")
        assert_security_headers(response)


def test_dynamic_pages_are_never_cached(client, public_pages):
    for url in public_pages:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_every_page_with_patient_data_is_never_stored(client, db):
    """Patient pages (their links), practitioner pages and exports: no browser or proxy copy."""
    consultation = submitted()
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    token, reference = consultation.public_token, consultation.reference
    patient_pages = [
        reverse("intake:step", kwargs={"step": "skin"}),
        reverse("intake:check"),
        reverse("intake:status", kwargs={"token": token}),
        reverse("intake:submitted", kwargs={"token": token}),
        reverse("intake:patient_copy", kwargs={"token": token}),
    ]
    for url in patient_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert "no-store" in response["Cache-Control"], url

    client.force_login(AdminFactory())
    staff_pages = [
        reverse("review:queue"),
        reverse("review:detail", kwargs={"reference": reference}),
        reverse("review:correct", kwargs={"reference": reference}),
        reverse("insight:analytics"),
        reverse("insight:print", kwargs={"reference": reference}),
        reverse("insight:fhir", kwargs={"reference": reference}),
        reverse("admin:consultations_consultation_change", args=[consultation.pk]),
    ]
    for url in staff_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert response["X-Content-Type-Options"] == "nosniff"
        if response["Content-Type"].startswith("text/html"):
            assert_security_headers(response)


def test_admin_pages_have_the_security_headers_and_are_not_cached(client, db):
    client.force_login(AdminFactory())
    for url in (reverse("admin:index"), reverse("admin:consultations_consultation_changelist")):
        response = client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)
        assert "no-store" in response["Cache-Control"]


# --- Templates: nothing the CSP would block ----------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=""", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def project_templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_the_template_scan_finds_the_templates():
    names = {path.name for path in project_templates()}
    assert {"base.html", "404.html", "500.html", "home.html"} <= names


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(path: Path):
    source = path.read_text(encoding="utf-8")
    for attributes, body in SCRIPT_TAG.findall(source):
        if 'type="application/json"' in attributes:
            continue  # data from json_script, not code
        assert "src=" in attributes and not body.strip(), f"inline <script> in {path.name}"
    assert not STYLE_BLOCK.search(source), f"<style> block in {path.name}"
    assert not STYLE_ATTRIBUTE.search(source), f"style= attribute in {path.name}"
    assert not EVENT_HANDLER.search(source), f"on...= event handler in {path.name}"
    assert not JAVASCRIPT_URL.search(source), f"javascript: URL in {path.name}"


# --- Cookies and HSTS under the production settings ---------------------------------------------

PRODUCTION_SECURITY_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


@pytest.fixture(scope="module")
def production_security_settings() -> dict:
    """The security settings exactly as a production start-up (DEBUG off) computes them."""
    names = ", ".join(repr(name) for name in PRODUCTION_SECURITY_SETTINGS)
    result = start_django(
        PRODUCTION, f"import json; print(json.dumps({{n: getattr(s, n) for n in [{names}]}}))"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_security_settings) -> None:
    for name, value in production_security_settings.items():
        setattr(settings, name, value)


def test_production_cookies_are_secure_httponly_and_samesite(client, db, production):
    AdminFactory(username="boss")
    csrf = client.get(reverse("admin:login"), secure=True).cookies["csrftoken"]
    response = client.post(
        reverse("admin:login"),
        {"username": "boss", "password": "correct horse battery"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload(client, db, production):
    response = client.get(reverse("home"), secure=True)
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31536000
    assert "includeSubDomains" in hsts and "preload" in hsts


def test_production_redirects_plain_http_to_https(client, db, production):
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/consultation/start/", "/staff/"])
def test_the_400_page_for_a_forged_host_has_every_security_header(client, path):
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_strict_csp(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
