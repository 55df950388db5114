"""`complaintctl ui`: the register in a browser, on this computer only, acting as you."""

from __future__ import annotations

import click

from complaintctl.commands.common import actor, pass_ws
from complaintctl.i18n import _
from complaintctl.repo.workspace import Workspace


@click.command("ui")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port on 127.0.0.1 (0: a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the address in the default browser.")
@click.option("--sync-every", type=click.IntRange(0, 24 * 60), default=5, show_default=True,
              help="Sync with origin every N minutes while it runs, when the clone has one (0: only on demand).")
@pass_ws
def ui_cmd(ws: Workspace, port: int, open_browser: bool, sync_every: int) -> None:
    """Serve this office's cases in a browser on 127.0.0.1, acting as your git identity."""
    from complaintctl.web.serve import serve

    me = actor(ws)

    def announce(url: str) -> None:
        click.echo(_("complaintctl ui: acting as {name} <{email}>; open {url}").format(
            name=me.name, email=me.email, url=url))
        click.echo(_("(the address carries this server's key: keep it to yourself; Ctrl-C stops the server)"))
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    serve(ws.root, port, announce, sync_every * 60)
