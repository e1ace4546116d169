"""The patient intake: five steps, a resumable server-side draft, submission, status.

Patients are anonymous. Their session remembers only which draft is theirs; the emailed resume
link (signed, expiring) and the status link (an unguessable token) bring them back. Phones and
computers are shared: a patient's session ends when the browser closes, and once the answers are
sent the browser lets go of the draft. For a few minutes after sending, only the check and
submit pages still lead to the confirmation (a double click, the back button); anything else
starts afresh.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic import ratelimit
from consultations import photo_selectors, presenters, questionnaire, selectors
from consultations.consent import (
    CONSENT_PARAGRAPHS,
    CONSENT_TEXT_VERSION,
    CONSENT_TITLE,
)
from consultations.intake import browser
from consultations.intake.forms import (
    STEP_FORMS,
    ConsentForm,
    StepForm,
    initial_for,
)
from consultations.models import Consultation
from consultations.services import intake as services

# The five numbered steps; "submitted" comes after and has no number.
STEPS = questionnaire.STEPS
STEP_SLUGS = questionnaire.STEP_SLUGS
STEP_TITLES = questionnaire.STEP_TITLES

intake_limit = ratelimit.rate_limited("intake", setting="INTAKE_RATE_LIMIT")
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def _no_draft_or_sent(request: HttpRequest, consultation: Consultation | None) -> HttpResponse:
    """The check or submit page without a draft: a second press of "send" or the back button
    lands on the confirmation of what was just sent; otherwise the patient starts again."""
    sent = browser.recently_sent(request, consultation)
    if sent is None:
        return no_draft(request)
    return _already_sent(request, sent)


def step_url(step: str) -> str:
    if step == "about":
        return reverse("intake:start")
    if step == "check":
        return reverse("intake:check")
    return reverse("intake:step", kwargs={"step": step})


def _submitted_url(consultation: Consultation) -> str:
    return reverse("intake:submitted", kwargs={"token": consultation.public_token})


def no_draft(request: HttpRequest) -> HttpResponse:
    messages.info(
        request,
        "We could not find your answers in this browser. Start here, or use the link we "
        "emailed you if you saved your answers.",
    )
    return redirect("intake:start")


def _already_sent(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    messages.info(request, "You have already sent this consultation. Nothing was changed.")
    return redirect(_submitted_url(consultation))


# The form field a row of "check your answers" is changed with, when it is not the row's own.
_FIELD_FOR_ROW = {
    "name": "first_name",
    "fitzpatrick": "fitzpatrick_self_report",
    "fitzpatrick_score": "fitzpatrick_self_report",
    "goals": "main_goal",
    "other_medicines": "takes_other_medicines",
    "allergies": "has_allergies",
}


def _change_url(step: str, code: str) -> str:
    """The page that asks an answer, coming back to the check page, at the question."""
    return f"{step_url(step)}?return=check#div_id_{_FIELD_FOR_ROW.get(code, code)}"


def _template(step: str) -> str:
    return "intake/health.html" if step in questionnaire.HEALTH_STEPS else f"intake/{step}.html"


def _page_context(step: str, form: StepForm | ConsentForm) -> dict[str, object]:
    """Where the page is: its step of five (and its part, for the health pages), the bar."""
    index = STEP_SLUGS.index(step)
    number = questionnaire.STEP_BY_SLUG[step].number
    parts = [s.slug for s in STEPS if s.number == number]
    return {
        "step": step,
        "step_number": number,
        "step_count": questionnaire.STEP_COUNT,
        "step_name": questionnaire.STEP_NAMES.get(number, ""),
        "part_number": parts.index(step) + 1 if len(parts) > 1 else None,
        "part_count": len(parts),
        # The progress bar's width in twentieths (CSS classes, no inline style: the CSP).
        "progress": round(20 * (index + 1) / len(STEPS)),
        "step_title": STEP_TITLES[step],
        "form": form,
        "error_links": form.error_links() if form.is_bound else [],
        "previous_step": STEP_SLUGS[index - 1] if index > 0 else None,
        "resume_days": settings.INTAKE_RESUME_MAX_AGE_DAYS,
    }


@require_form_methods
@intake_limit
def start(request: HttpRequest) -> HttpResponse:
    """Step 1, "about you": its first valid answer creates the server-side draft."""
    consultation = browser.consultation(request)
    if consultation is not None and not consultation.is_editable_by_patient:
        consultation = None  # that one is sent: this browser starts a new consultation
    return _step(request, "about", consultation)


@require_form_methods
@intake_limit
def step(request: HttpRequest, step: str) -> HttpResponse:
    """Steps 2 to 4: your skin, your goals, health and medicines."""
    if step not in STEP_FORMS or step == "about":
        raise Http404("No such step")
    if request.method == "POST":
        return _step_saved(request, step)
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        # After sending, a step never shows the sent answers: the phone may be someone else's.
        return no_draft(request)
    return _step(request, step, consultation)


def _step_saved(request: HttpRequest, step: str) -> HttpResponse:
    """A later step's answers, saved without reading the draft first: the save is one UPDATE
    that checks that this browser's key still opens the draft and that it is still a draft."""
    draft_id = browser.draft_id(request)
    action = request.POST.get("action", "next")
    form = STEP_FORMS[step](request.POST, partial=action in ("back", "save"))
    if draft_id is None or not form.is_valid():
        consultation = browser.consultation(request)
        if consultation is None or not consultation.is_editable_by_patient:
            return no_draft(request)  # as for a GET: nothing shown of a sent consultation
        return render(request, _template(step), _page_context(step, form))
    try:
        services.draft_save(
            consultation_id=draft_id,
            draft_key=browser.draft_key(request),
            step=step,
            answers=form.cleaned_data,
        )
    except (services.DraftNotAttached, services.ConsultationNotEditable):
        return no_draft(request)
    return _next_page(request, step, action)


