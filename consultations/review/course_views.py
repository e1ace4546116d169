"""The treatment course on the consultation page: what the panel shows, and the practitioner's
changes to it (move a planned session, add a maintenance session, pause, resume, end early).

Every view needs a login and the review permission. Writes go through services/course.py,
which takes the consultation's row lock and refuses what the course's state does not allow
(CourseRefused: said to the practitioner, never a 500). A form with a mistake comes back on
its own page with the message beside the field and what was typed kept; a change made comes
back to the consultation page (a refresh never posts again).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from clinic.auth import signed_in_user
from consultations import course_selectors, selectors
from consultations.models import Consultation, CourseStatus, SessionStatus
from consultations.permissions import REVIEW_PERMISSION
from consultations.presenters.course import event_detail, session_row
from consultations.review.course_forms import (
    ClearanceForm,
    EndForm,
    MaintenanceForm,
    PauseForm,
    RescheduleForm,
)
from consultations.services import course as course_services
from consultations.services.review import ReviewRefused
from consultations.services.sessions import block_mark

COURSE_ANCHOR = "#course-heading"


def course_panel(consultation: Consultation) -> dict[str, Any] | None:
    """What review/_course.html shows: the course, its sessions with their forms, its events
    (None: the consultation has no course)."""
    view = course_selectors.course_view(consultation)
    if view is None:
        return None
    course = view.course
    course_blocked = any(
        session.status == SessionStatus.PLANNED and session.is_blocked for session in view.sessions
    )
    rows = [
        session_row(session, course_status=course.status, course_blocked=course_blocked)
        for session in view.sessions
    ]
    for row in rows:
        number = row.session.number
        if "reschedule" in row.actions:
            row.reschedule_form = RescheduleForm(
                sessions=view.sessions,
                initial={"session": number, "target_date": row.session.target_date},
                auto_id=f"id_move{number}_%s",
            )
        if "clear" in row.actions:
            row.clearance_form = ClearanceForm(
                session=row.session,
                evaluation=consultation.latest_evaluation,
                initial={"block": block_mark(row.session)},
                auto_id=f"id_clear{number}_%s",
            )
    return {
        "course": course,
        "rows": rows,
        "blocked": [row for row in rows if row.session.is_blocked],
        "events": [(event, event_detail(event)) for event in view.events],
        "open": course.status != CourseStatus.ENDED,
        "maintenance_form": MaintenanceForm(auto_id="id_maintenance_%s"),
        "pause_form": PauseForm(auto_id="id_pause_%s"),
        "end_form": EndForm(auto_id="id_end_%s"),
    }


def _day(date: datetime.date) -> str:
    return date_format(date, "j M Y")


def back_to_course(reference: str) -> HttpResponse:
    return redirect(reverse("review:detail", kwargs={"reference": reference}) + COURSE_ANCHOR)


def form_again(
    request: HttpRequest,
    consultation: Consultation,
    form: Form,
    *,
    title: str,
    action: str,
    row: Any = None,
) -> HttpResponse:
    """A course form with its mistakes, on its own page, with what was typed (`row`: the
    session a clearance is about, with why it is blocked)."""
    return render(
        request,
        "review/course_form.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "form": form,
            "title": title,
            "action": action,
            "row": row,
        },
    )


def _change(
    request: HttpRequest, reference: str, change: Callable[[], Any], done: str
) -> HttpResponse:
    """Run a course change; say what happened, or why it was refused."""
    try:
        change()
    except (course_services.CourseRefused, ReviewRefused) as exc:
        messages.error(request, f"Nothing was changed. {exc}")
    else:
        messages.success(request, done)
    return back_to_course(reference)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def reschedule(request: HttpRequest, reference: str) -> HttpResponse:
    """Move a planned session, and the planned sessions after it unless unticked."""
    consultation = selectors.consultation_for_staff(reference)
    view = course_selectors.course_view(consultation)
    if view is None:
        messages.error(request, "This consultation has no treatment course.")
        return back_to_course(reference)
    form = RescheduleForm(request.POST, sessions=view.sessions)
    if not form.is_valid():
        if "session" in form.errors:  # moved, done or cancelled meanwhile: nothing to retype
            messages.error(request, f"Nothing was changed. {form.errors['session'][0]}")
            return back_to_course(reference)
        return form_again(
            request,
            consultation,
            form,
            title=f"Move session {form.data.get('session')}",
            action=reverse("review:course_reschedule", kwargs={"reference": reference}),
        )
    number, date = form.cleaned_data["session"], form.cleaned_data["target_date"]
    session = form.sessions[number]
    return _change(
        request,
        reference,
        lambda: course_services.session_reschedule(
            consultation=consultation,
            user=signed_in_user(request),
            session_id=session.pk,
            target_date=date,
            move_later=form.cleaned_data["move_later"],
        ),
        f"Session {number} moved to {_day(date)}"
        + (", and the later planned sessions with it." if form.cleaned_data["move_later"] else "."),
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def maintenance(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a maintenance session on a date."""
    consultation = selectors.consultation_for_staff(reference)
    form = MaintenanceForm(request.POST, auto_id="id_maintenance_%s")
    if not form.is_valid():
        return form_again(
            request,
            consultation,
            form,
            title="Add a maintenance session",
            action=reverse("review:course_maintenance", kwargs={"reference": reference}),
        )
    date = form.cleaned_data["target_date"]
    return _change(
        request,
        reference,
        lambda: course_services.maintenance_add(
            consultation=consultation, user=signed_in_user(request), target_date=date
        ),
        f"Maintenance session added on {_day(date)}.",
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def pause(request: HttpRequest, reference: str) -> HttpResponse:
    consultation = selectors.consultation_for_staff(reference)
    form = PauseForm(request.POST, auto_id="id_pause_%s")
    if not form.is_valid():
        return form_again(
            request,
            consultation,
            form,
            title="Pause the course",
            action=reverse("review:course_pause", kwargs={"reference": reference}),
        )
    return _change(
        request,
        reference,
        lambda: course_services.course_pause(
            consultation=consultation, user=signed_in_user(request), note=form.cleaned_data["note"]
        ),
        "Course paused: no session can be recorded until it is resumed.",
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def resume(request: HttpRequest, reference: str) -> HttpResponse:
    consultation = selectors.consultation_for_staff(reference)
    return _change(
        request,
        reference,
        lambda: course_services.course_resume(
            consultation=consultation, user=signed_in_user(request)
        ),
        "Course resumed.",
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def end(request: HttpRequest, reference: str) -> HttpResponse:
    """End the course, completed or early, with a coded reason."""
    consultation = selectors.consultation_for_staff(reference)
    form = EndForm(request.POST, auto_id="id_end_%s")
    if not form.is_valid():
        return form_again(
            request,
            consultation,
            form,
            title="End the course",
            action=reverse("review:course_end", kwargs={"reference": reference}),
        )
    return _change(
        request,
        reference,
        lambda: course_services.course_end(
            consultation=consultation,
            user=signed_in_user(request),
            reason=form.cleaned_data["reason"],
            notes=form.cleaned_data["notes"],
        ),
        "Course ended: the sessions not done are cancelled and no more check-ins are sent.",
    )
