"""The read index's private side (R-RT-5): the search words of the protected fields, for the
cases this user's keys open, in a file only they can read.

The shared index (.git/complaintctl/index.sqlite) holds markers only, so `search` and
`similar` would never find a case by the customer's own words. This file holds, per sealed case
the user can open, the weighted words of its protected searchable fields (model.text.FIELDS)
and, as `terms`, those of them the case's clear fields do not already hold (so a word's
document frequency is the shared index's plus this file's: the same figures as without
privacy). It lives at `$XDG_CACHE_HOME/complaintctl/<clone id>/private.sqlite` beside the key
cache (privacy/cache.py: folder 0700, file 0600, owner and modes checked; the clone id is a
digest of this work tree's git directory and of the identity file, so two people on one clone
never share it). Nothing is written when that check fails: search then covers clear fields.

Freshness follows the shared index, O(changed): the `cases` tree and work-tree files it last
mirrored, compared with the shared index's own (`fresh._tree_changes`). Keys change rarely
and are checked by fingerprint: `keys/` at HEAD changed (a rewrap, a rotation: access gained
or lost) — every sealed case is checked again; the case-key refs moved (a sync, an erasure) —
the cases not open yet are tried again and those whose key an erasure retired are dropped.
Rows are deleted with SQLite's `secure_delete`, so a dropped case's words leave the file's
bytes too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from complaintctl.model.case import get
from complaintctl.model.text import FIELDS, tokens, vector
from complaintctl.privacy import casekeys
from complaintctl.privacy import marker as M
from complaintctl.privacy.cache import open_private_db, private_dir
from complaintctl.privacy.document import key_id_of, office_of, reveal
from complaintctl.privacy.keyring import Keyring
from complaintctl.repo.index import fresh
from complaintctl.repo.index.schema import install, rollback
from complaintctl.repo.workspace import Workspace

FILE = "private.sqlite"
_CODE = ("repo/index/private.py", "model/text.py", "privacy/document.py", "privacy/marker.py")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE cases (path TEXT PRIMARY KEY, src TEXT, office TEXT, kid TEXT, vec TEXT);
CREATE TABLE terms (token TEXT, path TEXT, PRIMARY KEY (token, path)) WITHOUT ROWID;
CREATE INDEX terms_path ON terms (path);
CREATE INDEX cases_unopened ON cases (office) WHERE vec IS NULL;
CREATE TABLE dirty (path TEXT PRIMARY KEY);
"""
# the protected fields search reads (the customer's own account), with their weights
PROTECTED = tuple((f, w) for f, w in FIELDS if f in M.ENCRYPTED_FIELDS)


def _version() -> str:
    root = Path(__file__).resolve().parent.parent.parent
    h = hashlib.sha1(b"private 1")
    for rel in _CODE:
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:16]


