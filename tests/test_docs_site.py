"""The documentation builds as a site (MkDocs, strict: a broken link or reference fails)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_site_builds_strictly_with_every_page_and_the_api_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-d", str(site)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    for page in sorted((ROOT / "docs").glob("*.md")):
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.is_file(), f"{page.name} was not built"
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    # The reference is generated from the docstrings, not written by hand.
    assert "Plan every destination of" in reference
    assert "ivrsched.rules.pacing" in reference


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n\nSee [nowhere](missing.md).\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nstrict: true\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-d", str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode != 0
    assert "missing.md" in done.stdout + done.stderr


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def test_every_picture_the_docs_show_exists_and_is_small() -> None:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    shown = [(page, target) for page in pages
             for target in IMAGE.findall(page.read_text(encoding="utf-8"))
             if "://" not in target]
    # The plot and the two terminal screenshots at least.
    assert {Path(target).name for _, target in shown} >= {
        "forecast-campaign-25.png", "plan-table-campaign-25.png",
        "forecast-table-campaign-25.png"}
    for page, target in shown:
        image = (page.parent / target).resolve()
        assert image.is_file(), f"{page.name} shows {target}, which does not exist"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" or image.suffix == ".svg"
        assert image.stat().st_size < 100_000, f"{target} is {image.stat().st_size} bytes"


def test_a_missing_picture_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n\n![a plan](images/missing.png)\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nstrict: true\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-d", str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode != 0
    assert "images/missing.png" in done.stdout + done.stderr
