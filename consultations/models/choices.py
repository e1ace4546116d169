"""The records' vocabularies: the contract's codes with their clinical terms, and the
reference and token formats. Labels come from the questionnaire (every wording once).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from consultations import rules
from consultations.questionnaire import term

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "PX-"
REFERENCE_LENGTH = 5


def new_reference() -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


def new_public_token() -> str:
    """An unguessable token (192 bits) for the patient's private links."""
    return secrets.token_urlsafe(24)


def new_draft_key() -> str:
    """The secret that ties a draft to the browsers (and the one resume link) allowed to edit
    it: a new one each time a resume link is emailed and when the patient is anonymised."""
    return secrets.token_urlsafe(24)


def choices_check(field: str, choices: type[models.Choices], *, name: str, blank: bool = False):
    """A named check constraint that keeps a text column inside its TextChoices."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


class Treatment(models.TextChoices):
    LASER = "laser", "Picosecond laser"
    CHEMICAL_PEEL = "chemical_peel", "Chemical peel"
    MICRODERMABRASION = "microdermabrasion", "Microdermabrasion"


class Primary(models.TextChoices):
    """What the rules suggest first: a treatment, or no automatic suggestion."""

    LASER = "laser", Treatment.LASER.label
    CHEMICAL_PEEL = "chemical_peel", Treatment.CHEMICAL_PEEL.label
    MICRODERMABRASION = "microdermabrasion", Treatment.MICRODERMABRASION.label
    DEFER = "defer_to_practitioner", "Defer to practitioner"


# Answer vocabularies: the codes are the contract's, the labels the clinical terms of the
# questionnaire (consultations/questionnaire.py holds every wording once).


class Sebum(models.TextChoices):
    DRY = "dry", term("sebum", "dry")
    NORMAL = "normal", term("sebum", "normal")
    OILY = "oily", term("sebum", "oily")
    VERY_OILY = "very_oily", term("sebum", "very_oily")


class Goal(models.TextChoices):
    PORE_SIZE = "pore_size", term("goals", "pore_size")
    OILINESS = "oiliness", term("goals", "oiliness")
    TEXTURE = "texture", term("goals", "texture")
    TONE_PIGMENTATION = "tone_pigmentation", term("goals", "tone_pigmentation")
    ACNE_SCARS = "acne_scars", term("goals", "acne_scars")
    FINE_LINES = "fine_lines", term("goals", "fine_lines")


class FitzpatrickSource(models.TextChoices):
    SELF_REPORT = "self_report", term("fitzpatrick_source", "self_report")
    QUESTIONNAIRE = "questionnaire", term("fitzpatrick_source", "questionnaire")
    PRACTITIONER = "practitioner", term("fitzpatrick_source", "practitioner")


class DowntimeTolerance(models.TextChoices):
    NONE = "none", term("downtime_tolerance", "none")
    FEW_DAYS = "few_days", term("downtime_tolerance", "few_days")
    WEEK_OR_MORE = "week_or_more", term("downtime_tolerance", "week_or_more")


# The boolean health answers of the contract, in contract order. Each maps 1:1 to a flag.
HEALTH_FIELDS = rules.BOOLEAN_FIELDS
# Questionnaire 2026.1 asked only these; its consultations may lack the 2026.2 answers (R45).
HEALTH_FIELDS_2026_1 = tuple(code for code in HEALTH_FIELDS if code not in rules.NEW_CODES_2026_2)
NEW_HEALTH_FIELDS_2026_2 = rules.NEW_BOOLEAN_FIELDS_2026_2
QUESTIONNAIRE_2026_1 = rules.QUESTIONNAIRE_VERSIONS[0]
QUESTIONNAIRE_VERSIONS = rules.QUESTIONNAIRE_VERSIONS


class IsotretinoinTiming(models.TextChoices):
    CURRENT = "current", term("isotretinoin_timing", "current")
    STOPPED_UNDER_1_MONTH = (
        "stopped_under_1_month",
        term("isotretinoin_timing", "stopped_under_1_month"),
    )
    STOPPED_1_TO_6_MONTHS = (
        "stopped_1_to_6_months",
        term("isotretinoin_timing", "stopped_1_to_6_months"),
    )
    NOT_SURE = "not_sure", term("isotretinoin_timing", "not_sure")


class InflamedAcneSeverity(models.TextChoices):
    PAPULES_PUSTULES = "papules_pustules", term("inflamed_acne_severity", "papules_pustules")
    NODULES_CYSTS = "nodules_cysts", term("inflamed_acne_severity", "nodules_cysts")
    NOT_SURE = "not_sure", term("inflamed_acne_severity", "not_sure")


NAME_MAX_LENGTH = 100
FREE_TEXT_MAX_LENGTH = 1000


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EvaluationTrigger(models.TextChoices):
    SUBMISSION = "submission", "Patient submitted"
    CORRECTION = "correction", "Practitioner corrected answers"
    RERUN = "rerun", "Re-run"
    CHECK_IN = "check_in", "Patient's check-in before a session"


class Severity(models.TextChoices):
    STOP = "stop", "Stop"
    CAUTION = "caution", "Caution"
    INFO = "info", "Info"


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted the suggestion"
    CHANGED = "changed", "Chose another treatment"
    DECLINED = "declined", "Declined / referred"


class DecisionReason(models.TextChoices):
    SKIN_TYPE_CORRECTED = "skin_type_corrected", "Skin type corrected on examination"
    CONTRAINDICATION_ON_EXAMINATION = (
        "contraindication_on_examination",
        "Contraindication found on examination",
    )
    PATIENT_PREFERENCE = "patient_preference", "Patient preference"
    CLINICAL_JUDGEMENT = "clinical_judgement", "Clinical judgement"
    REFER_TO_DOCTOR = "refer_to_doctor", "Refer to a doctor"
    OTHER = "other", "Other (see notes)"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed a consultation"
    CORRECT = "correct", "Corrected answers"
    RERUN = "rerun", "Ran the current rules again"
    DECIDE = "decide", "Recorded a decision"
    AMEND = "amend", "Amended a decision"
    EXPORT_CSV = "export_csv", "Exported CSV"
    EXPORT_FHIR = "export_fhir", "Exported FHIR"
    PRINT = "print", "Printed a summary"
    ANONYMISE = "anonymise", "Anonymised a patient"
    COURSE = "course", "Changed a treatment course"
    SESSION = "session", "Recorded a session"
    CLEAR = "clear", "Decided on a blocked session"
    RED_FLAG = "red_flag", "Handled a follow-up red flag"
    PHOTO = "photo", "Viewed a photo"
    PHOTO_ADD = "photo_add", "Added a photo"
    PHOTO_DELETE = "photo_delete", "Deleted a photo"


# --- After the decision: the treatment course (models/course.py) ----------------------------


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class CourseEndReason(models.TextChoices):
    COMPLETED = "completed", "Completed"
    SIDE_EFFECT = "side_effect", "Side effect"
    PATIENT_CHOICE = "patient_choice", "Patient's choice"
    NO_RESPONSE = "no_response", "No response to treatment"
    MOVED_AWAY = "moved_away", "Moved away"
    DECISION_AMENDED = "decision_amended", "Decision amended: no treatment"
    SAFETY_STOP = "safety_stop", "Stopped after a safety check-in"
    OTHER = "other", "Other (see notes)"


class CourseEventKind(models.TextChoices):
    CREATED = "created", "Course planned"
    RESCHEDULED = "rescheduled", "Session rescheduled"
    MAINTENANCE_ADDED = "maintenance_added", "Maintenance session added"
    PAUSED = "paused", "Course paused"
    RESUMED = "resumed", "Course resumed"
    ENDED = "ended", "Course ended"
    REPLANNED = "replanned", "Course re-planned after an amended decision"
    TREATMENT_CHANGED = "treatment_changed", "Treatment changed after a safety check-in"


class AdverseEvent(models.TextChoices):
    """What can go wrong at or just after a session (SessionRecord.adverse_events, codes)."""

    BLISTERING = "blistering", "Blistering"
    CRUSTING = "crusting", "Crusting"
    PROLONGED_ERYTHEMA = "prolonged_erythema", "Prolonged erythema"
    PIH = "pih", "Post-inflammatory hyperpigmentation (PIH)"
    INFECTION = "infection", "Infection"
    BURN = "burn", "Burn"
    OTHER = "other", "Other (see notes)"


class SessionKind(models.TextChoices):
    COURSE = "course", "Course session"
    MAINTENANCE = "maintenance", "Maintenance session"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ClearanceOutcome(models.TextChoices):
    PROCEED = "proceed", "Proceed (reason recorded)"
    CHANGE = "change", "Change the treatment"
    STOP_COURSE = "stop_course", "Stop the course"


class CheckInKind(models.TextChoices):
    PRE_SESSION = "pre_session", "Before the session"
    DAY_2 = "day_2", "Day 2 after the session"
    DAY_14 = "day_14", "Day 14 after the session"


class CheckInOverride(models.TextChoices):
    """Why a session went ahead without the patient's pre-session check-in answered."""

    ANSWERED_VERBALLY = "answered_verbally", "Answered verbally at the chair"
    COULD_NOT_USE_LINK = "could_not_use_link", "Patient could not use the link"
    OTHER = "other", "Other (say why)"


class CheckInSource(models.TextChoices):
    PATIENT_LINK = "patient_link", "Patient, through the emailed link"
    CLINIC_TABLET = "clinic_tablet", "Patient, on a tablet at the clinic"


class Redness(models.TextChoices):
    NONE = "none", "None"
    UNDER_1_DAY = "under_1_day", "Less than a day"
    DAYS_1_TO_3 = "days_1_to_3", "1 to 3 days"
    OVER_3_DAYS = "over_3_days", "More than 3 days, or still red"


class DarkPatches(models.TextChoices):
    NONE = "none", "None"
    SOME = "some", "Some, not growing"
    SPREADING = "spreading", "Spreading or getting darker"


class PoresNow(models.TextChoices):
    BETTER = "better", "Better"
    SAME = "same", "About the same"
    WORSE = "worse", "Worse"
