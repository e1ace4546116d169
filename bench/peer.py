"""The benchmark's peer: django-survey-and-report, in its own virtualenv and Django project.

Nothing of it is committed: `make bench` creates bench/.peer-venv (pinned versions from
bench/peer-requirements.txt) and writes a minimal Django project to bench/.peer (both
git-ignored), with its own PostgreSQL database. The project uses the same database settings
(persistent connections with health checks, the same timeouts) and runs under the same
gunicorn configuration as ours; its survey asks as many questions as our intake.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from django.utils.text import slugify

from bench.flows import HEALTH_QUESTIONS, QUESTION_COUNT
from bench.server import ROOT

PEER_VENV = ROOT / "bench" / ".peer-venv"
PEER_DIR = ROOT / "bench" / ".peer"
REQUIREMENTS = ROOT / "bench" / "peer-requirements.txt"
PYTHON = PEER_VENV / "bin" / "python"

# Our intake's questions, as the peer's question types: (text, type, choices, required).
YES_NO = "yes, no"
SURVEY_QUESTIONS: list[tuple[str, str, str, bool]] = [
    ("First name", "short-text", "", True),
    ("Last name", "short-text", "", True),
    ("Date of birth", "short-text", "", True),
    ("Email address", "short-text", "", True),
    ("Phone number", "short-text", "", False),
    ("Which description fits your skin best?", "radio", "I, II, III, IV, V, VI", True),
    ("How does your face feel after washing?", "radio", "dry, normal, oily, very oily", True),
    (
        "What would you most like to improve?",
        "radio",
        "pores, oiliness, texture, tone, scars, lines",
        True,
    ),
    ("How much downtime is acceptable?", "radio", "none, few days, week or more", True),
    ("Previous treatments", "text", "", False),
    *(
        (
            f"Health question: {q.code}",
            "text" if q.kind == "text" else "radio",
            ", ".join(str(o.value) for o in q.options) if q.options else YES_NO,
            not q.follows,
        )
        for q in HEALTH_QUESTIONS
    ),
]
assert len(SURVEY_QUESTIONS) == QUESTION_COUNT


def answer_for(question_type: str, choices: str) -> str:
    """A valid answer: "no" to yes/no questions, else the first choice (as the peer's value)."""
    if question_type != "radio":
        return "Bench answer"
    return "no" if choices == YES_NO else slugify(choices.split(",")[0].strip())


SETTINGS = '''"""Minimal project serving django-survey-and-report for the benchmark (generated)."""
import os
from urllib.parse import unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "survey",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_site.urls"
WSGI_APPLICATION = "peer_site.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
# The same database settings as the clinic app (clinic/settings.py).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(url.path.lstrip("/")),
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": url.port or 5432,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 3, "options": "-c statement_timeout=15000"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LANGUAGE_CODE = "en"
USE_TZ = True
STATIC_URL = "static/"
'''

URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("survey/", include("survey.urls")), path("admin/", admin.site.urls)]
"""

WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
application = get_wsgi_application()
"""

MANAGE = """import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""

# Run inside the peer project: create the survey, count queries. Prints JSON.
TOOLS = """import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from survey.models import Question, Response, Survey


def make_survey(questions):
    survey = Survey.objects.create(
        name="Skin consultation (benchmark)",
        description="The same number of questions as the clinic intake.",
        need_logged_user=False,
        editable_answers=True,
        display_method=Survey.ALL_IN_ONE_PAGE,
        expire_date="2099-12-31",
    )
    fields = {}
    for order, (text, kind, choices, required, answer) in enumerate(questions, start=1):
        question = Question.objects.create(
            survey=survey, text=text, order=order, required=required, type=kind,
            choices=choices or None,
        )
        fields[f"question_{question.pk}"] = answer
    return {"survey": survey.pk, "fields": fields}


def count(survey_id, fields):
    client = Client()
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as page:
        get = client.get(f"/survey/{survey_id}/")
    before = Response.objects.count()
    with CaptureQueriesContext(connection) as post:
        response = client.post(f"/survey/{survey_id}/", fields)
    assert Response.objects.count() == before + 1, "the survey did not store a response"
    return {
        "survey GET": {"queries": len(page.captured_queries), "status": get.status_code},
        "survey POST": {"queries": len(post.captured_queries), "status": response.status_code},
    }


if __name__ == "__main__":
    command, payload = sys.argv[1], json.loads(sys.stdin.read())
    if command == "make_survey":
        print(json.dumps(make_survey(payload)))
    else:
        print(json.dumps(count(payload["survey"], payload["fields"])))
"""


def ensure_venv() -> None:
    """Create bench/.peer-venv with the pinned peer packages (once; again if the pins change)."""
    stamp = PEER_VENV / ".installed"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
        check=True,
        timeout=600,
    )
    stamp.write_text(wanted)


def write_project() -> None:
    package = PEER_DIR / "peer_site"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)
    (PEER_DIR / "manage.py").write_text(MANAGE)
    (PEER_DIR / "tools.py").write_text(TOOLS)


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [str(PYTHON), *args],
        cwd=PEER_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"peer {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def migrate(env: dict[str, str]) -> None:
    _run(["manage.py", "migrate", "--no-input"], env)


def make_survey(env: dict[str, str]) -> dict:
    questions = [
        (text, kind, choices, required, answer_for(kind, choices))
        for text, kind, choices, required in SURVEY_QUESTIONS
    ]
    return json.loads(_run(["tools.py", "make_survey"], env, json.dumps(questions)))


def count_queries(env: dict[str, str], survey: dict) -> dict:
    return json.loads(_run(["tools.py", "count"], env, json.dumps(survey)))


def gunicorn_command() -> list[str]:
    return [str(PYTHON), "-m", "gunicorn", "peer_site.wsgi:application"]
