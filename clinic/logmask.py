"""Keep patients' private link tokens out of every log line.

A patient's status page (/c/<token>/...), resume link (/consultation/resume/<signed>/) and
check-in links (/check-in/<token>/) carry the only secret that opens their answers. Django logs
the path of every 4xx/5xx response, and an access log writes every path, so both mask the
secret part before anything is written.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

_SECRET_PATH = re.compile(r"(/c/|/consultation/resume/|/check-in/)[^/\s\"'?]+")
MASK = "[token]"


def mask_paths(text: str) -> str:
    return _SECRET_PATH.sub(lambda m: m.group(1) + MASK, text)


# PostgreSQL explains a failed constraint with the whole row ("DETAIL:  Failing row contains
# (...)"), which would put a patient's answers into a logged traceback.
_ROW_DETAIL = re.compile(r"^DETAIL: .*$", re.MULTILINE)


class MaskPatientTokens(logging.Filter):
    """A handler filter: token path segments masked, database row details dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ROW_DETAIL.sub("DETAIL: [row values removed]", mask_paths(message))
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _ROW_DETAIL.sub("DETAIL: [row values removed]", mask_paths(text))
        return True


try:  # gunicorn is a runtime dependency, but this module must import without it (tests, tools)
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with token path segments masked in the access log, and in its error
    log too ("Error handling request /c/<token>/" when a request escapes Django)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(MaskPatientTokens())

    def atoms(
        self, resp: object, req: object, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_paths(atoms[key])
        return atoms
