"""Reads for the treatment course's pages (selectors.py is the rest), in a fixed number of
queries whatever the number of sessions, records and events."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission, User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from consultations.models import (
    CheckIn,
    Consultation,
    Course,
    CourseEvent,
    CourseSession,
    SessionClearance,
    SessionRecord,
)
from consultations.permissions import APP_LABEL, REVIEW_CODENAME


@dataclass(frozen=True)
class CourseView:
    """A course with its sessions (records, clearances and check-ins fetched) and events."""

    course: Course
    sessions: list[CourseSession]
    events: list[CourseEvent]


def _sessions() -> QuerySet[CourseSession]:
    return (
        CourseSession.objects.order_by("number")
        .select_related("check_in_override_by")
        .prefetch_related(
            Prefetch(
                "records",
                queryset=SessionRecord.objects.select_related(
                    "performed_by", "recorded_by"
                ).order_by("recorded_at", "pk"),
            ),
            Prefetch(
                "clearances", queryset=SessionClearance.objects.select_related("by").order_by("at")
            ),
            Prefetch("check_ins", queryset=CheckIn.objects.order_by("due_on", "pk")),
        )
    )


def course_view(consultation: Consultation) -> CourseView | None:
    """The consultation's course for the detail page, or None (4 queries, or 1 without)."""
    course = (
        Course.objects.select_related("decision__evaluation")
        .filter(consultation=consultation)
        .first()
    )
    if course is None:
        return None
    course.consultation = consultation
    sessions = list(_sessions().filter(course=course))
    for session in sessions:
        session.course = course
    events = list(course.events.select_related("by").order_by("-at", "-pk"))
    return CourseView(course=course, sessions=sessions, events=events)


def session_for_staff(consultation: Consultation, number: int) -> CourseSession:
    """Session `number` of the consultation's course, with its records, or 404 (a session of
    another consultation's course is not found here)."""
    session = (
        _sessions()
        .select_related("course__decision__evaluation")
        .filter(course__consultation=consultation, number=number)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    session.course.consultation = consultation
    return session


def practitioners() -> QuerySet[User]:
    """Active users who may review (and so perform and record sessions), by name."""
    permission = Permission.objects.filter(
        content_type__app_label=APP_LABEL, codename=REVIEW_CODENAME
    )
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
