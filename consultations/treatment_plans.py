"""Typical treatment protocols: how many sessions, how far apart (clinical-rules.md section 2).

The practitioner's plan form is pre-filled with `sessions` and `interval_weeks` (one sensible
value inside the published range) and accepts anything inside the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Protocol:
    """A treatment's usual course and the bounds a practitioner's plan must stay within."""

    treatment: str
    sessions: int
    interval_weeks: int
    typical: str
    min_sessions: int
    max_sessions: int
    min_interval_weeks: int
    max_interval_weeks: int


PROTOCOLS: dict[str, Protocol] = {
    # Section 2.3: picosecond fractional, 3-6 sessions at ~4-week intervals (2-3 weeks reported).
    "laser": Protocol(
        treatment="laser",
        sessions=4,
        interval_weeks=4,
        typical="3-6 sessions about 4 weeks apart",
        min_sessions=1,
        max_sessions=8,
        min_interval_weeks=2,
        max_interval_weeks=8,
    ),
    # Section 2.2: superficial series of ~4-6 at 2-4-week intervals.
    "chemical_peel": Protocol(
        treatment="chemical_peel",
        sessions=5,
        interval_weeks=3,
        typical="4-6 sessions 2-4 weeks apart",
        min_sessions=1,
        max_sessions=8,
        min_interval_weeks=1,
        max_interval_weeks=6,
    ),
    # Section 2.4: series of ~6-10 at 1-2-week intervals.
    "microdermabrasion": Protocol(
        treatment="microdermabrasion",
        sessions=6,
        interval_weeks=2,
        typical="6-10 sessions 1-2 weeks apart",
        min_sessions=1,
        max_sessions=12,
        min_interval_weeks=1,
        max_interval_weeks=4,
    ),
}
