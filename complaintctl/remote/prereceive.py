"""The pre-receive hook on the shared repository.

A push is judged three ways, always by the policy and the signers already on the server's
main — never by what the push brings:
- each ref update: main is never deleted or rewritten; other refs (branches, tags) are the
  admin role's alone;
- each pushed commit: the shared validator (as pre-commit) with the ledger — its new entries
  are its author's, within their authority under the old tip's policy (rules/ledger.py) —,
  who may change what (access: offices, files outside cases/, role-gated actions where the
  ledger does not judge them), the author against the pusher, the signature (signing:
  required); a merge by what it does to every case a parent has (merges.py);
- the net change of main (each file at the old tip against the new tip), whenever the push
  is not a plain line of commits on the old tip: so no shape of history — merges, octopus
  merges, commits that re-use old trees — does what a plain commit could not.
The work is proportional to what the push changes, never to the number of cases.

The very first push into an empty repository (no main yet) has no server policy to be
judged by: it is validated and nothing else, so whoever sets the server up pushes first.
Every later push needs a pusher identity from the server, unless the server repository's
own git config allows anonymous pushes (`server init --allow-anonymous`, access.judge_for).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.i18n import _
from complaintctl.model.case import decode, load_plain
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.policy.trust import ADMIN, SIGNERS_FILE
from complaintctl.privacy import casekeys
from complaintctl.remote import access, keyrefs, pushlog, renumbers, signing
from complaintctl.remote.verdicts import ChangeKey, Verdicts
from complaintctl.repo import cache, precommit, stamps
from complaintctl.repo.git import ZERO, Change, CommitMeta, Git, blob_id
from complaintctl.repo.precommit import check_changes, commit_context, policy_from_text
from complaintctl.rules import clear_text
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import is_case_path

MAIN = "refs/heads/main"
OFFICE_REFS = "refs/offices/"  # an office's own ref (docs/design/office-pushes.md)
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class RefUpdate:
    """One line of pre-receive's standard input: `<old> SP <new> SP <ref>`."""

    old: str
    new: str
    ref: str

    @property
    def created(self) -> bool:
        return self.old.strip("0") == ""

    @property
    def deleted(self) -> bool:
        return self.new.strip("0") == ""


def parse_ref_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not _SHA.match(parts[0]) or not _SHA.match(parts[1]):
            raise InvalidInput(f"pre-receive: unexpected input line {line!r} (want: old new ref)")
        updates.append(RefUpdate(*parts))
    return updates


@dataclass(frozen=True)
class Server:
    """What a push is judged by: the policy on main before the push, and who is pushing."""

    policy: Policy
    judge: access.Judge
    policy_text: str  # the same policy as text: the ledger's authority (rules.context.Commit)
    verdicts: Verdicts | None = None  # clean verdicts kept from earlier pushes (remote/verdicts.py)


