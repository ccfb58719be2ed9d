"""The index: tags, sections, authors and date archives, newest first, paginated stably."""

from __future__ import annotations

import pytest
from conftest import write_files

from newsgen.config import load_config, reference_time
from newsgen.errors import BuildFailed
from newsgen.index.site import index_site
from newsgen.model import Period
from newsgen.content.load import load_articles


def article(title: str, date: str, tags: str = "", extra: str = "") -> str:
    tag_line = f"tags: [{tags}]\n" if tags else ""
    return f"---\ntitle: {title}\ndate: {date}\n{tag_line}{extra}---\nText of {title}.\n"


def index(tmp_path, files: dict[str, str], **overrides):
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, **overrides})
    return index_site(load_articles(config, reference_time()).articles, config)


def titles(articles) -> list[str]:
    return [a.title for a in articles]


def test_index_merges_tags_differing_only_in_case_under_the_most_used_spelling(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("A", "2022-01-01", "Venezuela"),
        "content/b.md": article("B", "2022-01-02", "venezuela"),
        "content/c.md": article("C", "2022-01-03", "Venezuela, Oil"),
    })
    assert [(t.title, t.url, t.count) for t in site.tags] == [
        ("Oil", "tags/oil/", 1),
        ("Venezuela", "tags/venezuela/", 3),
    ]
    assert {tag.name for a in site.articles for tag in a.tags} == {"Venezuela", "Oil"}
    assert site.notices == ()


def test_index_notes_tags_merged_by_slug_that_differ_beyond_case(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("A", "2022-01-01", "São Paulo"),
        "content/b.md": article("B", "2022-01-02", "Sao Paulo"),
        "content/c.md": article("C", "2022-01-03", "São Paulo"),
    })
    assert [(t.title, t.count) for t in site.tags] == [("São Paulo", 3)]
    assert site.notices == ("tag 'São Paulo' also spelled 'Sao Paulo': shown as one tag at tags/sao-paulo/",)


def test_index_orders_newest_first(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("Old", "2020-05-01"),
        "content/b.md": article("New", "2022-05-01"),
        "content/c.md": article("Mid", "2021-05-01T10:00:00Z"),
    })
    assert titles(site.articles) == ["New", "Mid", "Old"]
    assert titles(site.front.articles) == ["New", "Mid", "Old"]


def test_index_orders_same_day_articles_by_slug(tmp_path):
    files = {f"content/{n}.md": article(n.upper(), "2022-05-01") for n in ("c", "a", "b")}
    assert titles(index(tmp_path, files).articles) == ["A", "B", "C"]


def test_index_keeps_untagged_articles_on_front_page_and_date_archives(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("Untagged", "2022-05-01"),
        "content/b.md": article("Tagged", "2022-05-02", "x"),
    })
    archives = {a.period: titles(a.listing.articles) for a in site.archives}
    assert "Untagged" in titles(site.front.articles)
    assert archives[Period(2022)] == ["Tagged", "Untagged"]
    assert archives[Period(2022, 5)] == ["Tagged", "Untagged"]
    assert archives[Period(2022, 5, 1)] == ["Untagged"]


def test_index_builds_year_month_day_archives_with_neighbours(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("A", "2020-01-15"),
        "content/b.md": article("B", "2022-03-01"),
        "content/c.md": article("C", "2022-03-09"),
        "content/d.md": article("D", "2022-07-04"),
    })
    by_period = {a.period: a for a in site.archives}
    years = [a.period for a in site.years]
    assert years == [Period(2022), Period(2020)]
    assert (by_period[Period(2022)].previous, by_period[Period(2022)].next) == (Period(2020), None)
    assert (by_period[Period(2020)].previous, by_period[Period(2020)].next) == (None, Period(2022))
    march = by_period[Period(2022, 3)]
    assert (march.previous, march.next) == (Period(2020, 1), Period(2022, 7))
    assert march.children == ((Period(2022, 3, 1), 1), (Period(2022, 3, 9), 1))
    assert by_period[Period(2022)].children == ((Period(2022, 3), 2), (Period(2022, 7), 1))
    ninth = by_period[Period(2022, 3, 9)]
    assert (ninth.previous, ninth.next) == (Period(2022, 3, 1), Period(2022, 7, 4))
    assert ninth.listing.url == "2022/03/09/" and ninth.period.label == "9 March 2022"


def test_index_leaves_month_precision_articles_out_of_day_archives(tmp_path):
    site = index(tmp_path, {
        "content/m.txt": "date 2022-08 A month story.\n",
        "content/d.md": article("Day", "2022-08-05"),
    })
    day_titles = [t for a in site.archives if a.period.level == "day" for t in titles(a.listing.articles)]
    month = next(a for a in site.archives if a.period == Period(2022, 8))
    assert day_titles == ["Day"]
    assert titles(month.listing.articles) == ["Day", "A month story"]


def test_index_uses_site_zone_for_archive_days(tmp_path):
    site = index(tmp_path, {"content/a.md": article("Late", "2022-08-11T02:00:00Z")},
                 timezone="America/Los_Angeles")
    assert [a.period for a in site.archives if a.period.level == "day"] == [Period(2022, 8, 10)]


