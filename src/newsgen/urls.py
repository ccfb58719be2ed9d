"""Every rule that maps records to URLs and URLs to output files, in one place.

Site URLs are relative to the site root and end with `/` (`tags/venezuela/`); the root is `""`.
Pages link to each other with relative hrefs, so a site works at a domain root, under any
sub-path and from a plain folder alike; absolute URLs (feeds, canonical links) join base_url.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import unicodedata
from collections import defaultdict
from typing import Iterable
from datetime import datetime
from urllib.parse import quote, urlsplit

from anyascii import anyascii

MAX_SLUG_LENGTH = 80
MAX_SLUG_BYTES = 200
"""File systems limit a name to 255 bytes; 80 four-byte characters (CJK extension B) would pass 300."""
_NOT_WORD = re.compile(r"[^\w]+")
WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}


SLUG_SCRIPTS = ("ascii", "unicode")
"""How slugs write letters of scripts other than Latin (`slug_script`): transliterated into ASCII
with anyascii, or kept as they are."""


def slugify(text: str, fallback: str = "", script: str = "ascii") -> str:
    """A URL- and file-system-safe slug: case-folded letters and digits joined by hyphens.

    Accents are dropped (`Bogotá` -> `bogota`). With script `ascii`, letters that are still not
    ASCII are transliterated (`Αθήνα` -> `athina`, `Москва` -> `moskva`, `北京` -> `bei-jing`,
    `Łódź` -> `lodz`); with `unicode` they are kept (`αθηνα`). Case is folded the way
    case-insensitive file systems see it, beyond lowercasing: `Straße` and `STRASSE` give
    `strasse`, `ΟΔΟΣ` and `οδοσ` give `odos` (`οδοσ` with `unicode`), so terms spelled so are
    one term. The result never contains `.`, `/` or `\\`, is never a Windows device name, and is
    at most 80 characters, cut at a hyphen. Text with no letters or digits gets a stable hash instead.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", stripped).casefold()
    if script == "ascii" and not folded.isascii():
        folded = "".join(map(_ascii_letters, folded)).casefold()
    slug = _NOT_WORD.sub("-", folded).replace("_", "-")
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        cut = slug[:MAX_SLUG_LENGTH + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:MAX_SLUG_LENGTH]
        slug = slug.strip("-")
    while len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        slug = slug[:-1].rstrip("-")
    if not slug:
        digest = hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:8]
        slug = f"{fallback or 'x'}-{digest}"
    if slug in WINDOWS_DEVICES:
        slug += "-1"
    return slug


@functools.lru_cache(maxsize=4096)
def _ascii_letters(char: str) -> str:
    """A letter, mark or digit in ASCII: anyascii's transliteration without the apostrophes it
    writes for some letters (Arabic `ع` is a backtick). A Chinese character is one syllable, set
    apart by spaces (`北京` -> ` bei  jing `), as Chinese writes no spaces between words. ASCII,
    punctuation and symbols stay themselves (`€`, `©` and emoji separate words as in `unicode`)."""
    if char.isascii() or unicodedata.category(char)[0] not in "LMN":
        return char
    letters = anyascii(char).replace("`", "").replace("'", "")
    return f" {letters} " if unicodedata.name(char, "").startswith(_HAN) else letters


_HAN = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")


def suffixed_slug(slug: str, suffix: str, number: int | None = None) -> str:
    """`slug-suffix` (`slug-suffix-number` with a number) within MAX_SLUG_BYTES, to tell a slug
    from another: the suffix is cut to at most half of the bytes, the slug to what is left."""
    while len(suffix.encode("utf-8")) > MAX_SLUG_BYTES // 2:
        suffix = suffix[:-1]
    suffix = suffix.rstrip("-") + ("" if number is None else f"-{number}")
    room = MAX_SLUG_BYTES - len(suffix.encode("utf-8")) - 1
    while len(slug.encode("utf-8")) > room:
        slug = slug[:-1]
    slug = slug.rstrip("-")
    return f"{slug}-{suffix}" if slug else suffix


def article_url(pattern: str, published: datetime, precision: str, slug: str, section: str) -> str:
    """The article's URL from the permalink pattern; a month-precision date has no day segment."""
    segments = [s for s in pattern.strip("/").split("/") if s]
    if precision == "month":
        segments = [s for s in segments if "{day}" not in s]
    fields = {
        "year": f"{published.year:04d}",
        "month": f"{published.month:02d}",
        "day": f"{published.day:02d}",
        "slug": slug,
        "section": section or "news",
    }
    return "/".join(s.format(**fields) for s in segments) + "/"


def url_collisions(claims: Iterable[tuple[str, str]]) -> list[str]:
    """One error per URL claimed by more than one source file, naming every file that claims it."""
    by_url: dict[str, list[str]] = defaultdict(list)
    for url, source in claims:
        by_url[url].append(source)
    return [
        f"{sources[0]}: URL /{url} is also claimed by {', '.join(sources[1:])}; "
        "give one of them a different 'slug' or 'date'"
        for url, sources in sorted((url, sorted(sources)) for url, sources in by_url.items() if len(sources) > 1)
    ]