def pre_receive(g: Git, updates: list[RefUpdate], now: datetime,
                pusher: access.Pusher | None = None, verdicts: Verdicts | None = None) -> list[str]:
    """Every problem with the push, each line naming the ref or the commit, file, field, rule.
    `verdicts`: clean verdicts on case changes kept from earlier pushes, asked first."""
    main_old = g.rev_parse(MAIN)
    server: Server | None = None
    if main_old is not None:
        policy = policy_from_text(g.file_at(main_old, POLICY_FILE))
        if isinstance(policy, Finding):
            return [f"{MAIN}: the policy on the server's main cannot be used: {policy}"]
        judge = access.judge_for(policy, pusher, _allows_anonymous(g))
        if isinstance(judge, str):
            return [f"(push): {access.RULE}: {judge}"]
        server = Server(policy, judge, g.file_at(main_old, POLICY_FILE) or "", verdicts)
    problems: list[str] = []
    with ExitStack() as stack:
        signers = None
        if server is not None and main_old is not None and server.policy.trust.signing_required:
            signers = stack.enter_context(signing.signers_file(g.file_at(main_old, SIGNERS_FILE)))
        main_up = next((u for u in updates if u.ref == MAIN), None)
        main_after = main_up.new if main_up is not None and not main_up.deleted else main_old
        first_push = server is None and any(u.ref == MAIN and u.created for u in updates)
        for up in updates:
            if up.ref.startswith(stamps.NOTES_PREFIX):
                # The witness's stamps are written on the server alone (post-receive): a pusher
                # could otherwise move an entry's recorded time. The first push into an empty
                # server may bring an office's own local stamps, and is only validated.
                if not first_push:
                    problems.append(_("{ref}: the recorded-time notes are written by this server alone; "
                                      "no push may change them").format(ref=up.ref))
                continue
            if keyrefs.office_of(up.ref) is not None:  # R-RT-5: the case keys, outside main's history
                problems.extend(_key_ref(g, up, server, main_after))
                continue
            problems.extend(_ref_rules(g, up, server))
            if up.deleted:
                continue
            revs = [up.new, "--not", "--all"] if up.created else [up.new, f"^{up.old}"]
            try:
                metas = g.commit_metas(revs, signers)
                # R-RT-5: with privacy required, no commit message may carry a complainant's data
                messages = g.commit_messages(revs) if _privacy_required(g, up, server) else None
            except ComplaintError as exc:
                problems.append(f"{up.ref}: {exc}")
                continue
            # R-IN-5: a renumbering never moves a case the ref already had (a new ref: main's)
            base = main_old if up.created else up.old
            for meta in metas:
                found = _judge_commit(g, meta, now, server, base, up.ref)
                if messages is not None:
                    found.extend(clear_text.message_findings(messages.get(meta.sha, ""), True))
                problems.extend(f"commit {meta.sha[:10]}: {f}" for f in found)
            if server is not None and not up.created and (up.ref == MAIN or up.ref.startswith(OFFICE_REFS)):
                # R-IN-5: no case on the record leaves its path
                problems.extend(f"{up.ref} {up.old[:10]}..{up.new[:10]}: {f}"
                                for f in renumbers.net_removals(g, up.old, up.new, up.ref))
            if up.ref == MAIN and server is not None and not up.created and not _plain_line(metas, up.old):
                problems.extend(f"{MAIN} {up.old[:10]}..{up.new[:10]}: {f}"
                                for f in _net_change(g, up, metas, now, server))
        if server is not None and server.policy.privacy.required and main_up is not None and not main_up.deleted:
            problems.extend(f"{MAIN}: {p}" for p in _keys_named(g, main_up, updates))
    return problems


def _key_ref(g: Git, up: RefUpdate, server: Server | None, main_after: str | None) -> list[str]:
    """A case-key ref: that office's people and hq, additions only (remote/keyrefs.py)."""
    if server is None:
        return [f"{up.ref}: creating refs other than main is refused until main exists (push main first)"]
    grant = server.judge.pusher
    if grant is None and not up.deleted:  # no authenticated pusher: the tip's author, as the policy knows them
        grant = access.author_grant(server.policy, g.commit_author(f"{up.new}^{{commit}}"))
    return keyrefs.check_ref(g, up.ref, up.old, up.new, server.policy, grant, main_after)


def _keys_named(g: Git, main_up: RefUpdate, updates: list[RefUpdate]) -> list[str]:
    """R-RT-5: every key id the changed cases name is in its office's case-key ref after the push."""
    base = g.empty_tree() if main_up.created else main_up.old
    after: dict[str, str] = {}
    for line in g.run("for-each-ref", "--format=%(refname) %(objectname)", casekeys.PREFIX).splitlines():
        ref, _, sha = line.partition(" ")
        after[ref[len(casekeys.PREFIX):]] = sha
    for up in updates:
        office = keyrefs.office_of(up.ref)
        if office is not None and not up.deleted:
            after[office] = up.new
    return keyrefs.missing_keys(g, g.changes_between(base, main_up.new), after)


def hook(directory: Path, lines: Iterable[str], env: Mapping[str, str], say: Callable[[str], None]) -> int:
    """The pre-receive hook as the server runs it (`complaintctl hook pre-receive`): git's ref
    updates in `lines`, the pusher from `env`; every problem said through `say`, then 1."""
    g = Git.open(directory)
    cache.use(g.git_dir)
    precommit.speak_office_language(g)
    updates = parse_ref_updates(lines)
    now = precommit.hook_now(g)
    pusher = server_pusher(env)
    verdicts = Verdicts.open(g.git_dir)
    try:
        problems = pre_receive(g, updates, now, pusher, verdicts)
        verdicts.save(now)  # a refused push's clean changes too: only they are kept
    finally:
        verdicts.close()
    pushlog.record(g.git_dir, pushlog.Push(now, not problems, pusher.login if pusher else "",
                                           _offices_changed(g, updates), tuple(up.ref for up in updates),
                                           tuple(problems[:pushlog.KEEP_FINDINGS]), len(problems)))
    if not problems:
        for up in updates:  # post-receive stamps each accepted tip with the time it was judged by
            if up.ref == MAIN and not up.deleted:
                stamps.hand_over(g.git_dir, up.new, now)
    return precommit.tell(problems, say, _("complaintctl: push refused — {n} finding(s)"))


