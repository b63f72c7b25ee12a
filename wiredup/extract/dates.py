"""The published date of a page: htmldate's, checked against what the page declares and shows.

htmldate (run by trafilatura's metadata pass) reads meta tags before JSON-LD
and keeps a declared *modification* date in reserve, so a page declaring
``article:modified_time`` in its head and ``datePublished`` only in JSON-LD
gets its update date; it also drops any timestamp with milliseconds
("2025-12-08T22:31:00.000Z": three digits read as a postal code) and reads
"3/1/2017" day first. The rules here correct those cases from the page's own
words, never from a guess: a value nothing supports stays None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from htmldate.extractors import extract_url_date, try_date_expr
from htmldate.utils import Extractor
from lxml import etree

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# a date as pages print it: "May 2, 2024", "2nd May 2024", "2024-05-02", "05/02/2024", "02.05.2024"
SHOWN_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4})",
    re.IGNORECASE,
)
# "Updated", "Last updated on", "Modified:", "Reviewed", right before the date ("review process. May 2" is no label)
UPDATE_LABEL = re.compile(r"(?:updat\w*|modifi\w*|revis\w*|reviewed|edited)\W*(?:on|at)?\W*$", re.IGNORECASE)
# between a publication date and its update: "December 3, 2025. Updated: December 7, 2025", "Mar 8, 2024 · Modified: May 19, 2025"
UPDATE_WORD = re.compile(r"pdated|odified|PDATED|ODIFIED")  # cheaper than a case-blind scan of the whole text
UPDATE_BETWEEN = re.compile(r"[\s.,;|·•–-]{0,4}(?:last\s+)?(?:updated|modified)(?:\s+on)?:?\s*", re.IGNORECASE)
FIRST_PUBLISHED = re.compile(r"\b(?:originally|first) published(?: on| in)?\s*:?\s*", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
EARLIEST = datetime(1995, 1, 1)
PUBLISHED_NAMES = {"article:published_time", "og:published_time", "datepublished"}  # meta property / name / itemprop
MODIFIED_NAMES = {"article:modified_time", "og:updated_time", "datemodified"}


def numeric_readings(shown: str) -> list[str]:
    """The days an all-digit date can mean, month first then day first ("03/01/2017": March 1 or January 3).

    >>> numeric_readings("03/01/2017"), numeric_readings("25.12.2024"), numeric_readings("May 2, 2024")
    (['2017-03-01', '2017-01-03'], ['2024-12-25'], [])
    """
    numeric = NUMERIC_DATE.fullmatch(shown.strip())
    if not numeric:
        return []
    first, second, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
    readings = []
    for month, day in ((first, second), (second, first)):
        try:
            reading = date(year, month, day).isoformat()
        except ValueError:
            continue
        if reading not in readings:
            readings.append(reading)
    return readings


def read_date(shown: str, language: str | None = None, published: str | None = None, machine_day: str | None = None) -> str | None:
    """The day (YYYY-MM-DD) of a date as a page prints it, else None.

    An all-digit date whose day and month can swap reads as ``machine_day``
    (the ``datetime`` of the ``<time>`` element printing it) when that is one
    reading; else month first when it has slashes on an en-US page; else as
    ``published`` when one reading is that day; else month first when it has
    slashes on an English page of no stated region, day first otherwise.

    >>> read_date("Dec. 9, 2025"), read_date("29th August, 2023"), read_date("12.12.2025")
    ('2025-12-09', '2023-08-29', '2025-12-12')
    >>> read_date("03/01/2017", "en"), read_date("03/01/2017", "fr"), read_date("03/01/2017", "en-US", "2017-01-03")
    ('2017-03-01', '2017-01-03', '2017-03-01')
    >>> read_date("03/10/2023", "en", "2023-10-03T09:00:00"), read_date("03.10.2023", "en"), read_date("10/12/2023", "en", "2023-12-10", "2023-10-12")
    ('2023-10-03', '2023-10-03', '2023-10-12')
    """
    readings = numeric_readings(shown)
    if machine_day and machine_day in readings:
        return machine_day
    if readings:
        language = (language or "").lower().replace("_", "-")
        if len(readings) == 1 or ("/" in shown and language == "en-us"):
            return readings[0]
        if published and published[:10] in readings:
            return published[:10]
        return readings[0] if "/" in shown and language == "en" else readings[1]
    cleaned = re.sub(r"(\d)(st|nd|rd|th)", r"\1", shown)
    cleaned = re.sub(r"\b([a-z]{3,4})\.", r"\1", cleaned, flags=re.IGNORECASE)  # "Dec." defeats htmldate's parser
    return try_date_expr(cleaned, "%Y-%m-%d", False, EARLIEST, datetime.now())


def declared_date(values: list[str]) -> str | None:
    """The first of ``values`` (meta contents, JSON-LD strings) that is an ISO 8601 date, with its time and offset if given.

    >>> declared_date(["", "2025-12-08T22:31:00.000Z"])
    '2025-12-08T22:31:00+00:00'
    >>> declared_date(["2023-07-22T03:47:21\\\\u002b00:00"]), declared_date(["2024-05-02"]), declared_date(["May 2"])
    ('2023-07-22T03:47:21+00:00', '2024-05-02', None)
    """
    for value in values:
        value = value.strip()
        if "\\" in value:
            try:
                value = json.loads(f'"{value}"')  # a JSON-LD string with its escapes
            except ValueError:
                continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None and (moment.hour, moment.minute, moment.second) == (0, 0, 0):
            return moment.date().isoformat()
        return moment.replace(microsecond=0).isoformat()
    return None


# The elements of a page that may declare a date, in document order, in one XPath call: its scripts (JSON-LD), <meta>,
# <time> and elements with a datetime (microdata's itemprop). The date rules read them five times a page; an XPath
# scan of a page costs ~0.2-0.4 ms (WCXB dev and readability-pages, 300 pages), with attribute tests in its
# predicates more than plain steps (``//*[@itemprop][@datetime]`` 0.41 ms, ``//@datetime/..`` 0.26 ms, these four
# together 0.36 ms, a single step with their tests as one predicate 0.91 ms)
DATE_MARKUP = etree.XPath("//script | //meta | //time | //@datetime/..")


@dataclass(frozen=True)
class DateMarkup:
    """What a page's markup declares about its dates, each in document order: the text of its JSON-LD scripts joined
    by spaces (``linked_data``), its ``<meta content>`` and elements with ``itemprop`` and ``datetime`` (``dated``),
    and its ``<time>`` elements (``times``). Read once (``date_markup``) for every date rule of a page.

    >>> from lxml import html
    >>> markup = date_markup(html.fromstring('<html><head><meta name="pubdate" content="2024-05-02">'
    ...     '<script type="application/ld+json">{"dateModified":"2024-05-03"}</script></head>'
    ...     '<body><time itemprop="datePublished" datetime="2024-05-02">May 2</time><time>May 3</time></body></html>'))
    >>> markup.linked_data, [element.tag for element in markup.dated], len(markup.times)
    ('{"dateModified":"2024-05-03"}', ['meta', 'time'], 2)
    """

    linked_data: str
    dated: list
    times: list


def date_markup(tree) -> DateMarkup:
    """The page's ``DateMarkup``, read while its tree is as loaded (the page rules prune elements)."""
    texts, dated, times = [], [], []
    for element in DATE_MARKUP(tree):
        tag = element.tag
        if tag == "script" and element.get("type") == "application/ld+json":
            texts += element.xpath("text()")
        if (tag == "meta" and element.get("content") is not None) or (
            element.get("itemprop") is not None and element.get("datetime") is not None
        ):
            dated.append(element)
        if tag == "time":
            times.append(element)
    return DateMarkup(" ".join(texts), dated, times)