class PrivateIndex:
    """The open private side of one work tree's index, for one identity."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    # -- what search and similar read -------------------------------------------------------------

    def paths_with(self, token: str) -> set[str]:
        """The opened cases whose protected fields, and not their clear ones, hold `token`."""
        return {p for (p,) in self.db.execute("SELECT path FROM terms WHERE token = ?", (token,))}

    def vector(self, path: str) -> Counter[str]:
        """The weighted words of a case's protected fields (empty: not sealed, or not opened)."""
        found = self.db.execute("SELECT vec FROM cases WHERE path = ? AND vec IS NOT NULL", (path,)).fetchone()
        return Counter(json.loads(found[0])) if found else Counter()

    def vectors(self) -> Iterator[tuple[str, dict[str, float]]]:
        """(path, weighted words) of every opened case, in path order (as the shared index's)."""
        for path, vec in self.db.execute("SELECT path, vec FROM cases WHERE vec IS NOT NULL ORDER BY path"):
            yield path, json.loads(vec)

    def document_frequencies(self) -> dict[str, int]:
        """token -> opened cases holding it in their protected fields only (added to the shared
        index's own counts, the figures are those of the cases as this user reads them)."""
        return dict(self.db.execute("SELECT token, count(*) FROM terms GROUP BY token"))

    def close(self) -> None:
        self.db.close()

    # -- keeping it fresh -------------------------------------------------------------------------

    def refresh(self, ws: Workspace, shared: sqlite3.Connection, keyring: Keyring) -> None:
        """Bring the file up to the shared index `shared` (already fresh) and this user's keys."""
        g = ws.git
        tree = _meta(shared).get("tree", "")
        dirty_now = {p for (p,) in shared.execute("SELECT path FROM dirty")}
        keys, refs = _fingerprints(ws)
        state = _meta(self.db)
        dirty_before = {p for (p,) in self.db.execute("SELECT path FROM dirty")}
        if (state.get("tree"), state.get("keys"), state.get("refs")) == (tree, keys, refs) \
                and not dirty_now and not dirty_before:
            return  # the common case: nothing changed
        self.db.execute("BEGIN IMMEDIATE")
        try:
            state = _meta(self.db)
            dirty_before = {p for (p,) in self.db.execute("SELECT path FROM dirty")}
            changes = fresh._tree_changes(g, state.get("tree", ""), tree) \
                if state.get("keys") == keys and state.get("tree") is not None else None
            if changes is None:  # cold, a gc'd tree, or keys/ changed (access gained or lost)
                self._all(shared, keyring)
            else:
                self._paths(shared, keyring, set(changes) | dirty_now | dirty_before, again=False)
                if state.get("refs") != refs:  # a sync brought case keys, or an erasure retired one
                    self._keys_moved(shared, keyring)
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [("tree", tree), ("keys", keys), ("refs", refs)])
            self.db.execute("DELETE FROM dirty")
            self.db.executemany("INSERT INTO dirty VALUES (?)", [(p,) for p in sorted(dirty_now)])
            self.db.execute("COMMIT")
        except BaseException:
            rollback(self.db)
            raise

    def _all(self, shared: sqlite3.Connection, keyring: Keyring) -> None:
        sealed = {p for (p,) in shared.execute(
            "SELECT path FROM cases WHERE error IS NULL AND instr(doc, '\"ENC[') > 0")}
        self._drop(p for (p,) in self.db.execute("SELECT path FROM cases").fetchall() if p not in sealed)
        self._paths(shared, keyring, sealed, again=True)

    def _keys_moved(self, shared: sqlite3.Connection, keyring: Keyring) -> None:
        rows = self.db.execute("SELECT path, office, kid, vec IS NULL FROM cases").fetchall()
        gone = [p for p, office, kid, _ in rows if office and kid in keyring.erased(office)]
        self._drop(gone)
        retry = {p for p, office, kid, closed in rows if closed and p not in gone and _opens(keyring, office, kid)}
        self._paths(shared, keyring, retry, again=True)

    def _paths(self, shared: sqlite3.Connection, keyring: Keyring, paths: Iterable[str], again: bool) -> None:
        wanted = sorted(set(paths))
        have = dict(self.db.execute("SELECT path, src FROM cases")) if len(wanted) > 500 else None
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            found = {p: (blob, sig, doc) for p, blob, sig, doc in shared.execute(
                f"SELECT path, blob, sig, doc FROM cases WHERE error IS NULL AND path IN ({','.join('?' * len(part))})",
                part)}
            for path in part:
                blob, sig, doc = found.get(path, (None, None, None))
                if doc is None or '"ENC[' not in doc:
                    self._drop([path])  # gone, unreadable, or nothing sealed (an erasure)
                    continue
                src = blob or (f"work tree {sig}" if sig else "")  # "": racy, read again next time
                old = have.get(path) if have is not None else _src(self.db, path)
                if src and old == src and not again:
                    continue
                self._put(path, src, json.loads(doc), keyring)

    def _put(self, path: str, src: str, data: Mapping[str, Any], keyring: Keyring) -> None:
        kid = key_id_of(data)
        office = office_of(data)
        self._drop([path])
        if kid is None or office is None or not _opens(keyring, office, kid):
            # R-RT-5: not this user's to read: remembered without a word, to try when keys change
            self.db.execute("INSERT INTO cases VALUES (?, ?, ?, ?, NULL)", (path, src, office or "", kid or ""))
            return
        opened = reveal(data, keyring)
        vec: Counter[str] = Counter()
        for f, weight in PROTECTED:
            value = get(opened, f)
            if isinstance(value, str) and value not in (M.ENCRYPTED, M.ERASED) and not value.startswith("ENC["):
                for tok in tokens(value):
                    vec[tok] += weight  # type: ignore[assignment]
        clear = vector(data)  # the sealed fields' markers are no words there (model.text)
        self.db.execute("INSERT INTO cases VALUES (?, ?, ?, ?, ?)",
                        (path, src, office, kid, json.dumps(vec, ensure_ascii=False)))
        self.db.executemany("INSERT INTO terms VALUES (?, ?)", [(t, path) for t in sorted(vec) if t not in clear])

    def _drop(self, paths: Iterable[str]) -> None:
        for path in paths:
            self.db.execute("DELETE FROM terms WHERE path = ?", (path,))
            self.db.execute("DELETE FROM cases WHERE path = ?", (path,))


