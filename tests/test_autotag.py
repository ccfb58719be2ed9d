"""Automatic tags for untagged wire copy (config `auto_tags`)."""

import dataclasses

from conftest import SEED
from newsgen.content.autotag import rank_tags
from newsgen.config import SiteConfig

SEED_PAGE = "2022/08/10/venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia/index.html"


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8").split(" ", 3)[3]


def test_seed_article_gets_venezuela_and_colombia_not_the_or_in():
    tags = rank_tags(seed_text(), SiteConfig())
    assert tags == ["Colombia", "Venezuela", "Gustavo Petro", "Nicols Maduro", "Padrino Lpez"]


def test_known_tags_with_aliases_need_one_mention_and_fold_their_aliases():
    config = dataclasses.replace(SiteConfig(), known_tags={"Venezuela": ["Venezuelan", "Caracas"], "Guatemala": None},
                                 auto_tags_limit=3)
    assert rank_tags(seed_text(), config) == ["Colombia", "Venezuela", "Gustavo Petro"]
    config = dataclasses.replace(config, auto_tags_limit=10)
    assert "Guatemala" in rank_tags(seed_text(), config)  # named once, but a known tag
    assert "Twitter" not in rank_tags(seed_text(), config)  # named once, not known


def test_sentence_starts_and_stop_words_are_never_tags():
    text = ("The talks ended. In Lima, officials met. The mayor of Lima spoke. In the end Lima agreed. "
            "However, nothing changed. However, Quito waited.")
    assert rank_tags(text, SiteConfig()) == ["Lima"]
    extra = dataclasses.replace(SiteConfig(), auto_tags_stopwords=["Lima"])
    assert rank_tags(text, extra) == []


def test_auto_tags_appear_on_the_seed_page_only_when_switched_on(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()}, auto_tags=True)
    page = (out / SEED_PAGE).read_text(encoding="utf-8")
    assert (out / "tags/venezuela/index.html").is_file() and (out / "tags/colombia/index.html").is_file()
    assert "tags/venezuela/" in page and "tags/colombia/" in page
    assert not (out / "tags/the").exists() and not (out / "tags/in").exists()


def test_auto_tags_are_off_by_default(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    assert not (out / "tags/venezuela").exists()


def test_auto_tags_never_replace_an_articles_own_tags(make_site):
    out2 = make_site({"content/own.md": "---\ntitle: Own\ndate: 2022-08-11\ntags: [border]\n---\nIn Colombia, Colombia.\n"},
                     auto_tags=True)
    assert sorted(p.name for p in (out2 / "tags").iterdir() if p.is_dir()) == ["border"]
