"""Regenerate the certificate's embedded CJK font, ``static/fonts/PortalCJK-{Regular,Bold}.otf``.

The certificate PDF must look the same on every machine, so it never uses system fonts: it embeds
a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see ``static/fonts/OFL.txt``) that covers

- Basic Latin, Latin-1 Supplement, General Punctuation, superscripts/subscripts, letterlike
  symbols (℃, №), arrows and the mathematical operators the criteria table uses (≤ ≥ ±),
- CJK Symbols and Punctuation, Halfwidth and Fullwidth Forms,
- every character of GB2312: its 6,763 hanzi and its symbol rows (found by decoding every
  GB2312 double-byte code with Python's ``gb2312`` codec).

The subset is renamed "Portal CJK" (a Modified Version under the OFL must not pose as the
original) and saved as plain CFF OpenType, not WOFF2: WeasyPrint would otherwise decompress the
WOFF2 file with Brotli on every render, which costs time and a runtime dependency for ~25 % of
disk space.

Run it after changing the coverage, from the repository root, with fontTools (already a
WeasyPrint dependency) in the virtualenv::

    .venv/bin/python scripts/make_cjk_font_subset.py [--source-dir /usr/share/fonts/opentype/noto]

The sources are Debian's ``fonts-noto-cjk`` collections (``NotoSansCJK-Regular.ttc`` and
``NotoSansCJK-Bold.ttc``); the SC face is picked by name, not by index.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "static" / "fonts"
FAMILY = "Portal CJK"
SOURCE_FAMILY = "Noto Sans CJK SC"
WEIGHTS = ("Regular", "Bold")

RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x2070, 0x209F),  # Superscripts and Subscripts (kg⁻¹)
    (0x2100, 0x214F),  # Letterlike Symbols (℃, №)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators (≤ ≥ ≠ ±)
    (0x25A0, 0x25FF),  # Geometric Shapes (■ □ ●)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)

LAYOUT_FEATURES = ["ccmp", "liga", "kern", "halt", "palt", "mark", "mkmk"]


def gb2312_characters() -> set[int]:
    """Every character GB2312 encodes: rows 0xA1-0xF7, cells 0xA1-0xFE (hanzi from row 0xB0)."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                text = bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:
                continue  # unassigned code
            chars.add(ord(text))
    return chars


def gb2312_hanzi() -> set[int]:
    return {c for c in gb2312_characters() if 0x4E00 <= c <= 0x9FFF}


def wanted_codepoints() -> set[int]:
    wanted = gb2312_characters()
    for low, high in RANGES:
        wanted.update(range(low, high + 1))
    return wanted


def sc_face(collection_path: Path):
    collection = TTCollection(str(collection_path), lazy=False)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise SystemExit(f"{collection_path}: no {SOURCE_FAMILY!r} face")


def rename(font, weight: str) -> None:
    """Give the subset its own names; keep copyright (0), licence (13, 14) and the rest."""
    ps_family = FAMILY.replace(" ", "")
    names = {
        1: FAMILY,
        2: weight,
        3: f"{ps_family}-{weight}; subset of {SOURCE_FAMILY} made by the SSB portal",
        4: f"{FAMILY} {weight}",
        6: f"{ps_family}-{weight}",
        16: FAMILY,
        17: weight,
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (18, 21, 22)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        table.setName(text, name_id, 1, 0, 0)  # Macintosh, Roman, English
    # CFF keeps its own copy of the PostScript names.
    cff = font["CFF "].cff
    cff.fontNames = [f"{ps_family}-{weight}"]
    top = cff.topDictIndex[0]
    top.FullName = f"{FAMILY} {weight}"
    top.FamilyName = FAMILY


def make(source_dir: Path, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    codepoints = wanted_codepoints()
    written = []
    for weight in WEIGHTS:
        font = sc_face(source_dir / f"NotoSansCJK-{weight}.ttc")
        options = subset.Options()
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.glyph_names = False
        # Only what horizontal text shaping uses. "*" would keep aalt, locl (JP/KR/TC glyph
        # variants), fwid, vert, ... whose closure doubles the glyph count.
        options.layout_features = LAYOUT_FEATURES
        options.drop_tables += ["DSIG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        rename(font, weight)
        path = out_dir / f"PortalCJK-{weight}.otf"
        font.flavor = None
        font.recalcTimestamp = False  # keep the source's date: reruns give identical bytes
        font.save(str(path))
        missing = gb2312_hanzi() - set(font.getBestCmap())
        if missing:
            raise SystemExit(f"{path}: {len(missing)} GB2312 hanzi missing")
        written.append(path)
        print(f"{path}: {path.stat().st_size:,} bytes")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=Path("/usr/share/fonts/opentype/noto"),
        help="directory holding NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc",
    )
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    print(f"GB2312: {len(gb2312_characters())} characters, {len(gb2312_hanzi())} hanzi")
    make(args.source_dir, args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
