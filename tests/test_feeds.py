"""Atom and RSS feeds: what a feed reader sees."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def article(title: str, date: str, *, tags: str = "", section: str = "", authors: str = "",
            extra: str = "", body: str = "Body text.") -> str:
    lines = [f"title: {title!r}", f"date: {date}"]
    if tags:
        lines.append(f"tags: [{tags}]")
    if section:
        lines.append(f"section: {section}")
    if authors:
        lines.append(f"authors: [{authors}]")
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n" + body + "\n"


def numbered_articles(count: int, **fields) -> dict[str, str]:
    """count articles on consecutive days of 2024-2025, the highest number the newest."""
    files = {}
    for n in range(count):
        month, day = divmod(n, 28)
        files[f"content/a{n:03d}.md"] = article(
            f"Story {n}", f"{2024 + month // 12}-{month % 12 + 1:02d}-{day + 1:02d}T10:00:00+00:00", **fields)
    return files


def atom(path) -> ET.Element:
    return ET.parse(path).getroot()


def entry_titles(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]


def test_site_feed_lists_newest_first_capped_at_feed_limit(make_site):
    out = make_site(numbered_articles(5), feed_limit=3)
    assert entry_titles(atom(out / "feed.xml")) == ["Story 4", "Story 3", "Story 2"]


def test_feed_limit_defaults_to_50_entries(make_site):
    out = make_site(numbered_articles(53))
    titles = entry_titles(atom(out / "feed.xml"))
    assert len(titles) == 50
    assert titles[0] == "Story 52" and titles[-1] == "Story 3"


def test_tag_section_and_author_feeds_hold_only_their_articles(make_site):
    out = make_site({
        "content/a.md": article("Oil up", "2024-01-02", tags="Oil, Trade", section="Business", authors="Ana Díaz"),
        "content/b.md": article("Vote held", "2024-01-03", tags="Elections", section="Politics", authors="Ana Díaz, Ben Ode"),
        "content/c.md": article("Oil down", "2024-01-04", tags="oil", section="Business", authors="Ben Ode"),
    })
    assert entry_titles(atom(out / "tags/oil/feed.xml")) == ["Oil down", "Oil up"]
    assert entry_titles(atom(out / "sections/politics/feed.xml")) == ["Vote held"]
    assert entry_titles(atom(out / "authors/ana-diaz/feed.xml")) == ["Vote held", "Oil up"]
    assert atom(out / "tags/oil/feed.xml").findtext(f"{ATOM}title") == "Oil · News Archive"


def test_feed_updated_is_newest_entry_time_and_entries_use_updated_else_published(make_site):
    out = make_site({
        "content/old.md": article("Old", "2023-05-01T08:00:00+02:00", extra="updated: 2023-06-01T12:00:00+02:00\n"),
        "content/new.md": article("New", "2023-05-10T09:30:00-04:00"),
    })
    feed = atom(out / "feed.xml")
    assert feed.findtext(f"{ATOM}updated") == "2023-06-01T12:00:00+02:00"
    updated = {e.findtext(f"{ATOM}title"): (e.findtext(f"{ATOM}published"), e.findtext(f"{ATOM}updated"))
               for e in feed.findall(f"{ATOM}entry")}
    assert updated == {
        "Old": ("2023-05-01T08:00:00+02:00", "2023-06-01T12:00:00+02:00"),
        "New": ("2023-05-10T09:30:00-04:00", "2023-05-10T09:30:00-04:00"),
    }


def test_correction_sets_entry_updated(make_site):
    out = make_site({"content/a.md": article(
        "Fixed", "2023-05-01T08:00:00+00:00",
        extra="corrections:\n  - date: 2023-05-03T10:00:00+00:00\n    text: The mayor's name was misspelled.\n")})
    entry = atom(out / "feed.xml").find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}updated") == "2023-05-03T10:00:00+00:00"


def test_feed_updated_does_not_follow_the_build_time(make_site, monkeypatch):
    files = numbered_articles(3)
    first = (make_site(files) / "feed.xml").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    assert (make_site(files) / "feed.xml").read_bytes() == first


def test_every_feed_url_is_absolute_under_a_sub_path(make_site):
    out = make_site({
        "content/a.md": article("Linked", "2024-02-03", tags="Oil", authors="Ana",
                                body="See [the archive](../../) and ![chart](chart.png), [top](#top), [mail](mailto:a@b.org)."),
    }, base_url="https://example.org/news/", feed_full_content=True)
    feed = atom(out / "tags/oil/feed.xml")
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    hrefs += [uri.text for uri in feed.iter(f"{ATOM}uri")] + [feed.findtext(f"{ATOM}id")]
    assert hrefs and all(h.startswith("https://example.org/news/") for h in hrefs), hrefs
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "tag:example.org,2024-02-03:/news/2024/02/03/linked/"
    content = entry.findtext(f"{ATOM}content")
    assert 'href="https://example.org/news/2024/02/"' in content
    assert 'src="https://example.org/news/2024/02/03/linked/chart.png"' in content
    assert 'href="https://example.org/news/2024/02/03/linked/#top"' in content
    assert 'href="mailto:a@b.org"' in content


def test_feeds_carry_the_summary_unless_full_content_is_on(make_site):
    files = {"content/a.md": article("Story", "2024-02-03", extra="summary: Short version.\n", body="Full *text* here.")}
    entry = atom(make_site(files) / "feed.xml").find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}summary") == "Short version."
    assert entry.find(f"{ATOM}content") is None
    entry = atom(make_site(files, feed_full_content=True) / "feed.xml").find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}content") == "<p>Full <em>text</em> here.</p>"


def test_markup_in_titles_is_escaped_in_feeds(make_site):
    out = make_site({"content/a.md": article("Q&A: <script> & “quotes”", "2024-02-03")}, feed_rss=True)
    assert entry_titles(atom(out / "feed.xml")) == ["Q&A: <script> & “quotes”"]
    assert ET.parse(out / "rss.xml").getroot().findtext("channel/item/title") == "Q&A: <script> & “quotes”"


def test_rss_is_off_by_default_and_its_guid_matches_the_atom_id(make_site):
    files = {"content/a.md": article("Story", "2024-02-03T10:00:00+01:00", tags="Oil")}
    assert not (make_site(files) / "rss.xml").exists()
    out = make_site(files, feed_rss=True, base_url="https://example.org/news/")
    item = ET.parse(out / "tags/oil/rss.xml").getroot().find("channel/item")
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == atom(out / "tags/oil/feed.xml").find(f"{ATOM}entry").findtext(f"{ATOM}id")
    assert item.findtext("link") == "https://example.org/news/2024/02/03/story/"
    assert item.findtext("pubDate") == "Sat, 03 Feb 2024 10:00:00 +0100"


def test_pages_link_the_site_feed_and_their_own_feed(make_site):
    out = make_site({"content/a.md": article("Story", "2024-02-03", tags="Oil", section="World", authors="Ana")})
    atom_links = '<link rel="alternate" type="application/atom+xml"'
    article_page = (out / "2024/02/03/story/index.html").read_text()
    assert f'{atom_links} title="News Archive" href="../../../../feed.xml">' in article_page
    for listing in ("tags/oil", "sections/world", "authors/ana"):
        page = (out / listing / "index.html").read_text()
        assert f'{atom_links} title="News Archive" href="../../feed.xml">' in page
        assert 'href="feed.xml">' in page and (out / listing / "feed.xml").is_file()


def test_an_empty_site_has_valid_empty_feeds_with_a_fixed_date(make_site):
    feed = atom(make_site({"content/.keep": ""}) / "feed.xml")
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC = "{http://purl.org/dc/elements/1.1/}"


def test_feeds_are_in_the_site_language_and_an_entry_in_another_names_its_own(make_site):
    out = make_site({"newsgen.yaml": "language: es\n",
                     "content/a.md": article("Reabre el puerto", "2024-02-03", extra="lang: es\n"),
                     "content/b.md": article("Port reopens", "2024-02-04", extra="lang: en-GB\n"),
                     "content/c.md": article("Llueve", "2024-02-05")}, feed_rss=True)
    feed = atom(out / "feed.xml")
    assert feed.get(XML_LANG) == "es"
    assert {e.findtext(f"{ATOM}title"): e.get(XML_LANG) for e in feed.findall(f"{ATOM}entry")} == {
        "Llueve": None, "Port reopens": "en-GB", "Reabre el puerto": None}
    channel = ET.parse(out / "rss.xml").getroot().find("channel")
    assert channel.findtext("language") == "es"
    assert {i.findtext("title"): i.findtext(f"{DC}language") for i in channel.findall("item")} == {
        "Llueve": None, "Port reopens": "en-GB", "Reabre el puerto": None}
