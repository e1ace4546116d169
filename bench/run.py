"""`make bench`: every measurement in one go, on this machine, over loopback.

1. Fresh bench databases: 10,000 synthetic consultations (seed_demo), 100 for the query-count
   check, and a copy grown to 1,000,000 (bench/fill.py); each ANALYZEd; the peer's own database.
2. Round trips and CPU per request (bench/queries.py, and the peer's counterpart) at 100,
   10,000 and 1,000,000 rows. The photo rows among them (bench/photos.py): the photo view
   (display copy, full original, thumbnail, the patient's link) and a 12 MP upload, on a photo
   stored in each database (in a temporary PHOTOS_ROOT, removed at the end).
3. gunicorn worker counts 2..5 on the practitioner queue page (unless --workers): the best is
   used below and is the recommendation in the README.
4. wrk against two gunicorns at once, on 10,000 and on 1,000,000 rows, row by row in turn: the
   bare view (BENCH_ENDPOINTS=1), an intake step POST, the final submit, the queue page, the
   detail page and the practitioner's photo GETs (thumbnail, display); each as a ratio to its
   server's bare view. The upload is held to a CPU budget instead (bench/photos.py).
5. The peer (django-survey-and-report) under the same gunicorn settings: its survey POST.
6. The load run: 50 simulated patients, nothing lost (bench/load.py).

Writes bench/results/bench.json and docs/benchmarks.md (the table is generated; do not edit).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from bench import fill, flows, peer, photos
from bench.load import UNLIMITED, load_run
from bench.server import ROOT, Server, gunicorn, manage, server_env
from bench.wrk import Call, Measurement, run_wrk

RESULTS = ROOT / "bench" / "results" / "bench.json"
REPORT = ROOT / "docs" / "benchmarks.md"
TMP = ROOT / "bench" / "tmp"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench"
# A Redis database of its own (BENCH_REDIS_URL, else the REDIS_URL this checkout uses), so that
# two checkouts benchmarking at once never share keys.
BENCH_REDIS_URL = (
    os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
)
WORKER_COUNTS = (2, 3, 4, 5)
# With only as many workers as cores, a worker waiting on PostgreSQL leaves its core idle.
MIN_WORKERS = (os.cpu_count() or 1) + 1
# Two runs of one worker count differ by up to this much on a shared machine: counts whose
# throughput is this close to the best are taken as equal.
SCAN_NOISE = 0.10
ROWS_BIG, ROWS_SMALL, ROWS_HUGE = 10_000, 100, 1_000_000
# For developing the bench only (a smaller seeded database): the report names the size used.
ROWS_BIG = int(os.environ.get("BENCH_ROWS_BIG", ROWS_BIG))

# Each page at least this fraction of the bare view's throughput (issue 15).
PAGE_TARGETS = {
    "intake step POST (your skin)": 0.20,
    "final submit POST": 0.08,
    "practitioner queue GET": 0.10,
    "consultation detail GET": 0.10,
    **photos.PAGE_TARGETS,  # the practitioner's photo GETs, as the pages they sit on
}
# Each page's CPU per request at ROWS_HUGE at most this times its CPU at ROWS_BIG.
FLAT_TARGET = 1.25
PEER_THROUGHPUT_TARGET = 2.0  # our submission at least twice the peer's submissions/s
PEER_QUERY_TARGET = 0.25  # ... with at most a quarter of its queries


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Databases ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_database_url() -> str:
    """BENCH_DATABASE_URL; else `<name>_bench` beside the PostgreSQL database DATABASE_URL
    names, so that two checkouts (each with its own DATABASE_URL) never drop each other's."""
    if explicit := os.environ.get("BENCH_DATABASE_URL"):
        return explicit
    own = os.environ.get("DATABASE_URL", "")
    if own.startswith(("postgres://", "postgresql://")) and database_name(own):
        return with_database(own, database_name(own) + "_bench")
    return DEFAULT_DATABASE_URL


def recreate_database(url: str) -> None:
    name = database_name(url)
    assert name.replace("_", "").isalnum(), name
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # no Redis here: the database cache it is
        return ""
    return BENCH_REDIS_URL


def prepare_ours(url: str, env: dict[str, str], consultations: int) -> None:
    recreate_database(url)
    db_env = {**env, "DATABASE_URL": url}
    manage("migrate", "--no-input", env=db_env)
    # Production-like: hashed, compressed static files served by whitenoise from the manifest.
    manage("collectstatic", "--no-input", "--verbosity", "0", env=db_env)
    manage(
        "seed_demo",
        "--consultations",
        str(consultations),
        "--allow-demo-logins",
        "--seed",
        "7",
        env=db_env,
    )
    fill.analyze(url)  # autovacuum may be off: the planner needs statistics


def prepare_huge(url: str, template_url: str, consultations: int) -> dict:
    """A copy of the seeded database, grown to `consultations` by bench/fill.py."""
    name, template = database_name(url), database_name(template_url)
    assert name.replace("_", "").isalnum() and template.replace("_", "").isalnum()
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return fill.fill(url, consultations)


