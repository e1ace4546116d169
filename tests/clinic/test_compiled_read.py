"""Reads compiled once per thread (clinic/compiled.py) give what the ORM gives, key by key, and
keep every guarantee of the read they replace: not found, a draft never shown to staff, the
row lock of the submit, a deactivated member of staff signed out."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.db.models import Model
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.urls import reverse

from bench.server import database_url
from clinic.auth import ClinicModelBackend
from clinic.compiled import KeyedRead
from consultations import selectors_detail
from consultations.models import Consultation
from consultations.services import intake
from consultations.services.insight import patient_anonymise
from tests.factories import (
    ConsultationFactory,
    PractitionerFactory,
    UserFactory,
    decided,
    flagged_decision,
    submitted,
)

pytestmark = pytest.mark.django_db


def fields(obj: Model | None) -> dict | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def as_the_orm_reads(reference: str) -> Consultation:
    return selectors_detail._FOR_DETAIL.get(reference=reference)


def consultations() -> list[Consultation]:
    anonymised = flagged_decision()
    patient_anonymise(patient=anonymised.patient, user=PractitionerFactory())
    return [
        submitted(allergies="<b>latex</b> & 'tape'"),
        decided(),
        flagged_decision(),
        anonymised,
        # Sent without an evaluation: the related evaluation and its author are None.
        ConsultationFactory(status="submitted"),
    ]


def test_the_detail_read_gives_what_the_orm_gives_for_every_kind_of_consultation():
    made = consultations()
    for consultation in made * 2:  # the second time round, every read is the compiled one
        read, held = selectors_detail.consultation_for_detail(consultation.reference)
        orm = as_the_orm_reads(consultation.reference)
        assert fields(read) == fields(orm)
        assert fields(read.patient) == fields(orm.patient)
        assert fields(read.latest_evaluation) == fields(orm.latest_evaluation)
        evaluation = read.latest_evaluation
        orm_author = orm.latest_evaluation.created_by if orm.latest_evaluation else None
        assert fields(evaluation.created_by if evaluation else None) == fields(orm_author)
        assert held.decisions == orm.has_decisions
        assert held.course == orm.has_course
        # What the page reads from the row is cached on it, as the ORM caches it.
        assert read._state.db == "default" and not read._state.adding


def test_a_draft_or_an_unknown_reference_is_not_found():
    draft = ConsultationFactory(status="draft")
    selectors_detail.consultation_for_detail(submitted().reference)  # compiled first
    for reference in (draft.reference, "PX-NONE0", "draft", ""):
        with pytest.raises(Http404):
            selectors_detail.consultation_for_detail(reference)


def test_a_key_that_appears_elsewhere_in_the_query_is_read_through_the_orm():
    """The reference "draft" is also the status the query leaves out: which parameter is the
    key would be a guess, so that read is not compiled, and the next one is."""
    read = KeyedRead(Consultation.objects.exclude(status="draft"), "reference")
    with pytest.raises(Consultation.DoesNotExist):
        read.get("draft")
    consultation = submitted()
    assert read.get(consultation.reference) == consultation
    assert read.get(consultation.reference).pk == consultation.pk


def test_a_key_of_another_type_is_read_as_the_orm_reads_it():
    consultation = submitted()
    read = KeyedRead(Consultation.objects.all(), "pk")
    assert read.get(consultation.pk) == consultation  # compiled with an int
    assert read.get(str(consultation.pk)) == consultation  # the ORM converts a str
    with pytest.raises(ValueError):
        read.get("not a number")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_submit_read_locks_the_row_and_refuses_to_run_outside_a_transaction():
    consultation = ConsultationFactory(status="draft")
    key = consultation.draft_key
    with transaction.atomic():
        intake._attached(consultation.pk, key)
    with pytest.raises(TransactionManagementError):
        intake._ATTACHED_READ.get(consultation.pk)  # compiled, and still refused
    with transaction.atomic():
        assert intake._attached(consultation.pk, key).patient == consultation.patient
        with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
            table = Consultation._meta.db_table
            locking = f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT"  # noqa: S608
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(locking, [consultation.pk])


@pytest.mark.django_db(transaction=True)
def test_each_thread_reads_its_own_rows_on_its_own_connection():
    made = [submitted() for _ in range(4)]
    results: dict[int, list[bool]] = {}

    def reader(n: int) -> None:
        try:
            results[n] = [
                selectors_detail.consultation_for_detail(c.reference)[0].pk == c.pk
                for c in made * 3
            ]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [True] * 12 for n in range(4)}


def test_a_deactivated_or_deleted_member_of_staff_is_signed_out(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    queue = reverse("review:queue")
    assert client.get(queue).status_code == 200
    assert client.get(queue).status_code == 200  # the user read compiled
    practitioner.is_active = False
    practitioner.save()
    assert client.get(queue).status_code == 302
    other = UserFactory()
    client.force_login(other)
    other.delete()
    assert client.get(queue).status_code == 302


# Beyond the key column's range: the ORM finds no row (Django leaves the query out), not an error.
OUT_OF_RANGE = (2**31, 2**63, -(2**63) - 1, 2**70)  # 2**31: beyond an "integer" column


def test_a_key_out_of_an_integer_columns_range_is_not_found_first_or_later():
    user = UserFactory()
    for first in OUT_OF_RANGE:
        read = KeyedRead(
            User.objects.all(), "pk"
        )  # a new read: compiled with the key it sees first
        with pytest.raises(User.DoesNotExist):
            read.get(first)
        assert read.get(user.pk) == user  # compiled now
        for key in OUT_OF_RANGE:
            with pytest.raises(User.DoesNotExist):
                read.get(key)


@pytest.mark.django_db(transaction=True)
def test_a_session_naming_a_user_id_no_row_can_have_is_signed_out_on_a_new_thread():
    """The first user read of a thread (a new worker) is the one compiled."""
    found: list[object] = []

    def first_request() -> None:
        try:
            backend = ClinicModelBackend()
            found.extend(backend.get_user(key) for key in OUT_OF_RANGE)
        except Exception as exc:  # a server error, where the ORM signs the session out
            found.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_request)
    thread.start()
    thread.join()
    assert found == [None] * len(OUT_OF_RANGE)
