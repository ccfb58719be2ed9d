"""Hostile text: characters, sizes and numbers a broken scraper or an attacker can put in articles
give clear `path:line` errors or safe output, never a traceback."""

from __future__ import annotations

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config
from newsgen.errors import BuildFailed, ConfigError

LONE_SURROGATE = '{"date": "2024-01-01", "title": "x\\ud800", "body": "b"}\n'
GOOD_RECORD = '{"date": "2024-01-02", "title": "Good", "body": "b"}\n'


def build_site(tmp_path, files, **overrides):
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, **overrides})
    return config, build(config)


def test_a_lone_surrogate_in_a_json_record_is_an_error_naming_file_and_line(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/wire.jsonl": GOOD_RECORD + LONE_SURROGATE})
    assert str(failed.value) == (
        "build failed with 1 error:\n"
        "  1. content/wire.jsonl:2: invalid JSON: \\ud800 is half of a UTF-16 surrogate pair, not a character")


def test_a_lone_surrogate_record_is_skipped_with_skip_invalid_and_the_rest_builds(tmp_path, capsys):
    write_files(tmp_path / "site", {"content/wire.jsonl": LONE_SURROGATE + GOOD_RECORD})
    assert main(["build", str(tmp_path / "site"), "-j", "1", "--skip-invalid"]) == 0
    err = capsys.readouterr().err
    assert ("skipped 1 invalid article (--skip-invalid):\n"
            "  1. content/wire.jsonl:1: invalid JSON: \\ud800 is half of a UTF-16 surrogate pair, not a character") in err
    assert (tmp_path / "site/public/2024/01/02/good/index.html").is_file()


def test_a_surrogate_pair_in_a_json_record_is_one_character(make_site):
    out = make_site({"content/wire.jsonl": '{"date": "2024-01-01", "title": "Smile \\ud83d\\ude00", "body": "b"}\n'})
    assert "<h1>Smile \U0001F600</h1>" in (out / "2024/01/01/smile/index.html").read_text(encoding="utf-8")


def test_a_lone_surrogate_in_the_config_is_an_error_naming_the_key(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": 'title: "News \\ud800"\n', "content/a.md": "x"})
    with pytest.raises(ConfigError) as failed:
        load_config(site)
    assert str(failed.value) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'title' holds half of a UTF-16 surrogate pair (an escape like \\ud800), not a character")
