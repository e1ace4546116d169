"""The queue's search: a reference (whole or part) or every word of the patient's name, read
so that its cost follows the page, not how many consultations match.

A common surname matches thousands of consultations in a chain ("Wong": about 5 in 100). A
search that first collects every match (both trigram lookups, joined) grows with the table: 0.8
s a view at a million consultations. Here the search is two disjoint parts, each its own
subquery with its own ORDER BY and LIMIT, so that PostgreSQL plans each apart:

- the reference part, on the reference's trigram index (`consultation_reference_trgm`);
- the name part, joined to the patient: for a common name the planner walks the tab's own
  index in order and looks each patient up by key, stopping at the page's end; for a rare
  one it reads the name's trigram index (`patient_last_name_trgm`, `patient_first_name_trgm`).

An OR of the two in one WHERE clause would leave neither plan open. The counts (`counted`)
read at most `cap + 1` matches, with their ids: when that is all of them the page is read by
those ids; past the cap the tab on show is counted alone, up to the cap, and each part is read
in the tab's order only as far as the page's end (`SearchRows`).

SQLite (`make run`'s demo) cannot order or limit the parts of a UNION: there the search is one
part, the OR of the two, which is all a demo's few rows need.

A reference is "PX-" and five characters of its own alphabet: a search that holds any other
character, or fewer than three, cannot be part of one (or would match too many to mean one),
and looks at names only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import OrderBy

from consultations.models import Consultation, ConsultationQuerySet
from consultations.models.choices import REFERENCE_ALPHABET, REFERENCE_PREFIX

ALL = "all"  # the queue's tab of every status (selectors.ALL)
REFERENCE_CHARACTERS = frozenset(REFERENCE_PREFIX + REFERENCE_ALPHABET)
# A part of a reference shorter than this matches too many to find one, and no trigram serves it.
REFERENCE_PART_MIN = 3


def could_be_reference(q: str) -> bool:
    """Whether `q` can be all or part of a reference: every character one a reference has."""
    text = q.strip().upper()
    return len(text) >= REFERENCE_PART_MIN and set(text) <= REFERENCE_CHARACTERS


def name_filter(q: str) -> Q:
    """Every word of `q` in the patient's first or last name."""
    by_name = Q()
    for word in q.split():
        by_name &= Q(patient__first_name__icontains=word) | Q(patient__last_name__icontains=word)
    return by_name


def parts(consultations: ConsultationQuerySet, q: str) -> list[ConsultationQuerySet]:
    """`consultations` matching `q`, as disjoint parts (each match in exactly one)."""
    q = q.strip()
    by_name = name_filter(q)
    if not could_be_reference(q):
        return [consultations.filter(by_name)]
    by_reference = Q(reference__icontains=q)
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: one part
        return [consultations.filter(by_reference | by_name)]
    return [consultations.filter(by_reference), consultations.filter(by_name).exclude(by_reference)]


@dataclass(frozen=True)
class Counted:
    """How many matches each queue tab has, up to a cap: `counts` by status and ALL; `capped`,
    the tabs whose count is only a lower bound ("more than": the tab on show past the cap, the
    others whenever the matches passed it); and the ids of each tab's matches when the count
    holds them all (`ids`, by status and ALL; a capped tab has none)."""

    counts: dict[str, int]
    capped: set[str]
    ids: dict[str, list[int]]


def _first(
    matching: list[ConsultationQuerySet], limit: int, shown: str | None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The id and status of the first `limit` matches of each part, in no order, and of the
    first `limit` in the tab `shown` (none if None), in one query."""
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: no UNION limits
        every = [row for part in matching for row in part.order_by().values_list("pk", "status")]
        return every, [(pk, status) for pk, status in every if status == shown]
    arms = [(part, False) for part in matching]
    if shown is not None:
        arms += [(part.filter(status=shown), True) for part in matching]
    firsts = [
        part.order_by().annotate(in_tab=Value(in_tab)).values_list("pk", "status", "in_tab")[:limit]
        for part, in_tab in arms
    ]
    rows = list(firsts[0].union(*firsts[1:], all=True))
    return [(pk, s) for pk, s, in_tab in rows if not in_tab], [(pk, s) for pk, s, t in rows if t]


def counted(
    matching: list[ConsultationQuerySet], statuses: Sequence[str], cap: int, shown: str
) -> Counted:
    """How many of `matching` (disjoint parts) each tab holds, up to `cap`, in one query: the
    first cap + 1 matches in no order and, apart, the first cap + 1 in the tab on show. When
    the first are all of them, every count is exact and each tab's ids are known. Past them the
    other tabs' counts are lower bounds from those first matches, and the tab on show has its
    own: exact to the cap, so that every page it promises can be read, whatever the other tabs
    hold (a few awaiting review among thousands decided)."""
    found, in_tab = _first(matching, cap + 1, shown if shown in statuses else None)
    ids: dict[str, list[int]] = {status: [] for status in statuses}
    for pk, status in found[:cap]:  # the one past the cap only says that there are more
        ids[status].append(pk)
    counts = {status: len(ids[status]) for status in statuses}
    counts[ALL] = sum(counts.values())
    if len(found) <= cap:
        ids[ALL] = [pk for pk, _status in found]
        return Counted(counts=counts, capped=set(), ids=ids)
    capped = {*statuses, ALL}
    if shown in statuses:
        counts[shown] = min(len(in_tab), cap)
        if len(in_tab) <= cap:
            capped.discard(shown)
            ids[shown] = [pk for pk, _status in in_tab]
    return Counted(counts=counts, capped=capped, ids={s: ids[s] for s in ids if s not in capped})


class SearchRows(Sequence[Consultation]):
    """The rows of a search in the tab's order, read a window at a time for a paginator: each
    part reads only as far as the window's end, and the window's rows are then read by key.
    The paginator's count must be set: this never counts."""

    def __init__(
        self,
        rows: QuerySet[Consultation],
        searched: list[ConsultationQuerySet],
        ordering: tuple[str | OrderBy, ...],
    ) -> None:
        self.rows, self.searched, self.ordering = rows, searched, ordering

    def __len__(self) -> int:  # pragma: no cover - the paginator's count is always set
        raise TypeError("SearchRows are never counted: set the paginator's count")

    @overload
    def __getitem__(self, index: int) -> Consultation: ...

    @overload
    def __getitem__(self, index: slice) -> list[Consultation]: ...

    def __getitem__(self, index: int | slice) -> Consultation | list[Consultation]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        end = index.stop
        assert end is not None and index.step is None, "a window has an end and no step"
        heads = [part.order_by(*self.ordering).values("pk")[:end] for part in self.searched]
        ids = heads[0].union(*heads[1:], all=True) if len(heads) > 1 else heads[0]
        return list(self.rows.filter(pk__in=ids).order_by(*self.ordering)[index])
