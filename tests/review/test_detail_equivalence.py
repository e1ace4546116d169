"""Review of merge 7fc0962: the detail page shows what it showed before the records it has
were read with its row (selectors_detail.Held), for consultations in every state.

"Before" is the page rendered as 7fc0962^1 rendered it: the consultation as
consultation_for_staff reads it, every panel queried (Held UNKNOWN), and the photo panel as it
was (copied below).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import photo_selectors, selectors, selectors_detail
from consultations.models import (
    AccessLog,
    CheckIn,
    Consultation,
    ConsultationStatus,
    CourseEndReason,
    DecisionOutcome,
    PhotoMoment,
    PhotoView,
)
from consultations.review import photo_views
from consultations.review.photo_forms import CompareForm
from consultations.services import evaluation_create
from consultations.services.corrections import correction_apply
from consultations.services.course import course_end, course_pause
from consultations.services.insight import patient_anonymise
from consultations.services.photo_removal import photo_delete_by_practitioner
from consultations.services.review import DecisionInput, decision_amend, evaluation_rerun
from tests.course.helpers import blocked, session
from tests.factories import (
    ConsentFactory,
    ConsultationFactory,
    PractitionerFactory,
    coursed,
    decided,
    flagged_decision,
    submitted,
)
from tests.photos.factories import PhotoFactory
from tests.review.pages import amend, decide

pytestmark = pytest.mark.django_db


def old_photo_panel(consultation: Consultation, params: Any, held: Any = None) -> dict[str, Any]:
    """photo_panel at 7fc0962^1."""
    photos = photo_selectors.photos_of(consultation.pk)
    sessions = photo_selectors.sessions_for_photos(consultation)
    compare_form = CompareForm(params, sessions=sessions)
    view, session_id, moment = compare_form.choice()
    comparisons = [
        photo_selectors.comparison(photos, view=each, session_id=None, moment=moment)
        for each in photo_selectors.VIEWS
    ]
    return {
        "course_photo_comparisons": [c for c in comparisons if c.baseline and c.later],
        "photo_session_ids": {p.session_id for p in photos if p.session_id is not None},
        "photos_intake": [p for p in photos if p.session is None],
        "photos_sessions": [p for p in photos if p.session is not None],
        "photo_sessions": sessions,
        "photo_compare_form": compare_form,
        "photo_comparison": photo_selectors.comparison(
            photos, view=view, session_id=session_id, moment=moment
        ),
    }


def old_consultation_for_detail(reference: str):
    return selectors.consultation_for_staff(reference), selectors_detail.UNKNOWN


TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"|(nonce=")[^"]+"')


def page(client, consultation: Consultation, query: str = "") -> str:
    url = reverse("review:detail", kwargs={"reference": consultation.reference}) + query
    response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + 'X"', response.content.decode())


def before_and_after(client, monkeypatch, consultation, query: str = "") -> tuple[str, str]:
    after = page(client, consultation, query)
    with monkeypatch.context() as patched:
        patched.setattr(selectors_detail, "consultation_for_detail", old_consultation_for_detail)
        patched.setattr(photo_views, "photo_panel", old_photo_panel)
        before = page(client, consultation, query)
    return before, after


def corrected() -> Consultation:
    consultation = submitted(melasma=True)
    correction_apply(
        consultation=consultation,
        user=PractitionerFactory(),
        lock_version=consultation.lock_version,
        changes={"fitzpatrick": 5},
        note="Examined: <b>darker</b> & tanned",
    )
    return consultation


def rerun() -> Consultation:
    consultation = submitted()
    evaluation_rerun(consultation=consultation, user=PractitionerFactory())
    return consultation


def amended() -> Consultation:
    consultation = decided(notes="First <script>alert(1)</script>")
    consultation.refresh_from_db()
    current = selectors.decision_current(consultation)
    decision_amend(
        consultation=consultation,
        user=PractitionerFactory(),
        decision_id=current.pk,
        evaluation_id=consultation.latest_evaluation_id,
        lock_version=consultation.lock_version,
        choice=DecisionInput(outcome=DecisionOutcome.DECLINED, reason_code="patient_preference"),
        amendment_reason='She changed her mind & "wants" to wait',
    )
    return consultation


def withdrawn() -> Consultation:
    consultation = submitted()
    Consultation.objects.filter(pk=consultation.pk).update(status=ConsultationStatus.WITHDRAWN)
    return consultation


def not_evaluated() -> Consultation:
    consultation = ConsultationFactory()
    ConsentFactory(consultation=consultation)
    return consultation


def anonymised() -> Consultation:
    consultation = flagged_decision()
    patient_anonymise(patient=consultation.patient, user=PractitionerFactory())
    return consultation


def hostile() -> Consultation:
    consultation = submitted(
        allergies="<script>alert(\"x\")</script> & 'quotes'\r\nsecond line",
        patient__first_name="<img src=x onerror=alert(1)>",
        patient__last_name='O"Brien & <b>',
    )
    return consultation


def paused_and_blocked() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    blocked(consultation, 2)
    course_pause(consultation=consultation, user=PractitionerFactory(), note="Away <3 weeks")
    return consultation


def ended() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    course_end(
        consultation=consultation,
        user=PractitionerFactory(),
        reason=CourseEndReason.OTHER,
        notes="Moved & <left>",
    )
    return consultation


def red_flags() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    first = session(consultation)
    for handled in (False, True):
        CheckIn.objects.create(
            session=first,
            kind=CheckIn.Kind.DAY_2 if handled else CheckIn.Kind.DAY_14,
            due_on=first.target_date,
            sent_at=timezone.now(),
            answered_at=timezone.now(),
            source=CheckIn.Source.PATIENT_LINK,
            blisters_or_crusts=True,
            red_flag=True,
            satisfaction=4,
            red_flag_handled_at=timezone.now() if handled else None,
            red_flag_handled_by=PractitionerFactory() if handled else None,
            red_flag_note="Called <her>" if handled else "",
        )
    return consultation


def intake_photos() -> Consultation:
    consultation = submitted()
    PhotoFactory(consultation=consultation, view=PhotoView.FRONT)
    PhotoFactory(consultation=consultation, view=PhotoView.LEFT_45)
    return consultation


def session_photos_one_deleted() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    PhotoFactory(consultation=consultation)
    first = session(consultation)
    before = PhotoFactory(consultation=consultation, session=first, moment=PhotoMoment.BEFORE)
    PhotoFactory(
        consultation=consultation, session=first, moment=PhotoMoment.AFTER, view=PhotoView.FRONT
    )
    photo_delete_by_practitioner(
        consultation=consultation, user=PractitionerFactory(), photo_id=before.pk, reason="Blurred"
    )
    return consultation


def every_photo_deleted() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    only = PhotoFactory(
        consultation=consultation, session=session(consultation), moment=PhotoMoment.BEFORE
    )
    photo_delete_by_practitioner(
        consultation=consultation, user=PractitionerFactory(), photo_id=only.pk, reason="Wrong"
    )
    return consultation


def course_without_photos() -> Consultation:
    return coursed(treatment="chemical_peel")


def re_evaluated_course() -> Consultation:
    consultation = coursed(treatment="chemical_peel")
    evaluation_create(consultation=consultation)
    consultation.refresh_from_db()
    return consultation


def legacy() -> Consultation:
    from consultations import rules

    consultation = ConsultationFactory(
        questionnaire_version="2026.1",
        fitzpatrick=2,
        fitzpatrick_source="practitioner",
        goals=["texture"],
        **dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None),
    )
    ConsentFactory(consultation=consultation)
    evaluation_create(consultation=consultation)
    return consultation


def late_submission() -> Consultation:
    return submitted(submitted_at=timezone.now() - datetime.timedelta(days=30))


SCENARIOS = [
    submitted,
    not_evaluated,
    corrected,
    rerun,
    decided,
    amended,
    flagged_decision,
    withdrawn,
    anonymised,
    hostile,
    course_without_photos,
    paused_and_blocked,
    ended,
    red_flags,
    intake_photos,
    session_photos_one_deleted,
    every_photo_deleted,
    re_evaluated_course,
    legacy,
    late_submission,
]


@pytest.mark.parametrize("make", SCENARIOS, ids=[make.__name__ for make in SCENARIOS])
@pytest.mark.parametrize(
    "query", ["", "?photo_view=left_45&photo_moment=before", "?photo_session=999"]
)
def test_the_page_is_what_it_was_before_the_merge(client, practitioner, monkeypatch, make, query):
    consultation = make()
    before, after = before_and_after(client, monkeypatch, consultation, query)
    assert after == before


@pytest.mark.parametrize("make", SCENARIOS, ids=[make.__name__ for make in SCENARIOS])
def test_each_rendering_is_logged_once(client, practitioner, monkeypatch, make):
    consultation = make()
    views = AccessLog.objects.filter(consultation=consultation, action=AccessLog.Action.VIEW)
    before_and_after(client, monkeypatch, consultation)
    assert views.count() == 2


def refused(client, consultation: Consultation) -> str:
    """The page again, with the refused form: a decision without a choice, or an amendment
    without its reason."""
    if consultation.status == ConsultationStatus.SUBMITTED:
        response = decide(client, consultation, choice="")
    else:
        response = amend(client, consultation, choice="declined", reason_code="refer_to_doctor")
    assert response.status_code == 200
    return TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + 'X"', response.content.decode())


RE_RENDERED = [submitted, intake_photos, session_photos_one_deleted, red_flags, amended]


@pytest.mark.parametrize("make", RE_RENDERED, ids=[make.__name__ for make in RE_RENDERED])
def test_a_refused_form_re_renders_the_page_as_before_the_merge(
    client, practitioner, monkeypatch, make
):
    consultation = make()
    after = refused(client, consultation)
    with monkeypatch.context() as patched:
        patched.setattr(photo_views, "photo_panel", old_photo_panel)
        before = refused(client, consultation)
    assert "Record decision" in after or "Amend decision" in after
    assert after == before
