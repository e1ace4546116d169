"""The intake as a patient's browser walks it: URLs, answers per step, and helpers."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import questionnaire
from consultations.fitzpatrick import ITEM_CODES
from consultations.models import Consultation
from tests.tasks import run_queued_tasks

START = "/consultation/start/"
SKIN = "/consultation/skin/"
GOALS = "/consultation/goals/"
HEALTH = "/consultation/health/"
SKIN_NOW = "/consultation/skin-now/"
TREATMENTS = "/consultation/treatments/"
HISTORY = "/consultation/history/"
HEALTH_PAGES = (HEALTH, SKIN_NOW, TREATMENTS, HISTORY)
CHECK = "/consultation/check/"
SUBMIT = "/consultation/submit/"
SEND_LINK = "/consultation/send-link/"
SAVED = "/consultation/saved/"

ABOUT = {
    "first_name": "Mei",
    "last_name": "Tan",
    "date_of_birth_day": "17",
    "date_of_birth_month": "5",
    "date_of_birth_year": "1990",
    "email": "mei.tan@example.com",
    "phone": "+65 9123 4567",
}
SKIN_ANSWERS = {"fitzpatrick_self_report": "3", "sebum": "oily"}
GOALS_ANSWERS = {
    "main_goal": "pore_size",
    "other_goals": ["texture", "oiliness"],
    "downtime_tolerance": "few_days",
    "previous_treatments": "",
}
# Every health page's questions answered "no" (their follow-ups then do not apply).
PAGE_ANSWERS = {
    f"/consultation/{step}/": {
        q.code: "no" for q in questionnaire.questions_in(step) if not q.follows
    }
    for step in questionnaire.HEALTH_STEPS
}
# Every health answer "no": fill_draft sends each to its page.
HEALTH_ANSWERS = {
    code: value for answers in PAGE_ANSWERS.values() for code, value in answers.items()
}
CONSENT = {"consent": "on", "declaration": "on"}
TAN_NOTE = "We have chosen “Yes” for you because in the skin type questions you said"


def self_test(score_each: int) -> dict[str, str]:
    """The self-test in use, every one of its 10 answers scored `score_each` (0-4)."""
    return {"self_test": "on", **{f"test_{code}": str(score_each) for code in ITEM_CODES}}


def post_ok(client: Client, url: str, data: dict, *, to: str | None = None):
    response = client.post(url, data)
    assert response.status_code == 302, errors_on(response)
    if to is not None:
        assert response["Location"] == to
    return response


def errors_on(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<a class="alert-link" href="#[^"]+">([^<]+)</a>', page)


def page_of(code: str) -> str:
    """The URL of the health page that asks a question."""
    return f"/consultation/{questionnaire.question(code).step}/"


def answer_health(client: Client, health: dict | None = None) -> None:
    """Answer the four health pages: every question "no" unless `health` says otherwise."""
    given = HEALTH_ANSWERS if health is None else health
    for number, page in enumerate(HEALTH_PAGES):
        data = {code: value for code, value in given.items() if page_of(code) == page}
        following = HEALTH_PAGES[number + 1] if number + 1 < len(HEALTH_PAGES) else CHECK
        post_ok(client, page, {**PAGE_ANSWERS[page], **data}, to=following)


def fill_draft(client: Client, *, skin=None, goals=None, health=None) -> Consultation:
    """Answer steps 1-4 and return the draft."""
    post_ok(client, START, ABOUT, to=SKIN)
    post_ok(client, SKIN, SKIN_ANSWERS if skin is None else skin, to=GOALS)
    post_ok(client, GOALS, GOALS_ANSWERS if goals is None else goals, to=HEALTH)
    answer_health(client, health)
    return Consultation.objects.get(pk=client.session["intake_consultation_id"])


def submit(client: Client, **kwargs) -> Consultation:
    consultation = fill_draft(client, **kwargs)
    response = client.post(SUBMIT, CONSENT)
    assert response.status_code == 302, errors_on(response)
    consultation.refresh_from_db()
    assert response["Location"] == f"/c/{consultation.public_token}/submitted/"
    return consultation


def open_draft(client: Client, consultation: Consultation) -> None:
    """Let this browser carry on with the draft, as the resume link does: the draft's id and
    its current key in the session."""
    session = client.session
    session["intake_consultation_id"] = consultation.pk
    session["intake_draft_key"] = consultation.draft_key
    session.save()


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + datetime.timedelta(days=days)


def dob(day: datetime.date) -> dict[str, str]:
    return {
        "date_of_birth_day": str(day.day),
        "date_of_birth_month": str(day.month),
        "date_of_birth_year": str(day.year),
    }


def press_save(client: Client, url: str, data: dict, *, email: str | None = None):
    """ "Save and continue later" on a page, then "Send me the link" on the next page, to the
    address on record (or `email`). The answer to the first POST when it did not go on to the
    address page (a page with errors, a limit)."""
    response = client.post(url, {**data, "action": "save"})
    if response.status_code != 302 or not response["Location"].startswith(SEND_LINK):
        return response
    if email is None:
        held = client.session.get("intake_consultation_id")
        email = Consultation.objects.get(pk=held).patient.email
    return client.post(SEND_LINK, {"email": email, "use": "as_typed"})


def save_for_later(client: Client, url: str, data: dict, mailoutbox) -> str:
    response = press_save(client, url, data)
    assert response.status_code == 302 and response["Location"] == SAVED
    run_queued_tasks()  # the worker sends the email
    link = re.search(r"https://clinic\.example(/consultation/resume/[^/\s]+/)", mailoutbox[-1].body)
    return link[1]


def follow_resume_link(client: Client, link: str):
    """Open the emailed link (a page that only asks), then press "Continue my answers"."""
    page = client.get(link)
    assert page.status_code == 200
    assert "Continue my answers" in page.content.decode()
    return client.post(link)


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)
