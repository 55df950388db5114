"""The pre-commit hook: checks the staged case files (not the working tree). The pieces the
server's pre-receive hook shares — reading a blob, the policy of a commit, checking a set of
changes — live here too."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import ComplaintError, InvalidInput, PolicyError
from complaintctl.i18n import LANGUAGE_LINE, _
from complaintctl.model.case import decode, load_plain
from complaintctl.model.ids import CASES_PREFIX, is_case_path
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.repo import cache, vouch
from complaintctl.repo.git import ZERO, Change, Git, Identity
from complaintctl.rules import materials
from complaintctl.rules.context import Commit
from complaintctl.rules.finding import Finding


def load_blob(g: Git, blob: str, path: str) -> dict[str, Any] | None:
    if blob == ZERO:
        return None
    try:
        return load_plain(decode(g.blob(blob), path), path)
    except InvalidInput:
        return None


def _renumbered_to(g: Git, deleted: Change, changes: list[Change]) -> Change | None:
    """A deletion is accepted only as half of a renumbering made in the same commit: the addition."""
    from complaintctl.rules import renumber

    old = load_blob(g, deleted.old_blob, deleted.path)
    if old is None:
        return None
    for ch in changes:
        if ch.status == "A" and is_case_path(ch.path):
            new = load_blob(g, ch.new_blob, ch.path)
            if new is not None and renumber.is_renumbering(old, new):
                return ch
    return None


@functools.lru_cache(maxsize=16)
def policy_from_text(text: str | None) -> Policy | Finding:
    """Parsed once per distinct policy text: a push of many commits shares one policy."""
    if text is None:
        return Finding(POLICY_FILE, "(file)", "R-WF", "no policy file in this commit")
    try:
        return cache.cached_policy(text, POLICY_FILE)
    except PolicyError as exc:
        return Finding(POLICY_FILE, "(file)", "R-WF", str(exc).split(": ", 1)[-1])


def commit_context(actor: Identity | None, authority_text: str | None) -> Commit | None:
    """Who makes the change, and the policy in force before it (None for a first commit, or a
    broken policy: then there is no authority to judge by, and the ledger rules wait)."""
    if authority_text is None:
        return None
    authority = policy_from_text(authority_text)
    return None if isinstance(authority, Finding) else Commit(actor, authority)


def check_changes(g: Git, changes: list[Change], policy_text: str | None, now: datetime,
                  commit: Commit | None = None, merge: bool = False) -> list[Finding]:
    if not any(c.path.startswith(CASES_PREFIX) or c.path == POLICY_FILE or materials.is_material_path(c.path)
               for c in changes):
        return []
    # the rules load only when there is something to judge
    from complaintctl.rules.validate import check_texts, stray_file

    policy = policy_from_text(policy_text)
    if isinstance(policy, Finding):
        return [policy]
    findings: list[Finding] = []
    renumbered: dict[str, str] = {}  # new path -> the old blob it renumbers (judged against it)
    for ch in changes:
        if ch.status == "D" and is_case_path(ch.path):
            added = _renumbered_to(g, ch, changes)
            if added is not None:
                renumbered[added.path] = ch.old_blob
    for ch in changes:
        if ch.status != "D" and (stray := stray_file(ch.path, ch.new_mode)):
            findings.append(stray)
            continue
        if not is_case_path(ch.path):
            continue
        if ch.status == "D" and ch.old_blob in renumbered.values():
            continue
        new_text = None if ch.status == "D" else g.blob(ch.new_blob)
        old_text = None if ch.status == "A" or ch.old_blob == ZERO else g.blob(ch.old_blob)
        if ch.path in renumbered:
            old_text = g.blob(renumbered[ch.path])
        findings.extend(check_texts(ch.path, new_text, old_text, policy, now, commit, merge))
    findings.extend(_materials(g, changes, renumbered))
    return findings


def hook_now(g: Git) -> datetime:
    """The hooks' clock: real time, unless this repository allows a pinned one (tests)."""
    from complaintctl.model import clock

    allowed = (g.get_config(clock.ALLOW_KEY) or "").strip().lower() in ("true", "yes", "on", "1")
    return clock.current(allow_pinned=allowed)


