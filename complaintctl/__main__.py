"""`python -m complaintctl` and the `complaintctl` script. git runs `complaintctl hook pre-commit`
at every commit, the server `complaintctl hook pre-receive` at every push: those paths skip
click and every command module (the hook costs at most twice a bare commit). `--help` and
`--version` are answered without click too (complaintctl/usage.py), and `hook post-commit`
(after a commit, in a clone with no shared remote); the rest is the click CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def hook_pre_commit(directory: str | os.PathLike[str]) -> int:
    """The pre-commit hook (the CLI's `hook pre-commit`, without click): every finding, then 1."""
    from pathlib import Path

    from complaintctl.errors import ComplaintError
    from complaintctl.i18n import _
    from complaintctl.repo import precommit

    try:
        return precommit.hook(Path(directory), lambda line: print(line, file=sys.stderr))
    except ComplaintError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1


def hook_pre_receive(directory: str | os.PathLike[str]) -> int:
    """The server's pre-receive hook (the CLI's `hook pre-receive`, without click): git's ref
    updates on stdin; every problem, then 1. It imports the validator and git access only."""
    from pathlib import Path

    from complaintctl.errors import ComplaintError
    from complaintctl.i18n import _
    from complaintctl.remote import prereceive

    try:
        return prereceive.hook(Path(directory), sys.stdin.read().splitlines(), os.environ,
                               lambda line: print(line, file=sys.stderr))
    except ComplaintError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1


def hook_post_commit(directory: Path) -> int:
    """The post-commit hook (the CLI's `hook post-commit`, without click): this clone's own
    witness when it has no shared remote. It never fails the commit, which is made already."""
    import os

    from complaintctl.repo import stamps

    return stamps.hook(directory, os.environ, lambda line: print(line, file=sys.stderr))


def _speaks_english() -> bool:
    """The fast `--help` is English: an office that speaks another language gets click's
    help through its catalog (clihelp)."""
    from complaintctl.i18n import language_for

    return language_for(".") == "en"


def main() -> None:
    args = sys.argv[1:]
    if args == ["hook", "pre-commit"]:
        sys.exit(hook_pre_commit("."))
    if args == ["hook", "pre-receive"]:
        sys.exit(hook_pre_receive("."))
    if args == ["hook", "post-commit"]:
        sys.exit(hook_post_commit(Path(".")))
    if args == ["--version"] or (args in (["--help"], ["-h"]) and _speaks_english()):
        from complaintctl import usage  # answered without importing click (≤ 50 ms)

        text = usage.version() if args == ["--version"] else usage.top_help()
        if text is not None:
            sys.stdout.write(text)
            return
    from complaintctl.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
