"""The bare view `make bench` compares every page with: the framework's floor on this machine.

Routed only when BENCH_ENDPOINTS is on (clinic/urls.py), and served through the same gunicorn
and middleware stack as every page, so a page's throughput over this view's is what the
page's own work costs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def constant(request: HttpRequest) -> HttpResponse:
    """Return a constant: no template, no session, no query."""
    return HttpResponse(b"ok\n", content_type="text/plain")
