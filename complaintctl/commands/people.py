"""`complaintctl people` and `complaintctl units`: the policy's people and units, listed and
changed one commit at a time (handling/people.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from complaintctl import labels
from complaintctl.commands.common import json_option, pass_ws, screen_width, wide_option
from complaintctl.handling import people
from complaintctl.handling.people import PolicyChange
from complaintctl.i18n import _
from complaintctl.output import as_json as json_text
from complaintctl.output import table
from complaintctl.policy.authority import ROLES
from complaintctl.policy.people_edit import PersonFields
from complaintctl.repo.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
ROLE_HELP = f"A role ({', '.join(ROLES)}); repeat for several."


def _unit(ws: Workspace, value: str | None) -> str | None:
    """A unit's key, or its label in either language; anything else is refused by the core (R-RT-1)."""
    if value is None:
        return None
    return labels.resolve(value, ws.policy.names("units")) or value


def _said(change: PolicyChange, as_json: bool, **extra: object) -> None:
    if as_json:
        click.echo(json_text({"subject": change.subject, "commit": change.commit, **extra}))
        return
    click.echo(_("{subject}, commit {commit}").format(subject=change.subject, commit=change.commit[:10]))


@click.group("people")
def people_group() -> None:
    """The office's people: list, add, set, remove (each change one commit)."""


@people_group.command("list")
@json_option
@wide_option
@pass_ws
def list_cmd(ws: Workspace, as_json: bool, wide: bool) -> None:
    """Every person the policy lists, with unit and roles."""
    rows = people.people_rows(ws.policy)
    if as_json:
        click.echo(json_text(rows))
        return
    units = ws.policy.labels("units")
    headers = [_("Name"), _("E-mail"), _("Unit"), _("Roles"), _("Office"), _("Mobile")]
    click.echo(table([[r["name"], r["email"], units.get(r["unit"], r["unit"]), ", ".join(r["roles"]),
                       r["office"], r["mobile"]] for r in rows], headers, screen_width(wide)))


def _person_options(f: F) -> F:
    for option in reversed((
        click.option("--email", help="Their e-mail: notices go there, and the hooks know them by it."),
        click.option("--unit", "unit_name", help="Their unit: a key or label of complaintctl.yaml `units`."),
        click.option("--role", "roles", multiple=True, help=ROLE_HELP),
        click.option("--office", "home", help="The office code they work for (default: the policy's own)."),
        click.option("--login", help="Their account on the git server (the ssh key's owner)."),
        click.option("--mobile", help="Their mobile number: the group robots @-mention them by it."),
        click.option("--key", help="Their public key (`ssh-ed25519 AAAA…` or `age1…`): office keys are wrapped to it."),
    )):
        f = option(f)
    return f


@people_group.command("add")
@click.argument("name")
@_person_options
@json_option
@pass_ws
def add_cmd(ws: Workspace, name: str, email: str | None, unit_name: str | None, roles: tuple[str, ...],
            home: str | None, login: str | None, mobile: str | None, key: str | None, as_json: bool) -> None:
    """List a person in the policy; one commit."""
    _said(people.add_person(ws, name, PersonFields(email, _unit(ws, unit_name), roles, home, login, mobile, key)),
          as_json)


@people_group.command("set")
@click.argument("name")
@_person_options
@json_option
@pass_ws
def set_cmd(ws: Workspace, name: str, email: str | None, unit_name: str | None, roles: tuple[str, ...],
            home: str | None, login: str | None, mobile: str | None, key: str | None, as_json: bool) -> None:
    """Change a person's e-mail, unit, roles (all given replace all), office, login, mobile or key; one commit."""
    fields = PersonFields(email, _unit(ws, unit_name), roles or None, home, login, mobile, key)
    _said(people.set_person(ws, name, fields), as_json)


@people_group.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove them even while they handle cases not yet closed.")
@click.option("--rotate/--no-rotate", default=True, show_default=True,
              help="With encrypted fields: rotate the keys of the offices they could read (R-RT-5).")
@json_option
@pass_ws
def remove_cmd(ws: Workspace, name: str, force: bool, rotate: bool, as_json: bool) -> None:
    """Take a person off the policy; refused while they handle open cases (unless --force)."""
    person = ws.policy.person(name)
    change, left = people.remove_person(ws, name, force)
    rotated = []
    if rotate and person is not None and person.key:  # R-RT-5: a leaver reads no new case
        from complaintctl.commands.common import actor, now
        from complaintctl.handling import keys

        rotated = keys.rotate_after_leaving(ws, person, now(ws), actor(ws))
    _said(change, as_json, reassign=left, rotated=[{"office": k.office, "epoch": k.epoch, "commit": k.commit,
                                                    "revoke": list(k.revoke)} for k in rotated])
    if not as_json:
        for k in rotated:
            click.echo(_("{office} epoch {epoch}: wrapped to {names}, commit {commit}").format(
                office=k.office, epoch=k.epoch, names=", ".join(k.recipients), commit=k.commit[:10]))
            for line in k.revoke:
                click.echo(_("also revoke: {what}").format(what=line))
    if left and not as_json:
        click.echo(_("warning: {n} case(s) to reassign: {cases}").format(n=len(left), cases=", ".join(left)), err=True)


@click.group("units")
def units_group() -> None:
    """The office's units: list, add, set labels, remove."""


@units_group.command("list")
@json_option
@wide_option
@pass_ws
def units_list_cmd(ws: Workspace, as_json: bool, wide: bool) -> None:
    """Every unit, its labels, its people and the categories it answers for."""
    rows = people.unit_rows(ws.policy)
    if as_json:
        click.echo(json_text(rows))
        return
    headers = [_("Unit"), "中文", "English", _("People"), _("Categories")]
    click.echo(table([[r["key"] + (" *" if r["default"] else ""), r["zh"], r["en"], ", ".join(r["people"]),
                       ", ".join(r["categories"])] for r in rows], headers, screen_width(wide)))


@units_group.command("add")
@click.argument("key")
@click.option("--zh", help="Its Chinese name.")
@click.option("--en", help="Its English name.")
@json_option
@pass_ws
def units_add_cmd(ws: Workspace, key: str, zh: str | None, en: str | None, as_json: bool) -> None:
    """Add a unit (its name in the office's language required); one commit."""
    _said(people.add_unit(ws, key, zh, en), as_json)


@units_group.command("set")
@click.argument("unit_name", metavar="UNIT")
@click.option("--zh", help="Its new Chinese name.")
@click.option("--en", help="Its new English name.")
@json_option
@pass_ws
def units_set_cmd(ws: Workspace, unit_name: str, zh: str | None, en: str | None, as_json: bool) -> None:
    """Change a unit's labels; one commit."""
    _said(people.set_unit(ws, _unit(ws, unit_name) or unit_name, zh, en), as_json)


@units_group.command("remove")
@click.argument("unit_name", metavar="UNIT")
@json_option
@pass_ws
def units_remove_cmd(ws: Workspace, unit_name: str, as_json: bool) -> None:
    """Remove a unit no category, person or case names (R-RT-1); one commit."""
    _said(people.remove_unit(ws, _unit(ws, unit_name) or unit_name), as_json)
