"""The best-match index: the search page's ranking by relevance, without opening every shard.

Pagefind ranks results within the indexes a browser has opened, so ranking the whole archive by
relevance through it means opening every shard (on the 21,578-article Reuters corpus, 22 shards
and 0.8 to 2.1 MB a query). This index answers a best-match query with a few small files:

- Words are found as the search page's script finds them (`words_of`): lower case, compatibility
  decomposition with the combining marks dropped (accents do not count), runs of letters, digits
  and underscores (up to LONGEST_WORD characters). Each word is reduced to its stem by the
  Snowball stemmer of the index's language (a language Snowball does not know keeps whole words).
- Each shard's articles give a term table (shard_terms; a JSON header and the stems' weights as
  32-bit integers, compressed), made while Pagefind indexes the shard and kept in the shard's
  search cache entry: for each stem, how many of the shard's articles hold it
  and the TOP_DOCS articles it matters most to, by a BM25 weight of the stem in the article
  (headline words count TITLE_WEIGHT times; the length is measured against REFERENCE_WORDS, so a
  weight depends on its article alone), quantized to 1-255; every word form seen and its stem;
  and each article's headline, URL, date and summary as a result shows them.
- write_best_index merges the shards' tables (oldest first; an article's number is its place in
  the archive, oldest first) into, for each stem, its inverse document frequency and the TOP_DOCS
  articles with the highest weight across the archive: stems in `s-N.dat` (N a hash of the stem,
  FNV-1a, modulo the number of stem files), word forms in `w-HEX.dat` by their first two
  characters (HEX their UTF-8 bytes), so the last word of a query can be matched as a prefix
  while it is typed, and articles in `d-N.dat`, BLOCK_DOCS a file; and the archive's filter values
  with their counts in `filters.dat`, which the filter panel shows without opening any shard.
  Files are JSON, gzip-compressed (static hosts do not compress unknown types), in a folder named
  by a digest of them all;
  `best.json` says which folder and how many stem files. The index is a function of the tables
  alone, so a rebuild writes what a clean build writes.

The page scores each article by the sum, over the query's words, of the stem's inverse document
frequency times its weight in the article (the best of a word's stems when the last word stands
for several), and shows the best first: an article holding every word of the query outranks one
holding a few, and none is left out for missing one (a query's rare word still finds its
articles). A query lists at most TOP_DOCS articles for each of its words.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import html
import json
import math
import re
import shutil
import sys
import unicodedata
from array import array
from collections import Counter
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from newsgen.config import SiteConfig
from newsgen.model import Article
from newsgen.render.environment import formatted_date
from newsgen.render.translations import text_direction

FORMAT = 2
"""Changes whenever a term table or the published files change shape or meaning."""
TERMS_FILE = "newsgen-best.json.gz"
"""A shard's term table, in its search cache entry."""
INDEX_FILE = "best.json"
"""In the search bundle: the folder of the best-match index and how to read it."""
TOP_DOCS = 100
BLOCK_DOCS = 32
TITLE_WEIGHT = 3
REFERENCE_WORDS = 300
K1 = 1.2
B = 0.75
LONGEST_WORD = 40
"""Longer runs of letters and digits (link targets, codes, hostile filler) are not indexed: nobody
types them, and they would swell the word-form files a query downloads."""
REMEMBERED_TOKENS = 100_000
"""A build stems each distinct token once while it has met fewer than this (about 35 MB of them)."""
PLACE_MASK = (1 << 24) - 1
"""A term table packs an article's place in its shard in the low 24 bits of a pair: a shard holds
at most `search_shard_words` articles (each at least one word), at most 10,000,000."""
POSTINGS_PER_FILE = 3000
"""About how many (article, weight) pairs a stem file holds: the number of stem files is the power
of two that keeps them near this size (about 10 kB compressed)."""

_NON_WORD_ASCII = bytes(
    (byte if chr(byte).isalnum() or byte == ord("_") or byte >= 128 else ord(" ")) for byte in range(256)
).lower()
"""Maps every ASCII byte that is not a word character to a space, and ASCII capitals to small
letters; leaves the bytes of other characters (UTF-8, all 128 and above) alone."""
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian", "fi": "finnish",
    "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}


def words_of(text: str) -> list[str]:
    """The words of a text as the index and the search page see them (see the module docstring)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return _WORD.findall("".join(char for char in folded if not unicodedata.category(char).startswith("M")))


@lru_cache(maxsize=16)
def stemmer_for(language: str) -> Callable[[str], str]:
    """The Snowball stemmer of a language tag's primary language, else a function keeping the word."""
    algorithm = _SNOWBALL.get(language.lower().replace("_", "-").split("-")[0])
    if algorithm is None:
        return str
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer(algorithm).stemWord


