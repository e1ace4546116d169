"""Reads: what the pages need, each in a fixed number of queries. Views never build
querysets; they call these (services may too). Functions that take a token or a reference
raise Http404 when nothing matches: a view reads as one line per object.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.plans import custom_plans
from consultations import paging
from consultations import selectors_search as search
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    CheckIn,
    Consent,
    Consultation,
    ConsultationQuerySet,
    ConsultationStatus,
    CourseSession,
    Decision,
    EvaluationFinding,
    SessionRecord,
    StatusCount,
)

if TYPE_CHECKING:
    # Only a type: on Python < 3.13 the two-argument alias fails at runtime.
    from django_stubs_ext import WithAnnotations

# --- The patient's side -------------------------------------------------------------------------


def draft_or_sent_by_id(pk: object) -> Consultation | None:
    """The consultation a browser's session names (a draft, or just sent), with its patient."""
    if not isinstance(pk, int):
        return None
    return Consultation.objects.select_related("patient").filter(pk=pk).first()


def sent_by_id(pk: object) -> Consultation | None:
    """A sent (not draft) consultation by id, or None."""
    if not isinstance(pk, int):
        return None
    return Consultation.objects.sent().filter(pk=pk).first()


def consultation_by_token(token: str) -> Consultation | None:
    """Any consultation by its private token (a resume link), or None."""
    return Consultation.objects.filter(public_token=token).first()


def sent_by_token(token: str) -> Consultation:
    """A sent consultation by its private token (the patient's status link), or 404."""
    return get_object_or_404(Consultation.objects.sent(), public_token=token)


def patient_copy(token: str) -> Consultation:
    """A sent consultation for the patient's own copy, or 404; an anonymised patient's link
    leads nowhere (erasure also replaces the token)."""
    return get_object_or_404(
        Consultation.objects.sent()
        .filter(patient__anonymised_at__isnull=True)
        .select_related("patient"),
        public_token=token,
    )


def answers_as_given(consultation: Consultation, codes: list[str]) -> Consultation:
    """The consultation with the answers as the patient gave them: a practitioner's later
    corrections of `codes` undone (in memory only; nothing is saved)."""
    corrections = AnswerCorrection.objects.filter(
        consultation=consultation, field__in=codes
    ).order_by("-corrected_at", "-pk")
    for correction in corrections:  # newest first, so the earliest old value wins
        setattr(consultation, correction.field, correction.old_value)
    return consultation


def latest_consent(consultation: Consultation) -> Consent | None:
    return consultation.consents.order_by("-accepted_at").first()


# --- Decisions ----------------------------------------------------------------------------------


