"""Resizing one picture: bytes in, resized bytes out. Runs in a worker process; reads and writes no
file, so it can run anywhere. The same bytes and settings give the same output bytes (no metadata
is copied, no timestamps are written)."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import PIL
from PIL import Image, ImageOps

VERSION = 1
"""The version of what resize_picture makes: raise it when its output changes for the same input."""
WIDTHS = (480, 960, 1600)
"""The widths each raster picture is published at (a narrower picture: at its own width, never wider)."""
MAX_PIXELS = 50_000_000
"""A picture with more pixels is published as it is, never decoded (a decompression bomb is a
few kilobytes that decode to gigabytes)."""
RESIZED = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
"""The formats resized, with their type and the suffix of their copies."""
PASSED = {"GIF": "image/gif"}
"""Raster formats published as they are (an animation would lose its frames); SVG is too."""
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_LENGTH = re.compile(rb"""\s(width|height|viewBox)\s*=\s*["']\s*([^"']*)["']""")
_SAVE = {"JPEG": {"quality": 82}, "PNG": {"compress_level": 6}, "WEBP": {"quality": 80, "method": 4}}


def settings_key() -> str:
    """What the output depends on besides the source bytes: the settings and Pillow's version."""
    return f"resize {VERSION} pillow {PIL.__version__} widths {WIDTHS} max {MAX_PIXELS} save {sorted(_SAVE.items())!r}"


@dataclass(frozen=True)
class Resized:
    """What resizing one picture gave: its size and its copies, or the problem that stopped it."""

    width: int | None
    height: int | None
    copies: tuple[tuple[int, str, str, bytes], ...] = ()
    """(width, type, suffix, bytes) of each copy: WebP first, then the picture's own format."""
    problem: str = ""
    """Why the picture is published as it is (empty when resized, or when its format is passed through)."""


def resize_picture(data: bytes) -> Resized:
    """The copies of a picture at WIDTHS (never wider than it is) in WebP and its own format;
    for a GIF, only its size. A file that is not a picture, is truncated or has more than
    MAX_PIXELS pixels gives a Resized with a problem, never an exception. An SVG gives its size
    (from its `width` and `height` in pixels, else its `viewBox`), when it states one."""
    svg = _SVG_ROOT.search(data[:4096])
    if svg is not None:
        return _svg_size(svg.group(0))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                return Resized(None, None, problem=f"{width}x{height} pixels, more than {MAX_PIXELS:,} pixels; not decoded")
            kind = image.format or ""
            if kind in PASSED:
                return Resized(width, height)
            if kind not in RESIZED:
                return Resized(None, None, problem=f"a {kind or 'file of an unknown'} format newsgen does not resize")
            image.load()
            return _copies(ImageOps.exif_transpose(image), kind)
    except Image.DecompressionBombError:  # Pillow's own limit, above MAX_PIXELS, checked before decoding
        return Resized(None, None, problem=f"more than {MAX_PIXELS:,} pixels; not decoded")
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.UnidentifiedImageError) as exc:
        return Resized(None, None, problem=_reason(exc))


def _svg_size(root: bytes) -> Resized:
    found = {name.decode(): value.decode("ascii", "replace") for name, value in _SVG_LENGTH.findall(root)}
    try:
        width, height = (float(found[k].removesuffix("px")) for k in ("width", "height"))
    except (KeyError, ValueError):
        box = found.get("viewBox", "").replace(",", " ").split()
        try:
            width, height = float(box[2]), float(box[3])
        except (IndexError, ValueError):
            return Resized(None, None)
    if not (0 < width < 100_000 and 0 < height < 100_000):
        return Resized(None, None)
    return Resized(round(width), round(height))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, Image.UnidentifiedImageError):
        return "not a picture Pillow can read"
    return f"cannot be decoded ({exc})"


def _copies(image: Image.Image, kind: str) -> Resized:
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    width, height = image.size
    widths = sorted({min(w, width) for w in WIDTHS})
    formats = ["WEBP"] + ([kind] if kind != "WEBP" else [])
    scaled = [image if target == width else image.resize(
        (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for target in widths]  # each width once, encoded in every format
    copies = []
    for fmt in formats:
        mime, suffix = RESIZED[fmt]
        copies.extend((target, mime, suffix, _encode(copy, fmt)) for target, copy in zip(widths, scaled))
    return Resized(width, height, tuple(copies))


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode == "L":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **_SAVE[fmt])
    return out.getvalue()
