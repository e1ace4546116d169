"""The rules package is pure Python: importing it never loads Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_rules_in_a_fresh_interpreter_does_not_load_django() -> None:
    code = (
        "import sys\n"
        "import consultations.rules as rules\n"
        "rules.suggest({'fitzpatrick': 3, 'fitzpatrick_source': 'self_report', 'sebum': 'dry',"
        " 'goals': ['texture'], 'age': 40, **dict.fromkeys(rules.BOOLEAN_FIELDS, False)})\n"
        "import consultations.rules.markdown\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
