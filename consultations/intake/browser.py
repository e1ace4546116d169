"""Which draft this browser holds: the session's side of the intake.

The session names the draft and holds a copy of the draft's key. The key itself lives on the
draft (services.intake), so the session's copy opens the draft only while it is still current:
a resume link emailed away, or an erasure, gives the draft a new key, and a stale session that
a slower request writes back opens nothing. A patient's session ends when the browser closes.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from consultations import selectors
from consultations.models import Consultation

DRAFT_SESSION_KEY = "intake_consultation_id"
# The draft's key when this browser took it on: it opens the draft only while it is still the
# draft's current key (services.intake; a resume link emailed away gives the draft a new one).
DRAFT_KEY_SESSION_KEY = "intake_draft_key"
# After sending: {"id": consultation pk, "at": when it was sent (POSIX time)}.
JUST_SUBMITTED_SESSION_KEY = "intake_just_submitted"
JUST_SUBMITTED_SECONDS = 10 * 60


def consultation(request: HttpRequest) -> Consultation | None:
    """The consultation this browser is filling in, if any (one query): only while the key
    this browser holds is still the draft's."""
    held = selectors.draft_or_sent_by_id(request.session.get(DRAFT_SESSION_KEY))
    if held is None or not held.opens_with(request.session.get(DRAFT_KEY_SESSION_KEY)):
        return None
    return held


def draft_id(request: HttpRequest) -> int | None:
    """The id of the draft this browser names, unread: a save checks the key on the row."""
    pk = request.session.get(DRAFT_SESSION_KEY)
    return pk if isinstance(pk, int) else None


def draft_key(request: HttpRequest) -> str:
    """This browser's copy of the draft's key, for the services to check under the row lock."""
    return str(request.session.get(DRAFT_KEY_SESSION_KEY, ""))


def _until_browser_closes(request: HttpRequest) -> None:
    """A patient's session ends when the browser closes (staff keep their idle timeout).

    Called whenever the intake writes to the session, so that a visitor who only reads a
    page gets no session at all.
    """
    if not request.user.is_authenticated:
        request.session.set_expiry(0)


def remember(request: HttpRequest, consultation: Consultation) -> None:
    """This browser takes on the draft (step 1, or the resume link's button)."""
    # A new session key when a browser takes on a draft, so an old key cannot follow it.
    request.session.cycle_key()
    request.session[DRAFT_SESSION_KEY] = consultation.pk
    request.session[DRAFT_KEY_SESSION_KEY] = consultation.draft_key
    request.session.pop(JUST_SUBMITTED_SESSION_KEY, None)
    request.session.pop(LINK_SENT_SESSION_KEY, None)
    _until_browser_closes(request)


def mark_sent(request: HttpRequest, consultation: Consultation) -> None:
    """Let go of the sent draft: the next person on a shared phone starts a new one."""
    let_go(request)
    sent_at = consultation.submitted_at
    request.session[JUST_SUBMITTED_SESSION_KEY] = {
        "id": consultation.pk,
        "at": sent_at.timestamp() if sent_at else 0,
    }
    _until_browser_closes(request)


def let_go(request: HttpRequest) -> None:
    """Forget the draft: sent, saved for later (the emailed link brings it back), or lost."""
    request.session.pop(DRAFT_SESSION_KEY, None)
    request.session.pop(DRAFT_KEY_SESSION_KEY, None)


# After "save and continue later": {"id", "key": the draft's key the link carries, "email",
# "at"}. For LINK_SENT_SECONDS this browser may show where the link went and send it to a
# corrected address (which gives the draft a new key again: the mistyped link stops working).
# It never opens the answers.
LINK_SENT_SESSION_KEY = "intake_link_sent"
LINK_SENT_SECONDS = 15 * 60


def link_sent(request: HttpRequest, *, consultation_id: int, key: str, email: str) -> None:
    """The link went out: let go of the draft, keep the right to correct the address."""
    let_go(request)
    request.session[LINK_SENT_SESSION_KEY] = {
        "id": consultation_id,
        "key": key,
        "email": email,
        "at": time.time(),
    }
    _until_browser_closes(request)


def link_sent_to(request: HttpRequest) -> dict[str, object] | None:
    """Where this browser's link went ({"id", "key", "email"}), while it may still correct it."""
    sent = request.session.get(LINK_SENT_SESSION_KEY)
    if not isinstance(sent, dict) or not isinstance(sent.get("at"), int | float):
        return None
    if time.time() - sent["at"] > LINK_SENT_SECONDS:
        request.session.pop(LINK_SENT_SESSION_KEY, None)
        return None
    return sent


def recently_sent(request: HttpRequest, consultation: Consultation | None) -> Consultation | None:
    """What this browser sent in the last JUST_SUBMITTED_SECONDS, for the check and submit
    pages only. `consultation`: the session's draft, when it turns out to be sent already
    (another tab sent it a moment ago)."""
    if consultation is not None:
        mark_sent(request, consultation)
    marker = request.session.get(JUST_SUBMITTED_SESSION_KEY)
    if not isinstance(marker, dict) or not isinstance(marker.get("at"), int | float):
        return None
    if time.time() - marker["at"] > JUST_SUBMITTED_SECONDS:
        request.session.pop(JUST_SUBMITTED_SESSION_KEY, None)
        return None
    if consultation is not None and consultation.pk == marker.get("id"):
        return consultation
    return selectors.sent_by_id(marker.get("id"))
