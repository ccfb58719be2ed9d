"""Related stories: shared tags weighted by rarity, nearer in time first, a bounded look per tag."""

import re

import pytest
from article_records import make_article
from pagefind_index import find_word

from newsgen.config import load_config
from newsgen.errors import ConfigError
from newsgen.index.related import WINDOW, relate_articles


def newest_first(articles):
    return sorted(articles, key=lambda a: a.published, reverse=True)


def related_slugs(articles, slug, count=4):
    related = relate_articles(newest_first(articles), count)
    return [a.slug for a in related.get(f"{slug}/", ())]


def test_a_shared_rare_tag_outweighs_a_shared_common_one_even_when_further_in_time():
    articles = [make_article("story", 0, ("Venezuela", "Politics")),
                make_article("rare-match", 40, ("Venezuela",)),
                make_article("common-match", 1, ("Politics",))]
    articles += [make_article(f"filler-{n}", 100 + n, ("Politics",)) for n in range(10)]
    assert related_slugs(articles, "story", 2) == ["rare-match", "common-match"]


def test_more_shared_tags_rank_first_then_the_nearer_in_time():
    articles = [make_article("story", 100, ("Oil", "Opec", "Saudi")),
                make_article("two-tags", 300, ("Oil", "Opec")),
                make_article("one-tag-near", 101, ("Oil",)),
                make_article("one-tag-far", 10, ("Oil",)),
                make_article("unrelated", 100, ("Sport",))]
    assert related_slugs(articles, "story") == ["two-tags", "one-tag-near", "one-tag-far"]


def test_count_caps_the_list_and_zero_turns_related_off():
    articles = [make_article(f"a{n}", n, ("Trade",)) for n in range(10)]
    assert len(related_slugs(articles, "a5", 3)) == 3
    assert relate_articles(newest_first(articles), 0) == {}


def test_articles_without_a_shared_tag_get_no_related_entry():
    articles = [make_article("lonely", 0, ("Rare",)), make_article("untagged", 1), make_article("other", 2, ("Else",))]
    assert relate_articles(newest_first(articles), 4) == {}


def test_a_very_common_tag_only_brings_the_nearest_articles_in_time():
    # 500 articles share one tag: each looks at WINDOW neighbours on either side, never all pairs.
    articles = [make_article(f"day-{n:03d}", n, ("Markets",)) for n in range(500)]
    related = relate_articles(newest_first(articles), 2 * WINDOW + 5)
    middle = [int(a.slug[4:]) for a in related["day-250/"]]
    assert sorted(middle) == [n for n in range(250 - WINDOW, 250 + WINDOW + 1) if n != 250]
    assert middle[:4] == [249, 251, 248, 252]  # nearest first; same distance: by slug


def test_article_page_lists_related_stories_with_dates(make_site):
    files = {
        "content/a.md": "---\ntitle: Oil prices fall\ndate: 2022-03-01\ntags: [Oil, OPEC]\n---\nText.\n",
        "content/b.md": "---\ntitle: OPEC meets\ndate: 2022-03-05\ntags: [OPEC, Oil]\n---\nText.\n",
        "content/c.md": "---\ntitle: Oil output steady\ndate: 2021-03-05\ntags: [Oil]\n---\nText.\n",
        "content/d.md": "---\ntitle: Football final\ndate: 2022-03-02\ntags: [Sport]\n---\nText.\n",
    }
    out = make_site(files, related_count=4)
    html = (out / "2022/03/01/oil-prices-fall/index.html").read_text(encoding="utf-8")
    aside = re.search(r'<aside class="rail related" aria-labelledby="related-heading">(.*?)</aside>', html, re.S).group(1)
    assert '<h2 id="related-heading">Further reading</h2>' in aside
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="meta"><time datetime="([^"]+)">', aside) == [
        ("../../05/opec-meets/", "OPEC meets", "2022-03-05"),
        ("../../../../2021/03/05/oil-output-steady/", "Oil output steady", "2021-03-05"),
    ]
    football = (out / "2022/03/02/football-final/index.html").read_text(encoding="utf-8")
    assert 'id="related-heading"' not in football


def test_related_stories_are_outside_the_indexed_article_body(make_site):
    files = {
        "content/a.md": "---\ntitle: Oil prices fall\ndate: 2022-03-01\ntags: [Oil]\n---\nText.\n",
        "content/b.md": "---\ntitle: Quokka census\ndate: 2022-03-05\ntags: [Oil]\n---\nText.\n",
    }
    out = make_site(files)
    html = (out / "2022/03/01/oil-prices-fall/index.html").read_text(encoding="utf-8")
    body = html.split('<article class="story">', 1)[1].split("</article>", 1)[0]
    assert "Quokka" not in body and "Quokka census" in html
    assert find_word(out / "pagefind", "quokka") == ["/2022/03/05/quokka-census/"]


def test_related_count_must_not_be_negative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsgen.yaml").write_text("related_count: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)
    assert str(failure.value) == "invalid configuration (1 error):\n  1. newsgen.yaml:1: 'related_count' must be 0 (none) or more"
