"""The cost of pictures: a generated site whose every article has a lead picture, built cold (empty
picture cache), again with nothing changed, and with `--clean` while the picture cache is warm
(which must resize nothing); the same site without pictures gives the baseline.

usage: python benchmarks/bench_pictures.py [--sizes 100 1000] [--root /dev/shm] [--workers N]
Prints seconds per build, pictures resized, ms per picture cold ((cold - baseline) / pictures,
wall time on all workers) and the CPU time resizing one picture takes in one process.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from newsgen.build import build
from newsgen.config import load_config
from newsgen.pictures.resize import resize_picture


def picture(number: int, base: Image.Image) -> bytes:
    """A 1600 x 1067 JPEG with a photograph's grain; shapes and colours differ per number."""
    rng = random.Random(number)
    image = base.copy()
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(1600), rng.randrange(1067)
        draw.ellipse((x, y, x + rng.randrange(50, 500), y + rng.randrange(50, 400)),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def write_site(root: Path, count: int, pictures: bool) -> None:
    content, images = root / "content", root / "static" / "images"
    content.mkdir(parents=True)
    images.mkdir(parents=True)
    base = Image.merge("RGB", [Image.effect_noise((1600, 1067), 40).point(lambda v, s=s: min(255, v // 2 + s))
                               for s in (60, 90, 120)]).filter(ImageFilter.GaussianBlur(1.5))  # grain, not static
    for n in range(count):
        lead = f"image: images/p{n:05d}.jpg\nimage_alt: Picture {n}\n" if pictures else ""
        (content / f"a{n:05d}.md").write_text(
            f"---\ntitle: Report number {n}\ndate: 2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z\n"
            f"{lead}---\nParagraph one of report {n}.\n\nParagraph two.\n", encoding="utf-8")
        if pictures:
            (images / f"p{n:05d}.jpg").write_bytes(picture(n, base))


def timed(config, clean: bool = False):
    started = time.perf_counter()
    report = build(config, clean=clean)
    return time.perf_counter() - started, report


def measure(root: Path, count: int, workers: int) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    plain, pictured = root / f"plain-{count}", root / f"pictures-{count}"
    write_site(plain, count, pictures=False)
    write_site(pictured, count, pictures=True)
    settings = {"workers": workers, "search": False}
    baseline, _ = timed(load_config(plain, settings))
    config = load_config(pictured, settings)
    cold, cold_report = timed(config)
    unchanged, unchanged_report = timed(config)
    clean, clean_report = timed(config, clean=True)
    assert clean_report.pictures_resized == 0, "a --clean build with the cache warm resized pictures"
    source_mb = sum(p.stat().st_size for p in (pictured / "static/images").iterdir()) / 1e6
    print(f"{count} articles, {count} pictures (1600x1067 JPEG, {source_mb:.0f} MB), {workers} workers")
    print(f"  {'no pictures, cold':<34} {baseline:7.2f} s")
    print(f"  {'pictures, cold (empty cache)':<34} {cold:7.2f} s  resized {cold_report.pictures_resized:5d}  "
          f"{(cold - baseline) * 1000 / count:6.1f} ms per picture")
    print(f"  {'pictures, nothing changed':<34} {unchanged:7.2f} s  resized {unchanged_report.pictures_resized:5d}")
    print(f"  {'pictures, --clean, cache warm':<34} {clean:7.2f} s  resized {clean_report.pictures_resized:5d}  "
          f"{(clean - baseline) * 1000 / count:6.1f} ms per picture")
    samples = sorted(pictured.glob("static/images/*.jpg"))[:10]
    started = time.process_time()
    for sample in samples:
        resize_picture(sample.read_bytes())
    cpu = (time.process_time() - started) * 1000 / len(samples)
    print(f"  {'CPU to resize one picture':<34} {cpu:7.0f} ms (in this process, {len(samples)} pictures; "
          "wall time above depends on the machine's load)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--root", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="newsgen-pictures-", dir=args.root))
    try:
        for count in args.sizes:
            measure(folder, count, args.workers)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
