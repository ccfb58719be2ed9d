"""The `newsgen` command. The only place that prints errors and sets exit codes."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import typing
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from newsgen import __version__
from newsgen.build import build, check_chosen_output
from newsgen.config import CONFIG_NAME, SiteConfig, load_config, reference_time
from newsgen.errors import ConfigError, NewsgenError, display_path
from newsgen.model import BuildReport
from newsgen.progress import STAGE_NAMES, ProgressBar
from newsgen.scaffold import ArticleDraft, init_site, new_article

EPILOG_BUILD = """examples:
  newsgen build                       build the site in this folder into public/
  newsgen build mysite -o /tmp/out    build another folder's site elsewhere
  newsgen build --base-url https://example.org/news/
"""
EPILOG_SERVE = """examples:
  newsgen serve                       build, serve on http://127.0.0.1:8000/, rebuild and reload on every save
  newsgen serve mysite --port 0       pick a free port and print it
  newsgen serve --drafts --future     preview drafts and scheduled articles too
  newsgen serve --open                also open the site in a browser

Serves builds made in .newsgen-cache/serve-PID/ (never your output folder), under base_url's
path. Watches content, templates, static, pages and newsgen.yaml. A build error keeps the last good
site and shows the error (file:line: message) here and over the page in the browser.
"""
EPILOG_NEW = """examples:
  newsgen new "Storm closes port"                     content/YYYY/YYYY-MM-DD-storm-closes-port.md
  newsgen new "Storm closes port" --tags weather,ports --section Local
  newsgen new "Budget vote" mysite --author "A. Reporter" --draft

Dated now, in the site's time zone. Never overwrites: the same headline twice on one day is an error.
"""
EPILOG_INIT = """examples:
  newsgen init mysite                 scaffold a site in a new folder, and build it
  newsgen init mysite --title "The Harbour Gazette"

Writes newsgen.yaml (every key commented), one example article, an empty templates/ with a
README on overriding the theme, and .gitignore. Refuses a folder that is not empty.
"""


def port_number(text: str) -> int:
    """The value of --port: a whole number from 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 0 to 65535 (0 picks a free one)")
    return port


def _add_site_options(parser: argparse.ArgumentParser, output: bool = True) -> None:
    parser.add_argument("site_dir", nargs="?", default=".", type=Path, help="the site folder (default: .)")
    if output:
        parser.add_argument("-o", "--output", help="output folder (default: output_dir from newsgen.yaml, else public)")
    parser.add_argument("--drafts", action="store_true", default=None, help="include draft articles")
    parser.add_argument("--future", action="store_true", default=None, help="include articles dated in the future")
    parser.add_argument("--base-url", help="absolute URL the site is published at")
    parser.add_argument("-j", "--jobs", type=int, help="worker processes (default: one per core)")
    if output:
        parser.add_argument("--scheduler", metavar="ADDRESS",
                            help="parse and render on the Dask cluster at ADDRESS (tcp://HOST:8786)")
    parser.add_argument("--skip-invalid", action="store_true", default=None,
                        help="build the valid articles and list the invalid ones instead of failing")


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only (serve still prints its URL)")
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="also print stage timings (and, for serve, every request)")


