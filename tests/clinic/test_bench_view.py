"""The bare benchmark view exists only when BENCH_ENDPOINTS is on."""

from __future__ import annotations


def test_production_does_not_serve_it(client):
    assert client.get("/bench/constant/").status_code == 404


def test_it_answers_a_constant_through_the_whole_middleware_stack(client, bench_urls):
    response = client.get("/bench/constant/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    # The same middleware as every page: security headers are there.
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert client.post("/bench/constant/").status_code == 405
