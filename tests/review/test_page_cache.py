"""The queue page kept rendered (consultations/review/page_cache.py): never stale after any
write, whoever or whatever makes it; never another user's page; its form tokens valid; and a
writer never waits on the counter. Transactional tests: the counter moves at each commit."""

from __future__ import annotations

import datetime
import re
import threading
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import (
    CheckIn,
    CheckInKind,
    CheckInSource,
    Consultation,
    ConsultationStatus,
    Patient,
)
from consultations.review import page_cache, views
from consultations.services.intake import consultation_submit
from tests.factories import (
    AdminFactory,
    CompleteDraftFactory,
    PractitionerFactory,
    coursed,
    submitted,
)
from tests.review.pages import decide, page_text

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The counter is raised by PostgreSQL triggers; elsewhere every view renders.",
    ),
    pytest.mark.django_db(transaction=True),
]
QUEUE = "/staff/"
MIGRATION = "consultations.migrations.0024_review_version"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def no_kept_pages():
    page_cache.forget()
    yield
    page_cache.forget()


@pytest.fixture
def signed_in():
    client = Client()
    client.force_login(PractitionerFactory())
    return client


def rendered(client: Client, path: str = QUEUE) -> tuple[str, bool]:
    """The page as the practitioner reads it, and whether it was rendered for this request."""
    with mock.patch.object(views, "_render_queue", wraps=views._render_queue) as render:
        response = client.get(path)
    assert response.status_code == 200
    return page_text(response), render.called


def test_an_unchanged_queue_is_served_kept_with_fewer_queries(signed_in):
    waiting = submitted()
    first, was_rendered = rendered(signed_in)
    assert was_rendered and waiting.reference in first
    with CaptureQueriesContext(connection) as kept_queries:
        second, was_rendered = rendered(signed_in)
    assert not was_rendered
    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    # The version, the user (no session table: cache sessions may differ): nothing else.
    assert not any("consultations_consultation" in q["sql"] for q in kept_queries)


def kept_then(client: Client, path: str = QUEUE) -> str:
    """The page rendered, then served kept: the state before the change."""
    client.get(path)  # shows (and so takes) a message waiting from the change before
    before, _ = rendered(client, path)
    again, was_rendered = rendered(client, path)
    assert not was_rendered
    assert TOKEN.sub("", again) == TOKEN.sub("", before)
    return before


def fresh(client: Client, path: str = QUEUE) -> str:
    after, was_rendered = rendered(client, path)
    assert was_rendered, "a kept page was served after a change"
    return after


def test_a_submission_shows_at_once(signed_in):
    draft = CompleteDraftFactory(patient__last_name="Lim")
    assert "Lim" not in kept_then(signed_in)
    consultation_submit(consultation_id=draft.pk, draft_key=draft.draft_key)
    assert "Lim" in fresh(signed_in)


def test_a_decision_moves_the_consultation_at_once(signed_in):
    waiting = submitted()
    assert waiting.reference in kept_then(signed_in)
    response = decide(signed_in, waiting, follow=True)  # its page says it is recorded
    assert "Decision recorded." in page_text(response)
    assert waiting.reference not in fresh(signed_in)
    assert waiting.reference in fresh(signed_in, QUEUE + "?status=decided")


def test_a_bulk_update_and_raw_sql_show_at_once(signed_in):
    """No signal, no save(): the database's trigger sees every write."""
    first, second = submitted(), submitted()
    kept_then(signed_in)
    Consultation.objects.filter(pk=first.pk).update(status=ConsultationStatus.WITHDRAWN)
    assert first.reference not in fresh(signed_in)
    kept_then(signed_in)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consultations_consultation SET status = 'withdrawn' WHERE id = %s",
            [second.pk],
        )
    assert second.reference not in fresh(signed_in)


def test_a_renamed_patient_and_practitioner_show_at_once(signed_in):
    waiting = submitted(patient__last_name="Tan")
    assert decide(signed_in, waiting).status_code == 302
    decided_tab = QUEUE + "?status=decided"
    assert "Tan" in kept_then(signed_in, decided_tab)
    Patient.objects.filter(pk=waiting.patient_id).update(last_name="Tanaka")
    assert "Tanaka" in fresh(signed_in, decided_tab)
    kept_then(signed_in, decided_tab)
    author = waiting.decisions.get().decided_by
    type(author).objects.filter(pk=author.pk).update(first_name="Renamed", last_name="Doctor")
    assert "Renamed Doctor" in fresh(signed_in, decided_tab)


def raise_red_flag(consultation: Consultation) -> None:
    """The patient's day-2 follow-up, answered with a red flag (open, on the queue's top)."""
    CheckIn.objects.create(
        session=consultation.course.sessions.order_by("number").first(),
        kind=CheckInKind.DAY_2,
        due_on=timezone.localdate(),
        answered_at=timezone.now(),
        source=CheckInSource.PATIENT_LINK,
        red_flag=True,
    )


def test_a_red_flag_shows_at_once(signed_in):
    consultation = coursed()
    assert "Needs attention now" not in kept_then(signed_in)
    raise_red_flag(consultation)
    assert "Needs attention now" in fresh(signed_in)


def test_a_draft_saving_its_answers_keeps_the_page(signed_in):
    """A draft is not on the queue: a patient's every step must not throw the page away."""
    draft = CompleteDraftFactory()
    submitted()
    kept_then(signed_in)
    Consultation.objects.filter(pk=draft.pk).update(previous_treatments="A peel in 2024")
    _, was_rendered = rendered(signed_in)
    assert not was_rendered


