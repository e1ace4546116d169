"""Every review URL: anonymous users are sent to log in, others need the review permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import AccessLog, Decision
from tests.factories import (
    AdminFactory,
    PractitionerFactory,
    UserFactory,
    decision_form_data,
    submitted,
)

pytestmark = pytest.mark.django_db


# (url name, takes a reference, method a practitioner uses on it)
REVIEW_URLS = [
    ("review:queue", False, "get"),
    ("review:detail", True, "get"),
    ("review:correct", True, "get"),
    ("review:decide", True, "post"),
    ("review:amend", True, "post"),
]


def url_for(name: str, needs_reference: bool) -> str:
    if not needs_reference:
        return reverse(name)
    return reverse(name, kwargs={"reference": submitted().reference})


@pytest.mark.parametrize(("name", "needs_reference", "method"), REVIEW_URLS)
def test_anonymous_users_are_sent_to_the_login_page(client, name, needs_reference, method):
    url = url_for(name, needs_reference)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "needs_reference", "method"), REVIEW_URLS)
def test_users_without_the_review_permission_get_403(client, name, needs_reference, method):
    client.force_login(UserFactory(is_staff=True))
    response = getattr(client, method)(url_for(name, needs_reference))
    assert response.status_code == 403
    assert not Decision.objects.exists()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(("name", "needs_reference", "method"), REVIEW_URLS)
def test_practitioners_get_each_page(client, practitioner, name, needs_reference, method):
    url = url_for(name, needs_reference)
    if method == "get":
        assert client.get(url).status_code == 200
    else:
        # Action URLs only take a POST (exercised in test_review_decisions); a GET is refused.
        assert client.get(url).status_code == 405


def test_superusers_have_the_review_permission(client):
    client.force_login(AdminFactory())
    assert client.get(reverse("review:queue")).status_code == 200


def test_a_practitioner_may_post_a_decision_and_an_amendment(client, practitioner):
    consultation = submitted()
    response = client.post(
        reverse("review:decide", kwargs={"reference": consultation.reference}),
        decision_form_data(consultation),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    response = client.post(
        reverse("review:amend", kwargs={"reference": consultation.reference}),
        decision_form_data(
            consultation,
            decision=decision.pk,
            choice="declined",
            reason_code="refer_to_doctor",
            amendment_reason="Seen again",
        ),
    )
    assert response.status_code == 302
    assert Decision.objects.count() == 2


def test_an_unknown_reference_is_404(client, practitioner):
    response = client.get(reverse("review:detail", kwargs={"reference": "PX-NOPE0"}))
    assert response.status_code == 404


def test_a_patients_draft_is_not_shown_to_staff(client):
    from tests.factories import DraftConsultationFactory

    client.force_login(PractitionerFactory())
    draft = DraftConsultationFactory()
    response = client.get(reverse("review:detail", kwargs={"reference": draft.reference}))
    assert response.status_code == 404
