"""What needs a practitioner before anything else: follow-ups with an open red flag and sessions
a pre-session check-in blocked, for the top of the review queue and the detail page.

Two queries whatever the numbers, each on a partial index (`checkin_open_red_flag_idx`,
`session_blocked_idx`): the rows they index are the few that need someone now, however many
consultations there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from consultations.models import CheckIn, Consultation, CourseSession, SessionStatus
from consultations.presenters.attention import blocked_line, red_flag_line

# Listed at the top of the queue at most, the longest waiting first. Every open red flag is
# listed (a patient may need the clinic now): the bound only keeps a page readable in a clinic
# that has stopped handling them. Blocked sessions wait for a decision, not on a patient's
# health: fifty. Either way the block says when more are waiting. The cost follows the open
# red flags and blocked sessions, which a working clinic keeps few, not the table.
RED_FLAG_LIMIT = 200
BLOCKED_LIMIT = 50
# Only what the list shows (presenters/attention.py, review/_attention.html): a consultation
# has a column per answer, and building every one of them was a third of the queue's CPU.
SHOWN = ("reference", "patient__first_name", "patient__last_name")
RED_FLAG_COLUMNS: tuple[str, ...] = ("kind", "answered_at", "blisters_or_crusts", "infection_signs")
RED_FLAG_COLUMNS += ("dark_patches", "session__number")
BLOCKED_COLUMNS = ("number", "target_date", "blocked_at", "block_reasons")


@dataclass
class AttentionItem:
    """One consultation that needs a practitioner: what for, and since when."""

    consultation: Consultation
    since: datetime.datetime
    red_flags: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    block_reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Attention:
    items: list[AttentionItem]
    more: bool  # more than the limit of either kind: the longest waiting are shown


def attention(
    red_flag_limit: int = RED_FLAG_LIMIT, blocked_limit: int = BLOCKED_LIMIT
) -> Attention:
    """Consultations with an open red flag or a blocked session, the longest waiting first."""
    red_flags = list(
        CheckIn.objects.filter(red_flag=True, red_flag_handled_at__isnull=True)
        .filter(session__course__consultation__patient__anonymised_at__isnull=True)
        .select_related("session__course__consultation__patient")
        .only(*RED_FLAG_COLUMNS, *(f"session__course__consultation__{c}" for c in SHOWN))
        .order_by("answered_at", "pk")[: red_flag_limit + 1]
    )
    blocked = list(
        CourseSession.objects.filter(blocked_at__isnull=False, status=SessionStatus.PLANNED)
        .filter(course__consultation__patient__anonymised_at__isnull=True)
        .select_related("course__consultation__patient")
        .only(*BLOCKED_COLUMNS, *(f"course__consultation__{c}" for c in SHOWN))
        .order_by("blocked_at", "pk")[: blocked_limit + 1]
    )
    more = len(red_flags) > red_flag_limit or len(blocked) > blocked_limit
    items: dict[int, AttentionItem] = {}
    for check_in in red_flags[:red_flag_limit]:
        consultation = check_in.session.course.consultation
        since = check_in.answered_at
        assert since is not None  # answered: the red flag comes with the answers
        item = items.setdefault(consultation.pk, AttentionItem(consultation, since))
        item.since = min(item.since, since)
        item.red_flags.append(red_flag_line(check_in))
    for session in blocked[:blocked_limit]:
        consultation = session.course.consultation
        assert session.blocked_at is not None
        item = items.setdefault(consultation.pk, AttentionItem(consultation, session.blocked_at))
        item.since = min(item.since, session.blocked_at)
        item.blocked.append(blocked_line(session))
        item.block_reasons.extend(str(reason) for reason in session.block_reasons)
    return Attention(items=sorted(items.values(), key=lambda i: i.since), more=more)


def open_red_flags(consultation: Consultation) -> list[tuple[CheckIn, str]]:
    """The consultation's follow-ups whose red flag is still open, with what they say."""
    check_ins = (
        CheckIn.objects.filter(
            session__course__consultation=consultation,
            red_flag=True,
            red_flag_handled_at__isnull=True,
        )
        .select_related("session")
        .order_by("answered_at", "pk")
    )
    return [(check_in, red_flag_line(check_in)) for check_in in check_ins]
