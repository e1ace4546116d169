"""The review tests' shared fixtures."""

from __future__ import annotations

import pytest

from tests.factories import PractitionerFactory


@pytest.fixture
def practitioner_client(client):
    """A client signed in as a practitioner."""
    client.force_login(PractitionerFactory())
    return client
