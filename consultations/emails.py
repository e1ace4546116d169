"""Emails to patients and staff: links only, never answers or health details.

One place builds absolute links (from settings.SITE_URL, never from the request's Host header)
and sends: a mail server that refuses a message is logged with the consultation's reference only
(no address, no content) and never turns a saved submission or decision into an error page.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def status_url(public_token: str) -> str:
    """The patient's private status link."""
    return absolute_url(reverse("intake:status", kwargs={"token": public_token}))


def staff_url(reference: str) -> str:
    """The practitioner's link to a consultation (login and permission required)."""
    return absolute_url(reverse("review:detail", kwargs={"reference": reference}))


def email_send(
    *, template: str, subject: str, to: list[str], context: dict[str, Any], reference: str
) -> bool:
    """Render and send a plain-text email; False (and a log line naming only the reference)
    when the mail server refuses it."""
    body = render_to_string(template, context)
    try:
        send_mail(" ".join(subject.split()), body, None, to)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning(
            "Email %s for consultation %s not sent: %s", template, reference, type(exc).__name__
        )
        return False
    return True
