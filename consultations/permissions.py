"""The clinic's own permissions, named once: the model declares them, views and admin check them.

Plain constants (no Django import), so that anything may import them.
"""

from __future__ import annotations

APP_LABEL = "consultations"

# Practitioners: the review pages, decisions, analytics and printable summaries.
REVIEW_CODENAME = "review_consultation"
# Exports take records out of the clinic: granted on purpose, never implied.
EXPORT_CODENAME = "export_consultation"

REVIEW_PERMISSION = f"{APP_LABEL}.{REVIEW_CODENAME}"
EXPORT_PERMISSION = f"{APP_LABEL}.{EXPORT_CODENAME}"

# Consultation.Meta.permissions
CONSULTATION_PERMISSIONS = (
    (REVIEW_CODENAME, "Can review consultations and record decisions"),
    (EXPORT_CODENAME, "Can export consultations (CSV and FHIR)"),
)
