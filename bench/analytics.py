"""The analytics page alone, at 10,000 and 1,000,000 consultations: `python -m bench.analytics`.

`make bench` measures it with every other page (bench/queries.py, the "analytics GET" row); this
runs only what that row needs, for working on the analytics and outcome queries: the two bench
databases as `make bench` makes them (seed_demo, then bench/fill.py), named after
BENCH_DATABASE_URL (`<name>` and `<name>_huge`), then on each the time the task queue's count
of the page's numbers takes (insight/outcome_snapshots.py) and bench/queries.py's numbers for the
page. `--reuse` keeps databases made by an earlier run (after a migration, `migrate` runs
on them first). Prints JSON and writes bench/results/analytics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from bench import run
from bench.server import ROOT, manage, server_env

RESULTS = ROOT / "bench" / "results" / "analytics.json"


def page(url: str, env: dict[str, str]) -> dict:
    """The worker's count of the page's numbers (seconds), then bench/queries.py's numbers for
    the analytics page, which shows that count."""
    code = (
        "import json, time; from bench import queries; "
        "from consultations.insight.analytics import DateRange; "
        "from consultations.insight.outcome_snapshots import snapshot_count; "
        "started = time.perf_counter(); snapshot_count(DateRange()); "
        "count_seconds = round(time.perf_counter() - started, 2); "
        "from django.test import Client; from django.conf import settings; "
        "from django.urls import reverse; from bench.prepare import staff_sessions; "
        "client = Client(); "
        "client.cookies[settings.SESSION_COOKIE_NAME] = staff_sessions(1)[0]; "
        "queries.connection.ensure_connection(); "
        "print(json.dumps({'outcomes_count_seconds': count_seconds, **queries.profiled("
        "lambda _n: queries.analytics_page(client))}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge", type=int, default=run.ROWS_HUGE)
    parser.add_argument("--reuse", action="store_true", help="keep the databases made before")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DATABASE_URL)
    huge_url = run.with_database(url, run.database_name(url) + "_huge")
    env = server_env(url, REDIS_URL=run.redis_url())
    if args.reuse:
        for each in (url, huge_url):
            manage("migrate", "--no-input", env={**env, "DATABASE_URL": each})
        filled = None
    else:
        run.log(f"database: {run.ROWS_BIG:,} consultations")
        run.prepare_ours(url, env, run.ROWS_BIG)
        run.log(f"database: {args.huge:,} consultations (bench/fill.py)")
        filled = run.prepare_huge(huge_url, url, args.huge)
    run.fill.analyze(huge_url)
    data = {"fill": filled, "big": page(url, env), "huge": page(huge_url, env)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