def declared_dates(tree, markup: DateMarkup | None = None) -> tuple[str | None, str | None]:
    """The publication and modification dates the page declares (meta tags, itemprop, JSON-LD), each None if absent;
    ``markup``: the page's ``date_markup``, when already read.

    >>> from lxml import html
    >>> declared_dates(html.fromstring('<html><head><meta property="article:modified_time" content="2024-05-03T10:00:00+00:00">'
    ...     '<script type="application/ld+json">{"datePublished":"2024-03-17T19:47:39+00:00"}</script></head><body>x</body></html>'))
    ('2024-03-17T19:47:39+00:00', '2024-05-03T10:00:00+00:00')
    """
    markup = markup or date_markup(tree)
    published, modified = [], []
    for element in markup.dated:
        value = element.get("content") if element.tag == "meta" else element.get("datetime")
        for name in (element.get("property"), element.get("name"), element.get("itemprop")):
            name = (name or "").lower()
            if name in PUBLISHED_NAMES:
                published.append(value)
            elif name in MODIFIED_NAMES:
                modified.append(value)
    published += re.findall(r'"datePublished"\s*:\s*"([^"]+)"', markup.linked_data)
    modified += re.findall(r'"dateModified"\s*:\s*"([^"]+)"', markup.linked_data)
    return declared_date(published), declared_date(modified)


