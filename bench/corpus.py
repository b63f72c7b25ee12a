"""A seeded corpus of news pages for the throughput benches: 50-150 KB each, about 30 % wire copies.

Each page is built like the fixture pages and the real pages behind them: a
head with meta tags (Open Graph title, published time, canonical URL, site
name), inline CSS and scripts (most of a real page's bytes), a navigation bar,
the article (headline, byline, date, paragraphs), a teaser aside ("most read",
related stories), a share bar, a comment form and a footer. Article text comes
from the bigram model of the syndication set (bench/synthetic_text.py). About
`copy_share` of the pages are copies of an earlier story published by another
outlet: cut at the end, a paragraph dropped, an outlet's own line added.

    from corpus import generate
    pages = generate(5000, seed=0)      # [Page(outlet, path, html, story), ...]
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from synthetic_text import CORPUS, BigramText

OUTLETS = ["daily-courier", "wire-post", "the-ledger", "metro-times", "global-dispatch",
           "evening-herald", "capital-news", "harbour-gazette", "north-star", "river-tribune"]
START = datetime(2024, 4, 1, tzinfo=timezone.utc)


@dataclass
class Page:
    outlet: str
    path: str
    html: str
    story: int  # pages of one story share this number


def _filler_script(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript: what makes most of a real news page's bytes."""
    names = ["analytics", "consent", "adSlot", "lazyImg", "paywall", "video", "newsletter", "share", "track", "abTest"]
    parts = []
    while sum(map(len, parts)) < size:
        name = rng.choice(names)
        parts.append(
            f"window.{name}{rng.randrange(1000)}=function(e,t){{var n=document.querySelectorAll('[data-{name}=\"'+e+'\"]');"
            f"for(var r=0;r<n.length;r++){{n[r].setAttribute('data-ready',t||{rng.randrange(99)});}}"
            f"return {{id:'{rng.getrandbits(64):016x}',slot:{rng.randrange(1, 40)},t:Date.now()}}}};"
        )
    return "".join(parts)


def _filler_css(rng: random.Random, size: int) -> str:
    rules = []
    while sum(map(len, rules)) < size:
        rules.append(f".c{rng.getrandbits(24):06x}{{margin:{rng.randrange(20)}px;color:#{rng.getrandbits(24):06x};"
                     f"font-size:{rng.randrange(10, 30)}px;display:{rng.choice(['flex', 'block', 'grid'])}}}")
    return "".join(rules)


def render(outlet: str, path: str, title: str, text: str, published: datetime, author: str,
           teasers: list[str], rng: random.Random) -> str:
    """One page of ``outlet`` holding the article ``title``/``text``, 50-150 KB in all."""
    host = f"https://www.{outlet}.example"
    site = outlet.replace("-", " ").title()
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in text.splitlines())
    nav = "".join(f'<li><a href="/section/{i}">{escape(word)}</a></li>'
                  for i, word in enumerate(rng.sample(teasers, min(len(teasers), 12))))
    aside = "".join(f'<li class="teaser"><a href="/articles/t-{rng.getrandbits(32):08x}.html">{escape(t)}</a>'
                    f'<span class="time">{rng.randrange(1, 59)} min ago</span></li>' for t in teasers)
    footer = "".join(f'<a href="/page/{i}">{escape(t[:30])}</a> ' for i, t in enumerate(teasers))
    target = rng.randrange(50_000, 150_000)
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | {escape(site)}</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="{escape(site)}">
<meta property="article:published_time" content="{published.isoformat(timespec='seconds')}">
<meta name="author" content="{escape(author)}">
<meta name="description" content="{escape(text.splitlines()[0][:150])}">
<link rel="canonical" href="{host}{path}">
<style>{{css}}</style>
<script>{{script}}</script>
</head>
<body>
<header><div class="logo">{escape(site)}</div><nav><ul>{nav}</ul></nav>
<div class="subscribe"><a href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></div></header>
<main>
<article class="story">
<h1>{escape(title)}</h1>
<div class="byline">By <span class="author">{escape(author)}</span>
<time datetime="{published.isoformat(timespec='seconds')}">{published.strftime('%B %d, %Y %H:%M')}</time></div>
{paragraphs}
<div class="share">Share this article: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a> 1.2k shares</div>
</article>
<aside class="most-read"><h2>Most read</h2><ul>{aside}</ul></aside>
<section class="comments"><h2>Comments</h2><form><textarea name="c"></textarea><button>Post comment</button></form></section>
</main>
<footer>{footer}<p>&copy; 2024 {escape(site)}. All rights reserved.</p></footer>
<script>{{tail}}</script>
</body></html>
"""
    spare = max(0, target - len(body))
    css = _filler_css(rng, spare // 4)
    script = _filler_script(rng, spare // 2)
    tail = _filler_script(rng, max(0, spare - len(css) - len(script)))
    return body.replace("{css}", css, 1).replace("{script}", script, 1).replace("{tail}", tail, 1)


def _copy_of(text: str, texts: BigramText, rng: random.Random) -> str:
    """A wire copy as outlets make them: the tail cut, a paragraph dropped, a line of their own added."""
    lines = text.splitlines()
    keep = lines[: max(3, len(lines) * rng.randrange(60, 101) // 100)]
    if len(keep) > 4:
        del keep[rng.randrange(1, len(keep) - 1)]
    return "\n".join(keep + [" ".join(texts.words(25))])


def generate(count: int, seed: int = 0, copy_share: float = 0.3) -> list[Page]:
    """``count`` pages spread over the OUTLETS, seeded; a ``copy_share`` of them copies of earlier stories."""
    rng = random.Random(seed)
    texts = BigramText(CORPUS, seed)
    originals: list[tuple[int, str, str]] = []  # (story, title, text)
    pages = []
    for number in range(count):
        outlet = OUTLETS[number % len(OUTLETS)]
        published = START + timedelta(minutes=7 * number)
        if originals and rng.random() < copy_share:
            story, title, text = rng.choice(originals[-300:])
            text = _copy_of(text, texts, rng)
        else:
            story, title, text = number, texts.title(), texts.article()
            originals.append((story, title, text))
        teasers = [texts.title() for _ in range(rng.randrange(15, 30))]
        author = " ".join(texts.words(2)).title()
        path = f"/articles/{number:06d}-{rng.getrandbits(32):08x}.html"
        pages.append(Page(outlet, path, render(outlet, path, title, text, published, author, teasers, rng), story))
    return pages
