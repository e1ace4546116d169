"""The insight pages' filters."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"


class DateRangeForm(forms.Form):
    """The analytics page's filter: consultations submitted between two dates (both optional)."""

    date_from = forms.DateField(label="Submitted from", required=False, widget=DateInput)
    date_to = forms.DateField(label="Submitted to", required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data


class ReplayForm(forms.Form):
    since = forms.DateField(label="Submitted since", required=False, widget=DateInput)