def days_shown(text: str, language: str | None = None) -> set[str]:
    """Every day the text prints, as YYYY-MM-DD; both readings of an all-digit date whose day and month can swap.

    >>> sorted(days_shown("Posted May 2, 2024. Updated 2024-06-01, see 1 May, 03/01/2017"))
    ['2017-01-03', '2017-03-01', '2024-05-02', '2024-06-01']
    """
    days = set()
    for match in SHOWN_DATE.finditer(text):
        days.update(numeric_readings(match.group(0)) or [read_date(match.group(0), language)])
    days.discard(None)
    return days


def first_published(text: str, language: str | None = None) -> str | None:
    """The day a page says it was first published ("Originally published on 26 Sep 2019"), else None.

    >>> first_published("Ten tips. This article was originally published on 26 Sep 2019 at 4:12pm")
    '2019-09-26'
    >>> first_published("Published May 2, 2024") is None
    True
    """
    if "ublished" not in text and "UBLISHED" not in text:
        return None  # most pages: spares the regular expression a scan of the whole text
    for label in FIRST_PUBLISHED.finditer(text):
        shown = SHOWN_DATE.match(text, label.end())
        if shown:
            return read_date(shown.group(0), language)
    return None


def marked_published(tree, markup: DateMarkup | None = None) -> str | None:
    """The day of the first ``<time pubdate datetime>`` that marks the page's own publication, else None.

    HTML5's ``pubdate`` dates the nearest ``<article>`` around it, the whole
    page if none: one inside an ``<article>`` without the headline (a
    comment's) dates something else.

    >>> from lxml import html
    >>> marked_published(html.fromstring('<div><h1>Envoy recalled</h1><p>Published <time pubdate datetime="2025-08-13">August 13</time></p></div>'))
    '2025-08-13'
    >>> marked_published(html.fromstring('<article><h1>Envoy recalled</h1><article class="comment">'
    ...     '<time pubdate datetime="2026-01-08T02:01:07+00:00">Jan 8</time></article></article>')) is None
    True
    """
    for element in (markup or date_markup(tree)).times:
        if element.get("pubdate") is None or element.get("datetime") is None:
            continue
        article = element.xpath("ancestor::article[1]")
        if article and not article[0].xpath(".//h1"):
            continue
        day = declared_date([element.get("datetime")])
        if day:
            return day[:10]
    return None


