"""Who may open which URL: one table for every URL pattern of the project, every role, GET and POST.

Roles:
- anonymous: not logged in; holds no patient link (on a link URL it tries a made-up token).
- patient: not logged in; this browser holds their draft, and they hold their private links.
- wrong_token: the patient's browser, with a link whose token is wrong (mistyped, made up).
- staff: a staff user (is_staff) without any permission.
- practitioner: in the Practitioners group (review permission), not staff.
- admin: a superuser.
- inactive: an inactive superuser with a session: the session is worth nothing.

Only the patient holds the patient's links: everyone else, staff included, gets 404 on them
(never 403, which would confirm that the token exists). POSTs carry an empty form: the answer
shows whether the request got past the access checks, and nothing is changed.

The Django admin's many generated URLs are covered by one rule, checked on every model's
changelist and change page and the index: anonymous, patient, practitioner (not staff) and
inactive -> 302 to the admin login; staff without permissions -> 403 (the index: 200, empty);
admin -> 200. `test_every_url_pattern_is_in_the_matrix` fails when a URL is added without a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from consultations.models import Consultation, Photo, new_public_token
from consultations.services import intake as intake_services
from consultations.services.checkins import pre_session_check_in
from tests.clinic.test_security_headers import assert_strict_csp
from tests.factories import (
    AdminFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    UserFactory,
    coursed,
    submitted,
)
from tests.intake.steps import open_draft
from tests.photos.factories import PhotoFactory

ROLES = ("anonymous", "patient", "wrong_token", "staff", "practitioner", "admin", "inactive")

# Expected answers: a status code, or a redirect to a named URL (the login pages).
LOGIN = (302, "login")
ADMIN_LOGIN = (302, "admin:login")
START = (302, "intake:start")
REDIRECT = (302, None)


def row(*answers) -> dict[str, object]:
    return dict(zip(ROLES, answers, strict=True))


def everyone(answer) -> dict[str, object]:
    return row(*[answer] * len(ROLES))


# Only the link holder gets in; a wrong or made-up token is "not found" for everyone.
LINK = row(404, 200, 404, 404, 404, 404, 404)
# The patient's draft lives in their browser; any other browser is sent to the first step.
DRAFT = row(START, 200, 200, START, START, START, START)
# Practitioner pages: log in first; a login without the review permission is refused.
REVIEW = row(LOGIN, LOGIN, LOGIN, 403, 200, 200, LOGIN)
REVIEW_NOT_ALLOWED = row(LOGIN, LOGIN, LOGIN, 403, 405, 405, LOGIN)
# An empty form has no lock_version: "nothing was saved", and back to the page (a redirect, so
# that a refresh never posts again).
SENT_BACK = (302, re.compile(r"^/staff/consultations/[^/]+/(correct/)?$"))
REVIEW_STALE_FORM = row(LOGIN, LOGIN, LOGIN, 403, SENT_BACK, SENT_BACK, LOGIN)
LOGGED_IN = row(LOGIN, LOGIN, LOGIN, 200, 200, 200, LOGIN)
# A session of the sample consultation, which has no course: not found, once allowed in.
REVIEW_NO_SESSION = row(LOGIN, LOGIN, LOGIN, 403, 404, 404, LOGIN)

MATRIX: dict[tuple[str, str], dict[str, object]] = {
    # Public pages
    ("home", "GET"): everyone(200),
    ("home", "POST"): everyone(405),
    ("privacy", "GET"): everyone(200),
    ("privacy", "POST"): everyone(405),
    # Patient intake
    ("intake:start", "GET"): everyone(200),
    ("intake:start", "POST"): everyone(200),  # the empty form comes back with its errors
    ("intake:step", "GET"): DRAFT,
    ("intake:step", "POST"): DRAFT,
    ("intake:check", "GET"): DRAFT,
    ("intake:check", "POST"): everyone(405),
    ("intake:submit", "GET"): everyone(405),
    ("intake:submit", "POST"): DRAFT,  # the patient: consent missing, the page again
    # The address page needs this browser's draft; any other browser is sent to the start.
    ("intake:send_link", "GET"): DRAFT,
    ("intake:send_link", "POST"): DRAFT,  # an empty form: the page again, with its error
    ("intake:saved", "GET"): everyone(200),
    ("intake:saved", "POST"): everyone(405),
    # Opening the link only asks; the draft joins the browser on the POST of that page.
    ("intake:resume", "GET"): LINK,
    ("intake:resume", "POST"): row(404, REDIRECT, 404, 404, 404, 404, 404),
    ("intake:status", "GET"): LINK,
    ("intake:status", "POST"): everyone(405),
    ("intake:submitted", "GET"): LINK,
    ("intake:submitted", "POST"): everyone(405),
    ("intake:patient_copy", "GET"): LINK,
    ("intake:patient_copy", "POST"): everyone(405),
    # A check-in's own link (the patient holds it): the questions, or an empty form's errors.
    ("intake:check_in", "GET"): LINK,
    ("intake:check_in", "POST"): LINK,
    # Photos (optional): the page needs this browser's draft (an empty form: its errors); the
    # draft's photos open only in the browser holding the draft, the sent ones only by link.
    ("intake:photos", "GET"): DRAFT,
    ("intake:photos", "POST"): DRAFT,
    ("intake:draft_photo", "GET"): row(404, 200, 200, 404, 404, 404, 404),
    ("intake:draft_photo", "POST"): everyone(405),
    ("intake:photo", "GET"): LINK,
    ("intake:photo", "POST"): everyone(405),
    # Deleting a photo, withdrawing the consent: a page that asks, then the POST of its button
    # (an empty POST: the page again, nothing deleted).
    ("intake:draft_photo_delete", "GET"): DRAFT,
    ("intake:draft_photo_delete", "POST"): DRAFT,
    ("intake:draft_photos_withdraw", "GET"): DRAFT,
    ("intake:draft_photos_withdraw", "POST"): DRAFT,
    ("intake:photo_delete", "GET"): LINK,
    ("intake:photo_delete", "POST"): LINK,
    ("intake:photos_withdraw", "GET"): LINK,
    ("intake:photos_withdraw", "POST"): LINK,
    # Practitioner review
    ("review:queue", "GET"): REVIEW,
    ("review:queue", "POST"): REVIEW_NOT_ALLOWED,
    ("review:detail", "GET"): REVIEW,
    ("review:detail", "POST"): REVIEW_NOT_ALLOWED,
    ("review:correct", "GET"): REVIEW,
    ("review:correct", "POST"): REVIEW_STALE_FORM,
    ("review:decide", "GET"): REVIEW_NOT_ALLOWED,
    ("review:decide", "POST"): REVIEW_STALE_FORM,
    ("review:amend", "GET"): REVIEW_NOT_ALLOWED,
    ("review:amend", "POST"): row(LOGIN, LOGIN, LOGIN, 403, REDIRECT, REDIRECT, LOGIN),
    ("review:rerun", "GET"): REVIEW_NOT_ALLOWED,
    # An empty form has no lock version: refused as a stale page, back to the detail page.
    ("review:rerun", "POST"): row(LOGIN, LOGIN, LOGIN, 403, REDIRECT, REDIRECT, LOGIN),
    # The treatment course (the sample consultation has none: refused with a message, or 404
    # for a session of it)
    ("review:course_reschedule", "GET"): REVIEW_NOT_ALLOWED,
    ("review:course_reschedule", "POST"): row(LOGIN, LOGIN, LOGIN, 403, REDIRECT, REDIRECT, LOGIN),
    ("review:course_maintenance", "GET"): REVIEW_NOT_ALLOWED,
    # An empty form: the form again, with its message
    ("review:course_maintenance", "POST"): REVIEW,
    ("review:course_pause", "GET"): REVIEW_NOT_ALLOWED,
    ("review:course_pause", "POST"): row(LOGIN, LOGIN, LOGIN, 403, REDIRECT, REDIRECT, LOGIN),
    ("review:course_resume", "GET"): REVIEW_NOT_ALLOWED,
    ("review:course_resume", "POST"): row(LOGIN, LOGIN, LOGIN, 403, REDIRECT, REDIRECT, LOGIN),
    ("review:course_end", "GET"): REVIEW_NOT_ALLOWED,
    ("review:course_end", "POST"): REVIEW,
    ("review:session_record", "GET"): REVIEW_NO_SESSION,
    ("review:session_record", "POST"): REVIEW_NO_SESSION,
    ("review:session_amend", "GET"): REVIEW_NO_SESSION,
    ("review:session_amend", "POST"): REVIEW_NO_SESSION,
    ("review:session_clear", "GET"): REVIEW_NOT_ALLOWED,
    ("review:session_clear", "POST"): REVIEW_NO_SESSION,
    ("review:session_check_in", "GET"): REVIEW_NOT_ALLOWED,
    ("review:session_check_in", "POST"): REVIEW_NO_SESSION,
    # An empty form names no red flag: "nothing was saved", back to the page.
    ("review:red_flag_handled", "GET"): REVIEW_NOT_ALLOWED,
    ("review:red_flag_handled", "POST"): REVIEW_STALE_FORM,
    # Photos: streamed to practitioners only; a session photo upload (an empty form: its errors)
    ("review:photo", "GET"): REVIEW,
    ("review:photo", "POST"): REVIEW_NOT_ALLOWED,
    ("review:photo_upload", "GET"): REVIEW,
    ("review:photo_upload", "POST"): REVIEW,
    # A session photo's deletion (an empty form: its error); the sample photo is an intake
    # photo, which is not deleted here: not found, once allowed in.
    ("review:photo_delete", "GET"): REVIEW_NO_SESSION,
    ("review:photo_delete", "POST"): REVIEW_NO_SESSION,
    # Insight: analytics, FHIR and print for practitioners; the rule test bench for admins
    ("insight:analytics", "GET"): REVIEW,
    ("insight:analytics", "POST"): everyone(405),
    ("insight:replay", "GET"): row(LOGIN, LOGIN, LOGIN, 403, 403, 200, LOGIN),
    ("insight:replay", "POST"): everyone(405),
    # Exports need the export permission on top of the review one: admins only, by default.
    ("insight:fhir", "GET"): row(LOGIN, LOGIN, LOGIN, 403, 403, 200, LOGIN),
    ("insight:fhir", "POST"): everyone(405),
    ("insight:print", "GET"): REVIEW,
    ("insight:print", "POST"): everyone(405),
    # Accounts (django.contrib.auth.urls)
    ("login", "GET"): everyone(200),
    ("login", "POST"): everyone(200),  # the empty form comes back with its errors
    ("logout", "GET"): everyone(405),
    ("logout", "POST"): everyone(REDIRECT),
    ("password_change", "GET"): LOGGED_IN,
    ("password_change", "POST"): LOGGED_IN,  # the empty form comes back with its errors
    ("password_change_done", "GET"): LOGGED_IN,
    ("password_change_done", "POST"): row(LOGIN, LOGIN, LOGIN, 405, 405, 405, LOGIN),
    # `make bench` only (BENCH_ENDPOINTS): a constant, no data
    ("bench-constant", "GET"): everyone(200),
    ("bench-constant", "POST"): everyone(405),
}


# --- The project's URL patterns


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """Every URL pattern under a resolver: its namespace ("admin:", ""), name, pattern."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, inner)
        else:
            yield namespace, pattern.name or "", pattern


