"""Draw the example site's pictures (content/ and static/images/) with Pillow: original drawings,
the same bytes on every run. `python benchmarks/draw_example_pictures.py` rewrites them; the
files are committed (each under 150 kB)."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent


def gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A vertical gradient from top to bottom colour."""
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize(size)


def harbour(size=(1600, 1000)) -> Image.Image:
    """Container ships at anchor outside a harbour, cranes on the quay, at dawn."""
    width, height = size
    image = gradient(size, (250, 196, 140), (120, 160, 200))
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.55)
    draw.ellipse((1080, horizon - 220, 1320, horizon + 20), fill=(255, 224, 150))
    image.paste(gradient((width, height - horizon), (60, 100, 140), (20, 45, 75)), (0, horizon))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for row in range(40):  # light on the water
        y = horizon + 10 + row * 11
        x = 1200 + rng.randint(-120, 120)
        draw.line((x - 60, y, x + 60, y), fill=(230, 190, 130), width=2)
    colours = [(180, 60, 50), (40, 110, 160), (210, 160, 40), (70, 140, 90), (150, 150, 155)]
    for number, x in enumerate(range(80, 1500, 290)):  # ships at anchor
        y = horizon + 40 + (number % 2) * 50
        length = 240
        draw.polygon([(x, y), (x + length, y), (x + length - 25, y + 38), (x + 18, y + 38)], fill=(35, 35, 45))
        for stack in range(6):
            for level in range(2 + number % 2):
                colour = colours[(stack + level + number) % len(colours)]
                draw.rectangle((x + 30 + stack * 30, y - 18 - level * 18, x + 56 + stack * 30, y - 2 - level * 18),
                               fill=colour)
        draw.rectangle((x + length - 50, y - 60, x + length - 20, y), fill=(235, 235, 230))
    quay = horizon - 8
    draw.rectangle((0, quay, 520, horizon + 4), fill=(80, 75, 70))
    for x in (60, 220, 380):  # cranes
        draw.line((x, quay, x + 20, quay - 300), fill=(200, 70, 40), width=10)
        draw.line((x + 60, quay, x + 40, quay - 300), fill=(200, 70, 40), width=10)
        draw.line((x - 80, quay - 300, x + 220, quay - 300), fill=(200, 70, 40), width=14)
        draw.line((x + 150, quay - 300, x + 150, quay - 200), fill=(60, 60, 60), width=3)
    return image.filter(ImageFilter.SMOOTH)


def ships_chart(size=(900, 500)) -> Image.Image:
    """A bar chart: container ships waiting at anchor, week by week."""
    width, height = size
    image = Image.new("RGB", size, (250, 250, 247))
    draw = ImageDraw.Draw(image)
    values = [38, 41, 36, 33, 29, 30, 26, 22, 21, 17]
    left, bottom, top = 70, height - 50, 40
    for level in range(0, 41, 10):
        y = bottom - (bottom - top) * level / 40
        draw.line((left, y, width - 30, y), fill=(215, 215, 210), width=1)
        draw.text((30, y - 7), str(level), fill=(90, 90, 90))
    step = (width - left - 40) / len(values)
    for number, value in enumerate(values):
        x = left + 10 + number * step
        y = bottom - (bottom - top) * value / 40
        draw.rectangle((x, y, x + step * 0.7, bottom), fill=(40, 100, 150) if number < len(values) - 1 else (200, 90, 40))
        draw.text((x + 4, bottom + 10), f"W{number + 1}", fill=(90, 90, 90))
    draw.text((left, 12), "Container ships waiting at anchor", fill=(30, 30, 30))
    return image


def solar_farm(size=(1600, 900)) -> Image.Image:
    """Rows of solar panels on grassland under a clear sky."""
    width, height = size
    image = gradient(size, (120, 175, 230), (205, 228, 245))
    horizon = int(height * 0.42)
    image.paste(gradient((width, height - horizon), (150, 175, 90), (95, 130, 60)), (0, horizon))
    draw = ImageDraw.Draw(image)
    draw.ellipse((1250, 60, 1390, 200), fill=(255, 245, 200))
    for row in range(7):  # panel rows, nearer ones larger
        y = horizon + 20 + row * row * 9 + row * 30
        depth = 8 + row * 7
        for x in range(-40, width + 40, 40 + row * 30):
            draw.polygon([(x, y), (x + 30 + row * 26, y), (x + 36 + row * 30, y + depth), (x + 6, y + depth)],
                         fill=(30, 50, 95))
            draw.line((x + 4, y + depth // 2, x + 33 + row * 28, y + depth // 2), fill=(70, 100, 150), width=1)
    return image


def glacier(size=(1600, 1000)) -> Image.Image:
    """A valley glacier between grey peaks, its snout far above the old moraine."""
    width, height = size
    image = gradient(size, (150, 190, 225), (225, 235, 245))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 700), (300, 250), (520, 480), (780, 160), (1050, 450), (1300, 220), (1600, 620), (1600, 1000),
                  (0, 1000)], fill=(110, 110, 120))
    draw.polygon([(300, 250), (360, 330), (250, 330)], fill=(245, 248, 252))
    draw.polygon([(780, 160), (860, 270), (700, 270)], fill=(245, 248, 252))
    draw.polygon([(1300, 220), (1370, 320), (1230, 320)], fill=(245, 248, 252))
    draw.polygon([(620, 400), (940, 400), (880, 640), (700, 640)], fill=(225, 238, 248))
    draw.polygon([(560, 1000), (700, 640), (880, 640), (1040, 1000)], fill=(140, 130, 115))
    for y in range(420, 640, 40):
        draw.line((650 + (y - 400) // 4, y, 900 - (y - 400) // 5, y + 6), fill=(190, 210, 230), width=3)
    return image.filter(ImageFilter.SMOOTH)


def main() -> None:
    pictures = {
        REPO / "content/port-congestion-easing/harbour.jpg": harbour(),
        REPO / "content/port-congestion-easing/ships-waiting.png": ships_chart(),
        REPO / "static/images/solar-farm.jpg": solar_farm(),
        REPO / "static/images/alpine-glacier.jpg": glacier(),
    }
    for path, image in pictures.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".png":
            image.quantize(32).save(path, "PNG", optimize=True)
        else:
            image.save(path, "JPEG", quality=80, optimize=True, progressive=True)
        print(f"{path.relative_to(REPO)}: {image.size[0]}x{image.size[1]}, {path.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
