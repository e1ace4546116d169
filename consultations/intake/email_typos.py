"""A likely typo in an email address ("sam@gmial.com"), to ask about before a link goes there.

Only a suggestion: the patient chooses. Domains are the ones patients in Singapore use most.
"""

from __future__ import annotations

import difflib

COMMON_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.com.sg",
    "hotmail.com",
    "hotmail.sg",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "singnet.com.sg",
    "starhub.net.sg",
    "protonmail.com",
    "proton.me",
)
ENDING_TYPOS = {".con": ".com", ".cmo": ".com", ".vom": ".com", ".comm": ".com", ".ocm": ".com"}


def suggestion(email: str) -> str | None:
    """The address the patient probably meant, or None when it looks as intended."""
    local, at, domain = email.strip().rpartition("@")
    domain = domain.lower()
    if not at or not local or not domain or domain in COMMON_DOMAINS:
        return None
    for wrong, right in ENDING_TYPOS.items():
        if domain.endswith(wrong):
            domain = domain.removesuffix(wrong) + right
            break
    close = difflib.get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)
    meant = close[0] if close else domain
    fixed = f"{local}@{meant}"
    return fixed if fixed.lower() != email.strip().lower() else None
