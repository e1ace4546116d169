"""Path converters: a URL reaches a view only when its token or reference has the right shape.

Anything else (a NUL byte, an encoded slash, a long run of odd characters) never reaches a view
or the database: the URL does not match, so the answer is a plain 404.
"""

from __future__ import annotations

from django.urls import register_converter


class TokenConverter:
    """A consultation's public token (secrets.token_urlsafe), at most its column's 64 chars."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedTokenConverter(TokenConverter):
    """A resume link's signed part, "token:timestamp:signature" (django.core.signing)."""

    regex = "[A-Za-z0-9_:-]{1,200}"


class ReferenceConverter(TokenConverter):
    """A consultation reference, e.g. PX-7K3QD (models.new_reference), on staff pages.

    Any capital letter or digit is let through: a reference misread aloud (O for 0) reaches
    the view and is "not found" there, like any other unknown reference.
    """

    regex = "PX-[0-9A-Z]{5}"


# Registered once, here: a URL module that uses these converters imports this module.
register_converter(TokenConverter, "token")
register_converter(SignedTokenConverter, "signed")
register_converter(ReferenceConverter, "reference")
