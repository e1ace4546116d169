"""Save and continue later: the patient sees (and can correct) the address before the link goes,
and sees where it went afterwards.

A step's "save and continue later" saves the answers, then comes here. The page shows the
address on record and asks about a likely typo ("sam@gmial.com"); sending stores a corrected
address and emails the link, and the browser lets go of the draft. For a few minutes the
"saved" page names the address and can send the link to a corrected one: that gives the draft
a new key, so the link sent to the wrong address stops working.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from clinic import ratelimit
from consultations import questionnaire
from consultations.intake import browser, email_typos
from consultations.intake.forms import SendLinkForm
from consultations.intake.views import intake_limit, no_draft, require_form_methods, step_url
from consultations.services import intake as services

BACK_STEPS = (*questionnaire.STEP_SLUGS, "check")


def send_link_url(step: str) -> str:
    """The confirmation page, coming from `step` (its "back to my answers" link)."""
    return f"{reverse('intake:send_link')}?from={step}"


def _from_step(request: HttpRequest) -> str:
    step = request.GET.get("from", "")
    return step if step in BACK_STEPS else "check"


@require_form_methods
@intake_limit
def send_link(request: HttpRequest) -> HttpResponse:
    """Confirm or correct the address, then email the private link."""
    consultation = browser.consultation(request)
    if consultation is not None and consultation.is_editable_by_patient:
        target = (consultation.pk, browser.draft_key(request), consultation.patient.email)
        back_url: str | None = step_url(_from_step(request))
    elif sent := browser.link_sent_to(request):  # correcting the address it just went to
        target = (int(str(sent["id"])), str(sent["key"]), str(sent["email"]))
        back_url = None
    else:
        return no_draft(request)
    consultation_id, key, on_record = target

    form = SendLinkForm(
        request.POST if request.method == "POST" else None, initial={"email": on_record}
    )
    valid = form.is_valid()
    email = form.cleaned_data["email"] if valid else on_record
    # A likely typo is asked about before anything is sent (and only once: the patient may
    # mean it).
    ask = email_typos.suggestion(email) if not form.is_bound or valid else None
    if not valid or (ask and request.POST.get("use") not in ("suggestion", "as_typed")):
        return render(
            request,
            "intake/send_link.html",
            {
                "form": form,
                "email": email,
                "suggestion": ask,
                "back_url": back_url,
                "days": settings.INTAKE_RESUME_MAX_AGE_DAYS,
                "error_links": form.error_links() if form.is_bound else [],
            },
        )
    if request.POST.get("use") == "suggestion" and ask:
        email = ask

    rate = ratelimit.Rate.parse(settings.INTAKE_EMAIL_RATE_LIMIT)
    if not ratelimit.hit(scope="intake-email", client=ratelimit.client_address(request), rate=rate):
        # The same window arithmetic as ratelimit.too_many_requests, whose page would say
        # that nothing was saved.
        seconds_left = int(rate.seconds - time.time() % rate.seconds) + 1
        response = _link_not_sent(request, email, back_url, minutes=-(-seconds_left // 60))
        response["Retry-After"] = str(seconds_left)
        return response
    try:
        new_key = services.draft_resume_link_send(
            consultation_id=consultation_id, draft_key=key, email=email
        )
    except services.DraftNotAttached:
        return no_draft(request)
    if new_key is None:
        # That address has had its share of emails: no link is on its way, so this browser
        # keeps the draft (it is the only way back).
        return _link_not_sent(request, email, back_url)
    # The answers are safe in the draft; this browser lets go of them (a shared phone or
    # computer must not show them to the next person), and so does every other browser: the
    # draft has a new key, which only the emailed link carries.
    browser.link_sent(request, consultation_id=consultation_id, key=new_key, email=email)
    return redirect("intake:saved")


def _link_not_sent(
    request: HttpRequest, email: str, back_url: str | None, *, minutes: int | None = None
) -> HttpResponse:
    """The answers are saved, but a limit stopped the email (per client, or per address with
    `minutes` None): say so, and offer to carry on."""
    return render(
        request,
        "intake/link_not_sent.html",
        {
            "email": email,
            "continue_url": back_url,
            "change_url": reverse("intake:send_link") + "?from=about",
            "minutes": minutes,
        },
        status=429,
    )


@require_safe
def saved(request: HttpRequest) -> HttpResponse:
    """After "save and continue later": where the link went, how long it works, and a way to
    send it to a corrected address for a few minutes."""
    sent = browser.link_sent_to(request)
    return render(
        request,
        "intake/saved.html",
        {
            "days": settings.INTAKE_RESUME_MAX_AGE_DAYS,
            "email": sent["email"] if sent else None,
            "form": SendLinkForm(initial={"email": sent["email"]}) if sent else None,
        },
    )