def decision_current(consultation: Consultation) -> Decision | None:
    """The decision in force: the one no later decision supersedes."""
    return (
        Decision.objects.current()
        .filter(consultation=consultation)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


# --- The practitioner's side --------------------------------------------------------------------


def consultation_for_staff(reference: str) -> Consultation:
    """A sent consultation by its reference, with its patient and latest evaluation, or 404:
    drafts are the patient's."""
    return get_object_or_404(
        Consultation.objects.sent().select_related("patient", "latest_evaluation"),
        reference=reference,
    )


QUEUE_STATUSES = (
    ConsultationStatus.SUBMITTED,
    ConsultationStatus.DECIDED,
    ConsultationStatus.WITHDRAWN,
)
ALL = search.ALL
STOP = "stop"
PAGE_SIZE = 25
# The queue's orders. Awaiting review is a work list: the longest wait first. The other tabs
# are looked things up in: the most recent first. Decided consultations sort by when.
OLDEST, NEWEST, STOP_FIRST = "oldest", "newest", "stop"
SORTS = (OLDEST, NEWEST, STOP_FIRST)


def default_sort(status: str) -> str:
    return OLDEST if status == ConsultationStatus.SUBMITTED else NEWEST


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters: a status tab (or all), a flag (or any stop flag), a suggestion, a
    search for a reference or the words of a name, and an order ("" is the tab's own)."""

    status: str = ConsultationStatus.SUBMITTED
    flag: str = ""
    primary: str = ""
    q: str = ""
    sort: str = ""


@dataclass(frozen=True)
class Queue:
    """One page of the queue and how many consultations match in each status tab. `status`
    is the tab shown: a search with no match in its tab but matches elsewhere shows them all
    (`widened`), so that a reference read out on the phone is found whatever its status.
    A filtered count stops at COUNT_CAP: a tab in `capped` has at least its count ("more than";
    selectors_search.counted says how each is counted)."""

    page: Page[Consultation]
    counts: dict[str, int]
    status: str
    widened: bool = False
    capped: frozenset[str] = frozenset()


def _ordering(status: str, order: str) -> tuple[str | OrderBy, ...]:
    when = "decided_at" if status == ConsultationStatus.DECIDED else "submitted_at"
    if order == STOP_FIRST:  # the form offers it on Awaiting review only (a short list)
        return (F("latest_evaluation__has_stop_flag").desc(nulls_last=True), when, "pk")
    if order == NEWEST:
        return (f"-{when}", "-pk")
    return (when, "pk")


def _counted(consultations: QuerySet[Consultation]) -> dict[str, int]:
    """How many of `consultations` are in each queue status, and in all, by counting them."""
    per_status: dict[str, Count] = {
        status: Count("pk", filter=Q(status=status)) for status in QUEUE_STATUSES
    }
    return consultations.aggregate(**per_status, **{ALL: Count("pk")})


# A filter's or search's matches are counted up to COUNT_CAP (selectors_search.counted): counting
# every match of a broad filter read all of them on every view, a cost that grew with the table.
# Past it a tab says "more than", and its pages go as far as the cap.
COUNT_CAP = 250


STATUS_COUNTS_SQL = f"SELECT status, SUM(n) FROM {StatusCount._meta.db_table} GROUP BY status"  # noqa: S608


def status_counts() -> dict[str, int]:
    """How many sent consultations are in each queue status, and in all (one query).

    On PostgreSQL from the counts a trigger keeps in step with every change (models/counts.py),
    so the cost does not grow with the table; elsewhere by counting the table.
    """
    if connection.vendor != "postgresql":
        return _counted(Consultation.objects.sent())
    counts: dict[str, int] = dict.fromkeys(QUEUE_STATUSES, 0)
    # Plain SQL: building this query through the ORM cost more than running it, on the page
    # practitioners load most.
    with connection.cursor() as cursor:
        cursor.execute(STATUS_COUNTS_SQL)
        for status, total in cursor.fetchall():
            counts[status] = int(total)
    counts[ALL] = sum(counts.values())
    return counts


# The decision in force on the Decided and All tabs, and who made it.
DECISION_COLUMNS: tuple[str, ...] = ("consultation_id", "outcome", "treatment", "decided_at")
DECISION_COLUMNS += ("supersedes_id", "decided_by__first_name", "decided_by__last_name")
DECISION_COLUMNS += ("decided_by__username",)
# What the queue's rows show (review/queue.html, presenters/queue.py).
QUEUE_COLUMNS: tuple[str, ...] = ("reference", "status", "submitted_at", "decided_at")
QUEUE_COLUMNS += ("patient__first_name", "patient__last_name")
QUEUE_COLUMNS += ("latest_evaluation__primary", "latest_evaluation__has_stop_flag")


@custom_plans()
def queue(filters: QueueFilters, page_number: int | str | None = 1) -> Queue:
    """The filtered consultations in the chosen order, a page at a time, with their flags and
    (where decided) the decision in force and who made it. Each read is planned for its own
    values (a common name's search takes another plan than a rare one's: clinic/plans.py)."""
    consultations = Consultation.objects.sent().for_queue(
        flag=filters.flag, primary=filters.primary
    )
    searched = search.parts(consultations, filters.q) if filters.q else [consultations]
    if filters.q or filters.flag or filters.primary:
        found = search.counted(searched, QUEUE_STATUSES, COUNT_CAP, filters.status)
        counts, capped = found.counts, found.capped
    else:
        found, counts, capped = None, status_counts(), set()
    status = filters.status
    # The tab on show is counted exactly up to the cap: a 0 there means no match in it.
    widened = bool(filters.q) and status != ALL and counts[status] == 0 and counts[ALL] > 0
    if widened:
        status = ALL
    if found is not None and status not in capped:  # every match known: read them by id
        consultations, searched = consultations.filter(pk__in=found.ids[status]), []
    elif not filters.q:
        searched = []  # past the cap, a filter's rows are read from the front as one query
    if status != ALL:
        consultations = consultations.filter(status=status)
        searched = [part.filter(status=status) for part in searched]
    ordering = _ordering(status, filters.sort or default_sort(filters.status))
    rows = (
        consultations.select_related("patient", "latest_evaluation")
        # Only the columns a row shows: a consultation has a column per answer, and building
        # 25 wide rows cost more than the rest of the page.
        .only(*QUEUE_COLUMNS)
        # A widened search keeps the order of the tab it was made from.
        .order_by(*ordering)
    )
    if status in (ConsultationStatus.DECIDED, ALL):
        rows = rows.prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.current()
                .select_related("decided_by")
                .only(*DECISION_COLUMNS),
                to_attr="decisions_in_force",
            )
        )
    paginator: Paginator[Consultation]
    if searched:  # each part read only as far as the page: from the front
        paginator = Paginator(search.SearchRows(rows, searched, ordering), PAGE_SIZE)
    else:  # past a cap the last row is not known: pages are read from the front only
        paginator = (Paginator if status in capped else paging.TwoEndedPaginator)(rows, PAGE_SIZE)
    # The per-status counts already hold the total: spare the paginator its own COUNT(*).
    paginator.count = counts[status]
    page = paginator.get_page(page_number)
    page.object_list = _with_flags(list(page.object_list))
    return Queue(page=page, counts=counts, status=status, widened=widened, capped=frozenset(capped))


