"""The `newsgen` command. The only place that prints errors and sets exit codes."""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path

from . import __version__
from .build import BuildReport, build
from .config import SiteConfig, load_config
from .errors import NewsgenError
from .importer import import_content

EPILOG_BUILD = """examples:
  newsgen build                       build the site in this folder into public/
  newsgen build mysite -o /tmp/out    build another folder's site elsewhere
  newsgen build --base-url https://example.org/news/
"""
EPILOG_SERVE = """examples:
  newsgen serve                       build, then serve on http://127.0.0.1:8000/
  newsgen serve mysite --port 0       pick a free port and print it
"""


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", nargs="?", default=".", type=Path, help="the site folder (default: .)")
    parser.add_argument("-o", "--output", help="output folder (default: output_dir from newsgen.yaml, else public)")
    parser.add_argument("--drafts", action="store_true", default=None, help="include draft articles")
    parser.add_argument("--future", action="store_true", default=None, help="include articles dated in the future")
    parser.add_argument("--base-url", help="absolute URL the site is published at")
    parser.add_argument("-j", "--jobs", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--skip-invalid", action="store_true", default=None,
                        help="build the valid articles and list the invalid ones instead of failing")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsgen", description="A static website generator for news archives.")
    parser.add_argument("--version", action="version", version=f"newsgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the site", epilog=EPILOG_BUILD,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_site_options(build_parser)
    build_parser.add_argument("--clean", action="store_true", help="ignore the build cache")
    build_parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    serve_parser = commands.add_parser("serve", help="build, then serve the site locally", epilog=EPILOG_SERVE,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_site_options(serve_parser)
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
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
    return parser


def config_from_args(args: argparse.Namespace) -> SiteConfig:
    overrides = {
        "output_dir": str(Path(args.output).absolute()) if args.output else None,  # relative to the cwd
        "drafts": args.drafts,
        "future": args.future,
        "base_url": args.base_url,
        "workers": args.jobs,
        "skip_invalid": args.skip_invalid,
    }
    return load_config(args.site_dir, overrides)


def print_skipped_invalid(skipped: typing.Sequence[str]) -> None:
    """Articles left out under --skip-invalid: the count, then each `path:line: message`."""
    if skipped:
        count = len(skipped)
        print(f"skipped {count} invalid article{'s' if count != 1 else ''} (--skip-invalid):", file=sys.stderr)
        for number, error in enumerate(skipped, 1):
            print(f"  {number}. {error}", file=sys.stderr)


def print_report(report: BuildReport, quiet: bool) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not quiet:
        for notice in report.notices:
            print(f"note: {notice}", file=sys.stderr)
    print_skipped_invalid(report.skipped_invalid)
    if not quiet:
        skipped = []
        if report.skipped_drafts:
            skipped.append(f"{report.skipped_drafts} drafts")
        if report.skipped_future:
            skipped.append(f"{report.skipped_future} future")
        extra = f" (left out: {', '.join(skipped)})" if skipped else ""
        print(f"built {report.articles} articles{extra}, {report.pages_written} files written "
              f"to {report.output_dir} in {report.seconds:.2f} s")


def run_build(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    print_report(build(config), args.quiet)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from .serve import make_server

    config = config_from_args(args)
    if args.base_url is None and "localhost" in config.base_url:
        pass
    print_report(build(config), False)
    try:
        server = make_server(config.output_path, args.host, args.port, config.base_path)
    except OSError as exc:
        raise NewsgenError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}; try --port 0 for a free port")
    host, port = server.server_address[:2]
    print(f"serving {config.output_path} at http://{host}:{port}{config.base_path} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        server.server_close()
    return 0


def run_import(args: argparse.Namespace) -> int:
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
        return {"build": run_build, "serve": run_serve, "import": run_import}[args.command](args)
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
