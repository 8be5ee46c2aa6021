"""Write static/vendor/redoc/redoc.standalone.js: the Redoc bundle drf-spectacular-sidecar ships,
with the one address it would load from outside (Redocly's logo, https://cdn.redoc.ly/...,
drawn beside "API docs by Redocly") replaced by an empty inline image, so the API's Redoc page
loads nothing but the portal's own files and needs no outside host in its CSP.

Run after upgrading drf-spectacular-sidecar: `.venv/bin/python scripts/vendor_redoc.py`; the
output is committed. The script fails if the bundle has no such address or gains another.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import drf_spectacular_sidecar

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc"
OUT = ROOT / "static" / "vendor" / "redoc"
LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
)
# What the browser would fetch: an address as an element's src or in a stylesheet's url(...).
# (Links, such as "API docs by Redocly", load nothing until followed.)
LOADED = re.compile(r"""src:\s*["'](https?://[^"']+)|url\(\s*["']?(https?://[^)"']+)""")


def main() -> None:
    bundle = (SOURCE / "bundles" / "redoc.standalone.js").read_text(encoding="utf-8")
    if bundle.count(LOGO) != 1:
        raise SystemExit(f"expected the bundle to load {LOGO} once; look at it again")
    bundle = bundle.replace(LOGO, EMPTY_IMAGE)
    outside = sorted({a or b for a, b in LOADED.findall(bundle)})
    if outside:
        raise SystemExit(f"the bundle would still load from outside: {outside}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "redoc.standalone.js").write_text(bundle, encoding="utf-8")
    shutil.copy(SOURCE / "LICENSE", OUT / "LICENSE")
    shutil.copy(SOURCE / "bundles" / "redoc.standalone.js.LICENSE.txt", OUT / "THIRD-PARTY.txt")
    print(f"wrote {OUT / 'redoc.standalone.js'} ({len(bundle):,} characters)")


if __name__ == "__main__":
    main()