def project_url_names() -> tuple[set[str], list[str]]:
    """The named patterns outside the admin, and a description of every unnamed one."""
    names, unnamed = set(), []
    for namespace, name, pattern in walk(get_resolver()):
        if namespace.startswith("admin:"):
            continue  # the admin rule covers these
        if name:
            names.add(namespace + name)
        else:
            unnamed.append(f"{pattern.pattern} -> {pattern.lookup_str}")
    return names, unnamed


def test_every_url_pattern_is_in_the_matrix(bench_urls):
    names, unnamed = project_url_names()
    assert not unnamed, f"name these URL patterns so the matrix can list them: {unnamed}"
    missing = sorted(
        f"{name} {method}"
        for name in names
        for method in ("GET", "POST")
        if (name, method) not in MATRIX
    )
    assert not missing, f"add these to MATRIX (who may open them?): {missing}"
    stale = sorted({name for name, _ in MATRIX} - names)
    assert not stale, f"these MATRIX rows name no URL pattern: {stale}"


def test_every_matrix_row_says_what_every_role_gets():
    for key, answers in MATRIX.items():
        assert set(answers) == set(ROLES), key


# --- Roles


class World:
    """A patient's draft (in the patient's browser) and their submitted consultation."""

    def __init__(self) -> None:
        self.draft: Consultation = DraftConsultationFactory()
        self.sent: Consultation = submitted()
        self._check_in_token = ""
        self._photos: dict[bool, Photo] = {}

    @property
    def check_in_token(self) -> str:
        """The patient's pre-session check-in link (a course is planned only when asked for)."""
        if not self._check_in_token:
            session = coursed(treatment="laser").course.sessions.get(number=1)
            self._check_in_token = pre_session_check_in(session).token
        return self._check_in_token

    def photo(self, *, draft: bool) -> Photo:
        """A photo of the draft or of the sent consultation, made when a URL needs one."""
        if draft not in self._photos:
            consultation = self.draft if draft else self.sent
            self._photos[draft] = PhotoFactory(consultation=consultation)
        return self._photos[draft]


