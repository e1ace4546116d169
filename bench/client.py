"""A small HTTP client that behaves like one browser tab: cookies, CSRF token, redirects.

Standard library only (http.client), so that the load run and the tests need nothing more.
Every response status, redirects included, is recorded, so that a run can prove "no 5xx".
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

Form = dict[str, str] | list[tuple[str, str]]


@dataclass
class Response:
    status: int
    body: str
    url: str
    headers: dict[str, str]
    seconds: float


@dataclass
class Browser:
    """One visitor. Not shared between threads, except through `fork()`."""

    base_url: str
    timeout: float = 30
    extra_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fork(self) -> Browser:
        """The same visitor in another tab: same cookies, its own record (a double submit)."""
        return Browser(
            self.base_url, self.timeout, dict(self.extra_headers), dict(self.cookies), []
        )

    @property
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def get(self, path: str, *, follow: bool = True) -> Response:
        return self.request("GET", path, follow=follow)

    def post(self, path: str, data: Form, *, follow: bool = True) -> Response:
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        if not any(name == "csrfmiddlewaretoken" for name, _ in pairs):
            pairs.append(("csrfmiddlewaretoken", self.csrf_token))
        return self.request("POST", path, body=urlencode(pairs), follow=follow)

    def request(
        self, method: str, path: str, *, body: str | None = None, follow: bool = True
    ) -> Response:
        url = urljoin(self.base_url, path)
        for _ in range(10):
            response = self._send(method, url, body)
            location = response.headers.get("location")
            if not (follow and response.status in {301, 302, 303, 307, 308} and location):
                return response
            url = urljoin(url, location)
            if response.status in {301, 302, 303}:
                method, body = "GET", None
        raise RuntimeError(f"Too many redirects from {path}")

    def _send(self, method: str, url: str, body: str | None) -> Response:
        parts = urlsplit(url)
        assert parts.hostname in {"127.0.0.1", "localhost"}, "loopback only"
        headers = {
            "Host": parts.netloc,
            "User-Agent": "clinic-bench/1",
            "Accept": "text/html",
            **self.extra_headers,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"{parts.scheme}://{parts.netloc}"
            headers["Referer"] = url
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            content = raw.read().decode("utf-8", errors="replace")
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            self._take_cookies(raw.msg.get_all("Set-Cookie") or [])
        finally:
            connection.close()
        response = Response(
            raw.status, content, url, response_headers, time.perf_counter() - started
        )
        with self._lock:
            self.statuses.append(raw.status)
        return response

    def _take_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {
                "action": attributes.get("action", ""),
                "method": attributes.get("method", "get").lower(),
                "hidden": [],
                "names": set(),
            }
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "select", "textarea", "button"}:
            name = attributes.get("name")
            if not name:
                return
            self._current["names"].add(name)
            if tag == "input" and attributes.get("type", "").lower() == "hidden":
                self._current["hidden"].append((name, attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def post_forms(html: str) -> list[dict]:
    """The page's POST forms: action, hidden fields (name, value) and every field name."""
    parser = _FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]
