"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django 5.2's RedisCacheClient.get_client() builds a new `redis.Redis` for every cache
operation, and that constructor registers some 170 response callbacks: measured with
cProfile, about a quarter of the CPU of a page served from the page cache (two cache calls:
the content generation and the page). A `redis.Redis` over a connection pool takes a
connection from the pool for each command and gives it back, so one client per pool may be
shared by every call, and by threads (redis-py documents clients as thread-safe); the
pools themselves are Django's, unchanged.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # {id of a pool in self._pools: its one client}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