def client_for(role: str, world: World, client: Client | None = None) -> Client:
    """A browser for the role (or the given client, its cookies reset: loading the middleware
    for each new client is slow)."""
    if client is None:
        client = Client()
    client.cookies = SimpleCookie()
    if role in ("patient", "wrong_token"):
        open_draft(client, world.draft)
    user = {
        "staff": lambda: UserFactory(is_staff=True),
        "practitioner": PractitionerFactory,
        "admin": AdminFactory,
        "inactive": lambda: AdminFactory(is_active=False),
    }.get(role)
    if user is not None:
        client.force_login(user())
    return client


def url_for(name: str, role: str, world: World) -> str:
    """The URL as this role would have it: only the patient holds the right tokens."""
    holds_link = role == "patient"
    pattern = next(p for ns, n, p in walk(get_resolver()) if ns + n == name)
    params = set(pattern.pattern.converters)
    kwargs: dict[str, str] = {}
    if "token" in params:
        token = world.check_in_token if name == "intake:check_in" else world.sent.public_token
        kwargs["token"] = token if holds_link else new_public_token()
    if "signed" in params:
        signed = intake_services.resume_signature(world.draft)
        kwargs["signed"] = signed if holds_link else signed[:-4] + "AAAA"
    if "reference" in params:
        kwargs["reference"] = world.sent.reference
    if "number" in params:
        kwargs["number"] = "1"
    if "step" in params:
        kwargs["step"] = "skin"
    if "photo" in params:
        draft = name in ("intake:draft_photo", "intake:draft_photo_delete")
        kwargs["photo"] = str(world.photo(draft=draft).pk)
    if "size" in params:
        kwargs["size"] = "full"
    return reverse(name, kwargs=kwargs)


