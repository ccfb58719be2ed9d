"""The best-match index (write/best_match.py): the files the search page ranks articles with, read as
the page reads them, and what rebuilds and a damaged cache do to them."""

import gzip
import json
import re
import shutil

from newsgen.build import build
from newsgen.config import load_config
from newsgen.write.best_match import fnv1a, words_of

STORY = """\
---
title: {title}
date: 2023-05-0{day}T09:30:00Z
section: Ports
---
{body}
"""
STORIES = {
    1: ("Harbour report 1", "The harbour froze on day 1."),
    2: ("Crane strike", "Crane drivers stopped work on day 2."),
    3: ("Harbour cranes", "The harbour cranes stood idle as the harbour emptied on day 3."),
    4: ("Market report", "The market opened on day 4."),
    5: ("Harbour report 5", "The harbour grew on day 5."),
}
ONE_PER_SHARD = {"search_shard_words": 1}


def _files(stories=STORIES) -> dict[str, str]:
    return {f"content/s{day}.md": STORY.format(day=day, title=title, body=body)
            for day, (title, body) in stories.items()}


def _read(path):
    return json.loads(gzip.decompress(path.read_bytes()))


def best_matches(bundle, query: str) -> list[tuple[str, str]]:
    """(URL, headline) of the articles a best-match query lists, best first, scored as
    static/search.js scores them (whole words only)."""
    index = json.loads((bundle / "best.json").read_text(encoding="utf-8"))
    folder = bundle / index["folder"]
    scores: dict[int, int] = {}
    for word in dict.fromkeys(words_of(query)):
        forms_file = folder / f"w-{word[:2].encode().hex()}.dat"
        forms = _read(forms_file) if forms_file.exists() else {}
        if word not in forms:
            continue
        stem = forms[word] or word
        entry = _read(folder / f"s-{fnv1a(stem) % index['stems']}.dat").get(stem)
        number = 0
        for at in range(1, len(entry), 2):
            number += entry[at]
            scores[number] = scores.get(number, 0) + entry[0] * entry[at + 1]
    ranked = sorted(scores, key=lambda number: (-scores[number], -number))
    docs = []
    for number in ranked:
        doc = _read(folder / f"d-{number // index['block']}.dat")[number % index["block"]]
        docs.append((doc[0], doc[1]))
    return docs


def _url(day: int, title: str) -> str:
    return f"2023/05/0{day}/{title.lower().replace(' ', '-')}/"


def test_best_match_ranks_articles_of_every_shard_by_relevance(make_site):
    out = make_site(_files(), **ONE_PER_SHARD)
    bundle = out / "pagefind"
    assert len(list(bundle.glob("*/pagefind-entry.json"))) == 4  # five shards, one of them the primary
    ranked = best_matches(bundle, "harbour cranes")
    # Both words first; then the rarer word (two articles hold "crane"); then the commoner one, newest first.
    assert ranked == [(_url(3, "Harbour cranes"), "Harbour cranes"), (_url(2, "Crane strike"), "Crane strike"),
                      (_url(5, "Harbour report 5"), "Harbour report 5"), (_url(1, "Harbour report 1"), "Harbour report 1")]
    # "crane" and "cranes" share their stem (a word of the headline weighs more); accents and capitals
    # do not count.
    assert best_matches(bundle, "CRÂNE") == best_matches(bundle, "cranes") == [
        (_url(2, "Crane strike"), "Crane strike"), (_url(3, "Harbour cranes"), "Harbour cranes")]
    assert best_matches(bundle, "walrus") == []


def test_the_index_files_are_compressed_json_in_a_folder_named_by_their_content(make_site):
    stories = {**STORIES, 4: ("Informe del mercado", "El mercado abrió el día 4.")}
    files = _files(stories)
    files["content/s4.md"] = files["content/s4.md"].replace("section: Ports", "section: Ports\nlang: es")
    out = make_site(files, **ONE_PER_SHARD)
    bundle = out / "pagefind"
    index = json.loads((bundle / "best.json").read_text(encoding="utf-8"))
    assert index["docs"] == 5 and index["block"] == 32 and index["folder"].startswith("best-")
    folder = bundle / index["folder"]
    assert all(path.read_bytes()[:2] == b"\x1f\x8b" for path in folder.iterdir())
    docs = _read(folder / "d-0.dat")
    assert docs[0] == [_url(1, "Harbour report 1"), "Harbour report 1", "1 May 2023, 09:30 UTC",
                       "The harbour froze on day 1."]
    assert docs[3][-2:] == ["es", "ltr"]  # a result in another language keeps its own
    forms = _read(folder / f"w-{'cr'.encode().hex()}.dat")
    assert forms == {"crane": "", "cranes": "crane"}
    assert "abrio" in _read(folder / f"w-{'ab'.encode().hex()}.dat")  # "abrió", accent dropped
    assert _read(folder / "filters.dat") == {"tag": {}, "section": {"Ports": 5}, "author": {}, "year": {"2023": 5}}


