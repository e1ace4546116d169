"""The clinic's records: patients, their consultations, rule evaluations and decisions.

Answer fields are named after the codes of the intake contract (shared docs,
intake-contract.md), so a field here, a form field, a JSON key and a FHIR linkId are one name.
Database constraints carry the invariants; consultations/services/ is the only code that writes.
"""

from consultations.models.choices import (
    FREE_TEXT_MAX_LENGTH,
    HEALTH_FIELDS,
    HEALTH_FIELDS_2026_1,
    NAME_MAX_LENGTH,
    NEW_HEALTH_FIELDS_2026_2,
    QUESTIONNAIRE_2026_1,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    REFERENCE_PREFIX,
    AccessAction,
    ConsultationStatus,
    DecisionOutcome,
    DecisionReason,
    DowntimeTolerance,
    EvaluationTrigger,
    FitzpatrickSource,
    Goal,
    InflamedAcneSeverity,
    IsotretinoinTiming,
    Primary,
    Sebum,
    Severity,
    Treatment,
    choices_check,
    new_draft_key,
    new_public_token,
    new_reference,
)
from consultations.models.consultation import Consultation, ConsultationQuerySet
from consultations.models.counts import StatusCount
from consultations.models.outbox import EmailKind, EmailStatus, OutboundEmail
from consultations.models.patient import Patient
from consultations.models.records import AccessLog, Consent
from consultations.models.review import (
    AnswerCorrection,
    Decision,
    DecisionQuerySet,
    Evaluation,
    EvaluationFinding,
)
from consultations.questionnaire import QUESTIONNAIRE_VERSION

__all__ = [
    "FREE_TEXT_MAX_LENGTH",
    "HEALTH_FIELDS",
    "HEALTH_FIELDS_2026_1",
    "NAME_MAX_LENGTH",
    "NEW_HEALTH_FIELDS_2026_2",
    "QUESTIONNAIRE_2026_1",
    "QUESTIONNAIRE_VERSION",
    "REFERENCE_ALPHABET",
    "REFERENCE_LENGTH",
    "REFERENCE_PREFIX",
    "AccessAction",
    "AccessLog",
    "AnswerCorrection",
    "Consent",
    "Consultation",
    "ConsultationQuerySet",
    "ConsultationStatus",
    "Decision",
    "DecisionOutcome",
    "DecisionQuerySet",
    "DecisionReason",
    "DowntimeTolerance",
    "EmailKind",
    "EmailStatus",
    "Evaluation",
    "EvaluationFinding",
    "EvaluationTrigger",
    "FitzpatrickSource",
    "Goal",
    "InflamedAcneSeverity",
    "IsotretinoinTiming",
    "OutboundEmail",
    "Patient",
    "Primary",
    "Sebum",
    "Severity",
    "StatusCount",
    "Treatment",
    "choices_check",
    "new_draft_key",
    "new_public_token",
    "new_reference",
]
