"""seed_demo gives a newcomer demo logins and realistic synthetic consultations."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from consultations.models import Consultation, Decision, Evaluation

pytestmark = pytest.mark.django_db
PASSWORD = "pores-demo-admin"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_creates_n_consultations_across_all_statuses_and_prints_the_logins(settings):
    settings.DEBUG = True
    output = seed("--consultations", "200", "--seed", "7")
    assert Consultation.objects.count() == 200
    assert set(Consultation.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "decided",
        "withdrawn",
    }
    not_draft = Consultation.objects.exclude(status="draft")
    assert Evaluation.objects.count() == not_draft.count()
    assert not not_draft.filter(latest_evaluation__isnull=True).exists()
    assert Decision.objects.count() == Consultation.objects.filter(status="decided").count()
    assert "username: practitioner" in output and "username: admin" in output


def test_running_it_twice_does_not_duplicate_the_users(settings):
    settings.DEBUG = True
    seed("--consultations", "3")
    seed("--consultations", "3")
    assert User.objects.filter(username__in=["practitioner", "admin"]).count() == 2
    practitioner = User.objects.get(username="practitioner")
    assert practitioner.has_perm("consultations.review_consultation")
    assert User.objects.get(username="admin").is_superuser


def test_skip_if_seeded_adds_nothing_the_second_time(settings):
    settings.DEBUG = True
    seed("--consultations", "5", "--skip-if-seeded")
    seed("--consultations", "5", "--skip-if-seeded")
    assert Consultation.objects.count() == 5


def test_it_refuses_demo_logins_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.ALLOW_DEMO_LOGINS = False
    with pytest.raises(CommandError, match="Demo logins are refused"):
        seed("--consultations", "1")
    assert not User.objects.exists()
    seed("--consultations", "1", "--allow-demo-logins")
    assert User.objects.filter(username="admin").exists()


def test_demo_accounts_cannot_log_in_when_debug_is_off(settings, rf):
    settings.DEBUG = True
    seed("--consultations", "0")

    def log_in():
        return authenticate(rf.post("/accounts/login/"), username="admin", password=PASSWORD)

    settings.DEBUG = False
    settings.ALLOW_DEMO_LOGINS = False
    assert log_in() is None
    settings.ALLOW_DEMO_LOGINS = True
    assert log_in() is not None
    settings.ALLOW_DEMO_LOGINS = False
    settings.DEBUG = True
    assert log_in() is not None