def _step(request: HttpRequest, step: str, consultation: Consultation | None) -> HttpResponse:
    form_class = STEP_FORMS[step]
    if request.method != "POST":
        initial = initial_for(step, consultation)
        form = form_class(initial=initial)
        return render(request, _template(step), _page_context(step, form))

    action = request.POST.get("action", "next")
    form = form_class(request.POST, partial=action in ("back", "save"))
    if not form.is_valid():
        return render(request, _template(step), _page_context(step, form))
    try:
        if consultation is None:
            consultation = services.draft_start(about=form.cleaned_data)
            browser.remember(request, consultation)
        else:
            services.draft_save(
                consultation_id=consultation.pk,
                draft_key=browser.draft_key(request),
                step=step,
                answers=form.cleaned_data,
            )
    except services.DraftNotAttached:
        return no_draft(request)
    except services.ConsultationNotEditable as exc:
        return _already_sent(request, exc.consultation)
    return _next_page(request, step, action)


def _next_page(request: HttpRequest, step: str, action: str) -> HttpResponse:
    """Where the patient goes once a step's answers are saved."""
    if action == "save":  # the answers are saved; the next page confirms the address
        return redirect(f"{reverse('intake:send_link')}?from={step}")
    number = STEP_SLUGS.index(step)
    if action == "back" and number > 0:
        return redirect(step_url(STEP_SLUGS[number - 1]))
    if request.GET.get("return") == "check":  # came from a "change" link on the check page
        return redirect("intake:check")
    return redirect(step_url(STEP_SLUGS[number + 1]))


@require_form_methods
@intake_limit
def resume(request: HttpRequest, signed: str) -> HttpResponse:
    """The emailed link: reopen that draft in this browser, at the first unanswered step.

    Opening the link only asks (a page with the reference and one button); the draft joins
    this browser on the POST of that page's form. Otherwise anyone could send a patient their
    own link, or redirect them to it, and read the answers the patient then typed into it.
    """
    try:
        token, draft_key = services.resume_token(signed)
    except signing.SignatureExpired:
        return render(
            request,
            "intake/link_expired.html",
            {"days": settings.INTAKE_RESUME_MAX_AGE_DAYS},
            status=400,
        )
    except signing.BadSignature:
        return render(request, "intake/link_invalid.html", status=404)
    consultation = selectors.consultation_by_token(token)
    if consultation is None or not consultation.opens_with(draft_key):
        # Unknown, or replaced by a newer link (or the record was anonymised).
        return render(request, "intake/link_invalid.html", status=404)
    if not consultation.is_editable_by_patient:
        return redirect("intake:status", token=consultation.public_token)
    if request.method != "POST":
        return render(
            request,
            "intake/resume_confirm.html",
            {
                "reference": consultation.reference,
                "resume_url": reverse("intake:resume", kwargs={"signed": signed}),
            },
        )
    browser.remember(request, consultation)
    missing = services.draft_missing_steps(consultation)
    messages.success(request, "Welcome back. Your answers so far are saved.")
    return redirect(step_url(missing[0] if missing else "check"))


@require_safe
def check(request: HttpRequest) -> HttpResponse:
    """Step 5: every answer grouped by step, each with a change link; consent; submit."""
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        return _no_draft_or_sent(request, consultation)
    return _check_page(request, consultation, ConsentForm())


def _check_page(
    request: HttpRequest, consultation: Consultation, form: ConsentForm
) -> HttpResponse:
    context = _page_context("check", form)
    missing = services.draft_missing_steps(consultation)
    context.update(
        {
            "sections": [
                (section, [(row, _change_url(section.slug, row.code)) for row in section.rows])
                for section in presenters.patient_sections(consultation)
            ],
            "missing": [(slug, STEP_TITLES[slug], step_url(slug)) for slug in missing],
            "consent_title": CONSENT_TITLE,
            "consent_paragraphs": CONSENT_PARAGRAPHS,
            "consent_version": CONSENT_TEXT_VERSION,
            "previous_step": STEP_SLUGS[-2],
            "photos": list(photo_selectors.intake_photos(consultation.pk).values()),
        }
    )
    return render(request, "intake/check.html", context)


@require_POST
@intake_limit
def submit(request: HttpRequest) -> HttpResponse:
    """Submit once: a second submission of the same draft lands on the same confirmation."""
    draft_id = browser.draft_id(request)
    saving = request.POST.get("action") == "save"  # "save and continue later" on the check page
    form = ConsentForm(request.POST)
    if draft_id is not None and not saving and form.is_valid():
        return _submitted(request, draft_id)
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        return _no_draft_or_sent(request, consultation)
    if saving:
        return redirect(f"{reverse('intake:send_link')}?from=check")
    return _check_page(request, consultation, form)


def _submitted(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The press of "send" with consent given: the submission reads the draft once, under its
    row lock (the view does not read it first)."""
    try:
        consultation, submitted_now = services.consultation_submit(
            consultation_id=draft_id, draft_key=browser.draft_key(request)
        )
    except services.DraftNotAttached:  # gone, or this browser's key no longer opens it
        return _no_draft_or_sent(request, None)
    except services.IntakeIncomplete:
        messages.error(request, "Some answers are missing. Answer them, then send again.")
        return redirect("intake:check")
    if not submitted_now:  # another tab, or a double click, sent it first
        return _no_draft_or_sent(request, consultation)
    browser.mark_sent(request, consultation)
    return redirect(_submitted_url(consultation))