def alias_url(path: str) -> str | None:
    """An old path of the site (`aliases:`) as a site URL: `/2019/old-slug/` -> `2019/old-slug/`,
    `old/page.html` stays a file, `old/page` -> `old/page/`. None when it is no path inside the
    site (a full URL, `..`, an empty segment, a query, spaces)."""
    text = path.strip()
    if not text or "://" in text or text.startswith("//") or re.search(r"[\s?#\\\x00]", text):
        return None
    parts = text.strip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    url = "/".join(parts)
    return url + "/" if text.endswith("/") or "." not in parts[-1] else url


def term_index_url(kind: str) -> str:
    """`tags/`, `sections/` or `authors/`."""
    return f"{kind}s/"


def term_url(kind: str, slug: str) -> str:
    return f"{kind}s/{slug}/"


def period_url(year: int, month: int | None = None, day: int | None = None) -> str:
    parts = [f"{year:04d}"]
    if month is not None:
        parts.append(f"{month:02d}")
    if day is not None:
        parts.append(f"{day:02d}")
    return "/".join(parts) + "/"


def page_url(listing_url: str, number: int | None) -> str:
    """A listing's numbered page (`tags/x/page/3/`); None is the listing's own, newest page."""
    if number is None:
        return listing_url
    return f"{listing_url}page/{number}/"


def output_path(url: str) -> str:
    """The file that serves a site URL: `a/b/` -> `a/b/index.html`; a file URL stays itself."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


@functools.lru_cache(maxsize=65536)
def relative_url(from_url: str, to_url: str) -> str:
    """The href from the page at from_url to to_url, both site URLs (`""` is the front page)."""
    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    target, hash_, fragment = to_url.partition("#")
    rel = _relpath(target, from_dir)
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else rel + "/"
    href = quote(rel, safe="/.-_~")
    return href + (hash_ + fragment if hash_ else "")


def _relpath(target: str, start: str) -> str:
    """posixpath.relpath("/" + target, "/" + start) for site URLs, without its abspath calls."""
    if "//" in target or "//" in start or "/." in "/" + target or "/." in "/" + start:
        return posixpath.relpath("/" + target, "/" + start)
    to_parts = [p for p in target.split("/") if p]
    from_parts = [p for p in start.split("/") if p]
    common = 0
    for a, b in zip(to_parts, from_parts):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(from_parts) - common) + to_parts[common:]
    return "/".join(parts) if parts else "."


def absolute_url(base_url: str, site_url: str) -> str:
    return base_url + quote(site_url.lstrip("/"), safe="/.-_~#")


def root_relative_url(base_path: str, site_url: str) -> str:
    """`/news/tags/x/` for base path `/news/`: for pages served at any depth, like 404.html."""
    return base_path + quote(site_url.lstrip("/"), safe="/.-_~#")


# Feeds and sitemaps
FEED_FILE = {"atom": "feed.xml", "rss": "rss.xml"}


def feed_url(listing_url: str, flavour: str = "atom") -> str:
    """A listing's feed: `feed.xml` for the site, `tags/x/feed.xml`; `rss.xml` for RSS 2.0."""
    return listing_url + FEED_FILE[flavour]


def sitemap_url(name: str) -> str:
    """`sitemap-2022.xml`, `sitemap-2022-2.xml`, `sitemap-pages.xml`: files at the site root."""
    return f"sitemap-{name}.xml"


def asset_url(base_url: str, reference: str) -> str:
    """An image or logo reference as an absolute URL: kept when it already is one, else a path
    under the site root (`images/x.jpg` or `/images/x.jpg`) joined to base_url."""
    if urlsplit(reference).scheme in ("http", "https"):
        return reference
    return absolute_url(base_url, reference)


def tag_uri(base_url: str, published: datetime, site_url: str) -> str:
    """A stable RFC 4151 id for an entry: `tag:example.org,2022-08-10:/news/2022/08/10/slug/`.
    It names the article, not where it is served from, so it survives a move to https."""
    parts = urlsplit(base_url)
    path = quote(parts.path.rstrip("/") + "/" + site_url.lstrip("/"), safe="/.-_~")
    return f"tag:{parts.hostname},{published:%Y-%m-%d}:{path}"


def page_url_for_path(path: str) -> str:
    """The site URL an output file is served at: `a/b/index.html` -> `a/b/`; the inverse of output_path."""
    if path == "index.html":
        return ""
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path
# Finding things: search and on-this-day pages.
SEARCH_URL = "search/"
ON_THIS_DAY_URL = "on-this-day/"


def on_this_day_url(month: int, day: int) -> str:
    """`on-this-day/08-10/`: articles from 10 August of every year."""
    return f"{ON_THIS_DAY_URL}{month:02d}-{day:02d}/"


SHARE_URLS = {
    "email": "mailto:?subject={title}&body={url}",
    "bluesky": "https://bsky.app/intent/compose?text={title}%20{url}",
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={url}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={url}",
    "reddit": "https://www.reddit.com/submit?url={url}&title={title}",
    "telegram": "https://t.me/share/url?url={url}&text={title}",
    "whatsapp": "https://wa.me/?text={title}%20{url}",
    "x": "https://x.com/intent/post?url={url}&text={title}",
}
"""The share links an article page can offer (`share`): plain links that open the network's own
form with the headline and URL filled in, no script of theirs or ours."""


def share_url(network: str, title: str, url: str) -> str:
    """The link sharing the page at the absolute URL `url` with headline `title` on `network`."""
    return SHARE_URLS[network].format(title=quote(title, safe=""), url=quote(url, safe=""))