def test_the_page_is_never_older_than_a_minute(signed_in):
    """How long each consultation has waited changes with the clock, written or not."""
    submitted()
    kept_then(signed_in)
    later = timezone.now() + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        _, was_rendered = rendered(signed_in)
    assert was_rendered


def test_each_user_gets_their_own_page_and_menu():
    submitted()
    practitioner, admin = Client(), Client()
    practitioner.force_login(PractitionerFactory(first_name="Pat"))
    admin_user = AdminFactory()
    admin_user.user_permissions.add(
        Permission.objects.get(
            codename="review_consultation", content_type__app_label="consultations"
        )
    )
    admin.force_login(admin_user)
    mine = kept_then(practitioner)
    theirs, was_rendered = rendered(admin)
    assert was_rendered
    assert 'href="/admin/"' not in mine and 'href="/admin/"' in theirs
    assert rendered(practitioner)[0].count('href="/admin/"') == 0


def test_a_permission_change_shows_at_once():
    """Given the rule test bench (staff with view_evaluation), the menu offers it at once;
    losing the review permission refuses the page at once."""
    submitted()
    user = PractitionerFactory(is_staff=True)
    client = Client()
    client.force_login(user)
    assert "Rule test bench" not in kept_then(client)
    user.user_permissions.add(
        Permission.objects.get(codename="view_evaluation", content_type__app_label="consultations")
    )
    assert "Rule test bench" in fresh(client)
    user.groups.clear()
    assert client.get(QUEUE).status_code == 403


def test_a_kept_page_carries_the_asking_sessions_form_token():
    """The log-out form of a kept page works for the practitioner it is served to."""
    submitted()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    user = PractitionerFactory()
    first.force_login(user)
    second.force_login(user)
    kept_then(first)
    page, was_rendered = rendered(second)
    assert not was_rendered
    token = TOKEN.search(page).group(1)
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert second.get(QUEUE).status_code == 302  # signed out: sent to the login page


def test_a_waiting_message_is_shown_not_a_kept_page(signed_in):
    """After "Record and open next" with nothing left, the queue says so."""
    waiting = submitted()
    kept_then(signed_in)
    response = decide(signed_in, waiting, then="next", follow=True)
    assert "No other consultation is awaiting review." in page_text(response)
    assert "No other consultation" not in rendered(signed_in)[0]


def test_a_change_committed_while_the_page_renders_shows_on_the_next_view(signed_in):
    """The version is read before the data: a commit during a render cannot be kept away."""
    first = submitted()
    original = views._render_queue

    def render_then_commit(request):
        response = original(request)
        Consultation.objects.filter(pk=first.pk).update(status=ConsultationStatus.WITHDRAWN)
        return response

    with mock.patch.object(views, "_render_queue", render_then_commit):
        assert first.reference in page_text(signed_in.get(QUEUE))
    assert first.reference not in fresh(signed_in)


def test_a_writer_never_waits_for_the_counter():
    """Every counter row held by other commits: a write still commits at once (a new row), and
    the version moves."""
    submitted()
    before = page_cache.review_version()
    holding, release = threading.Event(), threading.Event()

    def hold_every_row():
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM consultations_reviewversion FOR UPDATE")
            holding.set()
            release.wait(10)
            cursor.execute("ROLLBACK")
        connections.close_all()

    holder = threading.Thread(target=hold_every_row)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            submitted()
            cursor.execute("RESET lock_timeout")
        assert page_cache.review_version() != before
    finally:
        release.set()
        holder.join(10)


def test_the_version_never_repeats_after_the_counters_are_emptied(signed_in):
    submitted()
    seen = page_cache.review_version()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM consultations_reviewversion")
    assert page_cache.review_version() is None  # no counters: every view renders
    assert rendered(signed_in)[1] and rendered(signed_in)[1]
    submitted()
    assert page_cache.review_version() not in (None, seen)


def test_every_table_of_the_records_is_watched_or_left_out_on_purpose():
    migration = __import__(MIGRATION, fromlist=["WATCHED"])
    tables = {model._meta.db_table for model in apps.get_app_config("consultations").get_models()}
    watched = {*migration.WATCHED, *migration.SPECIAL}
    assert tables == (watched - {"auth_user"}) | set(migration.LEFT_OUT)
    assert not watched & set(migration.LEFT_OUT)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgname LIKE 'review_changed_%%'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert triggered == watched


QUEUE_VIEWS = ["", "?status=decided", "?status=withdrawn", "?status=all", "?q=PX-", "?q=Tan"]
QUEUE_VIEWS += ["?flag=stop", "?primary=laser", "?sort=stop_first", "?page=2"]


def test_the_triggers_watch_every_table_the_queue_reads(signed_in):
    """Whatever the queue page reads (any tab, search, filter, the attention list) is a table
    whose changes raise the version: a new read of another table fails here."""
    consultation = coursed(patient__last_name="Tan")
    raise_red_flag(consultation)
    submitted()
    read = set()
    for query in QUEUE_VIEWS:
        page_cache.forget()
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(QUEUE + query).status_code == 200
        for captured in queries.captured_queries:
            read |= set(re.findall(r"\b((?:consultations|auth)_[a-z_]+)\b", captured["sql"]))
    assert "Needs attention now" in page_text(signed_in.get(QUEUE))
    migration = __import__(MIGRATION, fromlist=["WATCHED"])
    # Who is asking, and their permissions, are in the kept page's key.
    asking = {"auth_group", "auth_group_permissions", "auth_permission", "auth_user_groups"}
    asking.add("auth_user_user_permissions")
    assert {"consultations_checkin", "consultations_statuscount"} <= read  # raw SQL seen too
    assert read - {"consultations_reviewversion"} - asking <= {
        *migration.WATCHED,
        *migration.SPECIAL,
    }
