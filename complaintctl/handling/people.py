"""The office's people and units (`complaintctl people`, `complaintctl units`): each change
one commit of complaintctl.yaml by the person running the command, the file edited round trip
(policy.people_edit). It is judged as a hand edit of the policy is — the whole policy checked
before the commit, the pre-commit hook on the commit, and on a shared remote the pre-receive
hook, where only the admin role (`hq`) may change the policy (remote.access)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import InvalidInput, RepoStateError
from complaintctl.i18n import _
from complaintctl.model.case import get
from complaintctl.model.fields import ACCUSED_UNIT, PLAN_RESOLVER, ROUTING_HANDLER, ROUTING_UNIT
from complaintctl.policy import people_edit
from complaintctl.policy.people_edit import PersonFields
from complaintctl.policy.policy import POLICY_FILE, Policy, parse_policy_text
from complaintctl.repo import messages, transaction
from complaintctl.repo.workspace import Workspace

DONE = ("closed", "invalid")  # a case in any other state still needs its handler
SHOWN = 10  # cases named in a refusal; the rest counted


@dataclass(frozen=True)
class PolicyChange:
    subject: str
    commit: str


Edit = Callable[[CommentedMap, Policy], str]  # edits the document; its commit message (repo.messages)


def _change(ws: Workspace, edit: Edit) -> PolicyChange:
    """Read the committed policy under the writer lock, edit it, check the whole file as the
    hooks will, commit it alone; a refusal leaves the file and the index as they were."""
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        committed = ws.git.show("HEAD", POLICY_FILE)
        path = ws.root / POLICY_FILE
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if committed is None or current != committed:
            raise RepoStateError(_("{file} has changes that are not committed: commit or undo them first")
                                 .format(file=POLICY_FILE))
        policy = parse_policy_text(committed, POLICY_FILE)
        doc = people_edit.load(committed)
        message = edit(doc, policy)
        text = people_edit.dump(doc)
        parse_policy_text(text, POLICY_FILE)  # the whole policy, as the pre-commit hook checks it
        sha = transaction.commit_files(ws.root, ws.git, [transaction.FileWrite(POLICY_FILE, text, committed)],
                                       message)
    return PolicyChange(message.split("\n", 1)[0], sha)


def open_cases(ws: Workspace, name: str) -> list[str]:
    """The cases not yet closed (or invalid) that `name` handles or resolves."""
    from complaintctl.repo import index  # only removals read the cases

    return sorted(r.id for r in index.load_records(ws) if r.status not in DONE
                  and name in (r.handler, get(r.data, ROUTING_HANDLER), get(r.data, PLAN_RESOLVER)))


def cases_in_unit(ws: Workspace, unit: str) -> list[str]:
    """Every case (closed ones too: the validator checks them against the units) naming `unit`."""
    from complaintctl.repo import index

    return sorted(r.id for r in index.load_records(ws)
                  if unit in (r.unit, get(r.data, ROUTING_UNIT), get(r.data, ACCUSED_UNIT)))


def _shown(ids: list[str]) -> str:
    more = len(ids) - SHOWN
    return ", ".join(ids[:SHOWN]) + (_(" and {n} more").format(n=more) if more > 0 else "")


def add_person(ws: Workspace, name: str, fields: PersonFields) -> PolicyChange:
    def edit(doc: CommentedMap, policy: Policy) -> str:
        people_edit.add_person(doc, policy, name, fields)
        return messages.people_added(policy, name, fields.unit or "", tuple(fields.roles or ()))

    return _change(ws, edit)


def set_person(ws: Workspace, name: str, fields: PersonFields) -> PolicyChange:
    def edit(doc: CommentedMap, policy: Policy) -> str:
        return messages.people_set(policy, name, people_edit.set_person(doc, policy, name, fields))

    return _change(ws, edit)


def remove_person(ws: Workspace, name: str, force: bool = False) -> tuple[PolicyChange, list[str]]:
    """Remove `name`; refused while they handle cases not yet closed, unless `force`. The cases
    left with no listed handler are returned (and named in the commit's body)."""
    people_edit.find(people_edit.load(ws.git.show("HEAD", POLICY_FILE) or ""), name)  # listed at all?
    left = open_cases(ws, name)
    if left and not force:
        raise InvalidInput("NAME: " + _("{name} still handles {n} case(s) not yet closed: {cases}; reassign them "
                                        "first (`complaintctl assign ID --handler …`), or give --force")
                           .format(name=name, n=len(left), cases=_shown(left)))

    def edit(doc: CommentedMap, policy: Policy) -> str:
        people_edit.remove_person(doc, name)
        return messages.people_removed(policy, name, left)

    return _change(ws, edit), left


def add_unit(ws: Workspace, key: str, zh: str | None, en: str | None) -> PolicyChange:
    def edit(doc: CommentedMap, policy: Policy) -> str:
        # the label in the office's language is required; the other defaults to it
        own = zh if policy.language == "zh" else en
        if own is None:
            raise InvalidInput(f"--{policy.language}: " + _("required: the unit's name in the office's language"))
        people_edit.add_unit(doc, policy, key, zh or own, en or own)
        return messages.unit_added(policy, key, own)

    return _change(ws, edit)


def set_unit(ws: Workspace, key: str, zh: str | None, en: str | None) -> PolicyChange:
    def edit(doc: CommentedMap, policy: Policy) -> str:
        return messages.unit_set(policy, key, people_edit.set_unit(doc, key, zh, en))

    return _change(ws, edit)


def remove_unit(ws: Workspace, key: str) -> PolicyChange:
    used = cases_in_unit(ws, key)
    if used:
        # R-RT-1: every case's unit must be one of the policy's (the validator checks closed ones too)
        raise InvalidInput("UNIT: R-RT-1: " + _("{key!r} is named by {n} case(s): {cases}; a unit cases name stays")
                           .format(key=key, n=len(used), cases=_shown(used)))

    def edit(doc: CommentedMap, policy: Policy) -> str:
        people_edit.remove_unit(doc, policy, key)
        return messages.unit_removed(policy, key)

    return _change(ws, edit)


def people_rows(policy: Policy) -> list[dict[str, Any]]:
    """The people as `people list` shows them (keys kept for --json)."""
    return [{"name": p.name, "email": p.email, "unit": p.unit, "roles": list(p.roles),
             "office": p.office or policy.office, "login": p.login, "mobile": p.mobile} for p in policy.people]


def unit_rows(policy: Policy) -> list[dict[str, Any]]:
    return [{"key": u.key, "zh": u.zh, "en": u.en,
             "people": [p.name for p in policy.people if p.unit == u.key],
             "categories": [c.key for c in policy.categories.values() if c.unit == u.key],
             "default": u.key == policy.default_unit} for u in policy.units.values()]
