"""The 21,578-article Reuters export builds into a complete site (slow: `make test-slow`).

The export is copied into a temporary site for the test only (its terms allow testing, not shipping).
"""

import json
import shutil
from collections import Counter

import pytest

from conftest import SHARED
from newsgen.build import build
from newsgen.config import load_config

REUTERS = SHARED / "corpora" / "reuters21578" / "articles.jsonl"
EMPTY_RECORD = "content/articles.jsonl:12793: empty record (no title and no body text); left out"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not REUTERS.is_file(), reason="needs the Reuters corpus")]


@pytest.fixture(scope="module")
def reuters_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("reuters")
    (site / "content").mkdir()
    shutil.copyfile(REUTERS, site / "content" / "articles.jsonl")
    return site


def test_reuters_builds_every_record_but_the_one_empty_one_which_is_named(reuters_site, monkeypatch):
    monkeypatch.chdir(reuters_site)
    config = load_config(reuters_site, {"workers": 2})
    report = build(config)
    assert report.skipped_invalid == ()
    assert report.warnings == (EMPTY_RECORD,)
    assert report.articles == 21_577
    out = config.output_path
    article_pages = [a for a in out.glob("1987/*/*/*") if a.is_dir() and a.name != "page" and a.parent.name != "page"]
    assert len(article_pages) == 21_577  # same-day duplicate headlines got distinct URLs, none overwritten
    records = [json.loads(line) for line in REUTERS.read_text(encoding="utf-8").splitlines()]
    topics = {t for r in records for t in r["tags"]}
    assert {p.name for p in (out / "tags").iterdir() if p.is_dir()} == topics
    days = {r["date"][:10] for r in records}
    assert len([d for d in out.glob("1987/*/*") if d.is_dir() and d.name != "page" and d.parent.name != "page"]) == len(days) == 58
    busiest = Counter(r["date"][:10] for r in records).most_common(1)[0]
    assert busiest == ("1987-04-07", 1531)
    assert (out / "1987/04/07/page/2/index.html").is_file()
    ticker = (out / "1987/02/26/talking-point-bankamerica-bac-equity-offer/index.html").read_text(encoding="utf-8")
    assert "<h1>TALKING POINT/BANKAMERICA &lt;BAC&gt; EQUITY OFFER</h1>" in ticker