FINDINGS_TABLE = EvaluationFinding._meta.db_table


def _with_flags(rows: list[Consultation]) -> list[Consultation]:
    """Each row's latest evaluation with its flags as (flag, severity) in `flag_findings`, in
    one query (plain tuples: building a model per finding cost more than the query)."""
    evaluations = {row.latest_evaluation_id: row.latest_evaluation for row in rows}
    flags: dict[int, list[tuple[str, str]]] = {pk: [] for pk in evaluations if pk}
    if flags:
        # Plain SQL: through the ORM, building this query cost more than running it.
        placeholders = ", ".join(["%s"] * len(flags))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT evaluation_id, flag, severity FROM {FINDINGS_TABLE} "  # noqa: S608
                f"WHERE evaluation_id IN ({placeholders}) AND flag <> '' "
                "ORDER BY severity, flag",
                list(flags),
            )
            for evaluation_id, flag, severity in cursor.fetchall():
                flags[evaluation_id].append((flag, severity))
    for pk, evaluation in evaluations.items():
        if pk is not None and evaluation is not None:
            evaluation.flag_findings = flags[pk]  # type: ignore[attr-defined]
    return rows


# A colleague who opened a consultation this recently is probably deciding it.
OPENED_RECENTLY = datetime.timedelta(minutes=10)


def next_awaiting(user: User) -> str | None:
    """The reference of the consultation that has waited longest for review, passing over those
    a colleague opened in the last ten minutes (unless every one has been)."""
    waiting = (
        Consultation.objects.filter(status=ConsultationStatus.SUBMITTED)
        .order_by("submitted_at", "pk")
        .values_list("reference", flat=True)
    )
    opened_by_a_colleague = AccessLog.objects.filter(
        consultation=OuterRef("pk"),
        action=AccessLog.Action.VIEW,
        at__gte=timezone.now() - OPENED_RECENTLY,
    ).exclude(user_id=user.pk)
    return waiting.exclude(Exists(opened_by_a_colleague)).first() or waiting.first()


def corrections_after(consultation: Consultation, evaluation_id: int) -> list[AnswerCorrection]:
    """The corrections made after the evaluation a practitioner's form was built on."""
    return list(
        AnswerCorrection.objects.filter(consultation=consultation, evaluation_id__gt=evaluation_id)
        .select_related("corrected_by")
        .order_by("corrected_at", "pk")
    )


# --- Insight and exports ------------------------------------------------------------------------


def replayable() -> QuerySet[Consultation]:
    """Every consultation the rule test bench may replay (it keeps the sent, evaluated ones)."""
    return Consultation.objects.all()


class ExportAnnotations(TypedDict):
    """What `exportable` adds to each consultation: the `has_corrections` annotation and the
    decisions prefetched `to_attr="current_decisions"` (django-stubs reads both)."""

    has_corrections: bool
    current_decisions: list[Decision]


if TYPE_CHECKING:
    ExportableConsultation = WithAnnotations[Consultation, ExportAnnotations]


def exportable(
    consultations: ConsultationQuerySet | None = None,
) -> QuerySet[ExportableConsultation]:
    """The consultations that can be exported as FHIR, with what a bundle needs in a fixed
    number of queries (drafts have no answers to export)."""
    if consultations is None:
        consultations = Consultation.objects.all()
    # Seen as a plain QuerySet: ConsultationQuerySet is bound to Consultation, so the type
    # checker would drop the annotations below on the way through it.
    sent: QuerySet[Consultation] = consultations.sent()
    return (
        sent.exclude(latest_evaluation__isnull=True)
        .select_related("patient", "latest_evaluation")
        .annotate(
            has_corrections=Exists(AnswerCorrection.objects.filter(consultation=OuterRef("pk")))
        )
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.current().select_related("decided_by"),
                to_attr="current_decisions",
            ),
            # The course and what followed it (consultations/fhir_course.py).
            "course",
            Prefetch("course__sessions", queryset=CourseSession.objects.order_by("number")),
            Prefetch(
                "course__sessions__records",
                queryset=SessionRecord.objects.select_related(
                    "performed_by", "recorded_by"
                ).order_by("recorded_at", "pk"),
            ),
            Prefetch("course__sessions__check_ins", queryset=CheckIn.objects.order_by("due_on")),
            "photos__session",  # fhir_photos.photo_media
        )
    )


def exportable_by_reference(reference: str) -> ExportableConsultation:
    return get_object_or_404(exportable(), reference=reference)
