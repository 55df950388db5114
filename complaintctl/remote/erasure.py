"""The server's half of an erasure (R-RT-5, PIPL art. 47): after a push whose new `erase`
entries retire case keys, `post-receive` rewrites each office's case-key ref without them
(privacy/erased.py) and prunes, so the server holds the wrapped keys nowhere. Clones follow
at their next `sync` (the forced fetch; privacy.casekeys.rebase_on_remote prunes too)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from complaintctl.errors import InvalidInput
from complaintctl.model.case import decode, load_plain
from complaintctl.model.identity import Identity
from complaintctl.model.ids import parse_case_id
from complaintctl.privacy import erased
from complaintctl.remote.prereceive import MAIN, RefUpdate, parse_ref_updates
from complaintctl.repo.git import ZERO, Git
from complaintctl.rules.validate import is_case_path

SERVER = Identity("complaintctl server", "complaintctl@localhost")


def retired_keys(g: Git, old: str, new: str) -> dict[str, set[str]]:
    """office -> the case keys that the `erase` entries added between `old` and `new` retire."""
    found: dict[str, set[str]] = {}
    base = g.empty_tree() if old.strip("0") == "" else old
    for ch in g.changes_between(base, new):
        if not is_case_path(ch.path) or ch.new_blob == ZERO:
            continue
        try:
            after = load_plain(decode(g.blob(ch.new_blob), ch.path), ch.path)
            before = load_plain(decode(g.blob(ch.old_blob), ch.path), ch.path) if ch.old_blob != ZERO else {}
            office = parse_case_id(str(after.get("id"))).office
        except InvalidInput:
            continue
        start = len(before.get("timeline") or []) if isinstance(before.get("timeline"), list) else 0
        timeline = after.get("timeline")
        for entry in timeline[start:] if isinstance(timeline, list) else []:
            if isinstance(entry, Mapping) and entry.get("action") == "erase" and entry.get("key"):
                found.setdefault(office, set()).add(str(entry["key"]))
    return found


def post_receive(g: Git, updates: Iterable[RefUpdate]) -> list[str]:
    """Retire the keys the push's erasures name; what was done, one line each."""
    done = []
    for up in updates:
        if up.ref != MAIN or up.deleted:
            continue
        for office, kids in sorted(retired_keys(g, up.old, up.new).items()):
            if erased.retire(g, office, kids, SERVER) is not None:
                done.append(f"complaintctl: erased {len(kids)} case key(s) of office {office}")
    if done:
        erased.prune(g)
    return done


def hook(lines: Iterable[str], g: Git) -> list[str]:
    return post_receive(g, parse_ref_updates(lines))
