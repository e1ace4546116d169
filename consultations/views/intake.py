"""The patient intake: five steps, a resumable server-side draft, submission, status.

Patients are anonymous. Their session remembers only which draft is theirs; the emailed resume
link (signed, expiring) and the status link (an unguessable token) bring them back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consultations import ratelimit
from consultations.consent import (
    CONSENT_PARAGRAPHS,
    CONSENT_TEXT_VERSION,
    CONSENT_TITLE,
)
from consultations.forms.intake import STEP_FORMS, ConsentForm, StepForm, initial_for, summary
from consultations.models import Consultation, ConsultationStatus, Decision
from consultations.services import intake as services

DRAFT_SESSION_KEY = "intake_consultation_id"
# (slug, title) of the five numbered steps; "submitted" comes after and has no number.
STEPS: tuple[tuple[str, str], ...] = (
    ("about", "About you"),
    ("skin", "Your skin"),
    ("goals", "Your goals"),
    ("health", "Health and medicines"),
    ("check", "Check your answers"),
)
STEP_SLUGS = tuple(slug for slug, _ in STEPS)
STEP_TITLES = dict(STEPS)

intake_limit = ratelimit.rate_limited("intake", setting="INTAKE_RATE_LIMIT")
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def _session_consultation(request: HttpRequest) -> Consultation | None:
    """The consultation this browser is filling in, if any (one query)."""
    pk = request.session.get(DRAFT_SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Consultation.objects.select_related("patient").filter(pk=pk).first()


def _remember(request: HttpRequest, consultation: Consultation) -> None:
    # A new session key when a browser takes on a draft, so an old key cannot follow it.
    request.session.cycle_key()
    request.session[DRAFT_SESSION_KEY] = consultation.pk


def _step_url(step: str) -> str:
    if step == "about":
        return reverse("intake:start")
    if step == "check":
        return reverse("intake:check")
    return reverse("intake:step", kwargs={"step": step})


def _submitted_url(consultation: Consultation) -> str:
    return reverse("intake:submitted", kwargs={"token": consultation.public_token})


def _no_draft(request: HttpRequest) -> HttpResponse:
    messages.info(
        request,
        "We could not find your answers in this browser. Start here, or use the link we "
        "emailed you if you saved your answers.",
    )
    return redirect("intake:start")


def _already_sent(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    messages.info(request, "You have already sent this consultation. Nothing was changed.")
    return redirect(_submitted_url(consultation))


def _page_context(step: str, form: StepForm | ConsentForm) -> dict[str, object]:
    number = STEP_SLUGS.index(step) + 1
    return {
        "step": step,
        "step_number": number,
        "step_count": len(STEPS),
        "step_title": STEP_TITLES[step],
        "form": form,
        "error_links": form.error_links() if form.is_bound else [],
        "previous_step": STEP_SLUGS[number - 2] if number > 1 else None,
        "resume_days": settings.INTAKE_RESUME_MAX_AGE_DAYS,
    }


@require_form_methods
@intake_limit
def start(request: HttpRequest) -> HttpResponse:
    """Step 1, "about you": its first valid answer creates the server-side draft."""
    consultation = _session_consultation(request)
    if consultation is not None and not consultation.is_editable_by_patient:
        consultation = None  # that one is sent: this browser starts a new consultation
    return _step(request, "about", consultation)


@require_form_methods
@intake_limit
def step(request: HttpRequest, step: str) -> HttpResponse:
    """Steps 2 to 4: your skin, your goals, health and medicines."""
    if step not in ("skin", "goals", "health"):
        raise Http404("No such step")
    consultation = _session_consultation(request)
    if consultation is None:
        return _no_draft(request)
    if not consultation.is_editable_by_patient:
        return _already_sent(request, consultation)
    return _step(request, step, consultation)


def _step(request: HttpRequest, step: str, consultation: Consultation | None) -> HttpResponse:
    form_class = STEP_FORMS[step]
    if request.method != "POST":
        form = form_class(initial=initial_for(step, consultation))
        return render(request, f"consultations/intake/{step}.html", _page_context(step, form))

    action = request.POST.get("action", "next")
    form = form_class(request.POST, partial=action in ("back", "save"))
    if not form.is_valid():
        return render(request, f"consultations/intake/{step}.html", _page_context(step, form))
    try:
        if consultation is None:
            consultation = services.draft_start(about=form.cleaned_data)
            _remember(request, consultation)
        else:
            consultation = services.draft_save(
                consultation_id=consultation.pk, step=step, answers=form.cleaned_data
            )
    except services.ConsultationNotEditable as exc:
        return _already_sent(request, exc.consultation)
    if action == "save":
        return _save_for_later(request, consultation)
    number = STEP_SLUGS.index(step)
    if action == "back" and number > 0:
        return redirect(_step_url(STEP_SLUGS[number - 1]))
    if request.GET.get("return") == "check":  # came from a "change" link on the check page
        return redirect("intake:check")
    return redirect(_step_url(STEP_SLUGS[number + 1]))


def _save_for_later(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    rate = ratelimit.Rate.parse(settings.INTAKE_EMAIL_RATE_LIMIT)
    client = ratelimit.client_address(request)
    if not ratelimit.hit(scope="intake-email", client=client, rate=rate):
        return ratelimit.too_many_requests(request, rate=rate)
    services.draft_resume_link_send(consultation=consultation)
    # The answers are safe in the draft; this browser lets go of them (a shared phone or
    # computer must not show them to the next person). The emailed link brings them back.
    request.session.pop(DRAFT_SESSION_KEY, None)
    return redirect("intake:saved")


@require_safe
def saved(request: HttpRequest) -> HttpResponse:
    """After "save and continue later": where the link went and how long it works."""
    return render(
        request,
        "consultations/intake/saved.html",
        {"days": settings.INTAKE_RESUME_MAX_AGE_DAYS},
    )


@require_safe
def resume(request: HttpRequest, signed: str) -> HttpResponse:
    """The emailed link: reopen that draft in this browser, at the first unanswered step."""
    try:
        token = services.resume_token(signed)
    except signing.SignatureExpired:
        return render(
            request,
            "consultations/intake/link_expired.html",
            {"days": settings.INTAKE_RESUME_MAX_AGE_DAYS},
            status=400,
        )
    except signing.BadSignature:
        return render(request, "consultations/intake/link_invalid.html", status=404)
    consultation = Consultation.objects.filter(public_token=token).first()
    if consultation is None:
        return render(request, "consultations/intake/link_invalid.html", status=404)
    if not consultation.is_editable_by_patient:
        return redirect("intake:status", token=consultation.public_token)
    _remember(request, consultation)
    missing = services.draft_missing_steps(consultation)
    messages.success(request, "Welcome back. Your answers so far are saved.")
    return redirect(_step_url(missing[0] if missing else "check"))


@require_safe
def check(request: HttpRequest) -> HttpResponse:
    """Step 5: every answer grouped by step, each with a change link; consent; submit."""
    consultation = _session_consultation(request)
    if consultation is None:
        return _no_draft(request)
    if not consultation.is_editable_by_patient:
        return _already_sent(request, consultation)
    return _check_page(request, consultation, ConsentForm())


def _check_page(
    request: HttpRequest, consultation: Consultation, form: ConsentForm
) -> HttpResponse:
    context = _page_context("check", form)
    missing = services.draft_missing_steps(consultation)
    context.update(
        {
            "sections": [
                {
                    "slug": slug,
                    "title": STEP_TITLES[slug],
                    "change_url": _step_url(slug) + "?return=check",
                    "rows": rows,
                }
                for slug, rows in summary(consultation)
            ],
            "missing": [(slug, STEP_TITLES[slug], _step_url(slug)) for slug in missing],
            "consent_title": CONSENT_TITLE,
            "consent_paragraphs": CONSENT_PARAGRAPHS,
            "consent_version": CONSENT_TEXT_VERSION,
            "previous_step": "health",
        }
    )
    return render(request, "consultations/intake/check.html", context)


@require_POST
@intake_limit
def submit(request: HttpRequest) -> HttpResponse:
    """Submit once: a second submission of the same draft lands on the same confirmation."""
    consultation = _session_consultation(request)
    if consultation is None:
        return _no_draft(request)
    if not consultation.is_editable_by_patient:
        return redirect(_submitted_url(consultation))
    if request.POST.get("action") == "save":  # "save and continue later" on the check page
        return _save_for_later(request, consultation)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _check_page(request, consultation, form)
    try:
        consultation, _ = services.consultation_submit(consultation_id=consultation.pk)
    except services.IntakeIncomplete:
        messages.error(request, "Some answers are missing. Answer them, then send again.")
        return redirect("intake:check")
    return redirect(_submitted_url(consultation))


def _sent_consultation(token: str) -> Consultation:
    return get_object_or_404(
        Consultation.objects.exclude(status=ConsultationStatus.DRAFT), public_token=token
    )


@require_safe
def submitted(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: the reference and the private status link (also emailed)."""
    consultation = _sent_consultation(token)
    return render(
        request,
        "consultations/intake/submitted.html",
        {"consultation": consultation, "status_url": services.status_url(consultation)},
    )


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's private status page: awaiting review, or the practitioner's outcome."""
    consultation = _sent_consultation(token)
    decision = None
    if consultation.status == ConsultationStatus.DECIDED:
        decision = (
            Decision.objects.filter(consultation=consultation, superseded_by__isnull=True)
            .order_by("-decided_at", "-pk")
            .first()
        )
    return render(
        request,
        "consultations/status.html",
        {"consultation": consultation, "decision": decision},
    )
