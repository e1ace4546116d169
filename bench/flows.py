"""What a simulated patient and a simulated practitioner do, over real HTTP.

The patient walks the intake as a browser does: each step's page, its POST, the redirect to the
next step, the check page, then the submit form's own action. Only the first address is fixed
(START_PATH, the `intake:start` URL; a test checks it); the rest comes from redirects and forms.
Field names are the intake forms' (consultations/intake/forms.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.client import Browser, Response, post_forms
from consultations import questionnaire

START_PATH = "/consultation/start/"
LOGIN_PATH = "/accounts/login/"
QUEUE_PATH = "/staff/"

# The health pages (step 4), each question answered "no" (so its follow-up does not apply).
# The questionnaire is pure Python, so the load client needs no Django.
HEALTH_STEPS = questionnaire.HEALTH_STEPS
HEALTH_PAGES = {
    step: {q.code: "no" for q in questionnaire.questions_in(step) if not q.follows}
    for step in HEALTH_STEPS
}


class FlowError(AssertionError):
    """The server did not answer as a patient or practitioner expects."""


def about_answers(email: str, n: int = 0) -> dict[str, str]:
    return {
        "first_name": "Load",
        "last_name": f"Patient {n}",
        "date_of_birth_day": "17",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1990",
        "email": email,
        "phone": "",
    }


SKIN = {"fitzpatrick_self_report": "3", "sebum": "normal"}
GOALS = {"main_goal": "pore_size", "downtime_tolerance": "few_days", "previous_treatments": ""}
CONSENT = {"consent": "on", "declaration": "on"}

# The questions a patient answers (the date of birth is one question in three boxes), consent
# aside: the benchmark's peer survey asks as many.
HEALTH_QUESTIONS = [q for step in HEALTH_STEPS for q in questionnaire.questions_in(step)]
QUESTION_COUNT = 5 + len(SKIN) + len(GOALS) + len(HEALTH_QUESTIONS)
# The pages a patient fills in, in order.
STEP_NAMES = ("about", "skin", "goals", *HEALTH_STEPS)


def intake_steps(email: str, n: int = 0) -> list[dict[str, str]]:
    return [about_answers(email, n), SKIN, GOALS, *HEALTH_PAGES.values()]


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise FlowError(f"{what}: HTTP {response.status} at {response.url}")
    return response


def path_of(response: Response) -> str:
    parts = urlsplit(response.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fill_intake(browser: Browser, email: str, n: int = 0) -> str:
    """Answer every step; return the path the submit form posts to (the check page's form)."""
    page = expect(browser.get(START_PATH), 200, "start page")
    for number, answers in enumerate(intake_steps(email, n), start=1):
        here = page.url
        page = browser.post(path_of(page), {**answers, "action": "next"})
        expect(page, 200, f"step {number}")
        if page.url == here:
            raise FlowError(f"step {number} was not accepted (the form came back with errors)")
        if urlsplit(page.url).path == START_PATH:
            raise FlowError(f"after step {number} the server had lost the draft")
    forms = [form for form in post_forms(page.body) if "consent" in form["names"]]
    if not forms:
        raise FlowError(f"no consent form on the check page {page.url}")
    return forms[0]["action"] or path_of(page)


def submit(browser: Browser, submit_path: str) -> Response:
    """Send the answers; the patient lands on the confirmation page."""
    response = expect(browser.post(submit_path, CONSENT), 200, "submit")
    if "/submitted/" not in response.url:
        raise FlowError(f"submit did not reach the confirmation page: {response.url}")
    return response


@dataclass
class PatientRun:
    """One simulated patient's whole intake; `double` submits twice at once (double click)."""

    base_url: str
    email: str
    n: int = 0
    double: bool = False
    timeout: float = 30
    statuses: list[int] = field(default_factory=list)
    confirmations: list[str] = field(default_factory=list)
    error: str = ""

    def run(self) -> None:
        browser = Browser(self.base_url, timeout=self.timeout)
        tabs = [browser]
        try:
            submit_path = fill_intake(browser, self.email, self.n)
            if self.double:
                tabs.append(browser.fork())
                self.confirmations = _at_once([lambda t=t: submit(t, submit_path) for t in tabs])
            else:
                self.confirmations = [submit(browser, submit_path).url]
        except (FlowError, OSError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.statuses = [status for tab in tabs for status in tab.statuses]


def _at_once(calls: list) -> list[str]:
    """Run the calls in threads released together; return each response's final URL."""
    barrier = threading.Barrier(len(calls))
    results: list[str | BaseException] = [""] * len(calls)

    def worker(index: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[index] = calls[index]().url
        except (FlowError, OSError) as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [str(result) for result in results]


def staff_login(browser: Browser, username: str, password: str) -> Response:
    """Log in on the staff login page; the practitioner lands on the review queue."""
    expect(browser.get(LOGIN_PATH), 200, "login page")
    response = browser.post(
        LOGIN_PATH, {"username": username, "password": password, "next": QUEUE_PATH}
    )
    expect(response, 200, "login")
    if LOGIN_PATH in response.url:
        raise FlowError("login was refused")
    return response
