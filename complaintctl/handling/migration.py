"""Moving an existing shared repository to encrypted complainant fields (R-RT-5; docs/privacy.md,
"Migration"): history already in every clone cannot be taken back, so the current state is
encrypted into a NEW repository with one root commit, and the old history stays with hq.

hq runs it in their clone of the old repository once the policy there says
`privacy: {required: true, …}`, the people's keys are listed and `keys init` made every office's
keys. Every case file of HEAD is sealed under a new case key and given its lookups; every other
file of HEAD is copied as it is. A clear field that looks like a complainant's data would be
refused by the new server, so it refuses the whole migration first, naming each one (fix it
with `edit` in the old repository). Nothing is created unless all of it works."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from complaintctl.errors import InvalidInput, RepoStateError, ValidationFailed
from complaintctl.i18n import _
from complaintctl.model.case import decode, dump_document, load_document
from complaintctl.model.ids import is_case_path, parse_case_id
from complaintctl.privacy import casekeys, repeats
from complaintctl.privacy.casekeys import WrappedKey
from complaintctl.privacy.document import protect
from complaintctl.repo import hooks, messages
from complaintctl.repo.git import Git, Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.rules import clear_text
from complaintctl.rules.finding import Finding

MATERIALS = "materials/"


@dataclass(frozen=True)
class Migrated:
    path: Path
    commit: str
    cases: int
    skipped: tuple[str, ...]  # files left behind (the kept originals: not yet encrypted whole)


def migrate(ws: Workspace, dest: Path, actor: Identity) -> Migrated:
    """Encrypt HEAD's state of `ws` into a new repository at `dest` (one root commit)."""
    if not ws.policy.privacy.required:
        raise InvalidInput(_("turn privacy on first: `privacy: {required: true, recovery: …}` in the policy, "
                             "people's keys, `complaintctl keys init OFFICE` for every office"))
    if dest.exists() and any(dest.iterdir()):
        raise RepoStateError(f"{dest} already exists and is not empty")
    head = ws.git.rev_parse("HEAD")
    if head is None:
        raise RepoStateError(f"{ws.root}: nothing committed to migrate")
    files = ws.git.paths_in(head, ".")
    written: dict[str, bytes] = {}
    keys: dict[str, dict[str, WrappedKey]] = {}
    problems: list[object] = []
    skipped = []
    for path in files:
        raw = ws.git.blob(ws.git.run("rev-parse", f"{head}:{path}"))
        if path.startswith(MATERIALS):
            skipped.append(path)  # R-RT-5: originals are to be stored encrypted whole; not built yet
            continue
        if not is_case_path(path):
            written[path] = raw
            continue
        doc = load_document(decode(raw, path), path, ws.policy.limits)
        problems.extend(Finding(path, field, clear_text.RULE, clear_text.refusal(kinds))
                        for field, value in clear_text.clear_values(doc)
                        if (kinds := clear_text.identifying(value)))
        office = parse_case_id(str(doc.get("id"))).office
        repeats.stamp(doc, office, ws.keyring)
        made = protect(doc, office, ws.keyring)
        if made is not None:
            keys.setdefault(made.office, {})[made.kid] = made.entry
        written[path] = dump_document(doc).encode("utf-8")
    if problems:
        raise ValidationFailed(problems)
    sha = _write(dest, written, keys, messages.migrated(ws.policy.language, head), actor)
    return Migrated(dest, sha, sum(map(is_case_path, written)), tuple(skipped))


def _write(dest: Path, written: dict[str, bytes], keys: dict[str, dict[str, WrappedKey]], message: str,
           actor: Identity) -> str:
    outermost = next((p for p in reversed((dest, *dest.parents)) if not p.exists()), None)
    try:
        g = Git.init(dest)
        for path, data in written.items():
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for office, entries in sorted(keys.items()):
            casekeys.add(g, office, entries, actor)
        sha = g.add_and_commit(sorted(written), message)
        hooks.install(g)
    except BaseException:
        if outermost is not None:
            shutil.rmtree(outermost, ignore_errors=True)
        else:
            shutil.rmtree(dest / ".git", ignore_errors=True)
        raise
    return sha
