"""Django admin for the clinic's records.

Rule evaluations, decisions, corrections, consents and the access log are read-only here: they
are written by the intake and review workflow (services.py) and are the clinic's audit trail.
"""

from consultations.admin import (  # noqa: F401  (registers the admin classes)
    audit,
    course,
    outbox,
    photos,
    records,
)
