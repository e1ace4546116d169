"""The practitioner's forms as a browser posts them, and a page's text as they read it."""

from __future__ import annotations

import html

from django.urls import reverse

from consultations.models import Consultation, Decision
from tests.factories import decision_form_data


def decide(
    client, consultation: Consultation, data: dict | None = None, *, follow=False, **overrides
):
    url = reverse("review:decide", kwargs={"reference": consultation.reference})
    return client.post(url, data or decision_form_data(consultation, **overrides), follow=follow)


def amend(client, consultation: Consultation, *, follow=False, **overrides):
    """Amend the decision in force."""
    consultation.refresh_from_db()
    current = Decision.objects.current().get(consultation=consultation)
    data = decision_form_data(consultation, decision=current.pk, **overrides)
    url = reverse("review:amend", kwargs={"reference": consultation.reference})
    return client.post(url, data, follow=follow)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def sent_back(client, response, consultation: Consultation, view: str = "review:detail"):
    """After a conflict: a redirect to the consultation's page (so that a refresh never posts
    again), then that page as the practitioner's browser shows it."""
    assert response.status_code == 302, response.status_code
    assert response.url == reverse(view, kwargs={"reference": consultation.reference})
    return client.get(response.url)
