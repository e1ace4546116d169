"""Paginators for querysets too big to page through with OFFSET alone."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from consultations.models import Consultation


class TwoEndedPaginator(Paginator[Consultation]):
    """Pages past the middle are read from the other end, so that the last page (a click away
    with numbered pages) costs what the first does rather than an OFFSET over the whole tab."""

    def page(self, number: int | str) -> Page[Consultation]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if bottom <= self.count // 2 or not isinstance(rows, QuerySet):
            return super().page(number)
        from_the_end = list(rows.reverse()[self.count - top : self.count - bottom])
        return Page(from_the_end[::-1], number, self)
