"""`complaintctl textconv`: git's diff driver for key holders (R-RT-5, privacy/textconv.py).
Git runs it once per file version of a diff: it imports only what it needs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from complaintctl.errors import ComplaintError


@click.command("textconv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def textconv_cmd(file: Path) -> None:
    """git's diff driver: print a case file with the fields your keys open decrypted."""
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        sys.stdout.buffer.write(raw)
        return
    try:
        from complaintctl.privacy.textconv import reveal_text
        from complaintctl.repo.workspace import open_workspace

        ws = open_workspace(Path.cwd())  # git runs the driver at the top of the work tree
        text = reveal_text(text, ws.keyring, ws.policy.limits)
    except (ComplaintError, OSError):
        pass  # not a case repository, or no policy: the file as it is (a diff driver never fails)
    sys.stdout.buffer.write(text.encode("utf-8"))

