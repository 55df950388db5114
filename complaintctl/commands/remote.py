"""`sync` and `server init`: many offices, one shared repository."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl import i18n
from complaintctl.commands.common import actor, base_dir, json_option, now, pass_ws
from complaintctl.i18n import N_, _
from complaintctl.output import as_json as json_text
from complaintctl.remote import server
from complaintctl.remote import sync as syncing
from complaintctl.repo.workspace import Workspace


@click.command("sync")
@click.option("--remote", default="origin", show_default=True, help="The shared repository's remote name.")
@click.option("--branch", default="main", show_default=True, help="The shared branch.")
@json_option
@pass_ws
def sync_cmd(ws: Workspace, remote: str, branch: str, as_json: bool) -> None:
    """Fetch, integrate and push until this office's work is on the remote."""
    result = syncing.sync(ws, now(ws), actor(ws), remote, branch)
    if as_json:
        click.echo(json_text({"how": result.how, "pushed": result.pushed, "pulled": result.pulled,
                              "attempts": result.attempts,
                              "renumbered": [{"old": r.old, "new": r.new, "references": list(r.references),
                                              "commit": r.commit} for r in result.renumbered]}))
        return
    for r in result.renumbered:
        refs = _("; references updated in {cases}").format(cases=", ".join(r.references)) if r.references else ""
        click.echo(_("renumbered {old} → {new} (its number was taken on {remote}){refs}, commit {commit}")
                   .format(old=r.old, new=r.new, remote=remote, refs=refs, commit=r.commit[:10]))
    how = _(_HOW[result.how]) if result.how in _HOW else result.how
    click.echo(_("sync: {how}; {pushed} commit(s) pushed, {pulled} received")
               .format(how=how, pushed=result.pushed, pulled=result.pulled)
               + (_(" (after {n} attempts)").format(n=result.attempts) if result.attempts > 1 else ""))


_HOW = {"up to date": N_("up to date"), "pushed": N_("pushed"), "fast-forward": N_("fast-forward"),
        "rebased": N_("rebased"), "merged": N_("merged")}


@click.group("server")
def server_group() -> None:
    """Set up the shared repository on a git server."""


@server_group.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(sorted(server.LAYOUTS)), default="plain", show_default=True,
              help="Where the server runs pre-receive hooks: plain git/ssh, gitolite, Gitea or GitLab.")
@click.option("--command", "command", help="How the hook runs complaintctl on this server "
              "(e.g. /opt/complaintctl/bin/complaintctl); default: $COMPLAINTCTL or PATH.")
@click.option("--force", is_flag=True, help="Replace an existing hook that is not complaintctl's.")
@click.option("--allow-anonymous", is_flag=True,
              help="Take pushes without a pusher identity (a local or NAS remote one office uses alone).")
@json_option
def server_init_cmd(path: Path, layout: str, command: str | None, force: bool, allow_anonymous: bool,
                    as_json: bool) -> None:
    """Create or configure a bare repository with complaintctl's pre-receive hook."""
    target = path if path.is_absolute() else base_dir() / path
    setup = server.init_server(target, layout, command, force, allow_anonymous)
    if as_json:
        click.echo(json_text({"path": str(setup.path), "created": setup.created, "hook": str(setup.hook),
                              "layout": layout, "config": dict(server.CONFIG), "allow_anonymous": allow_anonymous}))
        return
    i18n.use(i18n.language_for(str(target)))  # no office policy here: the folder's, else the locale's
    config = ", ".join(f"{k}={v}" for k, v in server.CONFIG.items())
    text = _("created {path}: hook {hook}, {config}") if setup.created else \
        _("configured {path}: hook {hook}, {config}")
    click.echo(text.format(path=setup.path, hook=setup.hook, config=config))
