"""What crawl workers send the ingest process through Redis, and the url_state copy they read.

Workers push JSON messages on the list ``news:items``: ``article`` (an extracted ArticleItem),
``skipped`` (a page that is no article: its URLs are done), ``url_state`` (one fetch's outcome,
as ``url_state.record`` takes it) and ``stats`` (a worker's Scrapy counters when it stops). The
ingest process moves each message to ``news:items:processing`` (LMOVE), stores it, and only then
removes it: a message is acknowledged after its transaction committed. One it cannot read (a
worker of another wiredup version) is set aside in ``news:items:bad``, logged and counted.

The ingest process is the only writer of ``url_state``; it copies every row it writes to the hash
``news:url_state`` (URL -> row as JSON), where workers read whether a URL is due and its
validators.

>>> from scraper.items import ArticleItem
>>> item = ArticleItem(url="https://a.example/1", body=b"<html>\\xc3\\xa9</html>", encoding="utf-8",
...                    content_type="text/html", status=200, headers={}, fetched_at="2024-04-17T10:00:00+00:00",
...                    source="a", title="A", text="Text")
>>> decode_article(json.loads(json.dumps(article_message(item)))) == item
True
>>> from datetime import datetime, timedelta, timezone
>>> message = url_state_message("https://a.example/", "feed", "a", datetime(2024, 4, 17, tzinfo=timezone.utc),
...                             {"status": 503, "retry_after": timedelta(minutes=2)})
>>> decode_url_state(json.loads(json.dumps(message)))["retry_after"]
datetime.timedelta(seconds=120)
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime, timedelta

from scraper.items import ArticleItem

SPIDER = "news"
ITEMS = f"{SPIDER}:items"
PROCESSING = f"{SPIDER}:items:processing"
BAD = f"{SPIDER}:items:bad"  # messages the ingest process could not read, kept for a person
URL_STATE = f"{SPIDER}:url_state"

# filled on the ingest host (DeclutterPipeline, DedupPipeline), never sent; and what an extraction
# worker precomputed for its own crawl's store (a signature object, the gzipped body), which the
# ingest process redoes rather than trusting another host's pickles
_NOT_SENT = {"blocks", "fingerprint", "matches", "unchanged", "presigned", "body_gzip"}


def article_message(item: ArticleItem) -> dict:
    fields = {spec.name: getattr(item, spec.name) for spec in dataclasses.fields(item) if spec.name not in _NOT_SENT}
    fields["body"] = base64.b64encode(item.body).decode("ascii")
    return {"type": "article", "item": fields}


def decode_article(message: dict) -> ArticleItem:
    fields = dict(message["item"])
    fields["body"] = base64.b64decode(fields["body"])
    return ArticleItem(**fields)


def skipped_message(item: ArticleItem) -> dict:
    return {"type": "skipped", "source": item.source, "url": item.url, "requested_urls": item.requested_urls}


def url_state_message(url: str, kind: str, source: str | None, now: datetime, outcome: dict) -> dict:
    """One fetch's outcome: ``url_state.record``'s keyword arguments, durations in seconds."""
    outcome = {key: {"seconds": value.total_seconds()} if isinstance(value, timedelta) else value for key, value in outcome.items()}
    return {"type": "url_state", "url": url, "kind": kind, "source": source, "now": now.isoformat(), "outcome": outcome}


def decode_url_state(message: dict) -> dict:
    """``url_state.record``'s keyword arguments (``now`` included) from a url_state message."""
    outcome = {key: timedelta(seconds=value["seconds"]) if isinstance(value, dict) else value
               for key, value in message["outcome"].items()}
    return {**outcome, "now": datetime.fromisoformat(message["now"])}


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


def decode(data: bytes) -> dict:
    return json.loads(data)
