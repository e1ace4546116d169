"""An email backend for a production-like run without a mail server (`make serve`).

It shows that an email went, and its subject (which names only the consultation's reference),
never the addresses, the body or the private links in it: the console and file backends write
whole emails (resume links, status links, addresses) into the server's log.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class RedactedConsoleBackend(BaseEmailBackend):
    """Write one line per email to stdout: its subject and how many recipients, nothing else."""

    def __init__(self, *args: Any, stream: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            count = len(message.recipients())
            self.stream.write(
                f"Email sent (body and addresses not shown) to {count} "
                f"recipient{'s' if count != 1 else ''}: {message.subject}\n"
            )
        self.stream.flush()
        return len(email_messages)
