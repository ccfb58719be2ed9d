"""What a build prints: the summary line, --quiet, --verbose, the progress bar, and --help."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config
from newsgen.progress import ProgressBar, render_bar

ARTICLES = {
    f"content/2025-0{month}-0{day}-story-{month}-{day}.md": f"---\ntitle: Story {month} {day}\ntags: [t{day}]\n---\n\nText.\n"
    for month in range(1, 4) for day in range(1, 4)
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_build_prints_one_summary_line_and_counts_unchanged_pages_on_the_next_build(tmp_path, capsys):
    site = write_files(tmp_path / "site", ARTICLES)
    assert main(["build", str(site), "-j", "1"]) == 0
    first = capsys.readouterr().out
    assert re.fullmatch(rf"built 9 articles: (\d+) pages written \(0 unchanged\) to {site}/public in \d+\.\d\d s\n", first)
    written = int(re.search(r"(\d+) pages written", first).group(1))

    assert main(["build", str(site), "-j", "1"]) == 0
    assert f"0 pages written ({written} unchanged)" in capsys.readouterr().out  # only changed files are written

    (site / "content/2025-01-01-story-1-1.md").write_text("---\ntitle: Story changed\n---\n\nNew.\n", encoding="utf-8")
    main(["build", str(site), "-j", "1"])
    again = capsys.readouterr().out
    rewritten = int(re.search(r"(\d+) pages written", again).group(1))
    unchanged = int(re.search(r"\((\d+) unchanged", again).group(1))
    assert 0 < unchanged < written and 0 < rewritten < written


def test_quiet_prints_nothing_and_verbose_adds_stage_timings(tmp_path, capsys):
    site = write_files(tmp_path / "site", ARTICLES)
    assert main(["build", str(site), "-j", "1", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["build", str(site), "-j", "1", "--verbose"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("built 9 articles: 0 pages written")
    assert re.fullmatch(r"stages: reading articles \d+\.\d\d s \(no input changed since the last build\)\n", err)
    first = sorted((site / "content").iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert main(["build", str(site), "-j", "1", "--verbose"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("built 9 articles: ")
    assert re.fullmatch(r"stages: reading articles \d+\.\d\d s, indexing \d+\.\d\d s, writing pages \d+\.\d\d s\n", err)


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path):
    site = write_files(tmp_path / "site", ARTICLES)
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-j", "1"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stderr == ""
    assert "\r" not in result.stdout and "\033" not in result.stdout


def test_progress_bar_draws_on_a_terminal_once_a_build_takes_more_than_a_moment(tmp_path):
    site = write_files(tmp_path / "site", ARTICLES)
    config = load_config(site, {"workers": 1})
    terminal = Terminal()
    bar = ProgressBar(stream=terminal, delay=0)
    report = build(config, progress=bar)
    bar.close()
    drawn = terminal.getvalue()
    assert "\r\033[Kwriting pages [" in drawn
    assert f"] {report.pages_written}/" in drawn  # the last page drawn
    assert drawn.endswith("\r\033[K")  # erased for the summary line

    quick, pipe = Terminal(), io.StringIO()
    for stream, delay in ((quick, 60.0), (pipe, 0.0)):
        bar = ProgressBar(stream=stream, delay=delay)
        build(config, progress=bar)
        bar.close()
    assert quick.getvalue() == "" and pipe.getvalue() == ""


def test_render_bar_shows_the_share_done():
    assert render_bar("writing pages", 5, 10, width=10) == "writing pages [#####.....]  5/10"
    assert render_bar("reading articles", 0, None) == "reading articles …"


@pytest.mark.parametrize("command", ["build", "serve", "new", "init"])
def test_every_command_help_shows_examples(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "\nexamples:\n  newsgen " + command in out
