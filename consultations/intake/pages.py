"""The patient's other pages: the home page, the privacy notice, the confirmation after sending,
the private status page and the patient's own copy of their answers.

Patients reach a consultation only through its unguessable token (the status link).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from consultations import (
    emails,
    photo_selectors,
    presenters,
    questionnaire,
    selectors,
    selectors_course,
)
from consultations.consent import CONSENT_PARAGRAPHS, CONSENT_TITLE
from consultations.models import ConsultationStatus


@require_safe
def submitted(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: the reference and the private status link (also emailed)."""
    consultation = selectors.sent_by_token(token)
    return render(
        request,
        "intake/submitted.html",
        {
            "consultation": consultation,
            "status_url": emails.status_url(consultation.public_token),
            "review_days": settings.CLINIC_REVIEW_WORKING_DAYS,
        },
    )


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's private status page: awaiting review, or the practitioner's outcome and
    the course that follows (sessions, aftercare for the last one, the next check-in)."""
    consultation = selectors.sent_by_token(token)
    decision = course = None
    if consultation.status == ConsultationStatus.DECIDED:
        decision = selectors.decision_current(consultation)
        course = selectors_course.patient_course(consultation)
    return render(
        request,
        "intake/status.html",
        {
            "consultation": consultation,
            "decision": decision,
            "course": course,
            "review_days": settings.CLINIC_REVIEW_WORKING_DAYS,
            "photos": photo_selectors.photos_of(consultation.pk),
            "photo_consent_given": photo_selectors.clinical_consent_given(consultation.pk),
        },
    )


@require_safe
def patient_copy(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's own copy of their answers, reached from their private status link."""
    consultation = selectors.patient_copy(token)
    # The questions worded as the patient saw them, with the answers as they gave them.
    as_given = selectors.answers_as_given(consultation, list(questionnaire.BY_CODE))
    sections = presenters.patient_sections(as_given)
    return render(
        request,
        "intake/patient_copy.html",
        {
            "consultation": consultation,
            "sections": sections,
            "consent": selectors.latest_consent(consultation),
        },
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Explain enlarged pores and the three treatments, and offer to start a consultation."""
    return render(request, "intake/home.html", {"start_url": reverse("intake:start")})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what the clinic keeps, why, who sees it, and how to ask about it."""
    return render(
        request,
        "intake/privacy.html",
        {
            "consent_title": CONSENT_TITLE,
            "consent_paragraphs": CONSENT_PARAGRAPHS,
            "draft_days": settings.RETENTION_DRAFT_DAYS,
        },
    )
