"""Headless Chromium: the one way complaintctl turns its HTML into paper (print to PDF) or a
picture (a screenshot, for the tests that look at the bulletin and the form).

The page is a local file that complaintctl (or an office's sandboxed template) wrote; Chromium
runs in a throw-away profile with every host name unresolvable, so printing fetches nothing.
(Scripts cannot be switched off: `--blink-settings=scriptEnabled=false` makes headless
Chromium 156 write no PDF at all. The shipped templates hold none.) Chromium is found as `COMPLAINTCTL_CHROMIUM`,
else `chromium` (Debian's package), `chromium-browser` or `google-chrome` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120  # seconds: a cold start on a busy two-core machine takes a few
FLAGS = ("--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
         "--host-resolver-rules=MAP * ~NOTFOUND")  # the page is self-contained: nothing to fetch


def find() -> str | None:
    """The Chromium executable, or None."""
    named = os.environ.get("COMPLAINTCTL_CHROMIUM")
    if named:
        return shutil.which(named)
    return next((found for found in map(shutil.which, NAMES) if found), None)


def _run(page: Path, *extra: str) -> None:
    exe = find()
    if exe is None:
        raise InvalidInput(_("printing needs Chromium, which was not found: install it (Debian/Ubuntu: apt-get "
                             "install chromium) or set COMPLAINTCTL_CHROMIUM to its path"))
    with tempfile.TemporaryDirectory(prefix="complaintctl-chromium-") as profile:
        # Chromium's own sandbox cannot start as root (a container, CI): it needs --no-sandbox there.
        root = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        argv = [exe, *FLAGS, *root, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise InvalidInput(_("Chromium did not finish within {seconds} s").format(seconds=TIMEOUT)) from None
        except OSError as exc:
            raise InvalidInput(_("Chromium could not start: {error}").format(error=exc.strerror or exc)) from None
    if proc.returncode != 0:
        last = next((line for line in reversed(proc.stderr.splitlines()) if line.strip()), "")
        raise InvalidInput(_("Chromium failed (exit {code}): {error}").format(code=proc.returncode, error=last))


def print_pdf(page: Path, pdf: Path) -> None:
    """Print an HTML file to PDF as Chromium's print dialog would (the page's own @page size and
    margins; no browser header or footer)."""
    _run(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise InvalidInput(_("Chromium wrote no PDF"))


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    """A PNG of the page's first `width` × `height` CSS pixels, as a screen shows it."""
    _run(page, "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={png}")
    if not png.is_file():
        raise InvalidInput(_("Chromium wrote no screenshot"))