def _opens(keyring: Keyring, office: str, kid: str) -> bool:
    # R-RT-5: a user who no longer holds any key of the office (re-wrapped without them) reads
    # none of its cases here, even where a case key of theirs is still cached
    return keyring.can_read(office) and keyring.case_key(office, kid) is not None


def _src(db: sqlite3.Connection, path: str) -> str | None:
    found = db.execute("SELECT src FROM cases WHERE path = ?", (path,)).fetchone()
    return str(found[0]) if found else None


def _meta(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta").fetchall())


def _fingerprints(ws: Workspace) -> tuple[str, str]:
    """(the office key files at HEAD, the case-key refs here and as last fetched)."""
    code, out = ws.git.plain("rev-parse", "-q", "--verify", "HEAD:keys", ok=(0, 1))  # 1: no keys/ yet
    keys = out.decode().strip() if code == 0 else ""
    refs = ws.git.plain_text("for-each-ref", "--format=%(refname) %(objectname)", casekeys.PREFIX,
                             casekeys.REMOTE_PREFIX)
    return keys, hashlib.sha1(refs.encode()).hexdigest()


def file_of(ws: Workspace, keyring: Keyring) -> Path | None:
    """Where this user's private index of this work tree lives (None: no identity, or no folder
    only they can enter)."""
    if not keyring.identity_id:
        return None
    folder = private_dir(ws.git.own_git_dir, keyring.identity_id)
    return folder / FILE if folder is not None else None


def open_private(ws: Workspace, shared: sqlite3.Connection) -> PrivateIndex | None:
    """This user's private index, brought up to date with the (fresh) shared index `shared`;
    None when privacy is off, the user holds no key, or no private file can be had — search then
    covers the clear fields only."""
    if not ws.policy.privacy.required:
        return None
    keyring = ws.keyring
    path = file_of(ws, keyring)
    db = open_private_db(path.parent, FILE) if path is not None else None
    if db is None or path is None:
        return None
    try:
        db.isolation_level = None
        # R-RT-5: a deleted row's bytes are overwritten, so a dropped case's words leave the file
        db.execute("PRAGMA secure_delete = ON")
        _ensure_schema(db)
        found = PrivateIndex(db, path)
        found.refresh(ws, shared, keyring)
    except sqlite3.Error:
        db.close()
        return None  # a cache: without it, search covers the clear fields
    except BaseException:
        db.close()
        raise
    return found


def _ensure_schema(db: sqlite3.Connection) -> None:
    if install(db, _SCHEMA, _version()):
        db.execute("VACUUM")  # the old version's pages, words included, leave the file
