"""Read a Pagefind bundle the way its search engine does: entry -> meta -> word chunk -> fragments.

Pagefind's files are gzip streams of `pagefind_dcd` + CBOR (fragments: + JSON). This follows
the format of Pagefind 1.x; its tests exist so a query for a word is answered by the index
itself, not by grepping the HTML.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"


def _payload(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(SIGNATURE), f"{path} is not a Pagefind file"
    return data[len(SIGNATURE):]


def read_cbor(path: Path):
    return cbor2.loads(_payload(path))


def read_fragment(bundle: Path, page_hash: str) -> dict:
    return json.loads(_payload(bundle / "fragment" / f"{page_hash}.pf_fragment"))


def read_meta(bundle: Path) -> list:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (language,) = entry["languages"].values()
    return read_cbor(bundle / f"pagefind.{language['hash']}.pf_meta")


def shard_bundles(bundle: Path) -> list[Path]:
    """The primary index and each merged shard's folder (`pagefind/<key>/`) of a sharded index."""
    return [bundle] + sorted(p for p in bundle.iterdir() if (p / "pagefind-entry.json").is_file())


def indexed_pages(bundle: Path) -> list[dict]:
    """Every indexed page's fragment (url, content, filters, meta)."""
    return [read_fragment(bundle, page_hash) for page_hash, _words in read_meta(bundle)[1]]


def find_word(bundle: Path, word: str) -> list[str]:
    """URLs of the pages whose index entry holds `word` (already lowercased and stemmed)."""
    meta = read_meta(bundle)
    pages, chunks = meta[1], meta[2]
    urls = []
    for start, end, chunk_hash in chunks:
        if not start <= word <= end:
            continue
        for entry in read_cbor(bundle / "index" / f"{chunk_hash}.pf_index")[0]:
            if entry[0] == word:
                urls += [read_fragment(bundle, pages[page[0]][0])["url"] for page in entry[1]]
    return urls
