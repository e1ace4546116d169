"""What needs a practitioner now, in clinical words: a follow-up's red flags and a session a
pre-session check-in blocked. No queries: selectors_attention fetches the rows."""

from __future__ import annotations

from django.utils.dateformat import format as date_format

from consultations.models import CheckIn, CheckInKind, CourseSession, DarkPatches

KIND_TERMS = {
    CheckInKind.PRE_SESSION: "Pre-session check-in",
    CheckInKind.DAY_2: "Day-2 follow-up",
    CheckInKind.DAY_14: "Day-14 follow-up",
}


def red_flag_findings(check_in: CheckIn) -> list[str]:
    """The answers that raised a follow-up's red flag, in clinical terms."""
    findings = []
    if check_in.blisters_or_crusts:
        findings.append("blisters or crusting")
    if check_in.infection_signs:
        findings.append("signs of infection")
    if check_in.dark_patches == DarkPatches.SPREADING:
        findings.append("spreading hyperpigmentation")
    return findings


def red_flag_line(check_in: CheckIn) -> str:
    """E.g. "Day-2 follow-up after session 1: blisters or crusting, signs of infection"."""
    kind = KIND_TERMS[CheckInKind(check_in.kind)]
    findings = ", ".join(red_flag_findings(check_in)) or "red flag"
    return f"{kind} after session {check_in.session.number}: {findings}"


def blocked_line(session: CourseSession) -> str:
    """E.g. "Session 2 (8 Dec 2026) blocked by the pre-session check-in"."""
    planned = date_format(session.target_date, "j M Y")
    return f"Session {session.number} ({planned}) blocked by the pre-session check-in"
