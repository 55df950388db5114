"""`validate` and the git hooks."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from complaintctl.commands.common import base_dir, now, pass_ws
from complaintctl.model import clock
from complaintctl.remote import prereceive
from complaintctl.repo import check as repocheck
from complaintctl.repo import hooks, precommit
from complaintctl.repo.git import Git
from complaintctl.repo.workspace import Workspace


@click.command("validate")
@pass_ws
def validate_cmd(ws: Workspace) -> None:
    """Check every case file; print every finding with file, field and rule."""
    count, findings = repocheck.validate_repository(ws, now(ws))
    for problem in hooks.problems(ws.git):  # a warning: the record itself may still be fine
        click.echo(f"warning: {problem}", err=True)
    for f in findings:
        click.echo(str(f), err=True)
    if findings:
        click.echo(f"{len(findings)} finding(s) in {count} case file(s)", err=True)
        sys.exit(1)
    click.echo(f"{count} case file(s) valid")


def hook_now(g: Git) -> datetime:
    """The hooks' clock: real time, unless this repository allows a pinned one (tests)."""
    allowed = (g.get_config(clock.ALLOW_KEY) or "").strip().lower() in ("true", "yes", "on", "1")
    return clock.current(allow_pinned=allowed)


@click.group("hook")
def hook_group() -> None:
    """The git hooks: install them, or run what they run."""


@hook_group.command("install")
def install_cmd() -> None:
    """Install the client hooks into .git/hooks, pointing at this complaintctl."""
    g = Git.open(Path(base_dir()))
    for note in hooks.install(g):
        click.echo(f"hooks: {note}")
    click.echo(f"installed {', '.join(hooks.CLIENT_HOOKS)} in {hooks.installed_dir(g)} "
               f"(runs {sys.executable} -m complaintctl)")


@hook_group.command("pre-commit")
def pre_commit_cmd() -> None:
    """Validate the staged case files."""
    g = Git.open(Path(base_dir()))
    findings = precommit.pre_commit(g, hook_now(g))
    for f in findings:
        click.echo(f"complaintctl: {f}", err=True)
    if findings:
        click.echo(f"complaintctl: commit refused — {len(findings)} finding(s)", err=True)
        sys.exit(1)


@hook_group.command("pre-receive")
def pre_receive_cmd() -> None:
    """Validate every commit of a push (reads git's ref updates on stdin)."""
    g = Git.open(Path(base_dir()))
    updates = prereceive.parse_ref_updates(sys.stdin.read().splitlines())
    problems = prereceive.pre_receive(g, updates, hook_now(g), prereceive.server_pusher(os.environ))
    for p in problems:
        click.echo(f"complaintctl: {p}", err=True)
    if problems:
        click.echo(f"complaintctl: push refused — {len(problems)} finding(s)", err=True)
        sys.exit(1)
