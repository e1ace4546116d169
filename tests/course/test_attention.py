"""Red flags and blocked sessions at the top of the practitioners' queue, and a red flag marked
handled with a note (who, when, what) on the detail page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import AccessLog, CheckIn
from consultations.selectors_attention import attention
from consultations.services import checkins as services
from consultations.services.checkins import check_in_answer_follow_up, check_in_answer_pre
from consultations.services.insight import patient_anonymise
from consultations.services.review import ReviewRefused
from tests.course.checkins import consultation_of, follow_up, pre_session
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")
FINE = {
    "redness": "under_1_day",
    "swelling": False,
    "breakouts": False,
    "dark_patches": "none",
    "blisters_or_crusts": False,
    "infection_signs": False,
    "satisfaction": 7,
    "pores_now": "same",
}
PRE_FINE = {
    code: ("" if code == "isotretinoin_timing" else False) for code in services.PRE_SESSION_CODES
}


def red_flagged(**answers) -> CheckIn:
    check_in = follow_up()
    check_in_answer_follow_up(check_in=check_in, answers={**FINE, **answers}, source="patient_link")
    check_in.refresh_from_db()
    return check_in


def blocked() -> CheckIn:
    check_in = pre_session(treatment="laser")
    answers = {**PRE_FINE, "active_infection_or_cold_sore": True}
    check_in_answer_pre(check_in=check_in, answers=answers, source="patient_link")
    check_in.refresh_from_db()
    return check_in


def test_a_red_flag_puts_the_consultation_at_the_top_of_the_queue(client, practitioner):
    quiet = follow_up()  # answered without a red flag: not listed
    check_in_answer_follow_up(check_in=quiet, answers=FINE, source="patient_link")
    flagged = red_flagged(blisters_or_crusts=True, dark_patches="spreading")
    reference = consultation_of(flagged).reference

    html = client.get(QUEUE).content.decode()

    block = html[html.index("Needs attention now") : html.index("queue-tabs")]
    assert reference in block
    assert consultation_of(quiet).reference not in block
    assert "Day-2 follow-up after session 1: blisters or crusting, spreading hyperpigmentation" in (
        block
    )
    assert reverse("review:detail", kwargs={"reference": reference}) in block


def test_a_blocked_session_is_listed_with_the_reasons(client, practitioner):
    check_in = blocked()
    html = client.get(QUEUE).content.decode()
    block = html[html.index("Needs attention now") : html.index("queue-tabs")]
    assert consultation_of(check_in).reference in block
    assert "Session 1" in block and "blocked by the pre-session check-in" in block
    assert "R01 stop flag ACTIVE_INFECTION" in block


def test_with_nothing_open_the_queue_has_no_attention_block(client, practitioner):
    follow_up()  # not answered yet
    assert "Needs attention now" not in client.get(QUEUE).content.decode()


def test_the_queue_costs_the_same_queries_with_1_or_25_consultations_needing_attention(
    client, practitioner
):
    red_flagged(infection_signs=True)
    client.get(QUEUE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(queries)

    one = count()
    for index in range(12):
        red_flagged(blisters_or_crusts=True)
        blocked() if index % 2 else red_flagged(dark_patches="spreading")
    assert len(client.get(QUEUE).context["attention"].items) == 25
    assert count() == one


def test_every_open_red_flag_is_listed_and_past_the_bound_the_block_says_more_wait(
    client, practitioner
):
    # A new red flag behind many older ones is still on the queue page (a patient may need
    # the clinic now); only past RED_FLAG_LIMIT does the list stop, and say so.
    for _ in range(12):
        red_flagged(blisters_or_crusts=True)
    newest = consultation_of(red_flagged(infection_signs=True))
    page = client.get(QUEUE).content.decode()
    assert newest.reference in page
    assert "more are waiting" not in page
    shown = attention(red_flag_limit=5)
    assert len(shown.items) == 5 and shown.more


def test_a_practitioner_marks_a_red_flag_handled_with_a_note(client, practitioner):
    check_in = red_flagged(infection_signs=True)
    reference = consultation_of(check_in).reference
    detail = reverse("review:detail", kwargs={"reference": reference})
    page = client.get(detail).content.decode()
    assert "Follow-up red flags" in page
    assert "Day-2 follow-up after session 1: signs of infection" in page

    response = client.post(
        reverse("review:red_flag_handled", kwargs={"reference": reference}),
        {"check_in": check_in.pk, "note": "Called the patient; seen in clinic today."},
    )

    assert response.status_code == 302 and response["Location"] == detail
    check_in.refresh_from_db()
    assert check_in.red_flag_handled_by == practitioner
    assert check_in.red_flag_handled_at is not None
    assert check_in.red_flag_note == "Called the patient; seen in clinic today."
    log = AccessLog.objects.get(action=AccessLog.Action.RED_FLAG)
    assert (
        log.user == practitioner and log.consultation_id == check_in.session.course.consultation_id
    )
    assert reference not in client.get(QUEUE).content.decode().split("queue-tabs")[0]
    assert "Follow-up red flags" not in client.get(detail).content.decode()


def test_marking_handled_without_a_note_says_so_and_keeps_nothing_back(client, practitioner):
    check_in = red_flagged(blisters_or_crusts=True)
    url = reverse(
        "review:red_flag_handled", kwargs={"reference": consultation_of(check_in).reference}
    )
    response = client.post(url, {"check_in": check_in.pk, "note": "   "})
    assert response.status_code == 200
    assert "Write what was done before marking the red flag handled" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.red_flag_handled_at is None

    long = "Called. " * 300
    response = client.post(url, {"check_in": check_in.pk, "note": long})
    assert "The note must be 2000 characters or fewer" in response.content.decode()
    assert long.strip() in response.content.decode()  # what they typed is still there


def test_a_damaged_form_or_a_flag_handled_meanwhile_is_told_not_saved(client, practitioner):
    check_in = red_flagged(blisters_or_crusts=True)
    reference = consultation_of(check_in).reference
    url = reverse("review:red_flag_handled", kwargs={"reference": reference})
    response = client.post(url, {"check_in": "1e9", "note": "x"}, follow=True)
    assert "The form arrived incomplete" in response.content.decode()
    client.post(url, {"check_in": check_in.pk, "note": "Seen."})
    response = client.post(url, {"check_in": check_in.pk, "note": "Seen again."}, follow=True)
    assert "already" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.red_flag_note == "Seen."


def test_an_erased_patients_red_flag_leaves_the_queue_and_cannot_be_handled():
    check_in = red_flagged(infection_signs=True)
    consultation = consultation_of(check_in)
    patient_anonymise(patient=consultation.patient, user=None)
    assert attention().items == []
    with pytest.raises(ReviewRefused):
        services.red_flag_handle(
            consultation=consultation,
            user=PractitionerFactory(),
            check_in_id=check_in.pk,
            note="Called.",
        )
