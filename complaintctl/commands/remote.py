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
                              "post_hook": str(setup.post_hook),
                              "layout": layout, "config": dict(server.CONFIG), "allow_anonymous": allow_anonymous}))
        return
    i18n.use(i18n.language_for(str(target)))  # no office policy here: the folder's, else the locale's
    config = ", ".join(f"{k}={v}" for k, v in server.CONFIG.items())
    text = _("created {path}: hooks {hook}, {post}, {config}") if setup.created else \
        _("configured {path}: hooks {hook}, {post}, {config}")
    click.echo(text.format(path=setup.path, hook=setup.hook, post=setup.post_hook, config=config))


@server_group.command("status")
@click.argument("path", type=click.Path(file_okay=False, exists=True, path_type=Path))
@json_option
def server_status_cmd(path: Path, as_json: bool) -> None:
    """Offices that have not pushed within the offline window, and pushes refused today."""
    st = server.status(path if path.is_absolute() else base_dir() / path)
    if as_json:
        click.echo(json_text({
            "offline_window_hours": st.window.total_seconds() / 3600,
            "offices": [{"office": o.office, "name": o.name, "quiet": o.quiet,
                         "last_push": o.last_push.isoformat() if o.last_push else None} for o in st.offices],
            "refused_today": [{"at": p.at.isoformat(), "pusher": p.pusher, "offices": list(p.offices),
                               "refs": list(p.refs), "findings": list(p.findings), "count": p.count}
                              for p in st.refused_today]}))
        return
    hours = round(st.window.total_seconds() / 3600)
    for o in st.offices:
        last = o.last_push.strftime("%Y-%m-%d %H:%M") if o.last_push else _("never")
        mark = _("  ← no push within {h} h").format(h=hours) if o.quiet else ""
        click.echo(_("{office} {name}: last push {last}{mark}").format(office=o.office, name=o.name, last=last,
                                                                      mark=mark))
    click.echo(_("pushes refused today: {n}").format(n=len(st.refused_today)))
    for p in st.refused_today:
        click.echo(f"  {p.at.strftime('%H:%M')} {p.pusher or '-'} {','.join(p.offices) or '-'}: "
                   + (p.findings[0] if p.findings else "")
                   + (_(" (+{n} more)").format(n=p.count - 1) if p.count > 1 else ""))


@server_group.command("backup")
@click.argument("path", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def server_backup_cmd(path: Path, out: Path, as_json: bool) -> None:
    """Write the server repository (every ref), its settings and push log to one file."""
    from complaintctl.remote import backup

    b = backup.backup(path if path.is_absolute() else base_dir() / path, out if out.is_absolute() else base_dir() / out)
    if as_json:
        click.echo(json_text({"path": str(b.path), "refs": b.refs, "layout": b.layout}))
        return
    click.echo(_("backed up {n} ref(s) ({layout}) to {out}").format(n=b.refs, layout=b.layout, out=b.path))


@server_group.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--command", "command", help="How the hook runs complaintctl on this server (as for server init).")
@json_option
def server_restore_cmd(archive: Path, path: Path, command: str | None, as_json: bool) -> None:
    """Rebuild a server repository from a backup into a new or empty bare repository."""
    from complaintctl.remote import backup

    b = backup.restore(archive if archive.is_absolute() else base_dir() / archive,
                       path if path.is_absolute() else base_dir() / path, command)
    if as_json:
        click.echo(json_text({"path": str(b.path), "refs": b.refs, "layout": b.layout}))
        return
    click.echo(_("restored {n} ref(s) ({layout}) into {path}").format(n=b.refs, layout=b.layout, path=b.path))
