"""Grow a seeded bench database to a chain's size: `python -m bench.fill --to 1000000`.

seed_demo makes a realistic clinic through the services (about 13 s for 10,000 consultations),
far too slow for a million. This copies what seed_demo made, as a whole, until the table holds
`--to` consultations: each copy of a consultation comes with its patient, evaluations and
their findings, decisions and consents, its course with its sessions, records and check-ins,
ids shifted by a whole copy and every unique column made unique again, one
`INSERT ... SELECT ... generate_series` per table (a few minutes in all). References are
renumbered from the ids (PX- and five characters of the usual alphabet), so that a million of
them never collide. Each copy's created, submitted and decided times move back by up to half a
year (a hash of the copy's id), so that the copies spread over the chain's history. Then
ANALYZE: autovacuum may be off, and the planner must see the new sizes.

Foreign-key and count triggers are off while copying (session_replication_role = replica); the
copies point only at rows that exist, the queue's status counts are recounted at the end, and
the review version (consultations/review/page_cache.py) moves.
"""

# Table and column names come from this module and the catalogue, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import contextlib
import os
import time

import psycopg

# Tables copied per consultation, and the columns in them that point at a copied table.
COPIED = {
    "consultations_patient": {},
    "consultations_consultation": {
        "patient_id": "consultations_patient",
        "latest_evaluation_id": "consultations_evaluation",
    },
    "consultations_evaluation": {"consultation_id": "consultations_consultation"},
    "consultations_evaluationfinding": {"evaluation_id": "consultations_evaluation"},
    "consultations_decision": {
        "consultation_id": "consultations_consultation",
        "evaluation_id": "consultations_evaluation",
        "supersedes_id": "consultations_decision",
    },
    "consultations_consent": {"consultation_id": "consultations_consultation"},
    "consultations_answercorrection": {
        "consultation_id": "consultations_consultation",
        "evaluation_id": "consultations_evaluation",
    },
    # The treatment courses and what followed them, in proportion (seed_demo makes them).
    "consultations_course": {
        "consultation_id": "consultations_consultation",
        "decision_id": "consultations_decision",
    },
    "consultations_courseevent": {"course_id": "consultations_course"},
    "consultations_coursesession": {"course_id": "consultations_course"},
    "consultations_sessionrecord": {
        "session_id": "consultations_coursesession",
        "supersedes_id": "consultations_sessionrecord",
    },
    "consultations_checkin": {
        "session_id": "consultations_coursesession",
        "evaluation_id": "consultations_evaluation",
    },
    "consultations_sessionclearance": {
        "session_id": "consultations_coursesession",
        "check_in_id": "consultations_checkin",
    },
    "consultations_answerupdate": {
        "consultation_id": "consultations_consultation",
        "check_in_id": "consultations_checkin",
    },
}
# The reference's five characters, from the id (ids stay below 32 ** 5).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_SQL = "'PX-' || " + " || ".join(
    f"substr('{ALPHABET}', ((({{id}}) >> {shift}) & 31)::int + 1, 1)"
    for shift in (20, 15, 10, 5, 0)
)
# Unique per copy (k is the copy number), or as a copy should be; the rest as in the original.
UNIQUE = {
    "consultations_consultation": {
        "public_token": "md5(k::text || '-' || public_token)",
        "draft_key": "md5(k::text || '-' || draft_key)",
    },
    "consultations_patient": {"email": "k::text || '.' || email"},
    "consultations_checkin": {
        "token": "md5(k::text || '-' || token)",
        # A red flag is handled within days: the copies are the clinic's history, so theirs
        # are handled (the seeded clinic's own stay open, as many at every size).
        "red_flag_handled_at": "CASE WHEN red_flag THEN "
        "coalesce(red_flag_handled_at, answered_at + interval '2 days') END",
        "red_flag_handled_by_id": "CASE WHEN red_flag THEN "
        "coalesce(red_flag_handled_by_id, (SELECT min(id) FROM auth_user)) END",
    },
}
# The queue's order columns, each copy's moved back by the same pseudo-random offset of up to
# SPREAD_DAYS: the copies are the chain's history, not a hundred consultations sent in the same
# second. Left as they were, a name's matches would come in runs of a hundred in the queue's
# order, which no clinic's records do (and which a search that reads in that order would pay).
SPREAD = ("created_at", "submitted_at", "decided_at")
SPREAD_DAYS = 180
SPREAD_SQL = (  # a hash of the copy's id: every copy of every row lands anywhere in the span
    "make_interval(secs => ('x' || substr(md5(k::text || '-' || id::text), 1, 8))::bit(32)::bigint"
    f" % ({SPREAD_DAYS} * 86400))"
)
STATUS_COUNTS_TABLE = "consultations_statuscount"


def columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def copy_table(conn: psycopg.Connection, table: str, copies: int, offsets: dict[str, int]) -> None:
    names = columns(conn, table)
    pointers = {"id": table, **COPIED[table]}
    values = []
    for name in names:
        if name in pointers:
            values.append(f'"{name}" + k * {offsets[pointers[name]]}')
        elif table == "consultations_consultation" and name == "reference":
            values.append(REFERENCE_SQL.format(id=f"id + k * {offsets[table]}"))
        elif table == "consultations_consultation" and name in SPREAD:
            values.append(f'"{name}" - {SPREAD_SQL}')
        elif name in UNIQUE.get(table, {}):
            values.append(UNIQUE[table][name])
        else:
            values.append(f'"{name}"')
    quoted = ", ".join(f'"{name}"' for name in names)
    conn.execute(
        f"INSERT INTO {table} ({quoted}) "
        f"SELECT {', '.join(values)} FROM {table}, generate_series(1, {copies}) AS k "
        f"WHERE id <= {offsets[table]}"
    )
    conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 1) FROM {table}))"
    )


def fill(url: str, target: int) -> dict[str, float]:
    started = time.monotonic()
    with psycopg.connect(url) as conn:
        have = conn.execute("SELECT count(*) FROM consultations_consultation").fetchone()[0]
        copies = max(0, -(-target // have) - 1) if have else 0
        offsets = {
            table: conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            for table in COPIED
        }
        # Through a temporary value: a new reference may be another row's old random one.
        conn.execute("UPDATE consultations_consultation SET reference = 'T' || id")
        conn.execute(
            "UPDATE consultations_consultation SET reference = " + REFERENCE_SQL.format(id="id")
        )
        conn.execute("SET session_replication_role = replica")
        for table in COPIED:
            copy_table(conn, table, copies, offsets)
        conn.execute("SET session_replication_role = DEFAULT")
        recount(conn)
        conn.commit()
        total = conn.execute("SELECT count(*) FROM consultations_consultation").fetchone()[0]
    analyze(url)
    return {"consultations": total, "seconds": round(time.monotonic() - started, 1)}


def recount(conn: psycopg.Connection) -> None:
    """The queue's status counts from the table itself (the copies bypassed the trigger)."""
    if conn.execute("SELECT to_regclass(%s)", [STATUS_COUNTS_TABLE]).fetchone()[0] is None:
        return
    conn.execute(f"DELETE FROM {STATUS_COUNTS_TABLE}")
    conn.execute(
        f"INSERT INTO {STATUS_COUNTS_TABLE} (status, slot, n) "
        "SELECT status, 0, count(*) FROM consultations_consultation "
        "WHERE status <> 'draft' GROUP BY status"
    )
    # The copies bypassed the review version's triggers too: a kept queue page is stale now.
    if conn.execute("SELECT to_regclass('consultations_reviewversion')").fetchone()[0]:
        conn.execute("INSERT INTO consultations_reviewversion (n) VALUES (1)")


def analyze(url: str) -> None:
    """Fresh planner statistics: autovacuum may be off, and a bulk load leaves none. Then a
    checkpoint: a million consultations' pages (6 GB) written back to disk while the pages
    are measured took CPU from every request measured after the fill, whatever its queries
    (3-query step saves by primary key came out 1.3x to 1.7x slower at 1,000,000 rows)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        # Not a superuser: the writes go on in the background, as before.
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", type=int, required=True, help="consultations in all")
    args = parser.parse_args()
    print(fill(os.environ["DATABASE_URL"], args.to))


if __name__ == "__main__":
    main()