def published_before_update(text: str, language: str | None = None) -> str | None:
    """The first day a page prints right before a later day labelled as its update, else None.

    >>> published_before_update("By Sylvia Bishop December 3, 2025. Updated: December 7, 2025 Five Books")
    '2025-12-03'
    >>> published_before_update("Published: Mar 8, 2024 · Modified: May 19, 2025"), published_before_update("May 2, 2024 Updated on May 2, 2024")
    ('2024-03-08', None)
    """
    for label in UPDATE_WORD.finditer(text):
        start = text.rfind(" ", 0, max(label.start() - 30, 0)) + 1  # a whole word: never half of "12/03/2024"
        window = text[start : label.end() + 40]
        dates = list(SHOWN_DATE.finditer(window))
        for earlier, later in zip(dates, dates[1:]):
            if UPDATE_BETWEEN.fullmatch(window, earlier.end(), later.start()):
                published, updated = read_date(earlier.group(0), language), read_date(later.group(0), language)
                if published and updated and published < updated:
                    return published
    return None


def shown_date(
    datelines: list[str], published: str | None, language: str | None = None, updates_too: bool = False, machine_days: dict[str, str] | None = None
) -> str | None:
    """The date printed on the first of ``datelines`` that has one, when it is not an update's (unless ``updates_too``)
    and differs from the declared one, else ``published``.

    Metadata dates go stale (a republished template, a feed's first import) and
    htmldate can swap day and month; the date readers see around the headline
    is the page's own word. Two dates in a row there are the publication and
    the update: the earlier is taken. A day that the declared time (with its
    offset) falls on in some time zone is that same moment (scripts print
    dates in the reader's zone): the declared time is kept.

    >>> shown_date(["Envoy recalled By Jane Doe May 2, 2024"], "2023-01-01T10:00:00+00:00")
    '2024-05-02'
    >>> shown_date(["Envoy recalled Updated May 2, 2024"], "2023-01-01T10:00:00+00:00")
    '2023-01-01T10:00:00+00:00'
    >>> shown_date(["Envoy recalled By Jane Doe", "Politics May 2, 2024"], "2024-05-02T10:00:00+02:00")
    '2024-05-02T10:00:00+02:00'
    >>> shown_date(["Envoy recalled May 21, 2024 April 24, 2024 by Jane Doe"], "2024-05-21T09:00:00+00:00")
    '2024-04-24'
    >>> shown_date(["Envoy recalled By Jane Doe May 1, 2024"], "2024-05-02T01:30:00+00:00")
    '2024-05-02T01:30:00+00:00'
    """
    dateline, dates = "", []
    for dateline in datelines:
        dates = list(SHOWN_DATE.finditer(dateline))
        if dates:
            break
    if not dates or (not updates_too and UPDATE_LABEL.search(dateline[max(dates[0].start() - 25, 0) : dates[0].start()])):
        return published
    day = read_date(dates[0].group(0), language, published, (machine_days or {}).get(dates[0].group(0)))
    if day and len(dates) > 1 and dates[1].start() - dates[0].end() < 5:
        second = read_date(dates[1].group(0), language, published)
        if second and second < day:
            day = second
    if day is None or (published and published[:10] == day):
        return published
    if published and day in days_in_any_zone(published):
        return published  # the same moment: pages often print the day in the reader's time zone, set by script
    return day


def days_in_any_zone(moment: str) -> set[str]:
    """The days a time with an offset falls on somewhere on Earth (UTC-12 to UTC+14); none for a time without offset.

    >>> sorted(days_in_any_zone("2025-12-19T22:02:58+00:00")), sorted(days_in_any_zone("2025-12-19T11:00:00+00:00"))
    (['2025-12-19', '2025-12-20'], ['2025-12-18', '2025-12-19', '2025-12-20'])
    >>> days_in_any_zone("2025-12-19"), days_in_any_zone("2025-12-19T22:02:58")
    (set(), set())
    """
    try:
        instant = datetime.fromisoformat(moment)
    except ValueError:
        return set()
    if instant.tzinfo is None:
        return set()
    utc = instant.astimezone(timezone.utc)
    return {(utc + timedelta(hours=hours)).date().isoformat() for hours in (-12, 0, 14)}


def url_date(url: str | None) -> str | None:
    """The day a URL carries in its path (htmldate's reading), else None.

    >>> url_date("https://whatever.example/2025/12/18/comfort-watches/"), url_date("https://daily.example/envoy")
    ('2025-12-18', None)
    """
    return extract_url_date(url, Extractor(False, datetime.now(), EARLIEST, True, "%Y-%m-%d"))