def test_index_groups_sections_and_authors(tmp_path):
    site = index(tmp_path, {
        "content/a.md": article("A", "2022-01-01", extra="section: World\nauthor: Ana Silva\n"),
        "content/b.md": article("B", "2022-01-02", extra="section: world\nauthors: [Ana Silva, Bo]\n"),
    })
    assert [(s.title, s.url, titles(s.articles)) for s in site.sections] == [("World", "sections/world/", ["B", "A"])]
    assert [(a.title, a.count) for a in site.authors] == [("Ana Silva", 2), ("Bo", 1)]


def test_url_collision_of_chosen_slugs_is_one_error_naming_both_files(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        index(tmp_path, {
            "content/one.md": article("One", "2022-01-01", extra="slug: same\n"),
            "content/two.md": article("Two", "2022-01-01T18:00:00Z", extra="slug: same\n"),
        })
    assert caught.value.errors == [
        "content/one.md:4: URL /2022/01/01/same/ is also claimed by content/two.md:4; "
        "give one of them a different 'slug' or 'date'"
    ]


def test_same_headline_on_different_days_does_not_collide(tmp_path):
    site = index(tmp_path, {
        "content/one.md": article("Same", "2022-01-01"),
        "content/two.md": article("Same", "2022-01-02"),
    })
    assert [a.url for a in site.articles] == ["2022/01/02/same/", "2022/01/01/same/"]


# --- pagination ------------------------------------------------------------------------------

def dated(count: int) -> dict[str, str]:
    return {f"content/a{n:02d}.md": article(f"A{n:02d}", f"2022-01-{n:02d}") for n in range(1, count + 1)}


def test_pagination_puts_the_newest_articles_at_the_listing_url_and_none_on_two_pages(tmp_path):
    pages = index(tmp_path, dated(7)).front.pages(2)
    assert [(p.url, p.number, titles(p.articles)) for p in pages] == [
        ("page/1/", 1, ["A02", "A01"]),
        ("page/2/", 2, ["A04", "A03"]),
        ("", 3, ["A07", "A06", "A05"]),
    ]
    assert [(p.newer_url, p.older_url) for p in pages] == [("page/2/", None), ("", "page/1/"), (None, "page/2/")]


def test_pagination_keeps_numbered_pages_when_an_article_is_added(tmp_path):
    before = index(tmp_path / "1", dated(6)).front.pages(2)
    after = index(tmp_path / "2", dated(7)).front.pages(2)
    assert titles(before[0].articles) == titles(after[0].articles) == ["A02", "A01"]
    assert titles(before[1].articles) == titles(after[1].articles) == ["A04", "A03"]
    assert titles(after[-1].articles) == ["A07", "A06", "A05"]


def test_pagination_of_an_empty_listing_is_one_empty_page(tmp_path):
    (tmp_path / "site" / "content").mkdir(parents=True)
    pages = index(tmp_path, {}).front.pages(10)
    assert [(p.url, p.articles, p.older_url) for p in pages] == [("", (), None)]


def test_article_taking_a_listing_pages_url_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        index(tmp_path, {
            "content/tags.md": article("Tags", "2022-01-01", "x"),
            "content/ok.md": article("Fine", "2022-01-02"),
        }, permalink="{slug}/")
    assert caught.value.errors == [
        "content/tags.md:2: URL /tags/ is already the tag index page; give the article a different 'slug', "
        "or change 'permalink'"
    ]


def test_month_precision_article_cannot_take_a_day_archives_url(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        index(tmp_path, {
            "content/m.txt": "date 2022-08 10.\n",
            "content/d.md": article("Day", "2022-08-10"),
        })
    assert caught.value.errors == [
        "content/m.txt:1: URL /2022/08/10/ is already the archive page '10 August 2022'; "
        "give the article a different 'slug', or change 'permalink'"
    ]


def test_an_index_updated_with_edited_bodies_is_the_index_of_the_edited_articles(tmp_path):
    """with_bodies gives what index_site gives for articles edited in their text alone, on a site
    with every part that holds records: languages, related stories, days of the year, takedowns."""
    from newsgen.index.site import with_bodies

    def files(edit: str) -> dict[str, str]:
        body = f"---\ntitle: Gone\ndate: 2022-03-01\ntakedown: {{date: 2023-01-01, reason: Court order}}\n---\n{edit}\n"
        return {"newsgen.yaml": "languages: [en, es]\n",
                "content/a.md": article("A", "2022-01-01", "Oil, Port"),
                "content/b.md": article("B", "2022-01-02", "Oil", "section: World\nauthor: Ana\n").replace(
                    "Text of B.", f"Text of B. {edit}"),
                "content/c.md": article("C", "2021-01-02", "Port", "lang: es\ntranslation_key: c\n").replace(
                    "Text of C.", f"{edit} Text of C."),
                "content/d.md": article("D", "2022-01-03", "Port", "translation_key: c\n"),
                "content/gone.md": body}

    before = index(tmp_path, files("First words."))
    after = index(tmp_path, files("Other, longer first words."))
    edited = {a.source: a for tree in after.language_sites for a in (*tree.articles, *tree.takedowns)
              if a.source in ("content/b.md", "content/c.md", "content/gone.md")}
    assert with_bodies(before, edited) == after
    assert before != after