def _offices_changed(g: Git, updates: list[RefUpdate]) -> tuple[str, ...]:
    """For the push log (server status): whose cases the push changes — one tree diff per
    ref, O(what the push changes)."""
    paths: list[str] = []
    for up in updates:
        if up.deleted:
            continue
        try:
            old = g.empty_tree() if up.created else up.old
            paths.extend(c.path for c in g.changes_between(old, up.new))
        except ComplaintError:
            continue
    return pushlog.offices_of(paths)


def _privacy_required(g: Git, up: RefUpdate, server: Server | None) -> bool:
    """The server's policy says so — or, for the very first push, the policy it brings."""
    if server is not None:
        return server.policy.privacy.required
    policy = policy_from_text(g.file_at(up.new, POLICY_FILE))
    return isinstance(policy, Policy) and policy.privacy.required


def _allows_anonymous(g: Git) -> bool:
    """Set only in the server repository's own config (`server init --allow-anonymous`)."""
    return (g.get_config_local(access.ANONYMOUS_KEY) or "").strip().lower() in ("true", "yes", "on", "1")


def server_pusher(env: Mapping[str, str]) -> access.Pusher | None:
    return access.pusher_from_env(env)


def _ref_rules(g: Git, up: RefUpdate, server: Server | None) -> list[str]:
    if up.ref == MAIN:
        if up.deleted:
            return [f"{up.ref}: deleting main is refused (the shared case record is never deleted)"]
        if not up.created and not g.is_ancestor(up.old, up.new):
            return [f"{up.ref}: non-fast-forward update refused ({up.old[:10]} is not in {up.new[:10]}'s "
                    "history): the case record's history is never rewritten — `complaintctl sync` instead "
                    "of a force-push"]
        return []
    verb = "deleting" if up.deleted else "creating" if up.created else "updating"
    if server is None:
        return [f"{up.ref}: {verb} refs other than main is refused until main exists (push main first)"]
    admin = server.judge.pusher
    if server.judge.mode == "authors" and not up.deleted:
        admin = access.author_grant(server.policy, g.commit_author(f"{up.new}^{{commit}}"))
    if admin is not None and admin.admin:
        return []
    who = (f"{admin.who} has roles {', '.join(admin.roles) or 'none'}" if admin
           else access.NO_PUSHER.format(variables=", ".join(access.VARIABLES)))  # this refusal is still English
    return [f"{up.ref}: {access.RULE}: {verb} a branch or tag other than main needs the admin role ({ADMIN}); {who}"]


def _authority_text(g: Git, meta: CommitMeta, server: Server | None) -> str | None:
    """The policy in force before the change: the server's old tip, or — for the very
    first push — the commit's first parent's; never one the push brings."""
    if server is not None:
        return server.policy_text
    return g.file_at(meta.parents[0], POLICY_FILE) if meta.parents else None


def _judge_commit(g: Git, meta: CommitMeta, now: datetime, server: Server | None, base: str | None = None,
                  ref: str = MAIN) -> list[Finding]:
    policy_text = g.file_at(meta.sha, POLICY_FILE)  # what the office's pre-commit judged by
    authority = _authority_text(g, meta, server)
    changes = g.commit_changes(meta.sha)
    shared = list(renumbers.on_the_record(g, base, ref, changes, meta.parents[0] if meta.parents else None)) \
        if base is not None else []
    if len(meta.parents) <= 1:
        # The ledger: the commit's new entries are its author's, within their authority.
        found = _check_plain(g, meta, changes, policy_text, authority, now, server)
        if server is not None:
            found.extend(_access_plain(g, changes, meta, server))
    else:
        from complaintctl.remote import merges  # and the round-trip YAML under it: merges only

        verdict = merges.judge_merge(g, meta, policy_text, authority, now)
        found = verdict.findings
        if server is not None:
            grant, admin = _who(meta, server)
            found.extend(f for p in verdict.introduced if (f := access.check_path(p, admin, server.judge)))
            for path in sorted({p for p in verdict.introduced if is_case_path(p)} | set(verdict.added)):
                found.extend(access.check_case(path, verdict.added.get(path, []), grant, server.policy))
    if server is not None:
        author = access.check_author(server.policy, server.judge, meta.author)
        if author is not None:
            found.append(author)
        if server.policy.trust.signing_required:
            bad = signing.check(meta, server.policy)
            if bad is not None:
                found.append(bad)
    return shared + found