def outcome(response, expected) -> bool:
    if isinstance(expected, int):
        return response.status_code == expected
    status, target = expected
    if response.status_code != status:
        return False
    location = response["Location"].split("?")[0]
    if isinstance(target, re.Pattern):
        return bool(target.match(location))
    return target is None or location == reverse(target)


def describe(response) -> object:
    if response.status_code in (301, 302):
        return (response.status_code, response["Location"])
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), sorted(MATRIX), ids=lambda v: v)
def test_each_role_gets_what_the_matrix_says(name, method, bench_urls):
    world, client, wrong = World(), Client(), []
    for role in ROLES:
        client = client_for(role, world, client)
        url = url_for(name, role, world)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        expected = MATRIX[(name, method)][role]
        if not outcome(response, expected):
            wrong.append(f"{role}: expected {expected}, got {describe(response)}")
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_strict_csp(response)
            assert "no-store" in response["Cache-Control"], url
    assert not wrong, f"{method} {name}:\n" + "\n".join(wrong)


# --- The admin: one rule, checked on every model's pages

ADMIN_RULE = {
    "anonymous": ADMIN_LOGIN,
    "patient": ADMIN_LOGIN,
    "practitioner": ADMIN_LOGIN,
    "inactive": ADMIN_LOGIN,
    "staff": 403,
    "admin": 200,
}


def admin_sample(world: World) -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        some = world.sent if model is Consultation else model._default_manager.first()
        if some is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[some.pk]))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ADMIN_RULE))
def test_the_admin_is_for_admins_only(role):
    world = World()
    client = client_for(role, world)
    wrong = []
    for url in admin_sample(world):
        expected = ADMIN_RULE[role]
        if url == reverse("admin:index") and role == "staff":
            expected = 200  # Django shows a staff user an index with nothing on it
        response = client.get(url)
        if not outcome(response, expected):
            wrong.append(f"{url}: expected {expected}, got {describe(response)}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_sample_covers_every_registered_model():
    world = World()
    urls = admin_sample(world)
    for model in admin.site._registry:
        opts = model._meta
        assert reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") in urls
    assert reverse("admin:consultations_consultation_change", args=[world.sent.pk]) in urls


@pytest.mark.django_db
def test_the_admin_login_page_is_open_to_everyone():
    world, client = World(), Client()
    for role in ROLES:
        response = client_for(role, world, client).get(reverse("admin:login"))
        # Staff already logged in go straight to the index.
        expected = 302 if role in ("staff", "admin") else 200
        assert response.status_code == expected, role
