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


class RedisCacheClient(django_redis.RedisCacheClient):
    """Keeps the clients Django's makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache on the client above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
