"""Date navigation: month calendars on archive pages, and on-this-day pages across the years."""

import re
from datetime import datetime, timezone

from article_records import make_article

from newsgen.config import SiteConfig
from newsgen.index.dates import month_calendars
from newsgen.index.site import index_site
from newsgen.model import Period

FILES = {
    "content/a.md": "---\ntitle: Harvest begins\ndate: 2022-08-10\n---\nText.\n",
    "content/b.md": "---\ntitle: Rains arrive\ndate: 2022-08-10T18:00:00Z\n---\nText.\n",
    "content/c.md": "---\ntitle: Port reopens\ndate: 2022-08-03\n---\nText.\n",
    "content/d.md": "---\ntitle: Bridge opens\ndate: 2019-08-10\n---\nText.\n",
    "content/e.md": "---\ntitle: New year\ndate: 2021-01-01\n---\nText.\n",
    "content/f.txt": " date 2022-08 A story dated only to its month. More text.\n",
}


def teaser_titles(html: str) -> list[str]:
    return re.findall(r'class="teaser-title"><a href="[^"]*">([^<]*)</a>', html)


def read(out, url):
    return (out / url / "index.html").read_text(encoding="utf-8")


def test_month_page_shows_an_accessible_calendar_linking_days_with_counts(make_site):
    out = make_site(FILES)
    html = read(out, "2022/08")
    table = re.search(r'<table class="calendar">.*?</table>', html, re.S).group(0)
    assert '<caption>August 2022</caption>' in table  # the count is under the heading, once
    assert html.count(">4 articles<") == 1
    assert table.count('<th scope="col">') == 7
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in table
    # 1 August 2022 is a Monday: the first week starts on it, with no padding.
    first_week = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    assert first_week.startswith("<td>1</td><td>2</td><td class=\"has-articles\">")
    assert ('<td class="has-articles"><a href="10/">10<span class="visually-hidden"> August: 2 articles</span>'
            '<span class="day-count" aria-hidden="true">2</span></a></td>') in table
    assert ('<a href="03/">3<span class="visually-hidden"> August: 1 article</span>') in table
    assert "<td>11</td>" in table
    assert len(re.findall(r"<tr>", table)) == 1 + 5  # header + five weeks (1-31 August 2022)
    assert table.count("<td></td>") == 35 - 31


def test_year_page_has_a_calendar_per_month_with_articles(make_site):
    out = make_site(FILES)
    html = read(out, "2022")
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert captions == ['<a href="08/">August 2022</a> <span class="count">4 articles</span>']
    assert '<a href="08/10/">10<span class="visually-hidden"> August: 2 articles</span>' in html


def test_calendar_pads_weeks_to_start_on_monday(make_site):
    out = make_site(FILES)
    html = read(out, "2021/01")  # 1 January 2021 was a Friday
    first_week = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html, re.S).group(1)
    assert first_week.startswith("<td></td>" * 4 + '<td class="has-articles"><a href="01/">1<')


def test_month_calendars_count_month_precision_articles_in_the_month_only():
    site = index_site([make_article("a", datetime(2022, 8, 10, tzinfo=timezone.utc)),
                       make_article("b", datetime(2022, 8, 1, tzinfo=timezone.utc), precision="month")],
                      SiteConfig())
    calendar = month_calendars(site.archives)[Period(2022, 8)]
    assert calendar.count == 2
    days = {day.day: day.count for week in calendar.weeks for day in week if day and day.count}
    assert days == {10: 1}
    assert list(site.on_this_day) == ["08-10"]


def test_on_this_day_page_gathers_one_calendar_day_across_years(make_site):
    out = make_site(FILES)
    html = read(out, "on-this-day/08-10")
    assert "<h1 class=\"page-title\">On this day: 10 August</h1>" in html
    assert '<p class="count">3 articles from 10 August across the years</p>' in html
    assert teaser_titles(html) == ["Rains arrive", "Harvest begins", "Bridge opens"]
    assert '<a rel="prev" href="../08-03/">← 3 August</a>' in html
    assert 'rel="next"' not in html.split('aria-label="Neighbouring days"')[1]


def test_on_this_day_pages_exist_only_for_days_with_articles_and_are_indexed(make_site):
    out = make_site(FILES)
    days = sorted(p.name for p in (out / "on-this-day").iterdir() if p.is_dir())
    assert days == ["01-01", "08-03", "08-10"]
    index = read(out, "on-this-day")
    assert re.findall(r'<a href="([^"]+)">(\d+)<span class="visually-hidden"> (\w+)</span></a> <span class="count">(\d+)</span>',
                      index) == [("01-01/", "1", "January", "1"), ("08-03/", "3", "August", "1"),
                                 ("08-10/", "10", "August", "3")]
    assert '<a href="../on-this-day/">On this day</a>' in read(out, "archive")


def test_day_archives_and_articles_link_to_their_on_this_day_page(make_site):
    out = make_site(FILES)
    link = '<a href="{}">On this day, 10 August</a>: 3 stories across the years'
    assert link.format("../../../on-this-day/08-10/") in read(out, "2019/08/10")
    assert link.format("../../../../on-this-day/08-10/") in read(out, "2022/08/10/harvest-begins")
    month_only = read(out, "2022/08/a-story-dated-only-to-its-month")
    assert "On this day" not in month_only


def test_on_this_day_uses_the_site_time_zone(make_site):
    files = {"content/a.md": "---\ntitle: Late news\ndate: 2022-08-10T23:30:00Z\n---\nText.\n"}
    out = make_site(files, timezone="Europe/Paris")
    assert (out / "on-this-day/08-11/index.html").is_file()
    assert not (out / "on-this-day/08-10").exists()
