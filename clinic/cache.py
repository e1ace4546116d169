"""Django's Redis cache, with its Redis client objects made once and reused.

Django's RedisCacheClient builds a new `redis.Redis` object around its connection pool for
each get or set; every staff request makes several (session, permissions, rate limits). Here
the client made for writes, and the one for reads, are kept. The connection pools are
Django's own. (With replicas, a process then reads from one replica, not a random one each
time.)
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis

# Add one to a counter, which the first count makes with its expiry: atomic, as Redis runs a
# script whole. One round trip, where `add` then `incr` (which checks `exists` first) are three.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCacheClient(django_redis.RedisCacheClient):
    """Keeps the clients Django's makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}
        self._count_script: Any = None

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client

    def count(self, key: str, timeout: int) -> int:
        if self._count_script is None:
            self._count_script = self.get_client(write=True).register_script(_COUNT_SCRIPT)
        return int(self._count_script(keys=[key], args=[timeout]))


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache on the client above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: str, timeout: int) -> int:
        """Add one to the counter at `key` and return the new count; the first count makes
        the counter, expiring `timeout` seconds later (as `add` would)."""
        client: RedisCacheClient = self._cache  # type: ignore[attr-defined]  # Django's, unstubbed
        return client.count(self.make_and_validate_key(key), timeout)