def _materials(g: Git, changes: list[Change], renumbered: dict[str, str]) -> list[Finding]:
    """Kept originals (rules.materials): what changes under materials/, and the files
    the cases this commit adds say they keep."""
    found = [materials.MaterialChange(c.status, c.path, c.old_blob, c.new_blob,
                                      g.blob_bytes(c.new_blob) if c.status in ("A", "M") else None)
             for c in changes if materials.is_material_path(c.path)]
    added: dict[str, dict[str, Any] | None] = {}
    for c in changes:
        # a new case is parsed again only when the commit keeps files or its text lists some
        if c.status == "A" and is_case_path(c.path) and (found or b"attachments:" in g.blob(c.new_blob)):
            data = load_blob(g, c.new_blob, c.path)
            if data is not None:
                added[str(data.get("id"))] = data
    moves = {}
    for new_path, old_blob in renumbered.items():
        old = load_blob(g, old_blob, new_path)
        new = next((c for c in changes if c.path == new_path), None)
        data = load_blob(g, new.new_blob, new_path) if new else None
        if old is not None and data is not None:
            moves[str(old.get("id"))] = str(data.get("id"))
    return materials.check(found, added, moves) if found or added else []


def pre_commit(g: Git, now: datetime) -> list[Finding]:
    """Findings for what is staged (the index, via GIT_INDEX_FILE), not the working tree — judged
    as the commit's author (git's identity for the commit being made) under HEAD's policy. Case
    files a complaintctl command has just judged byte for byte, as this author under this policy,
    are not judged again (repo.vouch)."""
    policy_text = g.show(":", POLICY_FILE)
    changes = g.staged_changes()
    skip = vouch.vouched(g, changes)
    rest = [c for c in changes if c.path not in skip]
    findings: list[Finding] = []
    if any(c.path.startswith(CASES_PREFIX) or c.path == POLICY_FILE or materials.is_material_path(c.path)
           for c in rest):
        commit = commit_context(g.identity(), g.show("HEAD", POLICY_FILE) if g.has_head() else None)
        findings = check_changes(g, rest, policy_text, now, commit)
    if not findings and policy_text is not None:
        policy = policy_from_text(policy_text)
        if isinstance(policy, Finding):  # e.g. min_version: this complaintctl may not judge here at all
            return [policy]
    return findings


def hook(directory: Path, say: Callable[[str], None]) -> int:
    """The pre-commit hook as git runs it, for the CLI's `hook pre-commit` and for __main__'s
    click-free path alike: every finding said through `say`, then 1; 0 when the commit may go
    on. A ComplaintError (not a repository, a git failure) is left to the caller's edge."""
    g = Git.open(directory)
    cache.use(g.git_dir)
    speak_office_language(g)
    findings = pre_commit(g, hook_now(g))
    return tell(findings, say, _("complaintctl: commit refused — {n} finding(s)"))


def tell(problems: Sequence[object], say: Callable[[str], None], refused: str) -> int:
    """A hook's answer to git: every problem on its own line, then the refusal (`refused`, with
    {n}) and 1; nothing and 0 when there is none. Both hooks answer this way."""
    for p in problems:
        say(f"complaintctl: {p}")
    if problems:
        say(refused.format(n=len(problems)))
        return 1
    return 0


def speak_office_language(g: Git) -> None:
    """The hooks speak the office's language (policy `language`): the work tree's policy in a
    clone, HEAD's (main's) on the server; English when there is none to read."""
    from complaintctl import i18n

    try:  # a clone: the work tree's file, no git process (the hook stays cheap)
        text: str | None = (g.root / POLICY_FILE).read_text(encoding="utf-8", errors="replace")
    except (ComplaintError, OSError):  # the server's bare repository: main's
        try:
            # main's: a server's HEAD may name another branch (gitolite creates `master`)
            text = g.show("refs/heads/main", POLICY_FILE) or g.show("HEAD", POLICY_FILE)
        except ComplaintError:  # the language is a nicety: the hook's verdict must not depend on it
            return
    # read from the text, so that a policy the hook refuses (a newer min_version, a typo) is
    # still refused in the office's language
    found = LANGUAGE_LINE.search(text or "")
    if found:
        i18n.use(found.group(1))