def _command(commands, name: str, help: str, epilog: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", epilog=epilog,
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsgen", description="A static website generator for news archives.",
        epilog="examples:\n  newsgen init mysite && cd mysite\n  newsgen new \"First headline\"\n"
               "  newsgen serve\n  newsgen build\n\nRun `newsgen COMMAND --help` for each command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"newsgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_parser = _command(commands, "build", "build the site", EPILOG_BUILD)
    _add_site_options(build_parser)
    build_parser.add_argument("--clean", action="store_true", help="ignore the build cache")
    build_parser.add_argument("--timings", action="store_true",
                              help="print the pages rendered of each kind and the CPU time they took")
    _add_output_options(build_parser)
    serve_parser = _command(commands, "serve", "build, serve and rebuild the site on every change, "
                            "reloading open pages", EPILOG_SERVE)
    _add_site_options(serve_parser, output=False)
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve_parser.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0 picks a free one)")
    import_parser = commands.add_parser(
        "import", help="convert another generator's content or a bulk export into newsgen Markdown",
        epilog="examples:\n  newsgen import ../blog/_posts content/\n  newsgen import export.jsonl content/wire/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    import_parser.add_argument("src", type=Path, help="a content folder (Jekyll, Hugo, Pelican, newsgen) or an export file")
    import_parser.add_argument("dest", type=Path, help="folder to write the Markdown files to (never overwritten)")
    import_parser.add_argument("--site", type=Path, default=Path("."),
                               help="site folder whose newsgen.yaml gives field mapping and time zone (default: .)")
    import_parser.add_argument("--layout", help="content_layout of SRC: auto, newsgen, jekyll, hugo or pelican")
    import_parser.add_argument("--skip-invalid", action="store_true", default=None,
                               help="import the valid articles and list the invalid ones instead of failing")
    serve_parser.add_argument("--open", action="store_true", help="open the site in a web browser")
    _add_output_options(serve_parser)
    new_parser = _command(commands, "new", "write a new article file dated now", EPILOG_NEW)
    new_parser.add_argument("headline", help="the article's headline (its slug and file name come from it)")
    new_parser.add_argument("site_dir", nargs="?", default=".", type=Path, help="the site folder (default: .)")
    new_parser.add_argument("--tags", default="", help="comma-separated tags: --tags economy,venezuela")
    new_parser.add_argument("--section", help="the article's section")
    new_parser.add_argument("--author", help="the byline")
    new_parser.add_argument("--draft", action="store_true", help="mark it a draft (served with --drafts only)")
    _add_output_options(new_parser)
    init_parser = _command(commands, "init", "scaffold a new site in an empty folder and build it", EPILOG_INIT)
    init_parser.add_argument("folder", type=Path, help="the new site's folder (created if missing; must be empty)")
    init_parser.add_argument("--title", default="News Archive", help="the site's title")
    _add_output_options(init_parser)
    return parser


def config_from_args(args: argparse.Namespace) -> SiteConfig:
    return load_config(args.site_dir, build_overrides(args))


def build_overrides(args: argparse.Namespace) -> dict:
    output = getattr(args, "output", None)
    return {
        "output_dir": str(Path(output).absolute()) if output else None,  # relative to the cwd
        "drafts": args.drafts,
        "future": args.future,
        "base_url": args.base_url,
        "workers": args.jobs,
        "scheduler": getattr(args, "scheduler", None),
        "skip_invalid": args.skip_invalid,
    }


def print_skipped_invalid(skipped: typing.Sequence[str]) -> None:
    """Articles left out under --skip-invalid: the count, then each `path:line: message`."""
    if skipped:
        count = len(skipped)
        print(f"skipped {count} invalid article{'s' if count != 1 else ''} (--skip-invalid):", file=sys.stderr)
        for number, error in enumerate(skipped, 1):
            print(f"  {number}. {error}", file=sys.stderr)


def summary_line(report: BuildReport, output: bool = True) -> str:
    """`built 12 articles: 3 pages written (54 unchanged) to public in 0.42 s`; `, N deleted` in the
    brackets when files no page produces any more were removed."""
    skipped = []
    if report.skipped_drafts:
        skipped.append(f"{report.skipped_drafts} draft{'s' if report.skipped_drafts != 1 else ''}")
    if report.skipped_future:
        skipped.append(f"{report.skipped_future} future")
    extra = f" (left out: {', '.join(skipped)})" if skipped else ""
    deleted = f", {report.pages_deleted} deleted" if report.pages_deleted else ""
    return (f"built {report.articles} article{'s' if report.articles != 1 else ''}{extra}: "
            f"{report.pages_written} page{'s' if report.pages_written != 1 else ''} written "
            f"({report.pages_unchanged} unchanged{deleted}) "
            + (f"to {display_path(report.output_dir)} " if output else "") + f"in {report.seconds:.2f} s")


def print_report(report: BuildReport, quiet: bool, verbose: bool = False,
                 progress: ProgressBar | None = None, output: bool = True) -> None:
    if not quiet:
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for notice in report.notices:
            print(f"note: {notice}", file=sys.stderr)
    if verbose:
        for article in report.left_out:
            print(f"note: {article}", file=sys.stderr)
        if report.pictures_resized:
            print(f"pictures: {report.pictures_resized} resized (the others from .newsgen-cache/pictures/)",
                  file=sys.stderr)
    print_skipped_invalid(report.skipped_invalid)
    if verbose and progress is not None:
        stages = ", ".join(f"{STAGE_NAMES.get(name, name)} {seconds:.2f} s" for name, seconds in progress.timings())
        print(f"stages: {stages}" + (" (no input changed since the last build)" if report.nothing_changed else ""),
              file=sys.stderr)
    if not quiet:
        print(summary_line(report, output), flush=True)


def build_with_progress(config: SiteConfig, args: argparse.Namespace) -> BuildReport:
    check_chosen_output(config)
    progress = ProgressBar(enabled=False if args.quiet else None)
    if config.scheduler:
        from newsgen.cluster import cluster_executor  # loads the cluster's client library only when asked
    try:
        with cluster_executor(config.scheduler) if config.scheduler else nullcontext() as executor:
            report = build(config, reference_time(), executor, progress, clean=getattr(args, "clean", False),
                           record_urls=True)
    finally:
        progress.close()
    if getattr(args, "timings", False):
        print(format_page_costs(report))
    print_report(report, args.quiet, args.verbose, progress)
    return report


def format_page_costs(report: BuildReport) -> str:
    """The CPU time this build spent rendering each kind of page (in every process), as a table."""
    lines = [f"{'kind of page':<16} {'pages':>8} {'CPU ms':>10} {'ms/page':>8}"]
    for cost in report.page_costs:
        milliseconds = cost.cpu_seconds * 1000
        lines.append(f"{cost.kind:<16} {cost.pages:>8,} {milliseconds:>10,.0f} {milliseconds / max(1, cost.pages):>8.2f}")
    if len(lines) == 1:
        lines.append("(no page rendered)")
    return "\n".join(lines)


def run_build(args: argparse.Namespace) -> int:
    build_with_progress(config_from_args(args), args)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from newsgen.serve.server import PreviewServer, PreviewState, open_server, server_url
    from newsgen.serve.watch import PreviewBuilder, SiteWatcher, make_cache_dir, make_preview_executor, run_rebuilds, source_folders

    overrides = build_overrides(args)
    if not args.site_dir.is_dir():
        raise NewsgenError(f"{args.site_dir}: site folder not found")
    try:
        config = load_config(args.site_dir, overrides)
    except ConfigError:  # the first build shows it, and the next save of newsgen.yaml is picked up
        config = SiteConfig(site_dir=args.site_dir)
    cache = make_cache_dir(args.site_dir)
    state = PreviewState(config.base_path)
    stop = threading.Event()
    executor = server = None
    _stop_on_signals()
    try:
        server = open_server(lambda address: PreviewServer(address, state, cache / "none", args.verbose),
                             args.host, args.port)
        executor = make_preview_executor(config.workers)
        builder = PreviewBuilder(args.site_dir, overrides, state, cache, executor)
        watcher = SiteWatcher(args.site_dir, lambda: source_folders(args.site_dir, overrides), stop)
        progress = ProgressBar(enabled=False if args.quiet else None)
        first = builder.build_once(progress=progress)
        progress.close()
        _say_rebuild(first, args, progress)
        url = server_url(server, state.snapshot.base_path)
        print(f"serving {url}  (watching content, templates, static, pages and {CONFIG_NAME}; Ctrl-C stops)", flush=True)
        if server.server_address[0] not in ("127.0.0.1", "::1", "localhost"):
            print(f"warning: listening on {args.host}: other machines on the network can see this preview",
                  file=sys.stderr)
        threading.Thread(target=run_rebuilds, args=(builder, watcher, lambda o: _say_rebuild(o, args)),
                         daemon=True).start()
        if args.open:
            import webbrowser
            webbrowser.open(url)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        if not args.quiet:
            print("\nstopped", flush=True)
    finally:
        stop.set()
        if server is not None:
            server.server_close()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(cache, ignore_errors=True)
    return 0


def _stop_on_signals() -> None:
    """SIGTERM and SIGINT stop `serve` as Ctrl-C does: cleanly, removing its build folders. SIGINT
    is set explicitly: a command started in the background by a shell without job control (a
    script's `newsgen serve &`) inherits SIGINT ignored, and Python then leaves it ignored."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)


def _say_rebuild(outcome, args: argparse.Namespace, progress: ProgressBar | None = None) -> None:
    """One line per rebuild; a failed one prints its errors and says what is still served."""
    changed = ""
    if outcome.changes:
        more = len(outcome.changes) - 3
        names = ", ".join(outcome.changes[:3]) + (f" and {more} more" if more > 0 else "")
        changed = f"{time.strftime('%H:%M:%S')} {names} changed: "
    if outcome.error:
        served = "still serving the last good build; " if outcome.changes else ""
        print(f"{changed}{outcome.error}\n({served}the browser shows this error until a save fixes it)",
              file=sys.stderr, flush=True)
    elif outcome.changes:
        if not args.quiet:
            print(f"{changed}{summary_line(outcome.report, output=False)}; reloading open pages", flush=True)
    else:
        print_report(outcome.report, args.quiet, args.verbose, progress, output=False)


def run_new(args: argparse.Namespace) -> int:
    config = load_config(args.site_dir)
    draft = ArticleDraft(args.headline, tuple(args.tags.split(",")), args.section, args.author, args.draft)
    path = new_article(config, draft, reference_time())
    if not args.quiet:
        print(f"wrote {display_path(path)}")
    return 0


def run_init(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    written = init_site(folder, args.title, reference_time())
    if not args.quiet:
        print(f"created {display_path(folder)}: " + ", ".join(display_path(p, folder) for p in written))
    build_with_progress(load_config(folder), args)
    if not args.quiet:
        print(f"next: cd {display_path(folder)} && newsgen serve")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from newsgen.content.importer import import_content  # the readers: only this command and a build that parses load them

    config = load_config(args.site, {"content_layout": args.layout, "skip_invalid": args.skip_invalid})
    report = import_content(args.src, args.dest, config)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for notice in report.notices:
        print(f"note: {notice}", file=sys.stderr)
    print_skipped_invalid(report.skipped_invalid)
    print(f"imported {len(report.written)} articles from {report.files_read} files into {args.dest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        commands = {"build": run_build, "serve": run_serve, "new": run_new, "init": run_init, "import": run_import}
        return commands[args.command](args)
    except NewsgenError as exc:
        for warning in getattr(exc, "warnings", ()):
            print(f"warning: {warning}", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the system refused a read or write (permissions, a file where a folder goes)
        print(f"error: {exc.filename}: {exc.strerror}" if exc.filename else f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
