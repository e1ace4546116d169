"""At the chair: record a session, amend a record, clear a session a check-in blocked, and
start the patient's pre-session check-in on the clinic's tablet.

Every view needs a login and the review permission; a session is found by its number in this
consultation's course (another consultation's session is not found: 404). Writes go through
services/sessions.py under the consultation's row lock. A form that meets a record changed
meanwhile saves nothing, says who changed it, and keeps what was typed for the amendment form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from clinic.auth import signed_in_user
from consultations import course_selectors, presenters, selectors, services
from consultations.models import AccessLog, Consultation, CourseSession, CourseStatus
from consultations.permissions import REVIEW_PERMISSION
from consultations.presenters.course import session_row
from consultations.review import conflicts
from consultations.review.course_forms import ClearanceForm
from consultations.review.course_views import back_to_course, form_again
from consultations.review.forms import posted_number
from consultations.review.session_forms import SessionAmendForm, SessionRecordForm
from consultations.selectors_course import TABLET_CHECK_IN
from consultations.services import session_check_in
from consultations.services import sessions as session_services
from consultations.services.course import CourseRefused
from consultations.services.review import ReviewRefused

REFUSED = (CourseRefused, ReviewRefused)


def _blocked(session: CourseSession) -> str:
    """Why no session of the course can be recorded while one is blocked ("" when none is):
    the check-in spoke of the patient, not of one date."""
    blocked = (
        session.course.sessions.filter(blocked_at__isnull=False, status="planned")
        .order_by("number")
        .first()
    )
    if blocked is None:
        return ""
    return (
        f"Session {blocked.number} is blocked by the patient's check-in: clear it first "
        "(proceed, change the treatment, or stop the course)."
    )


def _not_recordable(session: CourseSession) -> str:
    """Why this session cannot be recorded now ("" when it can)."""
    course = session.course
    if course.status == CourseStatus.PAUSED:
        return "This course is paused: resume it before recording a session."
    if course.status == CourseStatus.ENDED:
        return "This course has ended: no more sessions can be recorded in it."
    if why := _blocked(session):
        return why
    if session.status != "planned":
        return f"Session {session.number} is {session.get_status_display().lower()}."
    return ""


def _page(
    request: HttpRequest,
    consultation: Consultation,
    session: CourseSession,
    form: SessionRecordForm,
    *,
    amend: bool,
) -> HttpResponse:
    services.access_log_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        consultation=consultation,
        detail=f"session {session.number} record form",
    )
    row = session_row(session, course_status=session.course.status)
    return render(
        request,
        "review/session_record.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "session": session,
            "course": session.course,
            "row": row,
            "form": form,
            "amend": amend,
            "action": reverse(
                "review:session_amend" if amend else "review:session_record",
                kwargs={"reference": consultation.reference, "number": session.number},
            ),
        },
    )


def _typed(data: QueryDict) -> dict[str, Any]:
    """What the practitioner typed, to show again on the amendment form."""
    names = [name for name in SessionAmendForm.base_fields if name != "record"]
    kept: dict[str, Any] = {name: data.get(name) for name in names if data.get(name)}
    kept["adverse_events"] = data.getlist("adverse_events")
    return kept


def _changed(request: HttpRequest, consultation: Consultation, number: int) -> HttpResponse:
    """Someone recorded (or amended) this session meanwhile: say who, keep what was typed."""
    session = course_selectors.session_for_staff(consultation, number)
    row = session_row(session, course_status=session.course.status)
    if row.record is not None:
        who = presenters.person_name(row.record.recorded_by)
        when = date_format(timezone.localtime(row.record.recorded_at), "j M Y, H:i")
        did = "amended the record of" if row.record.supersedes_id else "recorded"
        messages.error(
            request,
            f"Nothing was saved: {who} {did} session {number} on {when}, after you opened "
            "the form. Check their record below; what you typed is kept in the form, to amend "
            "it if need be.",
        )
    conflicts.keep(request, consultation.reference, f"session{number}", _typed(request.POST))
    return redirect("review:session_amend", reference=consultation.reference, number=number)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def record(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """The session record form: what was done at the chair, and how the skin reacted."""
    consultation = selectors.consultation_for_staff(reference)
    session = course_selectors.session_for_staff(consultation, number)
    user = signed_in_user(request)
    practitioners = course_selectors.practitioners()
    row = session_row(session, course_status=session.course.status)
    pre = row.pre_check_in  # the pre-session check-in in force
    if request.method != "POST":
        if row.record is not None:
            messages.info(request, f"Session {number} is recorded: amend the record if need be.")
            return redirect("review:session_amend", reference=reference, number=number)
        if why := _not_recordable(session):
            messages.error(request, why)
            return back_to_course(reference)
        form = SessionRecordForm(
            course=session.course, user=user, practitioners=practitioners, pre_check_in=pre
        )
        return _page(request, consultation, session, form, amend=False)
    if why := _blocked(session):  # before the form: nothing typed there can change it
        messages.error(request, f"Nothing was saved. {why}")
        return back_to_course(reference)
    form = SessionRecordForm(
        request.POST,
        course=session.course,
        user=user,
        practitioners=practitioners,
        pre_check_in=pre,
    )
    if not form.is_valid():
        return _page(request, consultation, session, form, amend=False)
    try:
        recorded = session_services.session_record(
            consultation=consultation,
            user=user,
            number=number,
            given=form.session_input(),
            override=form.override_given(),
        )
    except session_services.RecordChanged:
        return _changed(request, consultation, number)
    except REFUSED as exc:
        messages.error(request, f"Nothing was saved. {exc}")
        return back_to_course(reference)
    if not recorded.repeated:
        messages.success(
            request,
            f"Session {number} recorded. The patient's check-ins after it (day 2 and day 14) "
            "are planned.",
        )
    return back_to_course(reference)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def amend(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """Replace a session's record with a new one that says why; both stay on record."""
    consultation = selectors.consultation_for_staff(reference)
    session = course_selectors.session_for_staff(consultation, number)
    current = session_row(session, course_status=session.course.status).record
    if current is None:
        messages.error(request, f"Session {number} has no record to amend yet.")
        return back_to_course(reference)
    user = signed_in_user(request)
    options: dict[str, Any] = {
        "course": session.course,
        "user": user,
        "practitioners": course_selectors.practitioners(),
        "record": current,
    }
    if request.method != "POST":
        kept = conflicts.take_kept(request, reference, f"session{number}")
        form = SessionAmendForm(initial=kept or {}, **options)
        return _page(request, consultation, session, form, amend=True)
    form = SessionAmendForm(request.POST, **options)
    if not form.is_valid():
        if posted_number(request.POST.get("record")) != current.pk:  # amended meanwhile
            return _changed(request, consultation, number)
        return _page(request, consultation, session, form, amend=True)
    try:
        recorded = session_services.session_record_amend(
            consultation=consultation,
            user=user,
            number=number,
            record_id=form.cleaned_data["record"],
            given=form.session_input(),
            amendment_reason=form.cleaned_data["amendment_reason"],
        )
    except session_services.RecordChanged:
        return _changed(request, consultation, number)
    except REFUSED as exc:
        messages.error(request, f"Nothing was saved. {exc}")
        return back_to_course(reference)
    if not recorded.repeated:
        messages.success(request, f"Session {number}'s record amended; the earlier one is kept.")
    return back_to_course(reference)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def clear(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """Decide on a session a check-in blocked: proceed, change the treatment, or stop."""
    consultation = selectors.consultation_for_staff(reference)
    session = course_selectors.session_for_staff(consultation, number)
    form = ClearanceForm(
        request.POST,
        session=session,
        evaluation=consultation.latest_evaluation,
        auto_id=f"id_clear{number}_%s",
    )
    if not form.is_valid():
        return form_again(
            request,
            consultation,
            form,
            title=f"Session {number} is blocked: your decision",
            action=reverse(
                "review:session_clear", kwargs={"reference": reference, "number": number}
            ),
            row=session_row(session, course_status=session.course.status),
        )
    try:
        clearance = session_services.session_clear(
            consultation=consultation,
            user=signed_in_user(request),
            number=number,
            block=form.cleaned_data["block"],
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            treatment=form.cleaned_data["treatment"],
        )
    except session_services.ClearanceChanged:
        messages.error(
            request,
            f"Nothing was saved: session {number} was cleared by a colleague, or blocked again "
            "by a newer check-in, after you opened the page. Check it again below.",
        )
        return back_to_course(reference)
    except REFUSED as exc:
        messages.error(request, f"Nothing was saved. {exc}")
        return back_to_course(reference)
    done = {
        "proceed": f"Session {number} cleared: it can go ahead.",
        "change": f"Session {number} cleared: the course continues with "
        f"{clearance.get_treatment_display().lower()}.",
        "stop_course": "The course is stopped after the safety check-in: the sessions not done "
        "are cancelled and no more check-ins are sent.",
    }[clearance.outcome]
    messages.success(request, done)
    return back_to_course(reference)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def check_in_on_tablet(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """Open the session's pre-session check-in for the patient, on this tablet."""
    consultation = selectors.consultation_for_staff(reference)
    course_selectors.session_for_staff(consultation, number)  # 404 for another's session
    try:
        check_in = session_check_in.check_in_on_tablet(
            consultation=consultation, user=signed_in_user(request), number=number
        )
    except REFUSED as exc:
        messages.error(request, f"The check-in could not be started. {exc}")
        return back_to_course(reference)
    # The tablet goes to the patient: the staff session ends first, so that Back or a typed
    # address shows the patient nothing of the clinic's records. The new (anonymous)
    # session alone remembers that this check-in is answered at the clinic.
    logout(request)
    request.session[TABLET_CHECK_IN] = check_in.token
    return redirect(reverse("intake:check_in", args=[check_in.token]))
