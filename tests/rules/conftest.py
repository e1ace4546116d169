"""The rules tests need no database; `exhaustive` marks the full scan (RULES_EXHAUSTIVE=1)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "exhaustive: the full exhaustive scan of the rules (run with RULES_EXHAUSTIVE=1)"
    )