def python_module(module: str, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def count_queries(url: str, env: dict[str, str], *args: str) -> dict:
    # The circuit breaker off: one request past the database deadline (503) must not turn
    # the requests measured after it into instant 503s too. The uploads all come from one
    # client: the photo limits off.
    queries_env = {**env, **photos.UNLIMITED, "DATABASE_URL": url, "ALLOWED_HOSTS": "testserver"}
    out = python_module("bench.queries", *args, env={**queries_env, "DB_BREAKER_SECONDS": "0"})
    return json.loads(out.strip().splitlines()[-1])


# The order of the query-counting passes. The flat column compares CPU at 10,000 and at
# 1,000,000 rows: each is counted twice, the passes alternating around the 100-row one, so
# that a spell of noise on the shared machine (minutes long, seen to move a row by 25%) falls
# on both sizes rather than on whichever came second.
PASSES = ("big", "huge", "small", "huge", "big")
CPU_KEYS = ("app_cpu_ms", "db_cpu_ms", "cpu_ms")


def counted_side_by_side(urls: dict[str, str], env: dict[str, str]) -> dict:
    """bench/queries.py's counts for each database, passes in PASSES' order; where a size
    had several, each page keeps the most round trips any pass made and the least pass's CPU
    (as the least round within a pass: other processes only ever add to it)."""
    passes: dict[str, list[dict]] = {}
    for size in PASSES:
        passes.setdefault(size, []).append(count_queries(urls[size], env))
    counted = {}
    for size, runs in passes.items():
        first = runs[0]
        for name, page in first["pages"].items():
            others = [run["pages"][name] for run in runs[1:]]
            counts = {page["queries"], *(other["queries"] for other in others)}
            if len(counts) > 1:  # shown as the most, and kept in bench.json
                page.update(queries=max(counts), queries_varied=sorted(counts))
            least = min([page, *others], key=lambda row: row["cpu_ms"])
            page.update({key: least[key] for key in CPU_KEYS}, passes=len(runs))
        counted[size] = first
    return counted


def make_pool(url: str, env: dict[str, str], **counts: int) -> dict:
    TMP.mkdir(parents=True, exist_ok=True)
    path = TMP / f"pool-{secrets.token_hex(3)}.json"
    args = [f"--{k.replace('_', '-')}={v}" for k, v in counts.items()]
    python_module("bench.prepare", *args, f"--out={path}", env={**env, "DATABASE_URL": url})
    pool = json.loads(path.read_text())
    path.unlink()
    return pool


# --- Requests -------------------------------------------------------------------------------


def headers(server: Server, cookies: dict[str, str], *, post: bool = False) -> dict[str, str]:
    result = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if post:
        result["Content-Type"] = "application/x-www-form-urlencoded"
        result["Origin"] = server.url
    return result


def form_body(fields: dict[str, str], csrf: str) -> str:
    return urlencode({**fields, "csrfmiddlewaretoken": csrf})


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def wrk(
        self,
        server: Server,
        calls: list[Call],
        name: str,
        expected: int,
        *,
        warm_calls: list[Call] | None = None,
        seconds: float | None = None,
    ) -> Measurement:
        """A short warm-up (on `warm_calls` when given), then the measured run."""
        common = {"connections": self.args.connections, "threads": 1, "expected_status": expected}
        if self.args.warmup:
            run_wrk(
                server.url,
                warm_calls or calls,
                seconds=self.args.warmup,
                script_path=TMP / f"{name}-warmup.lua",
                **common,
            )
        return run_wrk(
            server.url,
            calls,
            seconds=seconds or self.args.seconds,
            script_path=TMP / f"{name}.lua",
            **common,
        )


def staff_calls(server: Server, pool: dict, path_for) -> list[Call]:
    calls = []
    for index, reference in enumerate(pool["references"]):
        session = pool["staff"][index % len(pool["staff"])]
        calls.append(
            Call("GET", path_for(reference), headers(server, {pool["session_cookie"]: session}))
        )
    return calls


def draft_calls(
    server: Server, sessions: list[str], pool: dict, path: str, fields: dict
) -> list[Call]:
    csrf = secrets.token_hex(16)
    cookies = {pool["csrf_cookie"]: csrf}
    return [
        Call(
            "POST",
            path,
            headers(server, {**cookies, pool["session_cookie"]: session}, post=True),
            form_body(fields, csrf),
        )
        for session in sessions
    ]


PageRun = tuple[str, list[Call], int, list[Call] | None]  # short name, calls, status, warm-up


def page_runs(server: Server, pool: dict, warm_pool: dict) -> dict[str, PageRun]:
    """What wrk sends for each row of the table, against one server and its database."""
    csrf = secrets.token_hex(16)
    about = [
        Call(
            "POST",
            flows.START_PATH,
            headers(server, {pool["csrf_cookie"]: csrf}, post=True),
            form_body(
                {**flows.about_answers(f"bench-about-{n}@example.com", n), "action": "next"}, csrf
            ),
        )
        for n in range(200)
    ]
    step = draft_calls(
        server, pool["step"], pool, "/consultation/skin/", {**flows.SKIN, "action": "next"}
    )
    # Each draft can be submitted once: the warm-up submits drafts of its own.
    submit = draft_calls(server, pool["submit"], pool, "/consultation/submit/", flows.CONSENT)
    warm = draft_calls(server, warm_pool["submit"], pool, "/consultation/submit/", flows.CONSENT)
    return {
        "bare view (constant)": ("bare", [Call("GET", "/bench/constant/", {})], 200, None),
        "intake first step POST (about you: new draft)": ("about", about, 302, None),
        "intake step POST (your skin)": ("step", step, 302, None),
        "final submit POST": ("submit", submit, 302, warm),
        "practitioner queue GET": (
            "queue",
            staff_calls(server, pool, lambda _ref: flows.QUEUE_PATH),
            200,
            None,
        ),
        "consultation detail GET": (
            "detail",
            staff_calls(server, pool, lambda ref: f"/staff/consultations/{ref}/"),
            200,
            None,
        ),
        photos.THUMBNAIL: ("thumbnail", photo_calls(server, pool, photos.THUMBNAIL), 200, None),
        photos.DISPLAY: ("display", photo_calls(server, pool, photos.DISPLAY), 200, None),
    }


def photo_calls(server: Server, pool: dict, row: str) -> list[Call]:
    """The practitioners' sessions in turn, each opening the pool's photos (bench/photos.py)."""
    return [
        Call("GET", paths[row], headers(server, {pool["session_cookie"]: session}))
        for session in pool["staff"]
        for paths in pool["photos"]
    ]


def measure_side_by_side(
    bench: Bench, sides: dict[str, tuple[Server, dict, dict]]
) -> dict[str, dict[str, Measurement]]:
    """Every row against each server in turn (10,000 rows, then 1,000,000, row by row), so
    that a shared machine's drift falls on both columns alike."""
    runs = {side: page_runs(*args) for side, args in sides.items()}
    results: dict[str, dict[str, Measurement]] = {side: {} for side in sides}
    for name in runs[next(iter(sides))]:
        for side, (server, _pool, _warm) in sides.items():
            short, calls, status, warm = runs[side][name]
            log(f"{name}: {side}")
            results[side][name] = bench.wrk(
                server, calls, f"{side}-{short}", status, warm_calls=warm
            )
    return results


PAGE_FOR = {
    "intake first step POST (about you: new draft)": "about POST",
    "intake step POST (your skin)": "skin POST",
    "final submit POST": "submit POST",
    "practitioner queue GET": "queue GET",
    "consultation detail GET": "detail GET",
    **{row: row for row in photos.PAGE_TARGETS},  # bench/queries.py's rows of the same name
}


def page_rows(measurements: dict[str, Measurement], pages: dict) -> dict:
    """Each page's wrk run with its round trips and CPU per request (bench/queries.py)."""
    rows = {}
    for name, measurement in measurements.items():
        row = asdict(measurement)
        row["unexpected"] = measurement.unexpected
        page = pages.get(PAGE_FOR.get(name, ""))
        row["queries"] = page["queries"] if page else 0
        row["alone"] = {"ms": page["ms"], "sql_ms": page["sql_ms"]} if page else None
        row["cpu"] = {k: page[k] for k in ("app_cpu_ms", "db_cpu_ms", "cpu_ms")} if page else None
        rows[name] = row
    return rows


# --- Report ---------------------------------------------------------------------------------


def yes(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def ratio_fit(data: dict) -> tuple[float, float] | None:
    """This run's line through its pages: 1 / ratio = a + b * C for a page with C ms of CPU
    (least squares over every row with a CPU figure), from which the CPU a target allows."""
    bare = data["ours"]["bare view (constant)"]["rps"]
    points = [
        (row["cpu"]["cpu_ms"], bare / row["rps"])
        for row in data["ours"].values()
        if row.get("cpu") and row.get("rps")
    ]
    if len(points) < 3:
        return None
    n = len(points)
    mean_c = sum(c for c, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((c - mean_c) ** 2 for c, _ in points)
    if not spread:
        return None
    b = sum((c - mean_c) * (y - mean_y) for c, y in points) / spread
    return mean_y - b * mean_c, b


CACHE_NOTE = (
    " It opens consultations picked at random from the whole table, a database of several GB "
    "beside PostgreSQL's 128 MB of shared buffers: measured apart, about 7 of its 80 block "
    "reads per request come from outside PostgreSQL's cache."
)


# A page that misses its ratio while its CPU is within what the ratio allows.
WITHIN_NOTE = (
    " Its in-process CPU is within that, yet under wrk it reached less than the line predicts "
    "for that CPU (about {predicted:.3f}x): what it costs beyond the in-process count (gunicorn "
    "reading the request and writing the page, the consultations it opens in turn) or the "
    "shared machine's noise, which moves a row by several hundredths from run to run."
)


def missed(data: dict) -> list[str]:
    """Where a target is missed, and why: the page's CPU against what the target allows."""
    bare = data["ours"]["bare view (constant)"]["rps"]
    huge_bare = data["ours_huge"]["bare view (constant)"]["rps"]
    fit = ratio_fit(data)
    lines = []
    for name, goal in PAGE_TARGETS.items():
        row, huge = data["ours"][name], data["ours_huge"][name]
        ratio = row["rps"] / bare if bare else 0
        cpu, huge_cpu = row["cpu"]["cpu_ms"], huge["cpu"]["cpu_ms"]
        if ratio < goal:
            allowed = (1 / goal - fit[0]) / fit[1] if fit and fit[1] > 0 else None
            lines.append(
                f"- {name}: {ratio:.3f}x, target {goal}x. It spends {cpu:.1f} ms of CPU per "
                f"request ({row['cpu']['app_cpu_ms']:.1f} in Django, "
                f"{row['cpu']['db_cpu_ms']:.1f} in PostgreSQL)"
                + (
                    f"; {goal}x allows about {allowed:.1f} ms on this run's line through its "
                    f"pages (1 / ratio = {fit[0]:.2f} + {fit[1]:.2f} x CPU ms)."
                    if fit and allowed is not None
                    else "."
                )
                + (
                    WITHIN_NOTE.format(predicted=1 / (fit[0] + fit[1] * cpu))
                    if fit and allowed is not None and cpu <= allowed
                    else ""
                )
                + photos.missed_because(name, data["queries"]["big"]["pages"].get(name, {}))
            )
        huge_ratio = huge["rps"] / huge_bare if huge_bare else 0
        if ratio and huge_ratio < ratio / FLAT_TARGET:
            lines.append(
                f"- {name} at {data['rows_huge']:,} rows: {huge_ratio:.3f}x against "
                f"{ratio:.3f}x ({huge['rps']:.0f} against {row['rps']:.0f} req/s, the bare "
                f"view {huge_bare:.0f} against {bare:.0f}), while its CPU per request is "
                f"{huge_cpu:.1f} ms against {cpu:.1f} ms ({huge_cpu / cpu:.2f}x): the "
                "difference is not work but waiting, and the shared machine."
                + (CACHE_NOTE if name == "consultation detail GET" else "")
            )
    lines += not_flat(data)
    lines += photos.upload_missed(data["queries"], query_sizes(data))
    if not lines:
        return []
    return ["", "### Targets missed, and why", "", *lines]


# bench/queries.py's rounds (read there from the same variables, in its own process).
PROFILE_REPEATS = int(os.environ.get("BENCH_PROFILE_REPEATS", "60"))
PROFILE_ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "3"))

# The intake's step saves: one draft read and saved by primary key, whatever the table's size.
STEP_SAVES = {
    f"{step} POST" for step in ("skin", "goals", "health", "skin-now", "treatments", "history")
}

# Why a request's cost still grows with the table (the query table's "flat" column).
GROWS_BECAUSE = {
    "queue search GET": "a surname many patients share matches more consultations in a bigger "
    "table; the search reads at most 251 of them for the count and 251 in the tab on show "
    "(selectors_search.counted), and the page's rows in the tab's order, so what is left is "
    "where in the table those matches lie",
}


def query_sizes(data: dict) -> list[tuple[str, int]]:
    """The query table's databases: bench.json's key, and how many consultations."""
    return [("small", ROWS_SMALL), ("big", ROWS_BIG), ("huge", data["rows_huge"])]


def not_flat(data: dict) -> list[str]:
    """Requests of the query table whose CPU at the large size is over FLAT_TARGET x."""
    big, huge = (data["queries"][k]["pages"] for k in ("big", "huge"))
    lines = []
    for name, row in big.items():
        if not row["cpu_ms"]:
            continue
        growth = huge[name]["cpu_ms"] / row["cpu_ms"]
        status = huge[name]["status"] != row["status"]
        if growth > FLAT_TARGET or status:
            answered = f", answered {huge[name]['status']}" if status else ""
            same_queries = huge[name]["queries"] == row["queries"] and not status
            if GROWS_BECAUSE.get(name):
                why = GROWS_BECAUSE[name]
            elif same_queries and growth < 1.5:
                why = (
                    "the same queries at both sizes: a difference this small is within the "
                    "shared machine's run-to-run noise"
                )
            elif same_queries and name in STEP_SAVES:
                why = (
                    "the same three queries at both sizes (the draft read and saved by its "
                    "primary key): not shown to grow with the table; the machine's noise, as "
                    "the other steps' rows suggest, until a run says otherwise"
                )
            else:
                why = "its cost grows with the table"
            lines.append(
                f"- {name} at {data['rows_huge']:,} rows: {huge[name]['cpu_ms']:.1f} ms of CPU "
                f"against {row['cpu_ms']:.1f} ms ({growth:.2f}x{answered}): " + why + "."
            )
    return lines


def write_report(data: dict) -> None:
    huge_rows = data["rows_huge"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand. Raw numbers: "
        "`bench/results/bench.json`.",
        "",
        f"- Run: {data['date']}, commit `{data['commit']}`",
        f"- Machine: {data['machine']}",
        f"- Load average (1, 5, 15 min) at the start: {data['loadavg']}; at the end: "
        f"{data['loadavg_end']} (the run's own servers and wrk included; other processes "
        "share the machine, so numbers vary from run to run)",
        f"- Servers: gunicorn, {data['workers']} sync workers, DEBUG off, whitenoise, "
        f"access log on; PostgreSQL on loopback; cache: {data['cache']}",
        f"- Load: wrk, {data['wrk']['connections']} connections, "
        f"{data['wrk']['warmup']} s warm-up, then {data['wrk']['seconds']} s measured per row",
        "",
        "## Pages, against the bare Django view of the same run",
        "",
        "The bare view returns a constant through the same gunicorn and middleware stack. "
        f"Each page runs against a database of {ROWS_BIG:,} consultations and, with a server "
        f"of its own, one of {huge_rows:,} (bench/fill.py copied the seeded clinic in "
        f"{data['fill']['seconds']:.0f} s), each as a ratio to that server's bare view. "
        "CPU is per request in-process (`bench/queries.py`): Django's and the PostgreSQL "
        f"backend's serving it, averaged over {PROFILE_REPEATS} requests, the least of "
        f"{PROFILE_ROUNDS} such rounds in each of {PASSES.count('big')} passes, the "
        f"{ROWS_BIG:,}- and {huge_rows:,}-row passes alternating "
        "(other processes share the machine and only ever add to a round). Targets: the ratio at "
        f"{ROWS_BIG:,} rows, and CPU at {huge_rows:,} rows at most {FLAT_TARGET}x CPU at "
        f"{ROWS_BIG:,}.",
        "",
        f"| request | x bare view ({ROWS_BIG:,}) | req/s | p50 ms | target | "
        f"x bare view ({huge_rows:,}) | queries | CPU ms ({ROWS_BIG:,}): app + db | "
        f"CPU ms ({huge_rows:,}) | CPU ratio | flat |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    bare = data["ours"]["bare view (constant)"]["rps"]
    huge_bare = data["ours_huge"]["bare view (constant)"]["rps"]
    for name, row in data["ours"].items():
        huge = data["ours_huge"][name]
        ratio = row["rps"] / bare if bare else 0
        goal = PAGE_TARGETS.get(name)
        target = f">= {goal}: {yes(ratio >= goal)}" if goal else "-"
        for rows_name, each in ((f"{ROWS_BIG:,}", row), (f"{huge_rows:,}", huge)):
            if each["unexpected"]:
                target += f" ({each['unexpected']} unexpected responses at {rows_name})"
        cpu, huge_cpu = row.get("cpu"), huge.get("cpu")
        cpu_text = (
            f"{cpu['cpu_ms']:.1f} ({cpu['app_cpu_ms']:.1f} + {cpu['db_cpu_ms']:.1f})"
            if cpu
            else "-"
        )
        huge_text = (
            f"{huge_cpu['cpu_ms']:.1f} ({huge_cpu['app_cpu_ms']:.1f} + {huge_cpu['db_cpu_ms']:.1f})"
            if huge_cpu
            else "-"
        )
        growth = huge_cpu["cpu_ms"] / cpu["cpu_ms"] if cpu and huge_cpu and cpu["cpu_ms"] else 0
        flat = f"{growth:.2f} | {yes(growth <= FLAT_TARGET)}" if cpu else "- | -"
        queries = f"{row.get('queries', '-')} / {huge.get('queries', '-')}" if cpu else "-"
        lines.append(
            f"| {name} | {ratio:.3f} | {row['rps']:.0f} | {row['p50_ms']} | {target} | "
            f"{huge['rps'] / huge_bare if huge_bare else 0:.3f} | {queries} | {cpu_text} | "
            f"{huge_text} | {flat} |"
        )
    cores = data.get("cores") or os.cpu_count() or 1
    budget = cores * 1000 / bare if bare else 0
    lines += [
        "",
        f"At saturation the machine's {cores} cores spend about {budget:.1f} ms per bare-view "
        "request (the framework floor: gunicorn, the middleware stack, no query); a page "
        "that costs C ms of CPU more gets about floor / (floor + C) of the bare view's "
        "throughput, if the in-process CPU were all it cost. It is not (gunicorn, the "
        "response's bytes, the caches the pages share): "
        + (
            "this run's line through its pages is 1 / ratio = {:.2f} + {:.2f} x CPU ms, "
            "which the targets' CPU figures below use. ".format(*fit)
            if (fit := ratio_fit(data))
            else ""
        )
        + "Queries include the connection health check's `SELECT 1` (one round "
        "trip per request that touches the database) and BEGIN/COMMIT/SAVEPOINT.",
        "",
        "The queue page is kept rendered in each server process while nothing it shows has "
        "changed (`consultations/review/page_cache.py`: a counter PostgreSQL triggers raise at "
        "every commit that touches what it shows, and the minute of the clock). The wrk row "
        "is practitioners reloading an unchanged queue: each of the 8 practitioners' first "
        "view in each process and minute renders it. What a view costs when the page must be "
        "rendered (the first after any change) is the query table's \"queue GET (after a "
        'change)" row.',
        "",
        "The photo rows open one phone photo (12 MP, its JPEG re-encoded as an upload is, "
        "its thumbnail and its 1600 px display copy) stored in each database "
        "(`bench/photos.py`); the photo table holds only the bench's own photos (seed_demo "
        "makes none, bench/fill.py copies none), and each photo request finds its photo by "
        "primary key.",
        *photos.upload_report(data["queries"], query_sizes(data)),
        *missed(data),
    ]
    p = data["peer"]
    ours_submit = data["ours"]["final submit POST"]
    throughput_ratio = ours_submit["rps"] / p["post"]["rps"] if p["post"]["rps"] else 0
    about_rps = data["ours"]["intake first step POST (about you: new draft)"]["rps"]
    step_rps = data["ours"]["intake step POST (your skin)"]["rps"]
    whole = 1 / (1 / about_rps + 3 / step_rps + 1 / ours_submit["rps"])
    query_ratio = ours_submit["queries"] / p["queries"]["survey POST"]["queries"]
    lines += [
        "",
        "## Submission, side by side with django-survey-and-report",
        "",
        f"The peer ({p['package']}, its own virtualenv and database, same Django, driver, "
        f"database settings and gunicorn settings) serves a one-page survey with "
        f"{p['questions']} questions, as many as our intake asks. One submission: its survey "
        "POST, and our final submit POST (our answers were saved by the step POSTs before: "
        "the whole intake's queries are in the last row).",
        "",
        "| | ours | peer | ours / peer | target |",
        "|---|---:|---:|---:|---|",
        f"| submissions per second | {ours_submit['rps']:.0f} | {p['post']['rps']:.0f} | "
        f"{throughput_ratio:.2f} | >= {PEER_THROUGHPUT_TARGET}: "
        f"{yes(throughput_ratio >= PEER_THROUGHPUT_TARGET)} |",
        f"| p50 / p95 ms | {ours_submit['p50_ms']} / {ours_submit['p95_ms']} | "
        f"{p['post']['p50_ms']} / {p['post']['p95_ms']} | | |",
        f"| queries per submission | {ours_submit['queries']} | "
        f"{p['queries']['survey POST']['queries']} | {query_ratio:.2f} | <= {PEER_QUERY_TARGET}: "
        f"{yes(query_ratio <= PEER_QUERY_TARGET)} |",
        f"| queries for the whole questionnaire | {data['whole_intake_queries']} (4 step POSTs "
        f"+ submit) | {p['queries']['survey POST']['queries']} (one POST) | "
        f"{data['whole_intake_queries'] / p['queries']['survey POST']['queries']:.2f} | |",
        f"| whole questionnaires per second (estimate) | {whole:.0f} | {p['post']['rps']:.0f} | "
        f"{whole / p['post']['rps'] if p['post']['rps'] else 0:.2f} | |",
        f"| x our bare view | {ours_submit['rps'] / bare:.2f} | {p['post']['rps'] / bare:.2f} "
        "| | |",
        "",
        "The estimate adds up the measured costs of our four answer POSTs (the first step, "
        "then three like the skin step) and the submit: 1 / (1/about + 3/step + 1/submit) "
        "requests per second; the peer needs one POST for the same questionnaire.",
        "",
        f"## Queries per request with {ROWS_SMALL}, {ROWS_BIG:,} and {huge_rows:,} consultations",
        "",
        "Counted with Django's CaptureQueriesContext around a test-client request through "
        "the whole middleware stack (`bench/queries.py`), plus the connection health check "
        "that bypasses it; BEGIN/COMMIT/SAVEPOINT count as queries (each is a round trip).",
        "",
        "The analytics page shows the worker's latest count of its numbers and reads no "
        "consultation (docs/decisions/0011-analytics-from-snapshots.md); the count itself, on "
        "the task queue, took "
        + ", ".join(
            f"{data['queries'][k].get('analytics_count_seconds', 0):.1f} s at {rows:,}"
            for k, rows in (("small", ROWS_SMALL), ("big", ROWS_BIG), ("huge", huge_rows))
        )
        + " consultations.",
        "",
        f"| request | {ROWS_SMALL} rows | {ROWS_BIG:,} rows | {huge_rows:,} rows | constant | "
        f"CPU ms ({ROWS_BIG:,}) | CPU ms ({huge_rows:,}) | CPU ratio | flat |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    queries = data["queries"]
    small, big, huge = (queries[k]["pages"] for k in ("small", "big", "huge"))
    for name in big:
        counts = {small[name]["queries"], big[name]["queries"], huge[name]["queries"]}
        growth = huge[name]["cpu_ms"] / big[name]["cpu_ms"] if big[name]["cpu_ms"] else 0
        status = "" if huge[name]["status"] == big[name]["status"] else f" ({huge[name]['status']})"
        lines.append(
            f"| {name} | {small[name]['queries']} | {big[name]['queries']} | "
            f"{huge[name]['queries']} | {yes(len(counts) == 1)} | {big[name]['cpu_ms']:.1f} | "
            f"{huge[name]['cpu_ms']:.1f}{status} | {growth:.2f} | "
            f"{yes(growth <= FLAT_TARGET and not status)} |"
        )
    lines += [
        "",
        "## gunicorn workers (practitioner queue page)",
        "",
        "| workers | req/s (mean) | the two runs | p50 ms | p95 ms |",
        "|---:|---:|---|---:|---:|",
        *(
            f"| {w} | {row['rps']:.0f} | {' / '.join(f'{r:.0f}' for r in row.get('runs', []))} "
            f"| {row['p50_ms']} | {row['p95_ms']} |"
            for w, row in data["workers_scan"].items()
        ),
        "",
        f"Chosen: **{data['workers']} workers**: the smallest count within "
        f"{SCAN_NOISE:.0%} (the run-to-run noise) of the best mean "
        f"(fewer processes, less memory, fewer database connections), but at least one more "
        f"than the machine's cores ({MIN_WORKERS}), so that a worker waiting on the database "
        "does not leave a core idle. Each count ran twice, in 2-3-4-5-5-4-3-2 order, for "
        "6 s each.",
        "",
    ]
    load = data.get("load")
    if load:
        lines += [
            "## Load without loss",
            "",
            f"{load['patients']} simulated patients at once through the whole intake, every "
            f"5th submitting twice at the same moment: {load['requests']} requests in "
            f"{load['seconds']:.1f} s; {load['submitted']} submitted consultations, "
            f"{load['lost']} lost, {load['duplicated']} duplicated, {load['half_written']} "
            f"half-written, {load['server_errors']} 5xx responses: "
            f"**{'OK' if load['ok'] else 'FAILED'}**.",
            "",
        ]
    if data.get("notes"):
        lines += ["## Notes", "", *(f"- {note}" for note in data["notes"]), ""]
    REPORT.write_text("\n".join(lines))


def server_errors(logs: Path) -> list[str]:
    """The exception lines of every traceback the servers logged, once each."""
    seen: dict[str, None] = {}
    for path in sorted(logs.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if re.match(r"^[\w.]+(Error|Exception): ", line):
                seen.setdefault(line.strip()[:200])
    return list(seen)


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark; write the results.")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--workers", type=int, help="skip the scan; use this many workers")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument(
        "--huge", type=int, default=ROWS_HUGE, help="consultations in the large database"
    )
    args = parser.parse_args(argv)
    TMP.mkdir(parents=True, exist_ok=True)
    # The photos the bench stores and uploads (bench/photos.py), removed at the end.
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as photos_root:
        return run_all(args, photos_root)


def run_all(args: argparse.Namespace, photos_root: str) -> int:
    started = time.monotonic()
    url = bench_database_url()
    small_url = with_database(url, database_name(url) + "_small")
    huge_url = with_database(url, database_name(url) + "_huge")
    peer_url = with_database(url, database_name(url) + "_peer")
    cache = redis_url()
    env = server_env(
        url, **UNLIMITED, BENCH_ENDPOINTS="1", REDIS_URL=cache, PHOTOS_ROOT=photos_root
    )
    env["SECRET_KEY"] = "bench-" + secrets.token_urlsafe(40)
    data: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "loadavg": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cores": os.cpu_count(),
        "cache": "Redis" if cache else "database cache",
        "wrk": {"connections": args.connections, "seconds": args.seconds, "warmup": args.warmup},
        "notes": [],
    }

    log(f"databases: {ROWS_BIG:,} and {ROWS_SMALL} consultations")
    prepare_ours(url, env, ROWS_BIG)
    prepare_ours(small_url, env, ROWS_SMALL)
    data["rows_huge"] = args.huge
    log(f"database: {args.huge:,} consultations (bench/fill.py)")
    data["fill"] = prepare_huge(huge_url, url, args.huge)
    log(f"filled in {data['fill']['seconds']} s; queries and CPU per request")
    data["queries"] = counted_side_by_side({"big": url, "small": small_url, "huge": huge_url}, env)
    pages = data["queries"]["big"]["pages"]
    data["whole_intake_queries"] = sum(
        pages[f"{step} POST"]["queries"] for step in (*flows.STEP_NAMES, "submit")
    )

    bench = Bench(args)
    pool = make_pool(
        url, env, submit_drafts=4000, step_drafts=400, staff_sessions=8, references=400, photos=1
    )
    warm_pool = make_pool(url, env, submit_drafts=800)
    logs = TMP / "logs"
    shutil.rmtree(logs, ignore_errors=True)  # this run's server logs only

    if args.workers:
        data["workers"], data["workers_scan"] = args.workers, {}
    else:
        # Each count twice, in 2-3-4-5-5-4-3-2 order, so that drift on a shared machine
        # does not favour one count; the table shows both runs and their mean.
        runs: dict[int, list[dict]] = {w: [] for w in WORKER_COUNTS}
        for workers in [*WORKER_COUNTS, *reversed(WORKER_COUNTS)]:
            log(f"queue page with {workers} workers")
            with gunicorn(
                url, workers=workers, env=env, log_path=logs / f"scan-{workers}.log"
            ) as server:
                calls = staff_calls(server, pool, lambda _ref: flows.QUEUE_PATH)
                runs[workers].append(
                    asdict(bench.wrk(server, calls, f"scan-{workers}", 200, seconds=6))
                )
        scan = {
            w: {
                "rps": round(sum(r["rps"] for r in rows) / len(rows), 1),
                "runs": [r["rps"] for r in rows],
                "p50_ms": round(sum(r["p50_ms"] for r in rows) / len(rows), 1),
                "p95_ms": round(sum(r["p95_ms"] for r in rows) / len(rows), 1),
            }
            for w, rows in runs.items()
        }
        best = max(row["rps"] for row in scan.values())
        within = [w for w, row in scan.items() if row["rps"] >= (1 - SCAN_NOISE) * best]
        data["workers"] = max(min(within), MIN_WORKERS)
        data["workers_scan"] = scan

    huge_pool = make_pool(
        huge_url,
        env,
        submit_drafts=4000,
        step_drafts=400,
        staff_sessions=8,
        references=400,
        photos=1,
    )
    huge_warm = make_pool(huge_url, env, submit_drafts=800)
    log(f"our pages with {data['workers']} workers, {ROWS_BIG:,} and {args.huge:,} rows")
    # `env` names the 10,000-row database: the second server is given the large one.
    huge_env = {**env, "DATABASE_URL": huge_url}
    with (
        gunicorn(url, workers=data["workers"], env=env, log_path=logs / "ours.log") as server,
        gunicorn(
            huge_url, workers=data["workers"], env=huge_env, log_path=logs / "huge.log"
        ) as huge_server,
    ):
        both = measure_side_by_side(
            bench,
            {"big": (server, pool, warm_pool), "huge": (huge_server, huge_pool, huge_warm)},
        )
    ours, huge = both["big"], both["huge"]
    data["ours"] = page_rows(ours, pages)
    if ours["final submit POST"].requests > len(pool["submit"]):
        data["notes"].append("The submit pool ran out: later submits were resubmissions.")
    data["ours_huge"] = page_rows(huge, data["queries"]["huge"]["pages"])

    log("peer: django-survey-and-report")
    peer.ensure_venv()
    peer.write_project()
    recreate_database(peer_url)
    peer_env = {**server_env(peer_url), "SECRET_KEY": env["SECRET_KEY"]}
    peer.migrate(peer_env)
    survey = peer.make_survey(peer_env)
    peer_queries = peer.count_queries(peer_env, survey)
    with gunicorn(
        peer_url,
        workers=data["workers"],
        env={"SECRET_KEY": env["SECRET_KEY"]},
        command=peer.gunicorn_command(),
        cwd=peer.PEER_DIR,
        ready_path=f"/survey/{survey['survey']}/",
        log_path=logs / "peer.log",
    ) as server:
        csrf = secrets.token_hex(16)
        call = Call(
            "POST",
            f"/survey/{survey['survey']}/",
            headers(server, {"csrftoken": csrf}, post=True),
            form_body(survey["fields"], csrf),
        )
        post = bench.wrk(server, [call], "peer", 302)
    data["peer"] = {
        "package": "django-survey-and-report "
        + peer.REQUIREMENTS.read_text().split("django-survey-and-report==")[1].split()[0],
        "questions": len(survey["fields"]),
        "queries": peer_queries,
        "post": {**asdict(post), "unexpected": post.unexpected},
    }

    if args.patients:
        log(f"load run: {args.patients} patients")
        with gunicorn(url, workers=data["workers"], env=env, log_path=logs / "load.log") as server:
            report = load_run(server.url, url, patients=args.patients)
        print("\n".join(report.lines()))
        data["load"] = {**asdict(report), "ok": report.ok}

    for name, row in [*data["ours"].items(), ("peer survey POST", data["peer"]["post"])]:
        if row["unexpected"]:
            data["notes"].append(
                f"{name}: {row['unexpected']} of {row['requests']} responses had another status "
                f"than expected ({row['statuses']})."
            )
    data["notes"] += [f"Server error seen: {error}" for error in server_errors(logs)]
    data["loadavg_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    data["seconds"] = round(time.monotonic() - started)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    write_report(data)
    log(f"done in {data['seconds']} s: {REPORT.relative_to(ROOT)}, {RESULTS.relative_to(ROOT)}")
    # The run fails when a scenario did not do what it measures (e.g. CSRF refusals) or the
    # load run lost something; a stray server error is flagged in the table and the notes.
    broken = [
        row
        for row in [*data["ours"].values(), data["peer"]["post"]]
        if row["unexpected"] > 0.01 * row["requests"]
    ]
    return 1 if broken or (data.get("load") and not data["load"]["ok"]) else 0


if __name__ == "__main__":
    sys.exit(main())
