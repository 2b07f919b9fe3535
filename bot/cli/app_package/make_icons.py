"""Draw the app icons (no image library needed): `python bot/cli/app_package/make_icons.py` rewrites the PNGs.

The glyph is three municipalities joined into one network: three nodes on a triangle, linked.
- color.png   192×192, white glyph on the accent colour in a rounded square (Teams crops it itself).
- outline.png  32×32, white glyph on transparent, as Teams demands of the outline icon.
Shapes are signed-distance functions sampled 4×4 per pixel for smooth edges.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x5F, 0x8B)  # fjord blue; also the manifest's accentColor
WHITE = (255, 255, 255)
NODES = [(0.5, 0.27), (0.27, 0.68), (0.73, 0.68)]  # unit coordinates


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _glyph(x: float, y: float, node_r: float, line_w: float) -> bool:
    if any(math.hypot(x - nx, y - ny) <= node_r for nx, ny in NODES):
        return True
    pairs = [(NODES[0], NODES[1]), (NODES[1], NODES[2]), (NODES[2], NODES[0])]
    return any(_segment_distance(x, y, a, b) <= line_w / 2 for a, b in pairs)


def _rounded_square(x: float, y: float, radius: float) -> bool:
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    return math.hypot(x - cx, y - cy) <= radius


def render(size: int, *, background: tuple[int, int, int] | None, node_r: float, line_w: float) -> bytes:
    """RGBA rows; the glyph is white, the background the accent colour or transparent."""
    samples = 4
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            glyph = inside = 0
            for sj in range(samples):
                for si in range(samples):
                    x, y = (i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size
                    g = _glyph(x, y, node_r, line_w)
                    glyph += g
                    inside += g if background is None else _rounded_square(x, y, 0.18)
            total = samples * samples
            if background is None:
                row += bytes((*WHITE, round(255 * glyph / total)))
            else:
                share = glyph / max(inside, 1)
                rgb = tuple(round(c * (1 - share) + w * share) for c, w in zip(background, WHITE, strict=True))
                row += bytes((*rgb, round(255 * inside / total)))
        rows.append(bytes(row))
    return _png(size, size, rows)


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> None:
    (HERE / "color.png").write_bytes(render(192, background=ACCENT, node_r=0.095, line_w=0.05))
    (HERE / "outline.png").write_bytes(render(32, background=None, node_r=0.13, line_w=0.09))
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
