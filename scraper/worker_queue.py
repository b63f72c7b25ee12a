"""The crawl workers' shared request queue in Redis: scrapy-redis' scheduler, one queue per site.

scrapy-redis keeps the queue and the seen-request filter in Redis, so any number of
``scrapy crawl news`` workers on any hosts share one crawl. Two things are added to it:

- **Sites are partitioned.** Requests go to one sorted set per site (``host:port``, the scope of
  a robots.txt) and a site is owned by one worker at a time (a key with a time to live that its
  heartbeat renews), so its Crawl-delay is kept by one downloader, as in a standalone crawl. A
  worker takes at most its share of the sites with work (sites / live workers), and gives a site
  back (kept free for the site's delay) when it is done there for now, or when it is above its
  share because a worker joined, once its requests there are answered.
- **Requests are leased, not popped.** Taking a request moves it, in one Lua script, into the
  worker's in-flight hash; it leaves when its outcome is safe (``ack``: the item pushed, the
  callback's requests queued, the failure recorded). A worker whose heartbeat stopped (killed)
  has its leases put back in the queue by any other worker, or by the next one to start.

Keys (``news`` is the spider): ``news:requests:<site>`` (requests by priority), ``news:sites``
(sites with queued requests), ``news:owner:<site>``, ``news:inflight:<worker>`` and
``news:inflight-site:<worker>`` (lease -> request, lease -> "score site"), ``news:workers`` and
``news:alive:<worker>``, ``news:run`` (a crawl is under way: its seen-request filter is kept),
``news:dupefilter`` (scrapy-redis).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from wiredup.settings import Settings

logger = logging.getLogger(__name__)

LEASE = "wiredup_lease"  # request.meta key: the lease a request was taken under

_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then redis.call('SREM', KEYS[2], ARGV[2]) return false end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
local lease = ARGV[1] .. '|' .. redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[3], lease, popped[1])
redis.call('HSET', KEYS[4], lease, popped[2] .. ' ' .. ARGV[2])
return {lease, popped[1]}
"""

_RECLAIM = """
local where = redis.call('HGETALL', KEYS[2])
for i = 1, #where, 2 do
  local space = string.find(where[i + 1], ' ', 1, true)
  local score, site = string.sub(where[i + 1], 1, space - 1), string.sub(where[i + 1], space + 1)
  local data = redis.call('HGET', KEYS[1], where[i])
  if data then
    redis.call('ZADD', ARGV[1] .. site, score, data)
    redis.call('SADD', KEYS[3], site)
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return #where / 2
"""

