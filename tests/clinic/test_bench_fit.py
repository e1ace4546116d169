"""The bench report's "allows about" figures come from the run's own pages (bench/run.py)."""

from __future__ import annotations

import pytest

from bench import run


def pages(points: dict[str, tuple[float, float]]) -> dict:
    """A run's rows: bare view at 1000 req/s, each page at `ratio` with `cpu` ms."""
    ours = {"bare view (constant)": {"rps": 1000, "cpu": None}}
    for name, (ratio, cpu) in points.items():
        ours[name] = {"rps": 1000 * ratio, "cpu": {"cpu_ms": cpu}}
    return {"ours": ours}


def test_the_line_through_pages_on_it_is_found_again():
    # 1 / ratio = 2 + 0.5 * C for every page.
    data = pages({f"page {c}": (1 / (2 + 0.5 * c), c) for c in (2.0, 5.0, 9.0, 14.0)})
    a, b = run.ratio_fit(data)
    assert a == pytest.approx(2.0) and b == pytest.approx(0.5)
    # What a 0.1x target allows on that line: 1 / 0.1 = 2 + 0.5 * C.
    assert (1 / 0.1 - a) / b == pytest.approx(16.0)


def test_too_few_pages_or_all_at_one_cost_give_no_line():
    assert run.ratio_fit(pages({"a": (0.5, 1.0), "b": (0.2, 4.0)})) is None
    assert run.ratio_fit(pages(dict.fromkeys("abc", (0.5, 3.0)))) is None


def test_the_large_and_the_10000_row_passes_alternate_and_each_keeps_its_least_cpu(
    monkeypatch: pytest.MonkeyPatch,
):
    """The flat column compares two sizes: a slow spell on the machine during one pass must
    not make a page look as if it grew with the table."""
    order: list[str] = []
    # Each pass: (round trips, CPU ms) of the one page, by database.
    passes = {
        "big": iter([(5, 4.0), (5, 3.0)]),
        "huge": iter([(5, 6.0), (6, 3.2)]),  # a slow first pass; one more query on the second
        "small": iter([(5, 3.1)]),
    }

    def counted(url: str, env: dict[str, str]) -> dict:
        order.append(url)
        queries, cpu = next(passes[url])
        page = {"queries": queries, "status": 200, "app_cpu_ms": cpu - 1, "db_cpu_ms": 1.0}
        return {"consultations": 0, "pages": {"detail GET": {**page, "cpu_ms": cpu}}}

    monkeypatch.setattr(run, "count_queries", counted)
    result = run.counted_side_by_side({size: size for size in passes}, {})

    assert order == ["big", "huge", "small", "huge", "big"]
    big, huge = result["big"]["pages"]["detail GET"], result["huge"]["pages"]["detail GET"]
    assert (big["cpu_ms"], big["app_cpu_ms"], big["queries"]) == (3.0, 2.0, 5)
    assert (huge["cpu_ms"], huge["queries"], huge["queries_varied"]) == (3.2, 6, [5, 6])
    assert result["small"]["pages"]["detail GET"]["cpu_ms"] == 3.1
