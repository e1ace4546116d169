"""The session record form's part on the pre-session check-in: shown only when the patient's
check-in does not cover the session (not answered, or answered more than a week before it),
where the practitioner gives the coded reason the session goes ahead without it. The normal
path, the check-in on the tablet, is a button beside it (review/session_record.html).
services/session_check_in.py checks the same again under the row lock."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from consultations.models import CheckIn, CheckInOverride
from consultations.selectors_course import check_in_gap
from consultations.services.session_check_in import CheckInOverrideGiven

OVERRIDE_FIELDS = ("check_in_override", "check_in_override_notes")


class CheckInOverrideForm(forms.Form):
    """The override of a missing pre-session check-in: reason and, for "other", notes."""

    check_in_override = forms.ChoiceField(
        label="Why does the session go ahead without the patient's check-in?",
        required=False,
        choices=CheckInOverride.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Choose one of the reasons listed."},
    )
    check_in_override_notes = forms.CharField(
        label="Override notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Required for 'Other'. Kept with the session, with your name and the time.",
    )

    def check_in_setup(self, pre_check_in: CheckIn | None) -> None:
        self.pre_check_in = pre_check_in
        self.check_in_gap_today = check_in_gap(pre_check_in, timezone.localdate())

    @property
    def show_override(self) -> bool:
        """The override part is on the page: needed today, or needed for the date given."""
        return bool(self.check_in_gap_today) or any(n in self.errors for n in OVERRIDE_FIELDS)

    def check_in_clean(self, data: dict[str, Any]) -> None:
        performed_on = data.get("performed_on")
        if not isinstance(performed_on, datetime.date):
            return
        gap = check_in_gap(self.pre_check_in, performed_on)
        if not gap:  # the check-in covers the session: no override is kept
            data["check_in_override"] = data["check_in_override_notes"] = ""
            return
        reason = data.get("check_in_override")
        if not reason and "check_in_override" not in self.errors:
            self.add_error(
                "check_in_override",
                f"{gap} Ask the patient to check in on the tablet first, or choose why the "
                "session goes ahead without it.",
            )
        notes = str(data.get("check_in_override_notes") or "").strip()
        if reason == CheckInOverride.OTHER and not notes:
            self.add_error(
                "check_in_override_notes", "Say why the session goes ahead without the check-in."
            )

    def override_given(self) -> CheckInOverrideGiven | None:
        reason = self.cleaned_data.get("check_in_override") or ""
        if not reason:
            return None
        notes = str(self.cleaned_data.get("check_in_override_notes") or "").strip()
        return CheckInOverrideGiven(reason=reason, notes=notes)
