"""Pictures: lead and body pictures found by the path rules, resized into WebP and their own format,
cached by their bytes, shown by the theme; missing and hostile pictures are warnings."""

import io
import json
import re
import shutil

import pytest
from PIL import Image

from conftest import build_files, write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed


def jpeg(width: int, height: int, colour=(30, 90, 140)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 50, 50)).save(out, "PNG")
    return out.getvalue()


def story(title: str, date: str, header: str = "", body: str = "Text.") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{header}---\n\n{body}\n"


BUNDLE = {
    "content/harbour/index.md": story("Harbour", "2024-06-01", "image: harbour.jpg\nimage_alt: Cranes at dawn\n"
                                      "image_caption: The harbour.\nimage_credit: Photo by the desk\n",
                                      "Text.\n\n![Quay](quay.png)"),
    "content/harbour/harbour.jpg": jpeg(1200, 800),
    "content/harbour/quay.png": png(300, 200),
    "content/plain.md": story("Plain", "2024-06-02"),
}


def test_article_folder_lead_picture_is_a_figure_with_sizes_caption_and_credit(tmp_path):
    out, report = build_files(tmp_path, BUNDLE)
    page = (out / "2024/06/01/harbour/index.html").read_text()
    figure = page[page.index('<figure class="lead-image">'):page.index("</figure>")]
    assert '<source type="image/webp" srcset="harbour.480w.webp 480w, harbour.960w.webp 960w, harbour.1200w.webp 1200w"' in figure
    assert ('<img src="harbour.1200w.jpg" alt="Cranes at dawn" srcset="harbour.480w.jpg 480w, harbour.960w.jpg 960w, '
            'harbour.1200w.jpg 1200w" sizes="(min-width: 60rem) 40rem, 100vw" width="1200" height="800" '
            'fetchpriority="high">') in figure
    assert '<figcaption>The harbour. <span class="credit">Photo by the desk</span></figcaption>' in figure
    folder = out / "2024/06/01/harbour"
    assert sorted(p.name for p in folder.iterdir() if p.name != "index.html") == [
        "harbour.1200w.jpg", "harbour.1200w.webp", "harbour.480w.jpg", "harbour.480w.webp", "harbour.960w.jpg",
        "harbour.960w.webp", "harbour.jpg", "quay.300w.png", "quay.300w.webp", "quay.png"]
    assert Image.open(folder / "harbour.480w.webp").size == (480, 320)
    assert Image.open(folder / "quay.300w.png").size == (300, 200)  # never upscaled
    assert 'alt="Quay" srcset="quay.300w.png 300w"' in page and 'loading="lazy"' in page
    assert '<meta property="og:image:width" content="1200">' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    ld = ld if isinstance(ld, dict) and "image" in ld else next(item for item in ld if "image" in item)
    assert ld["image"] == [{"@type": "ImageObject", "url": "http://localhost:8000/2024/06/01/harbour/harbour.1200w.jpg",
                            "width": 1200, "height": 800}]
    assert report.articles == 2 and report.notices == () and report.pictures_resized == 2


def test_front_page_shows_a_thumbnail_only_beside_teasers_with_a_picture(tmp_path):
    out, _ = build_files(tmp_path, BUNDLE)
    front = (out / "index.html").read_text()
    assert front.count('class="teaser-picture"') == 1
    assert front.count("with-picture") == 1
    assert 'src="2024/06/01/harbour/harbour.1200w.jpg" alt="Cranes at dawn"' in front
    assert "loading=" not in front  # the first teasers of the front page load at once


def test_teaser_pictures_below_the_first_two_load_lazily(tmp_path):
    files = {f"content/s{n}/index.md": story(f"S{n}", f"2024-06-0{n}", "image: p.png\n") for n in range(1, 4)}
    files.update({f"content/s{n}/p.png": png(200, 100) for n in range(1, 4)})
    out, _ = build_files(tmp_path, files)
    front = (out / "index.html").read_text()
    assert front.count('class="teaser-picture"') == 3 and front.count('loading="lazy"') == 1
    assert 'src="2024/06/01/s1/p.200w.png" alt="" srcset="2024/06/01/s1/p.200w.png 200w"' in front


def test_missing_pictures_are_warnings_naming_file_and_line_and_errors_with_strict_images(tmp_path):
    files = {"content/a.md": story("A", "2024-06-01", "image: images/harbor.png\n", "Text.\n\n![x](gone.jpg)")}
    _, report = build_files(tmp_path, files)
    assert "content/a.md:4: picture 'images/harbor.png' not found (looked for static/images/harbor.png)" in report.warnings
    assert "content/a.md:9: picture 'gone.jpg' not found (looked for static/gone.jpg)" in report.warnings
    with pytest.raises(BuildFailed) as failed:
        build_files(tmp_path / "strict", files, strict_images=True)
    assert "content/a.md:4: picture 'images/harbor.png' not found" in str(failed.value)


