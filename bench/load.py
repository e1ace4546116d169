"""Load without loss: N simulated patients complete the intake at once; nothing is lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python -m bench.load --patients 50

Each patient (a synthetic email load-<run>-<n>@example.com) answers every step and submits;
every 5th submits twice at the same moment, as a double click does. Afterwards the database
must hold exactly one submitted consultation per patient, none duplicated, none half-written
(each with its rules evaluation and its consent), and no response may have been a
5xx. The run prints the counts and exits 1 on any loss, duplicate, half-written record, 5xx
or failed patient.

Without --url it migrates DATABASE_URL and starts its own gunicorn on a free loopback port,
with the intake's per-client rate limit raised (every simulated patient comes from 127.0.0.1,
so the production limit of INTAKE_RATE_LIMIT would stop the run after a few patients).
Everything is bounded: --max-seconds for the run, 30 s per request, loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.flows import PatientRun
from bench.server import ROOT, gunicorn, manage, server_env

# Every simulated patient shares one address: lift the per-client limits for this server only.
UNLIMITED = {"INTAKE_RATE_LIMIT": "1000000/1m", "INTAKE_EMAIL_RATE_LIMIT": "1000000/1m"}
EMAIL_DOMAIN = "example.com"


@dataclass
class Report:
    run: str
    patients: int
    seconds: float
    requests: int
    statuses: dict[str, int]
    server_errors: int
    failed_patients: int
    submitted: int
    lost: int
    duplicated: int
    half_written: int
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not (
            self.server_errors
            or self.failed_patients
            or self.lost
            or self.duplicated
            or self.half_written
        ) and (self.submitted == self.patients)

    def lines(self) -> list[str]:
        return [
            f"run {self.run}: {self.patients} patients in {self.seconds:.1f} s, "
            f"{self.requests} requests ({self.requests / max(self.seconds, 0.001):.0f}/s)",
            "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
            f"submitted consultations: {self.submitted} of {self.patients}",
            f"lost: {self.lost}  duplicated: {self.duplicated}  half-written: "
            f"{self.half_written}  5xx: {self.server_errors}  failed patients: "
            f"{self.failed_patients}",
            "RESULT: " + ("OK, nothing lost" if self.ok else "FAILED"),
            *self.failures[:10],
        ]


def email_for(run: str, n: int) -> str:
    return f"load-{run}-{n}@{EMAIL_DOMAIN}"


def simulate(
    base_url: str, *, run: str, patients: int, double_every: int, max_seconds: float
) -> list[PatientRun]:
    """All patients start together; each walks the whole intake in its own thread."""
    runs = [
        PatientRun(
            base_url,
            email_for(run, n),
            n=n,
            double=bool(double_every) and n % double_every == 0,
        )
        for n in range(1, patients + 1)
    ]
    start = threading.Barrier(patients)

    def walk(patient: PatientRun) -> None:
        start.wait(timeout=30)
        patient.run()

    threads = [threading.Thread(target=walk, args=(p,), daemon=True) for p in runs]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + max_seconds
    for thread, patient in zip(threads, runs, strict=True):
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive() and not patient.error:
            patient.error = f"did not finish within {max_seconds:.0f} s"
    return runs


COUNT_SQL = """
SELECT p.email,
       c.status,
       c.latest_evaluation_id IS NOT NULL AS has_latest,
       (SELECT count(*) FROM consultations_evaluation e WHERE e.consultation_id = c.id),
       (SELECT count(*) FROM consultations_consent k WHERE k.consultation_id = c.id)
FROM consultations_patient p
JOIN consultations_consultation c ON c.patient_id = p.id
WHERE p.email LIKE %s
"""


def check_database(dsn: str, *, run: str, patients: int) -> dict[str, object]:
    """Count, per simulated patient, what the database holds."""
    with psycopg.connect(dsn, connect_timeout=5) as connection:
        rows = connection.execute(COUNT_SQL, (f"load-{run}-%@{EMAIL_DOMAIN}",)).fetchall()
    per_email = Counter(email for email, *_ in rows)
    submitted_per_email = Counter(email for email, status, *_ in rows if status == "submitted")
    expected = {email_for(run, n) for n in range(1, patients + 1)}
    half = [
        email
        for email, status, has_latest, evaluations, consents in rows
        if status == "submitted" and not (has_latest and evaluations == 1 and consents == 1)
    ]
    return {
        "submitted": sum(1 for e in expected if submitted_per_email[e] == 1),
        "lost": sum(1 for e in expected if submitted_per_email[e] == 0),
        "duplicated": sum(1 for e in expected if per_email[e] > 1 or submitted_per_email[e] > 1),
        "half_written": len(half),
        "unexpected": sorted(set(per_email) - expected),
        "half_written_emails": half,
    }


def report(runs: list[PatientRun], counts: dict, *, run: str, seconds: float) -> Report:
    statuses = Counter(status for patient in runs for status in patient.statuses)
    failures = [f"{p.email}: {p.error}" for p in runs if p.error]
    failures += [f"{e}: half-written" for e in counts["half_written_emails"]]
    return Report(
        run=run,
        patients=len(runs),
        seconds=seconds,
        requests=sum(statuses.values()),
        statuses={str(k): v for k, v in statuses.items()},
        server_errors=sum(v for k, v in statuses.items() if k >= 500),
        failed_patients=sum(1 for p in runs if p.error),
        submitted=counts["submitted"],
        lost=counts["lost"],
        duplicated=counts["duplicated"],
        half_written=counts["half_written"],
        failures=failures,
    )


def load_run(
    base_url: str,
    dsn: str,
    *,
    patients: int = 50,
    double_every: int = 5,
    max_seconds: float = 180,
    run: str | None = None,
) -> Report:
    run = run or secrets.token_hex(4)
    started = time.monotonic()
    runs = simulate(
        base_url, run=run, patients=patients, double_every=double_every, max_seconds=max_seconds
    )
    seconds = time.monotonic() - started
    counts = check_database(dsn, run=run, patients=patients)
    return report(runs, counts, run=run, seconds=seconds)


def _loopback(url: str) -> str:
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("--url must be a loopback address (127.0.0.1 or localhost).")
    return url.rstrip("/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--double-every", type=int, default=5, help="0: nobody submits twice")
    parser.add_argument("--url", help="a running server (loopback); default: start one")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--max-seconds", type=float, default=180)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    if not 1 <= args.patients <= 500:
        parser.error("--patients must be 1 to 500")
    dsn = os.environ.get("DATABASE_URL", "")
    if not dsn.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must name the PostgreSQL database the server writes to")

    if args.url:
        result = load_run(
            _loopback(args.url),
            dsn,
            patients=args.patients,
            double_every=args.double_every,
            max_seconds=args.max_seconds,
        )
    else:
        env = server_env(dsn)
        manage("migrate", "--no-input", env=env)
        manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        with gunicorn(
            dsn,
            workers=args.workers,
            env=UNLIMITED,
            log_path=ROOT / "bench" / "tmp" / "load-server.log",
        ) as server:
            result = load_run(
                server.url,
                dsn,
                patients=args.patients,
                double_every=args.double_every,
                max_seconds=args.max_seconds,
            )
    print("\n".join(result.lines()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**asdict(result), "ok": result.ok}, indent=2) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