def test_a_rebuild_writes_the_index_a_clean_build_writes(make_site, tmp_path):
    out = make_site(_files(), **ONE_PER_SHARD)
    before = json.loads((out / "pagefind/best.json").read_text(encoding="utf-8"))["folder"]
    story = tmp_path / "site/content/s2.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Crane drivers", "Walrus keepers"),
                     encoding="utf-8")
    report = build(load_config(tmp_path / "site", {"workers": 1, **ONE_PER_SHARD}))
    assert (report.search_shards_indexed, report.search_shards_reused) == (1, 4)
    assert [url for url, _ in best_matches(out / "pagefind", "walrus")] == [_url(2, "Crane strike")]
    shutil.rmtree(tmp_path / "site/.newsgen-cache")
    clean = build(load_config(tmp_path / "site", {"workers": 1, "output_dir": "clean", **ONE_PER_SHARD}))
    assert clean.search_shards_reused == 0
    rebuilt, fresh = out / "pagefind", clean.output_dir / "pagefind"
    folder = json.loads((rebuilt / "best.json").read_text(encoding="utf-8"))["folder"]
    assert folder != before and (rebuilt / "best.json").read_bytes() == (fresh / "best.json").read_bytes()
    assert sorted(p.name for p in (rebuilt / folder).iterdir()) == sorted(p.name for p in (fresh / folder).iterdir())
    for path in (rebuilt / folder).iterdir():
        assert path.read_bytes() == (fresh / folder / path.name).read_bytes(), path.name
    assert not (rebuilt / before).exists()


def test_a_damaged_term_table_in_the_cache_is_never_used_and_its_shard_is_indexed_again(make_site, tmp_path):
    out = make_site(_files(), **ONE_PER_SHARD)
    published = (out / "pagefind/best.json").read_bytes()
    cache = tmp_path / "site/.newsgen-cache/search"
    html = (out / "search/index.html").read_text(encoding="utf-8")
    oldest = re.search(r'data-shards="([^"]*)"', html).group(1).split()[-1]
    table = cache / oldest / "newsgen-best.json.gz"
    table.write_bytes(gzip.compress(b'{"format":1,"docs":[],"terms":{},"forms":{}}'))
    report = build(load_config(tmp_path / "site", {"workers": 1, "output_dir": "again", **ONE_PER_SHARD}))
    assert report.search_shards_indexed == 1
    assert [w for w in report.warnings if "damaged" in w] == [
        f"search: the cached index of 1 article from {_url(1, 'Harbour report 1')} was damaged "
        f"(newsgen-best.json.gz does not match its checksum); indexed again"]
    assert (report.output_dir / "pagefind/best.json").read_bytes() == published
    assert not list(report.output_dir.rglob("newsgen-best.json.gz"))  # the tables stay in the cache


def test_a_counter_that_forgets_its_tokens_between_shards_counts_the_same(monkeypatch):
    from newsgen.write import best_match
    text = "Harbours and harbour cranes: the crane drivers' harbour."
    remembering = best_match.TermCounter("en")
    expected = remembering.count(text)[0]
    monkeypatch.setattr(best_match, "REMEMBERED_TOKENS", 2)
    forgetting = best_match.TermCounter("en")
    forgetting.count("other words entirely")
    forgetting.trim()
    counts, tokens = forgetting.count(text)
    assert counts == expected == {"harbour": 3, "and": 1, "crane": 2, "the": 1, "driver": 1}
    assert forgetting.forms_of(tokens) == {"harbours": "harbour", "and": "and", "harbour": "harbour",
                                           "cranes": "crane", "the": "the", "crane": "crane", "drivers": "driver"}