_IF_OWNER = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == 'release' then redis.call('SET', KEYS[1], '', 'PX', ARGV[2]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
"""

_BEGIN_RUN = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('DEL', KEYS[2]) return 1 end
return 0
"""


def queue_site(url: str) -> str:
    """The partition a URL belongs to: its host and port, the scope of one robots.txt.

    >>> queue_site("https://www.Example.com/a?b"), queue_site("http://127.0.0.1:8001/feed.xml")
    ('www.example.com', '127.0.0.1:8001')
    """
    parts = urlsplit(url)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Keys:
    """The Redis keys of one spider's shared crawl (see the module docstring)."""

    def __init__(self, base: str):
        self.base = base  # the scrapy-redis queue key, e.g. "news:requests"
        self.spider = base.rsplit(":", 1)[0]
        self.sites = f"{self.spider}:sites"
        self.workers = f"{self.spider}:workers"
        self.run = f"{self.spider}:run"
        self.counter = f"{self.spider}:leases"

    def queue(self, site: str) -> str:
        return f"{self.base}:{site}"

    def owner(self, site: str) -> str:
        return f"{self.spider}:owner:{site}"

    def alive(self, worker: str) -> str:
        return f"{self.spider}:alive:{worker}"

    def inflight(self, worker: str) -> tuple[str, str]:
        return f"{self.spider}:inflight:{worker}", f"{self.spider}:inflight-site:{worker}"


def ack(server, keys: Keys, request_or_meta, pipe=None) -> None:
    """The outcome of the request is safe: its lease ends (nothing if it holds none)."""
    meta = request_or_meta if isinstance(request_or_meta, dict) else request_or_meta.meta
    lease = meta.get(LEASE)
    if lease:
        data, where = keys.inflight(lease.rsplit("|", 1)[0])
        (pipe or server).hdel(data, lease)
        (pipe or server).hdel(where, lease)


def push_request(server, keys: Keys, request, data: bytes) -> None:
    """Queue an encoded request on its site's queue."""
    site = queue_site(request.url)
    pipe = server.pipeline(transaction=True)
    pipe.zadd(keys.queue(site), {data: -request.priority})
    pipe.sadd(keys.sites, site)
    ack(server, keys, request, pipe)  # a retry or redirect takes over its request's lease
    pipe.execute()


def begin_run(server, keys: Keys, dupefilter_key: str) -> bool:
    """Start a crawl unless one is under way: a new crawl forgets the last one's seen requests.

    A crawl ends when its last worker finishes with nothing queued or in flight (``end_run``); a
    crawl whose workers were all killed is resumed, seen requests and all, by the next worker.
    """
    return bool(server.eval(_BEGIN_RUN, 2, keys.run, dupefilter_key, worker_name()))


def live_workers(server, keys: Keys) -> list[str]:
    """The registered workers whose heartbeat is fresh; a dead worker's leases go back in the queue."""
    live = []
    for worker in sorted(member.decode() if isinstance(member, bytes) else member for member in server.smembers(keys.workers)):
        if server.exists(keys.alive(worker)):
            live.append(worker)
            continue
        data, where = keys.inflight(worker)
        returned = server.eval(_RECLAIM, 3, data, where, keys.sites, keys.base + ":")
        server.srem(keys.workers, worker)
        if returned:
            logger.warning("Worker %s stopped with %d requests in flight: they are queued again", worker, returned)
    return live


def in_flight(server, keys: Keys, workers) -> int:
    return sum(server.hlen(keys.inflight(worker)[0]) for worker in workers)


class SiteQueue(Base):
    """scrapy-redis queue class (SCHEDULER_QUEUE_CLASS): one queue per site, leases, owned sites."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.keys = Keys(self.key)
        self.worker = worker_name()
        self.owned: list[str] = []
        self.per_site = spider.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
        self.timeout_ms = int(Settings.from_values(spider.settings).worker_timeout * 1000)
        self._pop = server.register_script(_POP)
        self._if_owner = server.register_script(_IF_OWNER)
        self._live: tuple[float, int] = (0.0, 1)

    def __len__(self) -> int:
        pipe = self.server.pipeline(transaction=False)
        for site in self._pending():
            pipe.zcard(self.keys.queue(site))
        return sum(pipe.execute())

    def push(self, request) -> None:
        push_request(self.server, self.keys, request, self._encode_request(request))

    def pop(self, timeout=0):
        pending = self._pending()
        busy = self._in_flight_by_site()
        for site in [site for site in self.owned if site not in pending and not busy.get(site)]:
            self._release(site)  # nothing queued, nothing in flight: done for now, free for anyone
        share = max(1, math.ceil(len(pending | set(self.owned)) / self._live_count()))
        # Above our share (a worker joined): stop taking from the sites with the least in flight,
        # and give each back once its last request is answered, keeping its delay.
        leaving = sorted(self.owned, key=lambda site: busy.get(site, 0))[: max(0, len(self.owned) - share)]
        for site in leaving:
            if not busy.get(site):
                self._release(site)
        for site in sorted(pending - set(self.owned)):
            if len(self.owned) >= share:
                break
            if self.server.set(self.keys.owner(site), self.worker, nx=True, px=self.timeout_ms):
                self.owned.append(site)
                logger.info("Crawling site %s (%d of %d sites with work)", site, len(self.owned), len(pending))
        for site in list(self.owned):
            if site in leaving or site not in pending or busy.get(site, 0) >= self.per_site:
                continue
            data, where = self.keys.inflight(self.worker)
            popped = self._pop(keys=[self.keys.queue(site), self.keys.sites, data, where, self.keys.counter], args=[self.worker, site])
            if popped:
                self.owned.append(self.owned.pop(self.owned.index(site)))  # next pop tries the other sites first
                request = self._decode_request(popped[1])
                request.meta[LEASE] = popped[0].decode() if isinstance(popped[0], bytes) else popped[0]
                # a retry or redirect is queued with the headers its first worker's middlewares set:
                # this worker names itself (UserAgentMiddleware sets it again)
                request.headers.pop(b"User-Agent", None)
                return request
        return None

    def clear(self) -> None:
        for site in self._pending():
            self.server.delete(self.keys.queue(site))
        self.server.delete(self.keys.sites)

    def renew(self) -> None:
        """Heartbeat: this worker is alive and still owns its sites (one it lost is forgotten)."""
        self.server.set(self.keys.alive(self.worker), "1", px=self.timeout_ms)
        for site in list(self.owned):
            if not self._if_owner(keys=[self.keys.owner(site)], args=[self.worker, self.timeout_ms, "renew"]):
                self.owned.remove(site)

    def release_all(self) -> None:
        for site in list(self.owned):
            self._release(site)

    def _release(self, site: str) -> None:
        """Give a site back, keeping it free of other workers for its delay since our last request."""
        delay = self._site_delay(site)
        self._if_owner(keys=[self.keys.owner(site)], args=[self.worker, max(1, int(delay * 1000)), "release"])
        self.owned.remove(site)
        logger.debug("Gave site %s back", site)

    def _site_delay(self, site: str) -> float:
        downloader = self.spider.crawler.engine.downloader
        slot = downloader.slots.get(urlsplit(f"//{site}").hostname or "")
        return slot.delay if slot is not None else self.spider.settings.getfloat("DOWNLOAD_DELAY")

    def _pending(self) -> set[str]:
        return {member.decode() if isinstance(member, bytes) else member for member in self.server.smembers(self.keys.sites)}

    def _in_flight_by_site(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for value in self.server.hvals(self.keys.inflight(self.worker)[1]):
            site = (value.decode() if isinstance(value, bytes) else value).split(" ", 1)[1]
            counts[site] = counts.get(site, 0) + 1
        return counts

    def _live_count(self) -> int:
        checked, count = self._live
        if time.monotonic() - checked > 1:
            count = max(1, len(live_workers(self.server, self.keys)))
            self._live = (time.monotonic(), count)
        return count


class WorkerScheduler(Scheduler):
    """scrapy-redis' scheduler for a crawl worker: registers the worker and beats its heart, keeps
    the spider open while other workers have requests in flight (they may queue more), and lets
    the last worker of a finished crawl end it."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.stats = None  # counted here, without scrapy-redis' deprecated per-spider stats calls
        # An idle worker asks the shared queue again every second, not every 5 s: other workers'
        # responses queue new requests it may take (the engine's heartbeat; left alone if renamed).
        if hasattr(type(crawler.engine), "_SLOT_HEARTBEAT_INTERVAL"):
            crawler.engine._SLOT_HEARTBEAT_INTERVAL = 1.0
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        result = super().open(spider)
        keys = self.queue.keys
        self.server.sadd(keys.workers, self.queue.worker)
        self.queue.renew()
        if begin_run(self.server, keys, self.df.key):
            logger.info("Starting a new crawl (the seen-request filter starts empty)")
        live_workers(self.server, keys)  # puts back what killed workers left in flight
        interval = Settings.from_values(spider.settings).worker_timeout / 3
        self.heartbeat = task.LoopingCall(self.queue.renew)
        self.heartbeat.start(interval, now=False)
        return result

    def enqueue_request(self, request) -> bool:
        queued = super().enqueue_request(request)
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        else:
            ack(self.server, self.queue.keys, request)  # a redirect to a page already seen: done
        return queued

    def next_request(self):
        request = super().next_request()
        if request is not None:
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def spider_idle(self, spider) -> None:
        workers = live_workers(self.server, self.queue.keys)
        if len(self.queue) or in_flight(self.server, self.queue.keys, workers):
            raise DontCloseSpider

    def close(self, reason):
        if getattr(self, "heartbeat", None) is not None and self.heartbeat.running:
            self.heartbeat.stop()
        keys = self.queue.keys
        self.queue.release_all()
        self.server.srem(keys.workers, self.queue.worker)
        self.server.delete(keys.alive(self.queue.worker))
        others = live_workers(self.server, keys)
        if reason == "finished" and not others and not len(self.queue) and not in_flight(self.server, keys, [self.queue.worker]):
            self.server.delete(keys.run, self.df.key)  # the crawl is over: the next one fetches feeds again
            logger.info("Last worker out: the crawl is over")
        return super().close(reason)
