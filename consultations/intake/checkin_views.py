"""The patient's check-ins: one private link per check-in (emailed, or opened on the clinic's
tablet by a practitioner, who is signed out first), the form its kind asks, then thank you.

Before a session the safety questions are asked afresh; an answer that blocks the session
tells the patient, in plain words, that the clinic will call first. After a session, a red-flag
answer shows the clinic's phone and what to do now, on the spot. A link answered already shows
the thank-you page again (a double submit stores nothing twice); a cancelled or expired one
says so; an unknown one (or an anonymised patient's) is "not found".
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic import ratelimit
from consultations import selectors_course
from consultations.aftercare import aftercare_for
from consultations.intake.checkin_forms import CheckInForm, check_in_form_class
from consultations.models import CheckIn, CheckInKind, CheckInSource
from consultations.selectors_course import ANSWERED, CLOSED, OPEN, TABLET_CHECK_IN
from consultations.services import checkins as services
from consultations.services.review import ReviewRefused

intake_limit = ratelimit.rate_limited("intake", setting="INTAKE_RATE_LIMIT")

TITLES = {
    CheckInKind.PRE_SESSION: "Before your session: a short safety check",
    CheckInKind.DAY_2: "How is your skin after your session?",
    CheckInKind.DAY_14: "How is your skin 2 weeks after your session?",
}


def _source(request: HttpRequest, check_in: CheckIn) -> str:
    """The clinic's tablet when a practitioner opened this check-in on it (a flag in this
    browser's session, set as the staff session ended); the patient's link otherwise. Never
    from anything the request itself says."""
    if request.session.get(TABLET_CHECK_IN) == check_in.token:
        return CheckInSource.CLINIC_TABLET
    return CheckInSource.PATIENT_LINK


@require_http_methods(["GET", "HEAD", "POST"])
@intake_limit
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    """The check-in's questions; on a valid POST, its answers stored once, then thank you."""
    found = selectors_course.check_in_by_token(token)
    if found is None:
        raise Http404("No such check-in")
    state = selectors_course.check_in_state(found)
    if state == ANSWERED:
        if request.method == "POST":  # a second submit: the first one's answers stand
            return redirect(request.get_full_path())
        return _answered(request, found)
    if state != OPEN:
        return _closed(request, found, state)
    form_class = check_in_form_class(found.kind)
    if request.method != "POST":
        return _questions(request, found, form_class())
    form = form_class(request.POST)
    if not form.is_valid():
        return _questions(request, found, form)
    answer = (
        services.check_in_answer_pre
        if found.kind == CheckInKind.PRE_SESSION
        else services.check_in_answer_follow_up
    )
    try:
        answer(check_in=found, answers=form.cleaned_data, source=_source(request, found))
    except services.CheckInClosed:
        pass  # closed meanwhile (the course ended): the page says so
    except ReviewRefused:  # the patient was anonymised meanwhile
        raise Http404("No such check-in") from None
    # POST, redirect, GET: a refresh never sends the answers again.
    return redirect(request.get_full_path())


def _questions(request: HttpRequest, check_in: CheckIn, form: CheckInForm) -> HttpResponse:
    return render(
        request,
        "intake/check_in.html",
        {
            "check_in": check_in,
            "session": check_in.session,
            "pre_session": check_in.kind == CheckInKind.PRE_SESSION,
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
            "step_title": TITLES[CheckInKind(check_in.kind)],
        },
    )


def _answered(request: HttpRequest, check_in: CheckIn) -> HttpResponse:
    session = check_in.session
    return render(
        request,
        "intake/check_in_done.html",
        {
            "check_in": check_in,
            "session": session,
            "pre_session": check_in.kind == CheckInKind.PRE_SESSION,
            "blocked": check_in.kind == CheckInKind.PRE_SESSION and session.is_blocked,
            "red_flag": check_in.red_flag,
            "emergency": aftercare_for(session.course.treatment).emergency,
            "step_title": "Thank you",
        },
    )


def _closed(request: HttpRequest, check_in: CheckIn, state: str) -> HttpResponse:
    return render(
        request,
        "intake/check_in_closed.html",
        {
            "cancelled": state == CLOSED,
            "step_title": "This check-in is no longer needed"
            if state == CLOSED
            else "This check-in has closed",
        },
    )
