"""The session record at the chair: the form's checks field by field, the peel agent the rules
allowed (or an override with a reason), the session done with its follow-ups planned, and
records that are amended, never edited, safely under double clicks and concurrent amendments."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    AccessLog,
    CheckIn,
    Consultation,
    SessionRecord,
    SessionStatus,
)
from consultations.services import course as course_services
from consultations.services import sessions as session_services
from consultations.services.course import CourseRefused
from tests.course.helpers import blocked, checked_in, peel_record_data, session
from tests.course.helpers import peel_course as new_peel_course
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db


def peel_course(checked_in_at=None, **fields) -> Consultation:
    """A peel course whose first session's check-in the patient has answered (today, or at
    `checked_in_at`)."""
    consultation = new_peel_course(**fields)
    checked_in(consultation, now=checked_in_at)
    return consultation


IS_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def record_url(consultation, number=1, what="record"):
    return reverse(f"review:session_{what}", args=[consultation.reference, number])


def text(response) -> str:
    return response.content.decode()


def test_the_form_starts_with_today_the_signed_in_practitioner_and_the_course_s_treatment(
    client, practitioner
):
    consultation = peel_course()
    form = client.get(record_url(consultation)).context["form"]
    assert form["performed_on"].value() == timezone.localdate()
    assert form["performed_by"].value() == practitioner.pk
    assert form["treatment"].value() == "chemical_peel"
    page = text(client.get(record_url(consultation)))
    assert "Agents the rules allowed for this patient" in page and "mandelic acid" in page
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, detail="session 1 record form", user=practitioner
    ).exists()


def test_recording_marks_the_session_done_and_plans_the_day_2_and_day_14_follow_ups(
    client, practitioner
):
    consultation = new_peel_course()
    performed = timezone.localdate() - datetime.timedelta(days=1)
    checked_in(consultation, now=timezone.now() - datetime.timedelta(days=1))
    response = client.post(
        record_url(consultation), peel_record_data(practitioner, performed_on=performed)
    )
    assert response.status_code == 302
    first = session(consultation)
    assert first.status == SessionStatus.DONE
    record = first.records.get()
    assert (record.peel_agent, record.peel_concentration_pct, record.pain) == ("mandelic", 30, 3)
    assert record.performed_by == practitioner and record.recorded_by == practitioner
    due = dict(
        CheckIn.objects.filter(session=first)
        .exclude(kind="pre_session")
        .values_list("kind", "due_on")
    )
    assert due == {
        "day_2": performed + datetime.timedelta(days=2),
        "day_14": performed + datetime.timedelta(days=14),
    }
    assert AccessLog.objects.filter(action=AccessLog.Action.SESSION, user=practitioner).exists()
    page = text(client.get(response.url))
    assert "Session 1 recorded." in page and "agent mandelic acid" in page


def test_only_the_chosen_treatment_s_parameters_are_kept(client, practitioner):
    consultation = peel_course()
    client.post(
        record_url(consultation),
        peel_record_data(practitioner, laser_wavelength_nm="99999999", mda_tip="diamond"),
    )
    record = session(consultation).records.get()
    assert record.laser_wavelength_nm is None and record.mda_tip == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("peel_concentration_pct", "", "Enter the concentration in %."),
        ("peel_concentration_pct", "120", "Enter 1 to 100%."),
        ("peel_concentration_pct", "1" * 40, "Enter 1 to 100%."),
        ("peel_concentration_pct", "NaN", "Enter a number, 1 to 100%."),
        ("peel_contact_minutes", "-3", "Enter 0.5 to 30 minutes."),
        ("peel_layers", "2.5", "Enter a whole number, 1 to 10."),
        ("peel_agent", "", "Choose the peel agent."),
        ("peel_agent", "bleach", "Choose an agent from the list."),
        ("erythema_grade", "4", "Choose the erythema grade from the grades listed."),
        ("erythema_grade", None, "Choose the erythema grade."),
        ("frosting", "7", "Choose the frosting from the grades listed."),
        ("pain", "11", "Choose a pain score from 0 to 10."),
        ("pain", None, "Choose the pain score, 0 to 10."),
        ("performed_by", "99999999999999999999", "Choose a practitioner from the list."),
        ("performed_by", "abc", "Choose a practitioner from the list."),
        ("performed_on", "2026-02-30", "Enter a real date."),
        ("treatment", "tattoo_removal", "Choose one of the treatments listed."),
        ("adverse_events", "frostbite", "Choose adverse events from the list."),
    ],
)
def test_a_mistake_gets_its_message_beside_the_field_and_the_rest_is_kept(
    client, practitioner, field, value, message
):
    consultation = peel_course()
    data = peel_record_data(practitioner, notes="Tolerated well", **{field: value})
    response = client.post(record_url(consultation), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    page = text(response)
    assert 'id="error-summary"' in page and "Tolerated well" in page
    assert not SessionRecord.objects.exists()


def test_a_future_date_and_a_date_years_ago_are_refused(client, practitioner):
    consultation = peel_course()
    for days, message in [
        (-1, "The date cannot be in the future"),
        (800, "Enter a date within the last year."),
    ]:
        date = timezone.localdate() - datetime.timedelta(days=days)
        response = client.post(
            record_url(consultation), peel_record_data(practitioner, performed_on=date)
        )
        assert message in response.context["form"].errors["performed_on"][0]


def test_laser_and_microdermabrasion_need_their_few_parameters(client, practitioner):
    consultation = peel_course()
    base = peel_record_data(practitioner, notes="Patient asked for laser instead")
    response = client.post(record_url(consultation), {**base, "treatment": "laser"})
    assert set(response.context["form"].errors) == {
        "laser_wavelength_nm",
        "laser_fluence_j_cm2",
        "laser_passes",
    }
    response = client.post(record_url(consultation), {**base, "treatment": "microdermabrasion"})
    assert set(response.context["form"].errors) == {"mda_tip", "mda_passes"}


def test_a_treatment_other_than_the_course_s_needs_a_note(client, practitioner):
    consultation = peel_course()
    data = peel_record_data(
        practitioner,
        treatment="laser",
        laser_wavelength_nm="755",
        laser_fluence_j_cm2="0.8",
        laser_passes="2",
    )
    response = client.post(record_url(consultation), data)
    assert "the course is chemical peel" in response.context["form"].errors["notes"][0]
    client.post(record_url(consultation), {**data, "notes": "Patient preferred laser today"})
    assert session(consultation).records.get().treatment == "laser"


def test_an_agent_outside_the_allowed_list_needs_an_override_with_a_reason(client, practitioner):
    # Phototype V: the rules allow only salicylic, mandelic and lactic acid.
    consultation = peel_course(fitzpatrick=5)
    data = peel_record_data(practitioner, peel_agent="tca", peel_concentration_pct="15")
    response = client.post(record_url(consultation), data)
    (error,) = response.context["form"].errors["agent_override_reason"]
    assert "Tca 10–30% is not an agent the rules allowed" in error
    assert "salicylic acid, mandelic acid, lactic acid" in error
    client.post(
        record_url(consultation),
        {**data, "agent_override_reason": "Tested on a patch two weeks ago, no reaction"},
    )
    record = session(consultation).records.get()
    assert record.peel_agent == "tca"
    assert record.agent_override_reason == "Tested on a patch two weeks ago, no reaction"


def test_an_allowed_agent_keeps_no_override_reason(client, practitioner):
    consultation = peel_course(fitzpatrick=5)
    client.post(
        record_url(consultation),
        peel_record_data(practitioner, agent_override_reason="not needed"),
    )
    assert session(consultation).records.get().agent_override_reason == ""


def test_the_service_refuses_an_agent_outside_the_list_without_a_reason():
    consultation = peel_course(fitzpatrick=5)
    user = PractitionerFactory()
    given = session_services.SessionInput(
        performed_on=timezone.localdate(),
        performed_by_id=user.pk,
        treatment="chemical_peel",
        peel_agent="glycolic",
        erythema_grade=1,
        pain=2,
    )
    with pytest.raises(CourseRefused, match="Glycolic acid is not an agent the rules allowed"):
        session_services.session_record(consultation=consultation, user=user, number=1, given=given)
    assert not SessionRecord.objects.exists()


def test_adverse_events_are_coded_and_other_needs_notes(client, practitioner):
    consultation = peel_course()
    data = peel_record_data(practitioner, adverse_events=["crusting", "other"])
    response = client.post(record_url(consultation), data)
    assert response.context["form"].errors["adverse_notes"] == [
        "Describe the adverse event when you tick 'Other'."
    ]
    client.post(record_url(consultation), {**data, "adverse_notes": "Small scab on the chin"})
    record = session(consultation).records.get()
    assert record.adverse_events == ["crusting", "other"]


def test_a_blocked_session_cannot_be_recorded_until_cleared(client, practitioner):
    consultation = peel_course()
    blocked(consultation, 1, recent_tan=True)
    response = client.get(record_url(consultation), follow=True)
    assert "blocked by the patient&#x27;s check-in: clear it first" in text(response)
    response = client.post(record_url(consultation), peel_record_data(practitioner), follow=True)
    assert "clear it first" in text(response)
    assert session(consultation).status == SessionStatus.PLANNED
    assert not SessionRecord.objects.exists()


def test_while_one_session_is_blocked_no_other_session_can_be_recorded(client, practitioner):
    # The check-in spoke of the patient (pregnant), not of one date: recording session 2, or a
    # maintenance session, would go round the block.
    consultation = peel_course()
    blocked(consultation, 1, pregnant=True)
    response = client.post(
        record_url(consultation, 2),
        peel_record_data(practitioner, peel_agent="lactic"),
        follow=True,
    )
    assert "Session 1 is blocked by the patient&#x27;s check-in: clear it first" in text(response)
    assert not SessionRecord.objects.exists()
    page = text(client.get(reverse("review:detail", args=[consultation.reference])))
    assert "Record session 2" not in page


@pytest.mark.parametrize("change", ["pause", "end"])
def test_a_paused_or_ended_course_cannot_record(client, practitioner, change):
    consultation = peel_course()
    if change == "pause":
        course_services.course_pause(consultation=consultation, user=practitioner)
    else:
        course_services.course_end(
            consultation=consultation, user=practitioner, reason="patient_choice"
        )
    response = client.post(record_url(consultation), peel_record_data(practitioner), follow=True)
    assert "Nothing was saved." in text(response) or "course is paused" in text(response)
    assert not SessionRecord.objects.exists()
    with pytest.raises(CourseRefused):
        session_services.session_record(
            consultation=consultation,
            user=practitioner,
            number=1,
            given=session_services.SessionInput(
                performed_on=timezone.localdate(),
                performed_by_id=practitioner.pk,
                treatment="chemical_peel",
                peel_agent="mandelic",
                erythema_grade=0,
                pain=0,
            ),
        )


def test_a_double_clicked_record_is_stored_once(client, practitioner):
    consultation = peel_course()
    data = peel_record_data(practitioner)
    first = client.post(record_url(consultation), data)
    second = client.post(record_url(consultation), data)
    assert first.status_code == second.status_code == 302
    assert SessionRecord.objects.count() == 1
    assert CheckIn.objects.exclude(kind="pre_session").count() == 2


def test_a_second_practitioner_recording_later_is_told_who_recorded_and_keeps_what_they_typed(
    client, practitioner
):
    consultation = peel_course()
    colleague = PractitionerFactory(first_name="Mei", last_name="Lim")
    other = Client()
    other.force_login(colleague)
    other.post(record_url(consultation), peel_record_data(colleague))
    response = client.post(
        record_url(consultation), peel_record_data(practitioner, pain="6", notes="Stung a lot")
    )
    assert response.url == record_url(consultation, what="amend")
    page = text(client.get(response.url))
    assert "Nothing was saved: Mei Lim recorded session 1" in page
    form = client.get(record_url(consultation, what="amend")).context["form"]
    assert SessionRecord.objects.count() == 1
    assert form["pain"].value() == 3  # the kept input is shown once, then the record again
    assert "Stung a lot" in page


def test_an_amendment_supersedes_the_record_and_moves_the_follow_ups(client, practitioner):
    # The check-in answered five days ago covers both dates (test_session_check_in_dates.py).
    consultation = peel_course(checked_in_at=timezone.now() - datetime.timedelta(days=5))
    client.post(record_url(consultation), peel_record_data(practitioner))
    original = SessionRecord.objects.get()
    amend_form = client.get(record_url(consultation, what="amend")).context["form"]
    assert amend_form["peel_agent"].value() == "mandelic"
    earlier = timezone.localdate() - datetime.timedelta(days=3)
    data = peel_record_data(practitioner, performed_on=earlier, pain="5", record=original.pk)
    response = client.post(record_url(consultation, what="amend"), data)
    assert response.context["form"].errors["amendment_reason"]
    client.post(
        record_url(consultation, what="amend"),
        {**data, "amendment_reason": "Wrong date entered at the chair"},
    )
    amended = SessionRecord.objects.get(supersedes=original)
    assert (amended.pain, amended.performed_on) == (5, earlier)
    original.refresh_from_db()
    assert original.pain == 3  # never edited
    day_2 = CheckIn.objects.get(kind="day_2")
    assert day_2.due_on == earlier + datetime.timedelta(days=2)
    page = text(client.get(reverse("review:detail", args=[consultation.reference])))
    assert "amended: Wrong date entered at the chair" in page and "1 earlier version kept" in page


def test_a_double_clicked_amendment_is_stored_once(client, practitioner):
    consultation = peel_course()
    client.post(record_url(consultation), peel_record_data(practitioner))
    original = SessionRecord.objects.get()
    data = peel_record_data(
        practitioner, pain="4", record=original.pk, amendment_reason="Pain re-scored"
    )
    for _ in range(2):
        assert client.post(record_url(consultation, what="amend"), data).status_code == 302
    assert SessionRecord.objects.count() == 2


def test_an_amendment_built_on_an_earlier_record_is_refused(client, practitioner):
    consultation = peel_course()
    client.post(record_url(consultation), peel_record_data(practitioner))
    original = SessionRecord.objects.get()
    colleague = Client()
    colleague.force_login(PractitionerFactory())
    colleague.post(
        record_url(consultation, what="amend"),
        peel_record_data(practitioner, pain="4", record=original.pk, amendment_reason="Re-scored"),
    )
    response = client.post(
        record_url(consultation, what="amend"),
        peel_record_data(practitioner, pain="7", record=original.pk, amendment_reason="Mine"),
    )
    assert response.status_code == 302
    assert SessionRecord.objects.count() == 2
    assert "Nothing was saved" in text(client.get(response.url))


@pytest.mark.skipif(IS_SQLITE, reason="SQLite has no row locks; concurrency needs PostgreSQL")
def test_two_practitioners_amending_at_the_same_moment_store_exactly_one_amendment(
    transactional_db,
):
    consultation = peel_course()
    author = PractitionerFactory()
    session_services.session_record(
        consultation=consultation,
        user=author,
        number=1,
        given=session_services.SessionInput(
            performed_on=timezone.localdate(),
            performed_by_id=author.pk,
            treatment="chemical_peel",
            peel_agent="mandelic",
            erythema_grade=1,
            pain=3,
        ),
    )
    original = SessionRecord.objects.get()
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(PractitionerFactory())
        clients.append(client)
    url = record_url(consultation, what="amend")
    barrier = threading.Barrier(2)
    responses: list = [None, None]
    errors: list = []

    def practitioner_amends(index: int) -> None:
        try:
            data = peel_record_data(
                author, pain=str(5 + index), record=original.pk, amendment_reason=f"Mine {index}"
            )
            barrier.wait(timeout=10)
            responses[index] = clients[index].post(url, data)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=practitioner_amends, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert [r.status_code for r in responses] == [302, 302]
    assert SessionRecord.objects.filter(supersedes=original).count() == 1
    assert SessionRecord.objects.count() == 2
    told = ["Nothing was saved" in text(clients[i].get(responses[i].url)) for i in range(2)]
    assert sorted(told) == [False, True]


@pytest.mark.skipif(IS_SQLITE, reason="SQLite has no row locks; concurrency needs PostgreSQL")
def test_two_first_records_at_the_same_moment_store_one(transactional_db):
    consultation = peel_course()
    users = [PractitionerFactory(), PractitionerFactory()]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def practitioner_records(user) -> None:
        try:
            barrier.wait(timeout=10)
            session_services.session_record(
                consultation=Consultation.objects.get(pk=consultation.pk),
                user=user,
                number=1,
                given=session_services.SessionInput(
                    performed_on=timezone.localdate(),
                    performed_by_id=user.pk,
                    treatment="chemical_peel",
                    peel_agent="lactic",
                    erythema_grade=0,
                    pain=1,
                ),
            )
            outcomes.append("recorded")
        except session_services.RecordChanged:
            outcomes.append("changed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=practitioner_records, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["changed", "recorded"]
    assert SessionRecord.objects.count() == 1
    assert CheckIn.objects.filter(kind="day_2").count() == 1


def test_the_partial_unique_constraint_is_the_last_guard_against_two_first_records():
    from django.db import IntegrityError, transaction

    from tests.factories import SessionRecordFactory

    first = SessionRecordFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRecordFactory(session=first.session)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/consultations/{ref}/sessions/abc/record/",
        "/staff/consultations/{ref}/sessions/-1/record/",
        "/staff/consultations/{ref}/sessions/99999999999999999999999999/record/",
        "/staff/consultations/{ref}/sessions/99/amend/",
    ],
)
def test_a_session_that_does_not_exist_is_not_found(client, practitioner, path):
    consultation = peel_course()
    assert client.get(path.format(ref=consultation.reference)).status_code == 404
    assert client.post(path.format(ref=consultation.reference), {}).status_code == 404


def test_another_consultation_s_session_is_not_found_here(client, practitioner):
    mine, theirs = peel_course(), peel_course()
    theirs_session = session(theirs, 3)
    theirs_session.delete()  # session 3 exists only in my course now
    assert client.get(record_url(mine, 3)).status_code == 200
    assert client.get(record_url(theirs, 3)).status_code == 404


@pytest.mark.parametrize("what", ["record", "amend"])
def test_the_record_pages_need_a_login_and_the_review_permission(client, what):
    consultation = peel_course()
    response = client.get(record_url(consultation, what=what))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(is_staff=True))
    assert client.get(record_url(consultation, what=what)).status_code == 403
    assert client.post(record_url(consultation, what=what), {}).status_code == 403


def test_an_amendment_may_keep_a_date_over_a_year_ago(client, practitioner):
    consultation = peel_course()
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    first = session(consultation)
    first.status = SessionStatus.DONE
    first.save()
    from tests.factories import SessionRecordFactory

    original = SessionRecordFactory(session=first, performed_on=long_ago)
    data = peel_record_data(
        practitioner, performed_on=long_ago, pain="2", record=original.pk, amendment_reason="Typo"
    )
    assert client.post(record_url(consultation, what="amend"), data).status_code == 302
    assert SessionRecord.objects.get(supersedes=original).performed_on == long_ago


def test_a_check_in_since_the_decision_narrows_the_peel_agents(client, practitioner):
    # Pregnant now (R05): only glycolic or lactic acid; mandelic needs an override.
    from consultations.services.sessions import block_mark, session_clear

    consultation = peel_course()
    first = blocked(consultation, 1, pregnant=True)
    session_clear(
        consultation=consultation,
        user=practitioner,
        number=1,
        block=block_mark(first),
        outcome="proceed",
        reason="Discussed with the patient and her obstetrician.",
    )
    response = client.post(
        record_url(consultation), peel_record_data(practitioner, peel_agent="mandelic")
    )
    assert response.status_code == 200
    assert not SessionRecord.objects.exists()
    response = client.post(
        record_url(consultation), peel_record_data(practitioner, peel_agent="lactic")
    )
    assert SessionRecord.objects.get().peel_agent == "lactic"