@pytest.mark.parametrize("written", ["images/port.png", "/images/port.png", "static/images/port.png"])
def test_image_paths_name_files_of_static(tmp_path, written):
    files = {"content/a.md": story("A", "2024-06-01", f"image: {written}\n", f"Body ![p]({written})"),
             "static/images/port.png": png(600, 400)}
    out, report = build_files(tmp_path, files)
    assert report.warnings == ()
    page = (out / "2024/06/01/a/index.html").read_text()
    assert 'src="../../../../images/port.600w.png" alt="" srcset' in page
    assert 'src="../../../../images/port.600w.png" alt="p" srcset' in page
    assert (out / "images/port.600w.webp").is_file() and (out / "images/port.png").is_file()


def test_remote_image_is_linked_as_written(tmp_path):
    files = {"content/a.md": story("A", "2024-06-01", "image: https://cdn.example.org/p.jpg\nimage_alt: A photo\n")}
    out, report = build_files(tmp_path, files)
    page = (out / "2024/06/01/a/index.html").read_text()
    assert '<img src="https://cdn.example.org/p.jpg" alt="A photo" fetchpriority="high">' in page
    assert '<meta property="og:image" content="https://cdn.example.org/p.jpg">' in page
    assert report.warnings == () and report.pictures_resized == 0


def test_rebuild_resizes_only_new_or_changed_pictures_and_clean_keeps_the_cache(tmp_path):
    site = write_files(tmp_path / "site", BUNDLE)
    config = load_config(site, {"workers": 1, "search": False})
    assert build(config).pictures_resized == 2
    out = config.output_path
    first = (out / "2024/06/01/harbour/harbour.960w.webp").read_bytes()
    assert build(config, clean=True).pictures_resized == 0
    assert (out / "2024/06/01/harbour/harbour.960w.webp").read_bytes() == first
    (site / "content/harbour/quay.png").write_bytes(png(320, 200))
    report = build(config)
    assert report.pictures_resized == 1
    assert 'srcset="quay.320w.png 320w"' in (out / "2024/06/01/harbour/index.html").read_text()
    shutil.rmtree(site / ".newsgen-cache" / "pictures")  # the documented way to empty the picture cache
    assert build(config, clean=True).pictures_resized == 2
    assert (out / "2024/06/01/harbour/harbour.960w.webp").read_bytes() == first  # the same bytes again


def _bomb() -> bytes:
    """A PNG header claiming 30000 x 30000 pixels, with almost no data."""
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("name, data, problem", [
    ("truncated.jpg", jpeg(800, 600)[:2000], "cannot be decoded"),
    ("bomb.png", _bomb(), "more than 50,000,000 pixels; not decoded"),
    ("text.jpg", b"this is not a picture\n" * 20, "not a picture Pillow can read"),
])
def test_bad_pictures_are_warnings_and_published_as_they_are(tmp_path, name, data, problem):
    files = {"content/a.md": story("A", "2024-06-01", f"image: images/{name}\n"), f"static/images/{name}": data}
    out, report = build_files(tmp_path, files)
    [warning] = report.warnings
    assert warning.startswith(f"static/images/{name}: ") and warning.endswith("; published as it is, at one size")
    assert problem in warning
    assert (out / "images" / name).read_bytes() == data
    page = (out / "2024/06/01/a/index.html").read_text()
    assert f'<img src="../../../../images/{name}" alt="" fetchpriority="high">' in page


def test_an_article_taken_down_publishes_none_of_its_pictures(tmp_path):
    files = dict(BUNDLE)
    files["content/harbour/index.md"] = story("Harbour", "2024-06-01", "image: harbour.jpg\n"
                                              'takedown: {date: 2025-01-02, reason: "Court order"}\n')
    out, report = build_files(tmp_path, files)
    assert sorted(p.name for p in (out / "2024/06/01/harbour").iterdir()) == ["index.html"]
    assert report.pictures_resized == 0


def test_jekyll_image_mapping_and_hugo_images_list_are_lead_pictures(tmp_path):
    jekyll = {"content/_posts/2024-06-01-port.md": "---\ntitle: Port\nimage:\n  path: /images/p.png\n  alt: The port\n---\nText.\n",
              "static/images/p.png": png(600, 400)}
    out, report = build_files(tmp_path / "jekyll", jekyll)
    assert report.warnings == ()
    assert 'src="../../../../images/p.600w.png" alt="The port"' in (out / "2024/06/01/port/index.html").read_text()
    hugo = {"content/_index.md": "---\ntitle: Home\n---\n",
            "content/news/_index.md": "---\ntitle: News\n---\n",
            "content/news/harbour/index.md": "---\ntitle: Harbour\ndate: 2024-06-01\nimages: [harbour.jpg]\n---\nText.\n",
            "content/news/harbour/harbour.jpg": jpeg(500, 300)}
    out, report = build_files(tmp_path / "hugo", hugo)
    assert [n for n in report.notices if "harbour" in n] == [] and report.warnings == ()
    assert 'src="harbour.500w.jpg" alt=""' in (out / "2024/06/01/harbour/index.html").read_text()
