"""newsgen.yaml: optional, validated on load, every problem reported at once."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsgen.cli import main
from newsgen.config import SiteConfig, load_config, reference_time
from newsgen.errors import ConfigError


def site_with_config(tmp_path: Path, text: str) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "newsgen.yaml").write_text(text, encoding="utf-8")
    return site


def config_error(site: Path, overrides: dict | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(site, overrides)
    return str(caught.value)


def test_no_config_file_gives_the_defaults(tmp_path):
    config = load_config(tmp_path)
    assert config.title == SiteConfig.title
    assert config.timezone == "UTC"
    assert config.base_url == "http://localhost:8000/"
    assert config.output_path == tmp_path / "public"


def test_the_build_time_is_source_date_epoch_and_no_setting(tmp_path):
    assert reference_time() == datetime(2026, 1, 1, tzinfo=timezone.utc)  # SOURCE_DATE_EPOCH, set by conftest.py
    assert config_error(site_with_config(tmp_path, "now: 2020-01-01\n")) == (
        "invalid configuration (1 error):\n  1. newsgen.yaml:1: unknown key 'now'")


def test_empty_config_file_gives_the_defaults(tmp_path):
    assert load_config(site_with_config(tmp_path, "# nothing yet\n")).title == SiteConfig.title


def test_config_values_are_read(tmp_path):
    site = site_with_config(tmp_path, "title: Daily\ntimezone: Europe/Paris\npage_size: 5\nlanguage: pt-BR\n")
    config = load_config(site)
    assert (config.title, config.timezone, config.page_size, config.language) == ("Daily", "Europe/Paris", 5, "pt-BR")
    assert datetime(2022, 1, 1, tzinfo=config.zone).utcoffset().total_seconds() == 3600


def test_unknown_key_is_error_with_line_and_did_you_mean(tmp_path):
    site = site_with_config(tmp_path, "title: Daily\ntimezon: UTC\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:2: unknown key 'timezon' (did you mean 'timezone'?)"
    )


def test_unknown_key_far_from_any_gives_no_hint(tmp_path):
    site = site_with_config(tmp_path, "colour: red\n")
    assert config_error(site) == "invalid configuration (1 error):\n  1. newsgen.yaml:1: unknown key 'colour'"


def test_every_config_error_is_reported_together(tmp_path):
    site = site_with_config(tmp_path, (
        "title: 2024\n"
        "page_size: ten\n"
        "drafts: sometimes\n"
        "timezone: Mars/Olympus\n"
        "base_url: example.org\n"
        "permalnk: '{slug}/'\n"
    ))
    assert config_error(site) == (
        "invalid configuration (6 errors):\n"
        "  1. newsgen.yaml:1: 'title' must be text, not 2024\n"
        "  2. newsgen.yaml:2: 'page_size' must be a whole number, not 'ten'\n"
        "  3. newsgen.yaml:3: 'drafts' must be true or false, not 'sometimes'\n"
        "  4. newsgen.yaml:4: 'timezone' is not a known time zone: 'Mars/Olympus' (try 'Europe/Paris' or 'UTC')\n"
        "  5. newsgen.yaml:5: 'base_url' must be an absolute http(s) URL, not 'example.org'\n"
        "  6. newsgen.yaml:6: unknown key 'permalnk' (did you mean 'permalink'?)"
    )


def test_empty_timezone_is_refused_not_the_machines_zone(tmp_path):
    site = site_with_config(tmp_path, "timezone: ''\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'timezone' is not a known time zone: '' (try 'Europe/Paris' or 'UTC')"
    )


def test_duplicate_key_is_an_error(tmp_path):
    site = site_with_config(tmp_path, "title: A\npage_size: 3\ntitle: B\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n  1. newsgen.yaml:3: 'title' is given twice (first on line 1)"
    )


def test_invalid_yaml_names_the_line(tmp_path):
    site = site_with_config(tmp_path, "title: A\nbase_url: [x\n")
    assert config_error(site).startswith("newsgen.yaml:3: invalid YAML: ")


def test_config_that_is_not_a_mapping_is_an_error(tmp_path):
    assert config_error(site_with_config(tmp_path, "- a\n- b\n")) == "newsgen.yaml:1: expected a mapping of keys to values"


@pytest.mark.parametrize("given, base_url, base_path", [
    ("https://example.org", "https://example.org/", "/"),
    ("https://example.org/news", "https://example.org/news/", "/news/"),
    ("https://example.org/news/", "https://example.org/news/", "/news/"),
])
def test_base_url_gets_one_trailing_slash(tmp_path, given, base_url, base_path):
    config = load_config(site_with_config(tmp_path, f"base_url: {given}\n"))
    assert (config.base_url, config.base_path) == (base_url, base_path)


def test_base_url_with_query_is_refused(tmp_path):
    site = site_with_config(tmp_path, "base_url: https://example.org/news/?x=1\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'base_url' must not have a query or fragment, not 'https://example.org/news/?x=1'"
    )


def test_overrides_win_over_the_file_and_errors_name_the_command_line(tmp_path):
    site = site_with_config(tmp_path, "base_url: https://a.example/\ndrafts: false\n")
    config = load_config(site, {"base_url": "https://b.example/x", "drafts": True, "future": None})
    assert (config.base_url, config.drafts, config.future) == ("https://b.example/x/", True, False)
    assert config_error(site, {"base_url": "b.example"}) == (
        "invalid configuration (1 error):\n"
        "  1. command line: 'base_url' must be an absolute http(s) URL, not 'b.example'"
    )


@pytest.mark.parametrize("permalink", ["../{slug}/", "{year}/../../{slug}/", "{slug}", "{year}/{month}/"])
def test_permalink_must_stay_inside_the_site_and_end_with_slug_folder(tmp_path, permalink):
    site = site_with_config(tmp_path, f"permalink: '{permalink}'\n")
    assert "'permalink' must" in config_error(site)


def test_output_dir_equal_to_site_folder_is_refused(tmp_path):
    site = site_with_config(tmp_path, "output_dir: .\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n  1. newsgen.yaml:1: 'output_dir' cannot be the site folder itself"
    )


def test_bad_source_date_epoch_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    (tmp_path / "content").mkdir()
    assert main(["build", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "error: SOURCE_DATE_EPOCH must be a whole number of seconds, not 'yesterday'\n"


def test_missing_site_folder_is_an_error(tmp_path):
    assert config_error(tmp_path / "nope") == f"{tmp_path / 'nope'}: site folder not found"


def test_embed_hosts_are_read_and_default_to_video_chart_and_map_players(tmp_path):
    assert load_config(site_with_config(tmp_path, "# defaults\n")).embed_hosts == [
        "www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com", "datawrapper.dwcdn.net",
        "flo.uri.sh", "public.flourish.studio", "www.google.com"]
    config = load_config(site_with_config(tmp_path, "embed_hosts: [charts.example.org, WWW.YOUTUBE.COM]\n"))
    assert config.embed_hosts == ["charts.example.org", "WWW.YOUTUBE.COM"]
    assert load_config(site_with_config(tmp_path, "embed_hosts: []\n")).embed_hosts == []


def test_embed_hosts_must_be_a_list_of_host_names(tmp_path):
    site = site_with_config(tmp_path, "embed_hosts: www.youtube.com\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'embed_hosts' must be a list of host names like [www.youtube.com], not 'www.youtube.com'"
    )
    site = site_with_config(tmp_path, "embed_hosts:\n  - player.vimeo.com\n  - https://www.youtube.com/\n"
                                      "  - charts.example.org:8443\n  - 42\n  - bad_host.example\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'embed_hosts' must hold host names only, without https://, path or port, "
        "not 'https://www.youtube.com/', 'charts.example.org:8443', 42, 'bad_host.example'"
    )
