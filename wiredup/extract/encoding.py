"""Which encoding a fetched page is really in: what it declares when that fits its bytes, else a guess.

Scrapy trusts the first declaration it finds (byte-order mark, then the
Content-Type header, then ``<meta charset>``) and decodes with replacement
characters when it is wrong: a Turkish page served as ``charset=utf-8``, or a
Shift_JIS page that says ``iso-8859-1``, would be stored as mojibake. Here a
declaration is kept only when the body decodes with it; otherwise the next one
is tried, and charset-normalizer guesses when none fits or none is given.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding


def page_encoding(body: bytes, content_type: str | bytes | None = None) -> str:
    """The encoding to decode ``body`` with, given its Content-Type header.

    >>> turkish = '<meta charset="iso-8859-9"><p>İstanbul Büyükşehir Belediyesi yeni bir plan açıkladı.</p>'
    >>> page_encoding(turkish.encode("iso-8859-9"), "text/html; charset=utf-8")  # the header is wrong, the page right
    'cp1254'
    >>> page_encoding("<meta charset='utf-8'>café".encode(), "text/html")  # declared rightly
    'utf-8'
    >>> page_encoding(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9", "text/html; charset=iso-8859-1")  # a byte-order mark wins
    'utf-8'
    >>> page_encoding('<meta charset="windows-1252">Le café de Zürich'.encode(), "text/html; charset=iso-8859-1")
    'utf-8'
    """
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    bom, _ = read_bom(body)
    if bom:
        return bom
    if multibyte_utf8(body):
        # UTF-8 bytes decode as cp1252 or latin-1 too, always: "café" becomes "cafÃ©". Bytes that are
        # all valid UTF-8 with multibyte sequences in them are UTF-8, whatever the header or <meta> says.
        return "utf-8"
    for declared in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body)):
        encoding = resolve_encoding(declared) if declared else None
        if encoding and fits(body, encoding):
            return encoding
    return guessed_encoding(body)


def multibyte_utf8(body: bytes) -> bool:
    """Whether ``body`` is valid UTF-8 with at least one character outside ASCII (a legacy encoding's
    text is almost never that: its accented letters are lone high bytes, which UTF-8 refuses).

    >>> multibyte_utf8("Zürich".encode()), multibyte_utf8("Zürich".encode("latin-1")), multibyte_utf8(b"ascii")
    (True, False, False)
    """
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def fits(body: bytes, encoding: str) -> bool:
    """Whether ``body`` is plausibly in ``encoding``: it decodes without error, or, for UTF-8 (which
    checks itself), its valid characters outside ASCII are at least as many as its broken bytes:
    a legacy encoding read as UTF-8 is mostly broken bytes (Shift_JIS makes some valid by chance),
    real UTF-8 with a few bad bytes is mostly valid.

    >>> fits("Zürich café".encode() + b"\\xff", "utf-8")  # UTF-8 with one broken byte
    True
    >>> fits("Şehir".encode("iso-8859-9"), "utf-8"), fits("政府は本日、発表しました。".encode("shift_jis"), "cp1252")
    (False, False)
    """
    try:
        body.decode(encoding)
        return True
    except UnicodeDecodeError:
        pass
    except LookupError:
        return False
    if codecs.lookup(encoding).name != "utf-8":
        return False
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(character > "\x7f" for character in text) - broken
    return valid >= broken


def guessed_encoding(body: bytes) -> str:
    """charset-normalizer's best guess; UTF-8 when it has none (binary, or nothing to tell by).

    >>> guessed_encoding("Правительство объявило о новом пакете мер поддержки бизнеса".encode("cp1251"))
    'cp1251'
    """
    best = from_bytes(body).best()
    return best.encoding if best is not None else "utf-8"