def time_element_days(tree, markup: DateMarkup | None = None) -> dict[str, str]:
    """The day each date printed in a ``<time datetime>`` element stands for, as its ``datetime`` gives it.

    >>> from lxml import html
    >>> time_element_days(html.fromstring('<p><time datetime="2023-10-12T19:38:01Z">10/12/2023 7:38 PM</time></p>'))
    {'10/12/2023': '2023-10-12'}
    """
    days = {}
    for element in (markup or date_markup(tree)).times:
        if element.get("datetime") is None:
            continue
        day = declared_date([element.get("datetime")])
        if day:
            for shown in SHOWN_DATE.finditer(" ".join(element.text_content().split())):
                days.setdefault(shown.group(0), day[:10])
    return days


# The corrections published_date makes to htmldate's date, by name (extract_article's ``skip`` turns each off)
DATE_RULES = ("first_published", "marked_published", "published_before_update", "declared_published", "dateline", "dateline_updates")


def published_date(
    tree, found: str | None, datelines: list[str], page_text: str, language: str | None = None, url: str | None = None,
    skip: frozenset[str] = frozenset(), declared: tuple[str | None, str | None] | None = None, markup: DateMarkup | None = None,
) -> str | None:
    """The page's publication date: htmldate's ``found`` (ISO 8601), corrected by what the page declares and shows.

    In order: a date the page labels as its first publication, marks as its
    own (``<time pubdate>``) or prints right before a labelled later update
    ("December 3, 2025. Updated: December 7, 2025"); the declared
    ``datePublished`` / ``article:published_time`` when htmldate found none, a
    day without time (not the ``url``'s) or the declared modification date,
    and the page shows the declared day or not htmldate's; then
    ``shown_date``, which takes a date line labelled as an update too when
    the page declares no publication date (htmldate's is then a guess from
    the page's text). ``skip`` names DATE_RULES to run without; ``declared``: the
    page's ``declared_dates`` and ``markup`` its ``date_markup``, when already read.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><meta property="article:modified_time" content="2024-05-03T10:57:58+00:00">'
    ...     '<script type="application/ld+json">{"datePublished":"2024-03-17T19:47:39+00:00"}</script></head><body>x</body></html>')
    >>> published_date(page, "2024-05-03T10:57:58+00:00", ["Envoy recalled By Jane Doe"], "Envoy recalled By Jane Doe")
    '2024-03-17T19:47:39+00:00'
    >>> published_date(page, "2024-05-03T10:57:58+00:00", ["Envoy recalled"], "Envoy recalled Last updated May 3, 2024")
    '2024-05-03T10:57:58+00:00'
    """
    first = (
        ("first_published" not in skip and first_published(page_text, language))
        or ("marked_published" not in skip and marked_published(tree, markup))
        or ("published_before_update" not in skip and published_before_update(page_text, language))
    )
    if first:
        return found if found and found[:10] == first else first
    declared, modified = declared or declared_dates(tree, markup)
    if declared and (found is None or found[:10] != declared[:10]) and "declared_published" not in skip:
        undated = len(found or "") == 10 and found != url_date(url)
        if found is None or undated or found[:10] == (modified or "")[:10]:
            shown = days_shown(page_text, language)
            # htmldate's day may be the declared time printed in the reader's time zone: the same moment
            if declared[:10] in shown or (found or "")[:10] not in shown or (found or "")[:10] in days_in_any_zone(declared):
                found = declared
    if "dateline" in skip:
        return found
    updates_too = declared is None and "dateline_updates" not in skip
    return shown_date(datelines, found, language, updates_too=updates_too, machine_days=time_element_days(tree, markup))


