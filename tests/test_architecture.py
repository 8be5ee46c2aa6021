"""The import contracts in pyproject.toml each guard something: one import against each of them,
in a copy of the tree, and `lint-imports` refuses it. (`make test` runs `lint-imports` on the
real tree; this shows that a pass there means something.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# contract id -> (module to add the import to, the import)
BACK_EDGES = {
    "layers": ("reports/links.py", "import portal.views"),
    "certification-not-reports": ("certification/access.py", "import reports.models"),
    "pure-core": ("certification/vocabulary.py", "import django.conf"),
    "core-order": ("certification/vocabulary.py", "import certification.rules"),
    "acyclic": ("certification/access.py", "import certification.views"),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    copy = tmp_path_factory.mktemp("tree")
    for package in ("portal", "reports", "certification"):
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint(tree: Path, contract: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
    )


@pytest.mark.parametrize("contract", sorted(BACK_EDGES))
def test_each_contract_refuses_a_back_edge(tree, contract):
    module, line = BACK_EDGES[contract]
    path = tree / module
    original = path.read_text(encoding="utf-8")
    assert lint(tree, contract).returncode == 0, "the copy of the tree keeps the contract"
    path.write_text(f"{original}\n{line}  # noqa\n", encoding="utf-8")
    try:
        result = lint(tree, contract)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