class TermCounter:
    """Counts the stems of texts in one language, remembering every word form it has met."""

    def __init__(self, language: str):
        self._stem = stemmer_for(language)
        self._by_token: dict[bytes, str | tuple[str, ...]] = {}
        self._forms: dict[bytes, tuple[tuple[str, str], ...]] = {}

    def count(self, text: str) -> tuple[Counter, set[bytes]]:
        """The stems of `text` with how often each occurs, and its tokens (for forms_of)."""
        tokens = text.encode("utf-8", "surrogatepass").translate(_NON_WORD_ASCII).split()
        distinct = set(tokens)
        for token in distinct.difference(self._by_token):
            self._learn(token)
        counts = Counter(map(self._by_token.__getitem__, tokens))
        for several in [key for key in counts if type(key) is tuple]:
            times = counts.pop(several)
            for stem in several:
                counts[stem] += times
        return counts, distinct

    def _learn(self, token: bytes) -> None:
        """A token is a run of bytes between ASCII non-word characters: usually one word, but a
        run holding other scripts' punctuation, or marks alone, makes several words or none."""
        forms = tuple((word, self._stem(word))
                      for word in words_of(token.decode("utf-8", "surrogatepass")) if len(word) <= LONGEST_WORD)
        self._forms[token] = forms
        self._by_token[token] = forms[0][1] if len(forms) == 1 else tuple(stem for _, stem in forms)

    def forms_of(self, tokens: Iterable[bytes]) -> dict[str, str]:
        """Each word form of the tokens with its stem."""
        return {word: stem for token in tokens for word, stem in self._forms[token]}

    def trim(self) -> None:
        """Forget the tokens met so far when they are more than REMEMBERED_TOKENS (between shards:
        forms_of needs the tokens of the shard being counted)."""
        if len(self._by_token) > REMEMBERED_TOKENS:
            self._by_token.clear()
            self._forms.clear()


def article_text(article: Article) -> str:
    """What the index reads of an article besides its headline: the summary unless the body holds
    it, the corrections and the body's text."""
    body = _TAG.sub(" ", article.body_html)
    if "&" in body:
        body = html.unescape(body)
    summary = article.summary.rstrip("…").strip()
    parts = [] if summary in body else [article.summary]
    parts += [correction.text for correction in article.corrections]
    parts.append(body)
    return "\n".join(parts)


def shard_terms(articles: Sequence[Article], config: SiteConfig, counter: TermCounter) -> bytes:
    """The term table of a shard's articles (oldest first, with their bodies), compressed."""
    counter.trim()
    pairs_of: dict[str, list[int]] = {}
    tokens: set[bytes] = set()
    docs = []
    for number, article in enumerate(articles):
        counts, seen = counter.count(article.title + "\n" + article_text(article))
        title, _ = counter.count(article.title)
        tokens |= seen
        length = sum(counts.values())
        for stem, times in title.items():
            counts[stem] += times * (TITLE_WEIGHT - 1)
        norm = K1 * (1 - B + B * length / REFERENCE_WORDS)
        pair_for: dict[int, int] = {}  # by how often a stem occurs: most stems of an article share a few counts
        for stem, times in counts.items():
            pair = pair_for.get(times)
            if pair is None:
                pair = pair_for[times] = max(1, round(255 * times / (times + norm))) << 24 | number
            pairs_of.setdefault(stem, []).append(pair)
        docs.append(_doc(article, config))
    stems = sorted(pairs_of)
    counts = [len(pairs_of[stem]) for stem in stems]
    best = [sorted(pairs_of[stem], reverse=True)[:TOP_DOCS] for stem in stems]
    pairs = array("I", chain.from_iterable(best))
    forms = counter.forms_of(tokens)
    header = _json({"format": FORMAT, "docs": docs, "stems": stems, "counts": counts,
                    "lengths": [len(found) for found in best],
                    "forms": {word: "" if stem == word else stem for word, stem in sorted(forms.items())}})
    if sys.byteorder == "big":
        pairs.byteswap()
    return gzip.compress(len(header).to_bytes(4, "little") + header + pairs.tobytes(), compresslevel=1, mtime=0)


def _doc(article: Article, config: SiteConfig) -> list[str]:
    """An article as a result shows it: URL (from the site's root), headline, date, summary, and
    its language and direction when not the index's."""
    date, own_language = result_date_and_language(article, config)
    return [article.url, article.title, date, article.summary, *(own_language or ())]


def result_date_and_language(article: Article, config: SiteConfig) -> tuple[str, tuple[str, str] | None]:
    """The date a search result shows for an article (in the article's language), and the
    article's language and text direction when they are not the index's (`config.language`): its
    result keeps its own. Pagefind's results (search.slim_page) and this index's show the same."""
    language = article.lang or config.language
    date = formatted_date(article.published, article.precision, config.timezone, language)
    if language.lower() == config.language.lower():
        return date, None
    return date, (language, text_direction(language))


