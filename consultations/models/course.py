"""After the decision: the treatment course, its sessions, what was done at each, and the
patient's check-ins before and after (docs/decisions/0008).

- `Course`: one per consultation whose decision in force names a treatment. Its `events` say
  who changed it and when (created, rescheduled, maintenance added, paused, resumed, ended).
- `CourseSession`: a planned session (the plan's count and interval, or maintenance), with its
  target date. `blocked_at` is set when a pre-session check-in raised a new stop or
  contraindication for the course's treatment; a `SessionClearance` by a practitioner lifts it.
  A session recorded without its check-in answered carries the practitioner's override.
- `SessionRecord`: what was performed at the chair, with the treatment's parameters. Rows are
  never edited: an amendment is a new row that supersedes (as decisions are, 0003).
- `CheckIn`: the patient's short questionnaire before a session (the answers that drive stop
  and caution rules, asked again) or after one (day 2 and day 14), reached through its own
  unguessable token. `AnswerUpdate` keeps every answer a check-in changed, with source and time.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consultations.models.choices import (
    CheckInKind,
    CheckInOverride,
    CheckInSource,
    ClearanceOutcome,
    CourseEndReason,
    CourseEventKind,
    CourseStatus,
    DarkPatches,
    PoresNow,
    Redness,
    SessionKind,
    SessionStatus,
    Treatment,
    choices_check,
    new_public_token,
)
from consultations.models.consultation import Consultation
from consultations.models.review import Decision, Evaluation


class Course(models.Model):
    """The treatment course that follows a decision: planned sessions, then maintenance."""

    Status = CourseStatus
    EndReason = CourseEndReason

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="course"
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The decision in force the course follows.",
    )
    treatment = models.CharField(max_length=32, choices=Treatment.choices)
    interval_weeks = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )
    end_reason = models.CharField(max_length=20, choices=CourseEndReason.choices, blank=True)
    end_notes = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "end_reason"], name="course_status_reason_idx")]
        constraints = [
            choices_check("treatment", Treatment, name="course_valid_treatment"),
            choices_check("status", CourseStatus, name="course_valid_status"),
            choices_check(
                "end_reason", CourseEndReason, name="course_valid_end_reason", blank=True
            ),
            models.CheckConstraint(
                condition=(Q(status="ended") & ~Q(end_reason="") & Q(ended_at__isnull=False))
                | (~Q(status="ended") & Q(end_reason="") & Q(ended_at__isnull=True)),
                name="course_ended_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(end_reason="other") | ~Q(end_notes=""),
                name="course_other_reason_has_notes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: {self.get_treatment_display()} course"


class CourseEvent(models.Model):
    """Append-only: who changed a course, how and when."""

    Kind = CourseEventKind

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=CourseEventKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [choices_check("kind", CourseEventKind, name="courseevent_valid_kind")]

    def __str__(self) -> str:
        return f"{self.course.consultation.reference}: {self.get_kind_display()}"


class CourseSession(models.Model):
    """One planned session of a course, with its target date."""

    Kind = SessionKind
    Status = SessionStatus

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3... in the order planned.")
    kind = models.CharField(max_length=16, choices=SessionKind.choices, default=SessionKind.COURSE)
    target_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    # A pre-session check-in raised a new stop or contraindication: no session until a
    # practitioner's clearance (SessionClearance) says what happens.
    blocked_at = models.DateTimeField(null=True, blank=True)
    block_reasons = models.JSONField(default=list, blank=True)
    # Recorded without an answered pre-session check-in: the practitioner's coded reason, who, when.
    check_in_override = models.CharField(max_length=20, choices=CheckInOverride.choices, blank=True)
    check_in_override_notes = models.TextField(max_length=2000, blank=True)
    check_in_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_in_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "number"]
        indexes = [
            models.Index(
                fields=["target_date"],
                condition=Q(status="planned"),
                name="session_planned_date_idx",
            ),
            models.Index(
                fields=["blocked_at"],
                condition=Q(blocked_at__isnull=False),
                name="session_blocked_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="session_unique_number"),
            choices_check("kind", SessionKind, name="session_valid_kind"),
            choices_check("status", SessionStatus, name="session_valid_status"),
            choices_check(
                "check_in_override", CheckInOverride, name="session_valid_override", blank=True
            ),
            models.CheckConstraint(
                condition=(
                    Q(check_in_override="")
                    & Q(check_in_override_by__isnull=True, check_in_override_at__isnull=True)
                )
                | (
                    ~Q(check_in_override="")
                    & Q(check_in_override_by__isnull=False, check_in_override_at__isnull=False)
                ),
                name="session_override_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(check_in_override="other") | ~Q(check_in_override_notes=""),
                name="session_other_override_has_notes",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} on {self.target_date:%d %b %Y}"

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class SessionClearance(models.Model):
    """A practitioner's decision on a session a check-in blocked. Append-only."""

    Outcome = ClearanceOutcome

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="clearances")
    check_in = models.ForeignKey(
        "CheckIn", on_delete=models.PROTECT, null=True, blank=True, related_name="clearances"
    )
    outcome = models.CharField(max_length=16, choices=ClearanceOutcome.choices)
    treatment = models.CharField(
        max_length=32, choices=Treatment.choices, blank=True, help_text="When changed: the new one."
    )
    reason = models.TextField(max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            choices_check("outcome", ClearanceOutcome, name="clearance_valid_outcome"),
            choices_check("treatment", Treatment, name="clearance_valid_treatment", blank=True),
            models.CheckConstraint(condition=~Q(reason=""), name="clearance_has_reason"),
            models.CheckConstraint(
                condition=(Q(outcome="change") & ~Q(treatment=""))
                | (~Q(outcome="change") & Q(treatment="")),
                name="clearance_treatment_when_changed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.get_outcome_display()}"


class SessionRecord(models.Model):
    """What was performed at one session, at the chair. Never edited: amendments supersede."""

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="records")
    performed_on = models.DateField()
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    treatment = models.CharField(max_length=32, choices=Treatment.choices)
    # Laser
    laser_device = models.CharField(max_length=100, blank=True)
    laser_wavelength_nm = models.PositiveSmallIntegerField(null=True, blank=True)
    laser_spot_mm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    laser_fluence_j_cm2 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    laser_passes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Chemical peel: the agent from the decision's allowed `agents` (rules.PEEL_AGENTS codes)
    peel_agent = models.CharField(max_length=16, blank=True)
    peel_concentration_pct = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    peel_contact_minutes = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    peel_layers = models.PositiveSmallIntegerField(null=True, blank=True)
    peel_neutralisation = models.CharField(max_length=100, blank=True)
    agent_override_reason = models.TextField(
        max_length=2000,
        blank=True,
        help_text="Why an agent outside the allowed list was used (required then).",
    )
    # Microdermabrasion
    mda_tip = models.CharField(max_length=100, blank=True)
    mda_vacuum = models.CharField(max_length=50, blank=True)
    mda_passes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Immediate reaction
    erythema_grade = models.PositiveSmallIntegerField(help_text="0 none to 3 marked.")
    frosting = models.PositiveSmallIntegerField(
        default=0, help_text="Peels: 0 none, 1 irregular, 2 even pink-white, 3 solid white."
    )
    pain = models.PositiveSmallIntegerField(help_text="0 to 10.")
    adverse_events = models.JSONField(default=list, blank=True)
    adverse_notes = models.TextField(max_length=2000, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    amendment_reason = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            # The outcome analytics: the few records that name an adverse event.
            models.Index(
                fields=["session"], condition=~Q(adverse_events=[]), name="record_adverse_idx"
            ),
        ]
        constraints = [
            choices_check("treatment", Treatment, name="record_valid_treatment"),
            models.CheckConstraint(condition=Q(erythema_grade__lte=3), name="record_erythema_0_3"),
            models.CheckConstraint(condition=Q(frosting__lte=3), name="record_frosting_0_3"),
            models.CheckConstraint(condition=Q(pain__lte=10), name="record_pain_0_10"),
            models.CheckConstraint(
                condition=~Q(treatment="chemical_peel") | ~Q(peel_agent=""),
                name="record_peel_has_agent",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(amendment_reason=""),
                name="record_amendment_has_reason",
            ),
            # One first record per session; later ones amend it.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(supersedes__isnull=True),
                name="record_one_first_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.get_treatment_display()}"


class CheckIn(models.Model):
    """A patient's check-in before or after one session, through its own private link."""

    Kind = CheckInKind
    Source = CheckInSource

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="check_ins")
    kind = models.CharField(max_length=16, choices=CheckInKind.choices)
    token = models.CharField(max_length=64, default=new_public_token, editable=False)
    due_on = models.DateField(help_text="When the email goes (pre-session: 2 days before).")
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=CheckInSource.choices, blank=True)
    # Pre-session: every question asked again, with the answer given (contract codes).
    answers = models.JSONField(default=dict, blank=True)
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Pre-session: the rules' run on the updated answers.",
    )
    # Follow-up (day 2, day 14)
    redness = models.CharField(max_length=16, choices=Redness.choices, blank=True)
    swelling = models.BooleanField(null=True)
    breakouts = models.BooleanField(null=True)
    dark_patches = models.CharField(max_length=16, choices=DarkPatches.choices, blank=True)
    blisters_or_crusts = models.BooleanField(null=True)
    infection_signs = models.BooleanField(null=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    pores_now = models.CharField(max_length=16, choices=PoresNow.choices, blank=True)
    # Red flags (blisters, infection signs, spreading dark patches) put the consultation at the
    # top of the practitioners' queue until a practitioner has seen to it.
    red_flag = models.BooleanField(default=False)
    red_flag_handled_at = models.DateTimeField(null=True, blank=True)
    red_flag_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    red_flag_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="checkin_unsent_idx",
            ),
            models.Index(
                fields=["answered_at"],
                condition=Q(red_flag=True, red_flag_handled_at__isnull=True),
                name="checkin_open_red_flag_idx",
            ),
            # The outcome analytics: red flags after a session, day-14 satisfaction.
            models.Index(
                fields=["session"],
                condition=Q(red_flag=True, kind__in=["day_2", "day_14"]),
                name="checkin_red_flag_idx",
            ),
            models.Index(
                fields=["session"],
                include=["satisfaction"],
                condition=Q(kind="day_14", answered_at__isnull=False),
                name="checkin_day_14_answered_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="checkin_unique_token"),
            # One in force per session and kind (a stale pre-session one is cancelled, kept).
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=Q(cancelled_at__isnull=True),
                name="checkin_once_per_kind",
            ),
            choices_check("kind", CheckInKind, name="checkin_valid_kind"),
            choices_check("source", CheckInSource, name="checkin_valid_source", blank=True),
            choices_check("redness", Redness, name="checkin_valid_redness", blank=True),
            choices_check(
                "dark_patches", DarkPatches, name="checkin_valid_dark_patches", blank=True
            ),
            choices_check("pores_now", PoresNow, name="checkin_valid_pores_now", blank=True),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__lte=10),
                name="checkin_satisfaction_0_10",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(source=""),
                name="checkin_answered_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.session}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.cancelled_at is None


class AnswerUpdate(models.Model):
    """An answer a check-in changed: which, from, to, from whom and when. Append-only."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="answer_updates"
    )
    check_in = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="updates")
    field = models.CharField(max_length=64)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    source = models.CharField(max_length=16, choices=CheckInSource.choices)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [choices_check("source", CheckInSource, name="answerupdate_valid_source")]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: {self.field}"


def session_dates(start: datetime.date, count: int, interval_weeks: int) -> list[datetime.date]:
    """Target dates of `count` sessions `interval_weeks` apart from `start`."""
    return [start + datetime.timedelta(weeks=interval_weeks * i) for i in range(count)]
