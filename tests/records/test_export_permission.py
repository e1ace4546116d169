"""Exports take patients' records out of the clinic: they need the export permission itself,
not only permission to view or review consultations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from consultations.models import AccessLog
from tests.factories import PractitionerFactory, UserFactory, submitted

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultations_consultation_changelist"


def staff_with(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("action", ["export_csv", "export_fhir"])
def test_viewing_consultations_in_the_admin_is_not_enough_to_export_them(action):
    consultation = submitted()
    client = Client()
    client.force_login(staff_with("view_consultation", "change_consultation"))
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert action not in page
    response = client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [consultation.pk]}
    )
    assert not response.get("Content-Disposition")
    assert not AccessLog.objects.filter(action__startswith="export").exists()

    client.force_login(staff_with("view_consultation", "export_consultation"))
    assert action in client.get(reverse(CHANGELIST)).content.decode()
    response = client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [consultation.pk]}
    )
    assert response["Content-Disposition"].startswith("attachment")


def test_reviewing_is_not_enough_to_download_fhir(client):
    consultation = submitted()
    url = reverse("insight:fhir", args=[consultation.reference])
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    detail = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    assert url not in detail  # no button that would only be refused

    practitioner.user_permissions.add(Permission.objects.get(codename="export_consultation"))
    assert client.get(url).status_code == 200
    detail = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    assert url in detail
