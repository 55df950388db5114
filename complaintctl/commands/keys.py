"""`complaintctl keys`: hq's commands for the office keys of encrypted complainant fields
(R-RT-5, docs/design/encrypted-fields.md), over handling/keys.py."""

from __future__ import annotations

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws, screen_width, wide_option
from complaintctl.handling import keys
from complaintctl.handling.keys import KeysChange
from complaintctl.i18n import _
from complaintctl.output import as_json as json_text
from complaintctl.output import table
from complaintctl.repo.workspace import Workspace


def _said(change: KeysChange, as_json: bool) -> None:
    if as_json:
        click.echo(json_text({"office": change.office, "epoch": change.epoch, "recipients": list(change.recipients),
                              "commit": change.commit, "revoke": list(change.revoke)}))
        return
    click.echo(_("{office} epoch {epoch}: wrapped to {names}, commit {commit}").format(
        office=change.office, epoch=change.epoch, names=", ".join(change.recipients), commit=change.commit[:10]))
    for line in change.revoke:
        click.echo(_("also revoke: {what}").format(what=line))


@click.group("keys")
def keys_group() -> None:
    """Office keys for encrypted complainant fields (hq): init, rewrap, rotate, who."""


@keys_group.command("init")
@click.argument("office")
@json_option
@pass_ws
def init_cmd(ws: Workspace, office: str, as_json: bool) -> None:
    """Make an office's keys (epoch 1), wrapped to its people, hq and the recovery key."""
    _said(keys.init(ws, office, now(ws), actor(ws)), as_json)


@keys_group.command("rewrap")
@click.argument("office")
@json_option
@pass_ws
def rewrap_cmd(ws: Workspace, office: str, as_json: bool) -> None:
    """Wrap every epoch of an office's keys again, for the people now listed."""
    _said(keys.rewrap(ws, office, now(ws), actor(ws)), as_json)


@keys_group.command("rotate")
@click.argument("office")
@click.option("--left", multiple=True, help="Who left (named in the commit and the list of what to revoke).")
@json_option
@pass_ws
def rotate_cmd(ws: Workspace, office: str, left: tuple[str, ...], as_json: bool) -> None:
    """A new epoch after someone leaves: new cases use it; lists what else to revoke."""
    _said(keys.rotate(ws, office, now(ws), actor(ws), left), as_json)


@keys_group.command("who")
@json_option
@wide_option
@pass_ws
def who_cmd(ws: Workspace, as_json: bool, wide: bool) -> None:
    """Who can read which office's cases, epoch by epoch (from the clear manifests)."""
    rows = keys.who(ws)
    if as_json:
        click.echo(json_text([{"office": r.office, "epoch": r.epoch, "retired": r.retired,
                               "recipients": list(r.recipients), "no_key": list(r.missing)} for r in rows]))
        return
    headers = [_("Office"), _("Epoch"), _("Readers"), _("Listed, no key")]
    click.echo(table([[r.office, f"{r.epoch}{' (' + _('retired') + ')' if r.retired else ''}",
                       ", ".join(r.recipients), ", ".join(r.missing)] for r in rows], headers, screen_width(wide)))
