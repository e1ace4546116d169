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
    protocol.treatment: protocol
    for protocol in (
        # Columns: treatment, sessions, weeks apart, typical course, then the plan's bounds:
        # sessions min, max, weeks apart min, max.
        # Section 2.3: picosecond fractional, 3-6 sessions at ~4-week intervals (2-3 weeks
        # reported).
        Protocol("laser", 4, 4, "3-6 sessions about 4 weeks apart", 1, 8, 2, 8),
        # Section 2.2: superficial series of ~4-6 at 2-4-week intervals.
        Protocol("chemical_peel", 5, 3, "4-6 sessions 2-4 weeks apart", 1, 8, 1, 6),
        # Section 2.4: series of ~6-10 at 1-2-week intervals.
        Protocol("microdermabrasion", 6, 2, "6-10 sessions 1-2 weeks apart", 1, 12, 1, 4),
    )
}
