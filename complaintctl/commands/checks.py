"""`validate` and the git hooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from complaintctl.commands.common import base_dir, json_option, now, pass_ws
from complaintctl.i18n import _
from complaintctl.repo.workspace import Workspace


@click.command("validate")
@json_option
@pass_ws
def validate_cmd(ws: Workspace, as_json: bool) -> None:
    """Check every case file; print every finding with file, field and rule."""
    from complaintctl.repo import check as repocheck
    from complaintctl.repo import hooks

    count, findings = repocheck.validate_repository(ws, now(ws))
    warnings = hooks.problems(ws.git)
    if as_json:  # on stdout, findings or not; the exit code says the same as without --json
        from complaintctl.output import as_json as json_text

        click.echo(json_text({"checked": count, "valid": not findings, "warnings": [str(w) for w in warnings],
                              "findings": [{"path": f.path, "field": f.field, "rule": f.rule, "message": f.message}
                                           for f in findings]}))
        if findings:
            sys.exit(1)
        return
    for problem in warnings:  # a warning: the record itself may still be fine
        click.echo(_("warning: {problem}").format(problem=problem), err=True)
    for f in findings:
        click.echo(str(f), err=True)
    if findings:
        # the files that have findings, then the files checked
        bad = len({f.path for f in findings})
        click.echo(_("{n} finding(s) in {bad} case file(s) ({count} checked)").format(
            n=len(findings), bad=bad, count=count), err=True)
        sys.exit(1)
    click.echo(_("{count} case file(s) valid").format(count=count))


@click.group("hook")
def hook_group() -> None:
    """The git hooks: install them, or run what they run."""


@hook_group.command("install")
@json_option
def install_cmd(as_json: bool) -> None:
    """Install the client hooks into .git/hooks, pointing at this complaintctl."""
    from complaintctl.repo import hooks
    from complaintctl.repo.git import Git
    from complaintctl.repo.precommit import speak_office_language

    g = Git.open(Path(base_dir()))
    speak_office_language(g)  # its notes too
    notes = hooks.install(g)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text({"hooks": list(hooks.CLIENT_HOOKS), "dir": str(hooks.installed_dir(g)),
                              "runs": f"{sys.executable} -m complaintctl", "notes": list(notes)}))
        return
    for note in notes:
        click.echo(_("hooks: {note}").format(note=note))
    click.echo(_("installed {hooks} in {folder} (runs {python} -m complaintctl)")
               .format(hooks=", ".join(hooks.CLIENT_HOOKS), folder=hooks.installed_dir(g), python=sys.executable))


@hook_group.command("pre-commit")
def pre_commit_cmd() -> None:
    """Validate the staged case files."""
    # `complaintctl hook pre-commit` as git runs it takes __main__'s path, without click.
    from complaintctl.repo import precommit

    code = precommit.hook(Path(base_dir()), lambda line: click.echo(line, err=True))
    if code:
        sys.exit(code)


@hook_group.command("pre-receive")
def pre_receive_cmd() -> None:
    """Validate every commit of a push (reads git's ref updates on stdin)."""
    from complaintctl.remote import prereceive

    code = prereceive.hook(Path(base_dir()), sys.stdin.read().splitlines(), os.environ,
                           lambda line: click.echo(line, err=True))
    if code:
        sys.exit(code)


@hook_group.command("post-commit")
def post_commit_cmd() -> None:
    """Stamp the new commit's entries (only in a clone with no shared remote)."""
    from complaintctl.repo import stamps

    stamps.hook(Path(base_dir()), os.environ, lambda line: click.echo(line, err=True))


@hook_group.command("post-receive")
def post_receive_cmd() -> None:
    """After a push: stamp what the server accepted, then retire the case keys its erasures
    name (reads git's ref updates on stdin)."""
    from complaintctl.remote import erasure, postreceive
    from complaintctl.repo.git import Git

    lines = sys.stdin.read().splitlines()
    postreceive.hook(Path(base_dir()), lines, os.environ, lambda line: click.echo(line, err=True))
    for line in erasure.hook(lines, Git.open(Path(base_dir()))):
        click.echo(line, err=True)
