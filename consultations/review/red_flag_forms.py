"""The practitioner's note when they mark a follow-up's red flag handled."""

from __future__ import annotations

from django import forms

NOTE_MAX_LENGTH = 2000


class RedFlagHandledForm(forms.Form):
    """Which red flag (hidden) and what was done about it."""

    check_in = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    note = forms.CharField(
        label="What was done",
        help_text="For example: called the patient, seen in clinic, advice given, referred.",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Write what was done before marking the red flag handled",
            "max_length": f"The note must be {NOTE_MAX_LENGTH} characters or fewer",
            "null_characters_not_allowed": "The note contains characters we cannot accept",
        },
    )