class TermTable(NamedTuple):
    """A shard's term table as shard_terms made it: its articles as results show them, its word forms
    with their stems, and for each stem (in `stems` order) how many of its articles hold it and its
    best articles, best first, each as `weight << 24 | the article's place in the shard`."""

    docs: list[list[str]]
    forms: dict[str, str]
    stems: list[str]
    counts: list[int]
    lengths: list[int]
    pairs: array


def read_terms(data: bytes) -> TermTable:
    """A term table as shard_terms made it; raises ValueError when it is not one."""
    try:
        raw = gzip.decompress(data)
        size = int.from_bytes(raw[:4], "little")
        header = json.loads(raw[4:4 + size])
        pairs = array("I")
        pairs.frombytes(raw[4 + size:])
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("not a term table of this version")
    if sys.byteorder == "big":
        pairs.byteswap()
    return TermTable(header["docs"], header["forms"], header["stems"], header["counts"], header["lengths"], pairs)


def write_best_index(bundle: Path, tables: Sequence[bytes], filters: dict[str, dict[str, int]]) -> None:
    """Write the best-match index of the shards' term tables (oldest shard first) into `bundle`, with
    the archive's filter values and their counts (`filters.dat`, for the search page's filter panel)."""
    docs: list[list[str]] = []
    document_frequency: Counter = Counter()
    best: dict[str, list[int]] = {}
    forms: dict[str, str] = {}
    for data in tables:
        table = read_terms(data)
        offset = len(docs)
        docs += table.docs
        forms.update(table.forms)
        start = 0
        for stem, count, length in zip(table.stems, table.counts, table.lengths):
            document_frequency[stem] += count
            heap = best.setdefault(stem, [])
            for pair in table.pairs[start:start + length]:
                candidate = (pair >> 24) << 32 | (offset + (pair & PLACE_MASK))
                if len(heap) < TOP_DOCS:
                    heapq.heappush(heap, candidate)
                elif candidate > heap[0]:
                    heapq.heapreplace(heap, candidate)
                else:
                    break  # the shard's pairs come best first: none of the rest gets in
            start += length
    files: dict[str, object] = {"filters.dat": filters}
    files.update(_stem_files(best, document_frequency, len(docs)))
    files.update(_form_files(forms))
    for start in range(0, len(docs), BLOCK_DOCS):
        files[f"d-{start // BLOCK_DOCS}.dat"] = docs[start:start + BLOCK_DOCS]
    encoded = {name: gzip.compress(_json(content), compresslevel=9, mtime=0) for name, content in sorted(files.items())}
    digest = hashlib.blake2b(digest_size=8)
    for name, data in encoded.items():
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    folder = f"best-{digest.hexdigest()}"
    target = bundle / folder
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, data in encoded.items():
        (target / name).write_bytes(data)
    stems = sum(1 for name in files if name.startswith("s-"))
    (bundle / INDEX_FILE).write_bytes(_json({"format": FORMAT, "folder": f"{folder}/", "stems": stems,
                                             "block": BLOCK_DOCS, "docs": len(docs)}))


def _stem_files(best: dict[str, list[int]], document_frequency: Counter, total: int) -> dict[str, dict]:
    """Stem files: for each stem, [IDF x 1000, then article number (from the last one's) and weight
    for each of its best articles, in archive order]."""
    postings = sum(len(heap) for heap in best.values())
    count = 1 << max(0, math.ceil(math.log2(max(1, postings / POSTINGS_PER_FILE))))
    files: dict[str, dict] = {f"s-{number}.dat": {} for number in range(count)}
    for stem in sorted(best):
        df = document_frequency[stem]
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        entry = [round(idf * 1000)]
        previous = 0
        for candidate in sorted(best[stem], key=lambda value: value & 0xFFFFFFFF):
            number = candidate & 0xFFFFFFFF
            entry += [number - previous, candidate >> 32]
            previous = number
        files[f"s-{fnv1a(stem) % count}.dat"][stem] = entry
    return files


def _form_files(forms: dict[str, str]) -> dict[str, dict]:
    """Word-form files, by the first two characters of the form: each form with its stem ("" when
    the stem is the form itself)."""
    files: dict[str, dict] = {}
    for word, stem in sorted(forms.items()):
        files.setdefault(f"w-{word[:2].encode('utf-8', 'surrogatepass').hex()}.dat", {})[word] = stem
    return files


def fnv1a(text: str) -> int:
    """The 32-bit FNV-1a hash of a text's UTF-8 bytes: the search page computes the same."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _json(value: object) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate (a byte a source file did not decode) becomes "?"."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