def _check_plain(g: Git, meta: CommitMeta, changes: list[Change], policy_text: str | None,
                 authority: str | None, now: datetime, server: Server | None) -> list[Finding]:
    """The validator and the ledger on a plain commit, each case change asked of the kept
    verdicts first. Only a commit that adds or changes case files and nothing else is
    split per file: a renumbering, kept originals or a policy change are judged as a whole."""
    commit = commit_context(meta.author, authority)
    verdicts = server.verdicts if server is not None else None
    if verdicts is None or commit is None or policy_text is None or authority is None or \
            not changes or not all(is_case_path(c.path) and c.status in ("A", "M") for c in changes):
        return check_changes(g, changes, policy_text, now, commit)
    policy = policy_from_text(policy_text)
    if isinstance(policy, Finding):
        return [policy]
    who = (meta.author.name, meta.author.email) if meta.author is not None else ("", "")
    texts = (blob_id(policy_text.encode("utf-8", "surrogateescape")),
             blob_id(authority.encode("utf-8", "surrogateescape")))
    keys = {c.path: ChangeKey(c.path, c.old_blob, c.new_blob, *texts, who) for c in changes}
    todo = [c for c in changes if not verdicts.clean(keys[c.path], now)]
    found = check_changes(g, todo, policy_text, now, commit) if todo else []
    if found:
        # kept only when the whole commit is clean: a finding may name another path than the
        # case it is about (a kept original the case lists, rules.materials)
        return found
    window = commit.authority.authority.offline_window
    for c in todo:
        old = g.blob_bytes(c.old_blob) if c.old_blob != ZERO else None
        verdicts.keep_clean(keys[c.path], g.blob_bytes(c.new_blob), old, window, policy.tz, now)
    return found


def _who(meta: CommitMeta, server: Server) -> tuple[access.Grant | None, access.Grant | None]:
    """(whose office and roles the commit's case changes need, who must be admin for the rest)."""
    grant = access.actor(server.policy, server.judge, meta.author)
    return grant, grant if server.judge.mode == "authors" else server.judge.pusher


def _access_plain(g: Git, changes: list[Change], meta: CommitMeta, server: Server) -> list[Finding]:
    grant, admin = _who(meta, server)
    out: list[Finding] = []
    for ch in changes:
        denied = access.check_path(ch.path, admin, server.judge)
        if denied is not None:
            out.append(denied)
        elif is_case_path(ch.path):
            out.extend(access.check_case(ch.path, _added(g, ch), grant, server.policy))
        else:
            out.extend(access.check_material(ch.path, grant))
    return out


def _added(g: Git, ch: Change) -> list[tuple[int, Mapping[str, Any]]]:
    """The timeline entries a plain commit appends to one case (append-only is the validator's)."""
    if ch.new_blob == ZERO:
        return []
    try:
        new = load_plain(decode(g.blob(ch.new_blob), ch.path), ch.path)
        old = load_plain(decode(g.blob(ch.old_blob), ch.path), ch.path) if ch.old_blob != ZERO else {}
    except InvalidInput:
        return []  # the validator reports the broken file
    after, before = new.get("timeline"), old.get("timeline")
    after = after if isinstance(after, list) else []
    start = len(before) if isinstance(before, list) else 0
    return [(i, e) for i, e in enumerate(after) if i >= start and isinstance(e, Mapping)]


def _plain_line(metas: list[CommitMeta], old: str) -> bool:
    """Each commit has one parent, the old tip or another pushed commit: then every step was
    judged against what it changed, and the net change is nothing but their sum."""
    pushed = {m.sha for m in metas}
    return all(len(m.parents) == 1 and (m.parents[0] == old or m.parents[0] in pushed) for m in metas)


def _net_change(g: Git, up: RefUpdate, metas: list[CommitMeta], now: datetime, server: Server) -> list[Finding]:
    changes = g.changes_between(up.old, up.new)
    # Through merges, entries from other lines may come between the old tip's (time order):
    # each merge was judged an order-preserving union, so here every old entry must be kept.
    found = check_changes(g, changes, g.file_at(up.new, POLICY_FILE), now, merge=True)
    admin = server.judge.pusher
    if server.judge.mode == "authors":
        tip = next((m for m in metas if m.sha == up.new), None)
        admin = access.author_grant(server.policy, tip.author) if tip else None
    found.extend(f for ch in changes if (f := access.check_path(ch.path, admin, server.judge)))
    return found
