"""gunicorn settings: `make serve`, the benchmarks and the tests that run real servers use them.

gunicorn reads this file from the working directory by default. Environment:

- GUNICORN_BIND (default 127.0.0.1:8000): where to listen.
- WEB_CONCURRENCY: worker processes. The default is what `make bench` measured best on a
  2-core machine (README, "Production-like server").
- GUNICORN_TIMEOUT (30 s): a worker silent this long is killed and replaced. A request stuck on
  the database ends well before, as a 503 page (DB_REQUEST_TIMEOUT, 5 s).
- GUNICORN_ACCESS_LOG (default "-", stdout; empty for none).
"""

from __future__ import annotations

import importlib.util
import os

wsgi_app = "clinic.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Sync workers serve one request at a time on their main thread: the database deadline
# (clinic/db_unavailable.py) relies on that, and the app's work is CPU and database. A slow
# client holds a sync worker for as long as it takes to send its request, so production puts
# nginx in front (deploy/nginx/, tested in tests/clinic/test_nginx.py), which reads every
# request whole before passing it on.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = 20
# Several instances may run on one machine (scale-out test, benchmarks): no shared control
# socket in $HOME.
control_socket_disable = True

# The access log names the path only, never the query string or the referrer: those can carry
# a patient's name typed into the staff search, or another page's address.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# Patients' private link tokens (/c/<token>/, resume links) are masked in the access log. The
# benchmark's peer project reuses this file without our code, and keeps gunicorn's own logger.
if importlib.util.find_spec("clinic") is not None:
    logger_class = "clinic.logmask.GunicornLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
