"""`python -m complaintctl` and the `complaintctl` script. git runs `complaintctl hook pre-commit`
at every commit: that path skips click and every command module (issue 12: the hook costs at
most twice a bare commit); everything else is the click CLI."""

from __future__ import annotations

import sys
from pathlib import Path


def hook_pre_commit(directory: Path) -> int:
    """The pre-commit hook (the CLI's `hook pre-commit`, without click): every finding, then 1."""
    from complaintctl.errors import ComplaintError
    from complaintctl.i18n import _
    from complaintctl.repo import cache, precommit
    from complaintctl.repo.git import Git

    try:
        g = Git.open(directory)
        cache.use(g.git_dir)
        precommit.speak_office_language(g)
        findings = precommit.pre_commit(g, precommit.hook_now(g))
    except ComplaintError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    for f in findings:
        print(f"complaintctl: {f}", file=sys.stderr)
    if findings:
        print(_("complaintctl: commit refused — {n} finding(s)").format(n=len(findings)), file=sys.stderr)
        return 1
    return 0


def main() -> None:
    if sys.argv[1:] == ["hook", "pre-commit"]:
        sys.exit(hook_pre_commit(Path(".")))
    from complaintctl.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
