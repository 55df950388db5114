"""`python -m complaintctl` and the `complaintctl` script. git runs `complaintctl hook pre-commit`
at every commit (and `hook post-commit` after it): that path skips click and every command module (the hook costs at
most twice a bare commit); everything else is the click CLI."""

from __future__ import annotations

import sys
from pathlib import Path


def hook_pre_commit(directory: Path) -> int:
    """The pre-commit hook (the CLI's `hook pre-commit`, without click): every finding, then 1."""
    from complaintctl.errors import ComplaintError
    from complaintctl.i18n import _
    from complaintctl.repo import precommit

    try:
        return precommit.hook(directory, lambda line: print(line, file=sys.stderr))
    except ComplaintError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1


def hook_post_commit(directory: Path) -> int:
    """The post-commit hook (the CLI's `hook post-commit`, without click): this clone's own
    witness when it has no shared remote. It never fails the commit, which is made already."""
    import os

    from complaintctl.repo import stamps

    return stamps.hook(directory, os.environ, lambda line: print(line, file=sys.stderr))


def main() -> None:
    if sys.argv[1:] == ["hook", "pre-commit"]:
        sys.exit(hook_pre_commit(Path(".")))
    if sys.argv[1:] == ["hook", "post-commit"]:
        sys.exit(hook_post_commit(Path(".")))
    from complaintctl.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
