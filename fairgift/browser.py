"""The headless Chromium that `make setup` unpacked, driven by playwright: what the page tests, the
benchmark (fairgift.bench) and the rehearsal of a real network (fairgift.rehearsal_serve) open the
fans' page with."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def chromium(root: Path = ROOT):
    """The headless Chromium unpacked by `tools/install-chromium` (fonts from the package only, the
    same rendering on every machine); its profile and HOME in a folder under .local/, removed
    after, so nothing reaches the home folder or the system temp."""
    from playwright.sync_api import sync_playwright

    binary = root / ".local/chromium/chromium"
    if not binary.is_file():
        raise RuntimeError(f"{binary} is missing: run `make setup` (tools/install-chromium)")
    tmp = root / ".local" / f"browser-tmp-{os.getpid()}"
    (tmp / "home").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        HOME=str(tmp / "home"), TMPDIR=str(tmp), FONTCONFIG_FILE=str(binary.parent / "fonts/fonts.conf")
    )
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)  # the driver makes the browser profile under its TMPDIR
    try:
        playwright = sync_playwright().start()
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
    try:
        browser = playwright.chromium.launch(executable_path=str(binary), headless=True, env=env)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        shutil.rmtree(tmp, ignore_errors=True)