# The evidence a stored published date can come from (articles.published_from), the page's own first:
# its JSON-LD, a meta tag or microdata attribute, a <time datetime>, its URL, its visible text; then the
# date the feed or the news sitemap that listed the URL gave it.
PAGE_SOURCES = ("jsonld", "meta", "time", "url", "dateline")
LISTING_SOURCES = ("feed", "sitemap")
DATE_NAME = re.compile(r"date|time|publish|modif|created|updated|issued", re.IGNORECASE)  # meta names that hold a date
LINKED_DATE = re.compile(r'"(?:date\w*|uploadDate)"\s*:\s*"([^"]+)"')  # JSON-LD datePublished, dateCreated, ...


def day_of(value: str | None) -> str | None:
    """The day (YYYY-MM-DD) a machine-written date stands for (ISO 8601, else as htmldate reads it), else None.

    >>> day_of("2025-12-08T22:31:00.000Z"), day_of("2024/05/02"), day_of("soon"), day_of(None)
    ('2025-12-08', '2024-05-02', None, None)
    """
    if not value or not value.strip():
        return None
    declared = declared_date([value])
    if declared:
        return declared[:10]
    return try_date_expr(value.strip(), "%Y-%m-%d", False, EARLIEST, datetime.now())


def date_source(
    tree, published: str | None, page_text: str, language: str | None = None, urls=(), markup: DateMarkup | None = None
) -> str | None:
    """Where the page gives the day of ``published``, the first of PAGE_SOURCES that has it, else None; ``markup``:
    the page's ``date_markup``, when already read.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><meta name="pubdate" content="2024-05-02"></head><body><p>May 2, 2024</p></body></html>')
    >>> date_source(page, "2024-05-02", "May 2, 2024"), date_source(page, "2024-05-03", "May 2, 2024")
    ('meta', None)
    >>> date_source(html.fromstring('<p>x</p>'), "2025-12-18", "x", urls=["https://w.example/2025/12/18/x"])
    'url'
    """
    day = (published or "")[:10]
    if not day:
        return None
    markup = markup or date_markup(tree)
    if any(day_of(value) == day for value in LINKED_DATE.findall(markup.linked_data)):
        return "jsonld"
    for element in markup.dated:
        if element.tag == "time":
            continue  # a <time>'s datetime is the "time" source
        names = " ".join(element.get(name) or "" for name in ("property", "name", "itemprop", "http-equiv"))
        if DATE_NAME.search(names) and day_of(element.get("content") if element.tag == "meta" else element.get("datetime")) == day:
            return "meta"
    if any(day_of(element.get("datetime")) == day for element in markup.times if element.get("datetime") is not None):
        return "time"
    if any(url and url_date(url) == day for url in urls):
        return "url"
    if day in days_shown(page_text, language):
        return "dateline"
    return None


def listed_date(value: str | None, now: datetime | None = None) -> str | None:
    """A date as a feed (RFC 822 ``pubDate``, Atom's ISO 8601) or a sitemap (W3C datetime) writes it, as ISO
    8601 with its own offset, or the day alone; None when it is unreadable, not a whole day ("2024-04"), or
    before EARLIEST or more than a day ahead of ``now`` (a placeholder such as the Unix epoch, a typo).

    >>> listed_date("Wed, 17 Apr 2024 11:42:00 GMT"), listed_date(" 2024-04-17T13:42:00+02:00 "), listed_date("2024-04-17")
    ('2024-04-17T11:42:00+00:00', '2024-04-17T13:42:00+02:00', '2024-04-17')
    >>> listed_date("2024-04"), listed_date("Thu, 01 Jan 1970 00:00:00 +0000"), listed_date("soon"), listed_date(None)
    (None, None, None, None)
    """
    value = (value or "").strip()
    if not value or re.search(r"\dW\d|-W\d", value):
        return None  # empty, or an ISO week ("2024-W16"): no day
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # "2024-04" too: a month is no day
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        whole_day = False
    else:
        whole_day = "T" not in value and ":" not in value
    now = now or datetime.now(timezone.utc)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if aware.replace(tzinfo=None) < EARLIEST or aware > now + timedelta(days=1):
        return None
    if whole_day:
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat()
