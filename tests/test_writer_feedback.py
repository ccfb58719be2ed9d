"""A writer's feedback: mistakes in articles, settings and templates are warnings or errors that
name the file, the line and what to write instead; a verbose build names what it left out."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest
from conftest import write_files

from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config, reference_time
from newsgen.content.load import load_articles
from newsgen.errors import BuildFailed, ConfigError
from newsgen.progress import ProgressBar


def load(tmp_path, files: dict[str, str | bytes], **overrides):
    site = write_files(tmp_path / "site", files)
    (site / "content").mkdir(exist_ok=True)
    return load_articles(load_config(site, {"workers": 1, **overrides}), reference_time())


# --- front-matter keys ------------------------------------------------------------------------

def test_misspelled_yaml_front_matter_keys_warn_with_line_and_closest_key(tmp_path):
    loaded = load(tmp_path, {"content/x.md": """\
        ---
        title: Port reopens
        tgas: [ports]
        secton: Local
        date: 2025-03-01
        authr: Ana Costa
        ---
        Body.
        """})
    assert loaded.warnings == [
        "content/x.md:3: unknown front-matter key 'tgas' (did you mean 'tags'?)",
        "content/x.md:4: unknown front-matter key 'secton' (did you mean 'section'?)",
        "content/x.md:6: unknown front-matter key 'authr' (did you mean 'author'?)",
    ]
    assert loaded.articles[0].tags == ()


def test_misspelled_pelican_header_warns_with_line_and_closest_key(tmp_path):
    loaded = load(tmp_path, {"content/x.md": """\
        Title: Port reopens
        Date: 2025-03-01 10:00
        Tgas: ports, shipping

        Body.
        """})
    assert loaded.warnings == ["content/x.md:3: unknown front-matter key 'tgas' (did you mean 'tags'?)"]


def test_unknown_key_far_from_any_known_one_warns_without_a_guess(tmp_path):
    loaded = load(tmp_path, {"content/x.md": "---\ndate: 2025-03-01\nzzqx: 1\n---\nBody.\n"})
    assert loaded.warnings == ["content/x.md:3: unknown front-matter key 'zzqx'"]


def test_extra_fields_and_known_keys_of_jekyll_and_hugo_trees_give_no_warning(tmp_path):
    jekyll = load(tmp_path / "j", {"content/_posts/2025-03-01-port.md": """\
        ---
        layout: post
        permalink: /port/
        title: Port reopens
        excerpt_separator: <!--more-->
        extra: {desk: Local, budget: [1, 2]}
        ---
        Body.
        """})
    hugo = load(tmp_path / "h", {"content/_index.md": "---\ntitle: Home\n---\n",
                                 "content/news/port.md": """\
        +++
        title = "Port reopens"
        date = 2025-03-01
        weight = 3
        aliases = ["/old/port/"]
        [extra]
        desk = "Local"
        +++
        Body.
        """})
    assert (jekyll.warnings, hugo.warnings) == ([], [])
    assert dict(jekyll.articles[0].extra) == {"desk": "Local", "budget": (1, 2)}
    assert dict(hugo.articles[0].extra) == {"desk": "Local"}


def test_extra_fields_have_one_repr_in_every_process_for_the_change_detector(tmp_path):
    write_files(tmp_path, {"content/x.md": "---\ndate: 2025-03-01\nextra:\n  z: !!set {b, a, c}\n  a: [1, {y: 2, x: 1}]\n"
                                          "---\nBody.\n"})
    script = ("import sys; from pathlib import Path; from newsgen.config import load_config, reference_time; "
              "from newsgen.content.load import load_articles; "
              "print(repr(load_articles(load_config(Path(sys.argv[1]), {'workers': 1}), reference_time()).articles[0].extra))")
    seen = {subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert seen == {"FrozenMapping({'a': (1, FrozenMapping({'x': 1, 'y': 2})), 'z': ('a', 'b', 'c')})\n"}


def test_jekyll_key_in_a_newsgen_folder_warns(tmp_path):
    loaded = load(tmp_path, {"content/x.md": "---\ndate: 2025-03-01\nlayout: post\n---\nBody.\n"})
    assert loaded.warnings == ["content/x.md:3: unknown front-matter key 'layout'"]


@pytest.mark.parametrize("value, shown", [("Local", "'Local'"), ("[]", "a list")])
def test_extra_that_is_not_a_mapping_is_an_error_naming_its_line(tmp_path, value, shown):
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, {"content/x.md": f"---\ndate: 2025-03-01\nextra: {value}\n---\nBody.\n"})
    assert caught.value.errors == [
        f"content/x.md:3: 'extra' must be a mapping of the site's own fields (extra: {{desk: Politics}}), not {shown}"]


def test_extra_that_is_not_a_mapping_in_a_jekyll_tree_is_ignored_with_a_warning(tmp_path):
    loaded = load(tmp_path, {"content/_posts/2015-12-27-extra-spaces.md": "---\nextra: spaces\n---\nBest post.\n"})
    assert loaded.warnings == ["content/_posts/2015-12-27-extra-spaces.md:2: 'extra' is not a mapping of the "
                               "site's own fields (extra: {desk: Politics}); ignored"]
    assert dict(loaded.articles[0].extra) == {}


def test_import_keeps_extra_fields(tmp_path):
    site = write_files(tmp_path / "site", {"content/_posts/2025-03-01-port.md": "---\nextra: {desk: Local}\n---\nBody.\n"})
    assert main(["import", str(site / "content"), str(tmp_path / "out"), "--site", str(site)]) == 0
    written = (tmp_path / "out" / "2025" / "2025-03-01-port.md").read_text(encoding="utf-8")
    assert "\nextra:\n  desk: Local\n---\n" in written


def test_extra_fields_render_in_an_overriding_template(tmp_path):
    site = write_files(tmp_path / "site", {
        "content/x.md": "---\ntitle: Port reopens\ndate: 2025-03-01\nextra:\n  desk: Local desk\n---\nBody.\n",
        "templates/article.html": """\
            {% extends "builtin/article.html" %}
            {% block content %}<p class="desk">{{ article.extra.desk }}</p>{% endblock %}
            """})
    config = load_config(site, {"workers": 1})
    build(config)
    page = (config.output_path / "2025/03/01/port-reopens/index.html").read_text(encoding="utf-8")
    assert '<p class="desk">Local desk</p>' in page


# --- day/month order of numeric dates ---------------------------------------------------------

def test_ambiguous_slash_date_is_an_error_naming_both_readings(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, {"content/x.md": "---\ntitle: Port reopens\ndate: 01/12/2026\n---\nBody.\n"})
    assert caught.value.errors == [
        "content/x.md:3: ambiguous date '01/12/2026': 1 December 2026 or 12 January 2026? write 2026-12-01, "
        "or set date_order: DMY or MDY in newsgen.yaml"]


@pytest.mark.parametrize("order, day", [("DMY", datetime(2025, 12, 1, 9, 30)), ("MDY", datetime(2025, 1, 12, 9, 30))])
def test_date_order_reads_an_ambiguous_date(tmp_path, order, day):
    loaded = load(tmp_path, {"newsgen.yaml": f"date_order: {order}\n",
                             "content/x.md": "Title: Port reopens\nDate: 01/12/2025 09:30\n\nBody.\n"})
    assert loaded.articles[0].published == day.replace(tzinfo=timezone.utc)
    assert loaded.articles[0].precision == "time"


def test_unambiguous_slash_dates_are_read_as_their_only_reading(tmp_path):
    loaded = load(tmp_path, {"content/a.md": "---\ntitle: A\ndate: 13/01/2025\n---\nBody.\n",
                             "content/b.md": "---\ntitle: B\ndate: 01/13/2025\n---\nBody.\n",
                             "content/c.md": "---\ntitle: C\ndate: 05.05.2025\n---\nBody.\n"})
    assert sorted((a.title, a.published.date(), a.precision) for a in loaded.articles) == [
        ("A", date(2025, 1, 13), "day"), ("B", date(2025, 1, 13), "day"), ("C", date(2025, 5, 5), "day")]


def test_slash_date_that_is_no_day_in_either_order_is_an_error(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, {"content/x.md": "---\ntitle: A\ndate: 31/13/2025\n---\nBody.\n"})
    assert caught.value.errors == [
        "content/x.md:3: cannot parse date '31/13/2025': no real day read as day/month/year or as month/day/year; "
        "use ISO 8601 like 2022-08-10"]


def test_date_order_must_be_dmy_or_mdy(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "date_order: YMD\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    assert str(caught.value) == ("invalid configuration (1 error):\n"
                                 "  1. newsgen.yaml:1: 'date_order' must be DMY or MDY, not 'YMD'")


# --- what a build leaves out ------------------------------------------------------------------

LEFT_OUT_SITE = {
    "content/a.md": "---\ntitle: Good news\ndate: 2025-01-01\n---\nAll well.\n",
    "content/d.md": "---\ntitle: Draft news\ndate: 2025-01-02T09:15:00Z\ndraft: true\n---\nNot yet.\n",
    "content/f.md": "---\ntitle: Future news\ndate: 2026-06-01T10:00:00+02:00\n---\nLater.\n",
}
LEFT_OUT_NOTES = (
    "note: content/d.md: draft, dated 2025-01-02 09:15 UTC; left out (--drafts builds it)\n"
    "note: content/f.md: future article, dated 2026-06-01 08:00 UTC; it appears in the first build from then on\n"
)


def test_verbose_build_names_the_drafts_and_future_articles_left_out_even_when_nothing_changed(tmp_path, monkeypatch,
                                                                                                capsys):
    site = write_files(tmp_path / "site", LEFT_OUT_SITE)
    monkeypatch.chdir(site)
    assert main(["build", "-j", "1", "-v"]) == 0
    first = capsys.readouterr()
    assert first.err.startswith(LEFT_OUT_NOTES)
    assert first.out.startswith("built 1 article (left out: 1 draft, 1 future): ")
    assert main(["build", "-j", "1", "-v"]) == 0
    again = capsys.readouterr()
    assert again.err.startswith(LEFT_OUT_NOTES) and "(no input changed since the last build)" in again.err


def test_default_build_output_names_no_left_out_file(tmp_path, monkeypatch, capsys):
    site = write_files(tmp_path / "site", LEFT_OUT_SITE)
    monkeypatch.chdir(site)
    assert main(["build", "-j", "1"]) == 0
    assert capsys.readouterr().err == ""


# --- automatic summaries ----------------------------------------------------------------------

def test_summary_has_no_space_before_punctuation_after_links_bold_italic_or_code(tmp_path):
    loaded = load(tmp_path, {"content/x.md": """\
        ---
        title: Budget
        date: 2025-03-01
        ---
        The minister, [Ana Costa](https://example.org/costa), said **no**. She cited *El País*; the
        `budget.csv` file and <abbr title="Gross domestic product">GDP</abbr>: all of it.

        Second paragraph.
        """})
    assert loaded.articles[0].summary == ("The minister, Ana Costa, said no. She cited El País; the budget.csv file "
                                          "and GDP: all of it.")


def test_summary_keeps_a_space_between_paragraphs_list_items_and_lines(tmp_path):
    loaded = load(tmp_path, {"content/x.md": "---\ntitle: T\ndate: 2025-03-01\n---\n"
                                             "<div>One</div><div>two<br>three</div>\n", "content/y.md": """\
        ---
        title: Y
        date: 2025-03-01
        ---
        - first
        - second
        """})
    summaries = sorted(a.summary for a in loaded.articles)
    assert summaries == ["One two three", "first second"]


def test_init_example_article_description_has_no_space_before_punctuation(tmp_path):
    assert main(["init", str(tmp_path / "mysite"), "-q"]) == 0
    page = next((tmp_path / "mysite" / "public").glob("20*/*/*/*/index.html")).read_text(encoding="utf-8")
    description = page.split('<meta name="description" content="', 1)[1].split('"', 1)[0]
    assert " ," not in description and " ." not in description and "date YYYY-MM-DD," in description


# --- YAML mistakes and time zone names --------------------------------------------------------

def config_error(tmp_path, text: str) -> str:
    site = write_files(tmp_path / "site", {"newsgen.yaml": text})
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    return str(caught.value)


def test_tab_indented_config_says_tabs_cannot_indent_yaml(tmp_path):
    assert config_error(tmp_path, "title: X\nfeed_limit: 5\n\tpage_size: 20\n") == (
        "newsgen.yaml:3: invalid YAML: tabs cannot indent YAML; indent with spaces")


def test_tab_indented_front_matter_says_tabs_cannot_indent_yaml(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, {"content/x.md": "---\ntitle: A\ndate: 2025-01-01\ntags:\n\t- ports\n---\nBody.\n"})
    assert caught.value.errors == ["content/x.md:5: invalid YAML front matter: tabs cannot indent YAML; indent with spaces"]


@pytest.mark.parametrize("text, line", [("title: X\npage_size:20\n", 2), ("title: X\npage_size:20\nfeed_limit: 5\n", 2),
                                        ("page_size:20\ntitle: X\n", 1), ("# settings\npage_size:20\n", 2)])
def test_key_without_space_after_colon_names_its_line_and_the_fix(tmp_path, text, line):
    assert config_error(tmp_path, text) == (
        f"newsgen.yaml:{line}: invalid YAML: 'page_size:20' is not a key and value; put a space after the colon")


def test_front_matter_key_without_space_after_colon_names_its_line_and_the_fix(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, {"content/x.md": "---\ntitle: A\ndate:2025-01-01\ntags: [a]\n---\nBody.\n"})
    assert caught.value.errors == [
        "content/x.md:3: invalid YAML front matter: 'date:2025-01-01' is not a key and value; put a space after the colon"]


def test_misspelled_timezone_suggests_the_closest_iana_names_best_first(tmp_path):
    assert config_error(tmp_path, "timezone: Europe/Lisboa\n") == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'timezone' is not a known time zone: 'Europe/Lisboa' "
        "(did you mean 'Europe/Lisbon', 'Europe/Sofia' or 'Europe/Riga'?)")


# --- the summary line and the progress bar ----------------------------------------------------

def test_summary_line_uses_singular_for_one_page_and_one_draft(tmp_path, monkeypatch, capsys):
    site = write_files(tmp_path / "site", LEFT_OUT_SITE)
    monkeypatch.chdir(site)
    assert main(["build", "-j", "1"]) == 0
    capsys.readouterr()
    write_files(site, {"static/robots.txt": "User-agent: *\n"})
    assert main(["build", "-j", "1"]) == 0
    assert re.fullmatch(r"built 1 article \(left out: 1 draft, 1 future\): 1 page written \(\d+ unchanged\) to public "
                        r"in \d+\.\d\d s\n", capsys.readouterr().out)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_never_shows_a_total_that_the_count_passes(tmp_path):
    files = {f"content/2025-01-0{day}-story-{day}.md": f"---\ntitle: Story {day}\n---\nText.\n" for day in range(1, 4)}
    files |= {f"static/files/{number:02d}.txt": "x\n" for number in range(40)}  # not in the estimate
    config = load_config(write_files(tmp_path / "site", files), {"workers": 1})
    terminal = Terminal()
    bar = ProgressBar(stream=terminal, delay=0, interval=0)
    report = build(config, progress=bar)
    frames = [frame for frame in terminal.getvalue().split("\r\033[K") if frame.startswith("writing pages")]
    bars = [tuple(map(int, found.groups())) for frame in frames[:-1]
            if (found := re.fullmatch(r"writing pages \[[#.]+\] +(\d+)/(\d+)", frame))]
    counts = [int(found.group(1)) for frame in frames if (found := re.fullmatch(r"writing pages (\d+) …", frame))]
    assert bars and counts and len(bars) + len(counts) == len(frames) - 1
    assert all(done < total for done, total in bars)
    assert len({total for _, total in bars}) == 1 and min(counts) >= bars[0][1]
    assert frames[-1].endswith(f"] {report.pages_written}/{report.pages_written}")


# --- template errors --------------------------------------------------------------------------

def template_error(tmp_path, monkeypatch, template: str) -> list[str]:
    site = write_files(tmp_path / "site", {
        "content/x.md": "---\ntitle: Port reopens\ndate: 2025-03-01\nextra: {desk: Local}\n---\nBody.\n",
        "templates/article.html": template})
    monkeypatch.chdir(site)
    with pytest.raises(BuildFailed) as caught:
        build(load_config(site, {"workers": 1}))
    return caught.value.errors


def test_missing_attribute_of_a_record_names_the_closest_and_lists_the_rest(tmp_path, monkeypatch):
    errors = template_error(tmp_path, monkeypatch, '{% extends "builtin/article.html" %}\n{% block content %}\n'
                                      '{{ article.headline }}{% endblock %}\n')
    assert errors == [
        "templates/article.html:3: template error: 'newsgen.model.Article object' has no attribute 'headline' "
        "(did you mean 'title'? Article has: aliases, authors, body_html, body_images, body_pictures, corrections, "
        "draft, extra, identity, image, image_alt, image_caption, image_credit, image_line, lang, modified, picture, "
        "precision, published, reading_minutes, record_id, section, slug, slug_derived, source, summary, "
        "tags, takedown, title, translation_key, updated, url, url_line, url_source, word_count)"]


def test_missing_extra_field_names_the_fields_the_article_has(tmp_path, monkeypatch):
    errors = template_error(tmp_path, monkeypatch, '{% extends "builtin/article.html" %}\n{% block content %}'
                                      '{{ article.extra.dsk }}{% endblock %}\n')
    assert errors == ["templates/article.html:2: template error: 'newsgen.model.FrozenMapping object' has no "
                      "attribute 'dsk' (did you mean 'desk'? FrozenMapping has: desk)"]


def test_misspelled_setting_names_the_closest_settings_only(tmp_path, monkeypatch):
    errors = template_error(tmp_path, monkeypatch, '{% extends "builtin/article.html" %}\n{% block content %}'
                                                   '{{ config.titel }}{% endblock %}\n')
    assert errors == ["templates/article.html:2: template error: 'newsgen.config.SiteConfig object' has no "
                      "attribute 'titel' (did you mean 'title'?)"]


def test_misspelled_toml_table_warns_with_its_line(tmp_path):
    loaded = load(tmp_path, {"content/x.md": '+++\ntitle = "A"\ndate = 2025-03-01\n[extar]\ndesk = "Local"\n+++\nBody.\n'})
    assert loaded.warnings == ["content/x.md:4: unknown front-matter key 'extar' (did you mean 'extra'?)"]
