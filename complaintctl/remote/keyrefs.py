"""The server's rules for encrypted complainant fields, without any key (R-RT-5,
docs/design/encrypted-fields.md):
- `refs/complaintctl/casekeys/<OFFICE>` is written by that office's people and hq only, grows
  by additions only (no file changed or removed, never rewound), each addition a well-formed
  case key under the office's current epoch;
- every key id a case on main names is in its office's case-key ref after the push.
The markers' shape and office are the validator's (rules/privacy.py), on the client too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model.case import decode, get, load_plain
from complaintctl.policy.policy import Policy
from complaintctl.privacy import casekeys, erased, officekeys
from complaintctl.privacy import marker as M
from complaintctl.remote import access
from complaintctl.repo.git import ZERO, Change, Git
from complaintctl.rules.validate import is_case_path

RULE = "R-RT-5"


def office_of(ref: str) -> str | None:
    """The office whose case-key ref `ref` is, None for any other ref."""
    if not ref.startswith(casekeys.PREFIX):
        return None
    office = ref[len(casekeys.PREFIX):]
    return office if office and "/" not in office else None


def current_epoch(g: Git, main: str | None, office: str) -> int | None:
    """The office's newest epoch in keys/ on main (after the push)."""
    if main is None:
        return None
    found = [officekeys.epoch_of(p) for p in g.paths_in(main, f"{officekeys.KEYS_DIR}/{office}")]
    epochs = [e for e in found if e is not None]
    return max(epochs) if epochs else None


def check_ref(g: Git, ref: str, old: str, new: str, policy: Policy, grant: access.Grant | None,
              main_after: str | None) -> list[str]:
    """Every problem with one update of a case-key ref."""
    office = office_of(ref)
    assert office is not None
    if office != policy.office and office not in policy.offices:
        return [f"{ref}: {RULE}: " + _("{office} is not an office of the policy").format(office=office)]
    if grant is None or not (grant.admin or (grant.offices is not None and office in grant.offices)):
        who = grant.who if grant else _("no pusher or author the policy lists")
        return [f"{ref}: {RULE}: " + _("only {office}'s people and hq write its case keys; {who}")
                .format(office=office, who=who)]
    if new.strip("0") == "":
        return [f"{ref}: {RULE}: " + _("case keys are never deleted by a push (an erasure is hq's, on the server)")]
    created = old.strip("0") == ""
    if not created and not g.is_ancestor(old, new):
        return [f"{ref}: {RULE}: " + _("case keys take additions only: {old} is not in {new}'s history")
                .format(old=old[:10], new=new[:10])]
    changes = g.changes_between(g.empty_tree() if created else old, new)
    epoch = current_epoch(g, main_after, office)
    gone = erased.tombstoned(g, None if created else old)  # keys an erasure retired (privacy/erased.py)
    problems = []
    for ch in changes:
        where = f"{ref}: {ch.path}: {RULE}: "
        if casekeys.kid_of(ch.path) in gone:
            problems.append(where + _("this case key was erased (PIPL art. 47) and is never added again"))
        elif ch.status != "A":
            problems.append(where + _("case keys take additions only (a key was changed or removed)"))
        elif casekeys.kid_of(ch.path) is None or ch.new_mode != "100644":
            problems.append(where + _("not a case key's file (<kid[:2]>/<kid>)"))
        else:
            try:
                entry = casekeys.parse_entry(g.blob(ch.new_blob).decode("ascii"))
            except (casekeys.BadEntry, UnicodeDecodeError):
                problems.append(where + _("not `<epoch> <nonce> <wrapped>`"))
                continue
            if entry.epoch != epoch:
                problems.append(where + _("a new case key must use {office}'s current epoch ({epoch}), not {got}: "
                                          "run `complaintctl sync` to re-wrap it")
                                .format(office=office, epoch=epoch, got=entry.epoch))
    return problems


def markers_of(data: Mapping[str, object]) -> set[tuple[str, str]]:
    """(office, key id) of every well-formed marker in a case."""
    found = set()
    for path in M.ENCRYPTED_FIELDS:
        value = get(data, path)
        if M.is_marker(value):
            m = M.decode(str(value))
            found.add((m.office, m.key_id))
    return found


def missing_keys(g: Git, changes: Iterable[Change], refs_after: Mapping[str, str]) -> list[str]:
    """The changed cases naming a key id their office's case-key ref (as it is after the push:
    `refs_after`, office -> commit) does not hold."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for ch in changes:
        if ch.new_blob == ZERO or not is_case_path(ch.path):
            continue
        try:
            data = load_plain(decode(g.blob(ch.new_blob), ch.path), ch.path)
        except InvalidInput:
            continue  # the validator reports the broken file
        for key in markers_of(data):
            wanted.setdefault(key, []).append(ch.path)
    problems: list[str] = []
    specs = {key: f"{refs_after[key[0]]}:{casekeys.path_of(key[1])}" for key in wanted if key[0] in refs_after}
    held = {name for name, data, _ in g.cat_file_batch(sorted(set(specs.values())), max_bytes=4096)
            if data is not None}
    for key, paths in sorted(wanted.items()):
        if specs.get(key) not in held:
            problems.extend(f"{p}: {RULE}: " + _("its case key {kid} is not in refs/complaintctl/casekeys/{office}: "
                                                  "push them together (`complaintctl sync`)")
                            .format(kid=key[1], office=key[0]) for p in paths)
    return problems
