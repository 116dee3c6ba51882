"""Pages in Debian's headless Chromium (Playwright drives it; nothing is downloaded), and axe-core's
WCAG 2.1 A/AA rules on every page a test reaches."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"  # kept for people to look at (and after a failure)


def assert_accessible(page: Any, name: str, widths: tuple[int, ...] = (320, 1280)) -> None:
    """The page as it is now, at phone and desktop width: no sideways scrolling, no axe violation
    of WCAG 2.1 A/AA, and a screenshot of each. axe needs JavaScript: run it in a context with
    JavaScript on (the pages themselves need none)."""
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (name, width)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.violations_count == 0, (name, width, results.generate_report())
