"""Reads for a consultation's detail page: the consultation with what it has on record, and
its history.

The page has panels for a course, photos, corrections, decisions and earlier evaluations,
which most consultations (those awaiting review above all) do not have yet. Whether each is
there is read with the consultation's row, each on an index of its foreign key, so that the
page runs no query for what is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ForeignKey, Model
from django.db.models.expressions import RawSQL
from django.http import Http404

from clinic.compiled import KeyedRead
from consultations.models import (
    AnswerCorrection,
    Consultation,
    Course,
    Decision,
    Evaluation,
    Photo,
)


@dataclass(frozen=True)
class Held:
    """What a consultation has on record besides its latest evaluation (True: may have)."""

    earlier_evaluations: bool = True
    corrections: bool = True
    decisions: bool = True
    course: bool = True
    photos: bool = True


# Not known: every panel runs its queries.
UNKNOWN = Held()


def _on_record(model: type[Model], also: str = "") -> RawSQL:
    """Whether the consultation has a row of `model`: an EXISTS on the index of its foreign
    key. Written as SQL: the ORM's Exists() took longer to compile than the query ran."""
    key = model._meta.get_field("consultation")
    assert isinstance(key, ForeignKey)  # a OneToOneField is one too
    table = model._meta.db_table
    outer = Consultation._meta.db_table
    # Names from the models' metadata only, never input.
    sql = f'EXISTS (SELECT 1 FROM "{table}" U0 WHERE U0."{key.column}" = "{outer}"."id"{also})'  # noqa: S608
    return RawSQL(  # noqa: S611
        sql,
        (),
        output_field=BooleanField(),
    )


_FOR_DETAIL = (
    Consultation.objects.sent()
    .select_related("patient", "latest_evaluation__created_by")
    .annotate(
        has_earlier_evaluations=_on_record(
            Evaluation, f' AND U0."id" <> "{Consultation._meta.db_table}"."latest_evaluation_id"'
        ),
        has_corrections=_on_record(AnswerCorrection),
        has_decisions=_on_record(Decision),
        has_course=_on_record(Course),
        has_photos=_on_record(Photo),
    )
)


_DETAIL_READ = KeyedRead(_FOR_DETAIL, "reference")  # compiled once per thread


def consultation_for_detail(reference: str) -> tuple[Consultation, Held]:
    """A sent consultation by its reference, as consultation_for_staff finds it (the latest
    evaluation's author too), with what it has on record; or 404."""
    try:
        consultation = _DETAIL_READ.get(reference)
    except Consultation.DoesNotExist:
        raise Http404("No consultation matches the given query.") from None
    found = consultation.__dict__
    held = Held(
        # Without a latest evaluation the comparison above says nothing: look.
        earlier_evaluations=consultation.latest_evaluation_id is None
        or found.pop("has_earlier_evaluations"),
        corrections=found.pop("has_corrections"),
        decisions=found.pop("has_decisions"),
        course=found.pop("has_course"),
        photos=found.pop("has_photos"),
    )
    return consultation, held


@dataclass(frozen=True)
class History:
    """Everything that happened to a consultation after it was sent, oldest first."""

    evaluations: list[Evaluation]
    corrections: list[AnswerCorrection]
    decisions: list[Decision]

    @property
    def current_decision(self) -> Decision | None:
        """The decision in force, as decision_current finds it, from the decisions at hand."""
        superseded = {decision.supersedes_id for decision in self.decisions}
        current = [decision for decision in self.decisions if decision.pk not in superseded]
        return max(current, key=lambda d: (d.decided_at, d.pk), default=None)


def history(consultation: Consultation, held: Held = UNKNOWN) -> History:
    """The consultation's history; what `held` says it does not have is not looked for."""
    latest = consultation.latest_evaluation
    return History(
        evaluations=list(
            consultation.evaluations.select_related("created_by").order_by("created_at", "pk")
        )
        if held.earlier_evaluations or latest is None
        else [latest],
        corrections=list(
            consultation.corrections.select_related("corrected_by").order_by("corrected_at", "pk")
        )
        if held.corrections
        else [],
        decisions=list(
            consultation.decisions.select_related("decided_by").order_by("decided_at", "pk")
        )
        if held.decisions
        else [],
    )
