"""The keys this user holds: their identity (`COMPLAINTCTL_IDENTITY`, an age identity file or an
unencrypted OpenSSH key; by default ~/.ssh/id_ed25519), the office keys it unwraps from keys/,
and the case keys those open from the case-key refs. A missing or unfitting key is never an
error: `can_read` says False and readers show `[encrypted]` (R-RT-5)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from complaintctl.privacy import casekeys, erased, officekeys
from complaintctl.privacy import marker as M
from complaintctl.privacy.cache import KeyCache
from complaintctl.privacy.casekeys import GitLike, WrappedKey
from complaintctl.privacy.cipher import DecryptFailed, unwrap_case_key, wrap_case_key
from complaintctl.privacy.officekeys import OfficeKeys

IDENTITY_ENV = "COMPLAINTCTL_IDENTITY"
MAX_IDENTITY_BYTES = 64 << 10


def identity_path(env: Mapping[str, str] = os.environ) -> Path:
    given = env.get(IDENTITY_ENV)
    return Path(given).expanduser() if given else Path(env.get("HOME") or Path.home()) / ".ssh" / "id_ed25519"


def parse_identities(raw: bytes) -> list[Any]:
    """The identities in a key file's bytes; [] for anything else (a passphrase-protected ssh
    key too: pyrage refuses those, and no key is then held)."""
    import pyrage

    text = raw.decode("utf-8", "replace")
    if "OPENSSH PRIVATE KEY" in text:
        try:
            return [pyrage.ssh.Identity.from_buffer(raw)]
        except (pyrage.IdentityError, ValueError, TypeError):
            return []
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                found.append(pyrage.x25519.Identity.from_str(line))
            except (pyrage.IdentityError, ValueError):
                continue
    return found


def read_identity(env: Mapping[str, str] = os.environ) -> bytes:
    """The identity file's bytes; empty when there is none (or it is too large to be a key)."""
    try:
        with identity_path(env).open("rb") as f:
            raw = f.read(MAX_IDENTITY_BYTES + 1)
    except OSError:
        return b""
    return b"" if len(raw) > MAX_IDENTITY_BYTES else raw


def load_identities(env: Mapping[str, str] = os.environ) -> list[Any]:
    raw = read_identity(env)
    return parse_identities(raw) if raw else []


class Keyring:
    """What one user can open in one clone: office keys by (office, epoch), case keys by id."""

    def __init__(self, root: Path, git: GitLike | None, identities: Sequence[Any],
                 cache: KeyCache | None = None, identity_id: str = "") -> None:
        self._root = root
        # a digest of the identity file: what this user's private cache files are keyed by
        # (privacy/cache.py), so two people on one clone never share one
        self.identity_id = identity_id if identities else ""
        self._git = git
        self._identities = list(identities)
        self._cache = cache or KeyCache(None)
        self._office: dict[str, dict[int, OfficeKeys]] = {}
        self._case: dict[tuple[str, str], bytes | None] = {}
        self._wrapped: dict[str, dict[str, WrappedKey]] = {}  # office -> all its wrapped case keys, once read
        self._asked: dict[str, int] = {}  # office -> case keys looked up
        self._erased: dict[str, set[str]] = {}  # office -> case keys an erasure retired

    @classmethod
    def open(cls, root: Path, git: GitLike | None, env: Mapping[str, str] = os.environ) -> Keyring:
        raw = read_identity(env)
        identities = parse_identities(raw) if raw else []
        cache = None
        digest = hashlib.sha256(raw).hexdigest()
        if identities and git is not None:  # the cache is this identity's alone (privacy/cache.py)
            cache = KeyCache.open(git.git_dir, digest, env)
        return cls(root, git, identities, cache, digest)

    @property
    def has_identity(self) -> bool:
        return bool(self._identities)

    def office_keys(self, office: str) -> dict[int, OfficeKeys]:
        """epoch -> keys, for the epochs of `office` this user's identity opens."""
        if office not in self._office:
            held: dict[int, OfficeKeys] = {}
            for epoch in officekeys.epochs(self._root, office) if self._identities else []:
                try:
                    blob = (self._root / officekeys.age_path(office, epoch)).read_bytes()
                except OSError:
                    continue
                digest = hashlib.sha256(blob).hexdigest()  # a re-wrapped file is a new entry
                cached = self._cache.office_keys(office, epoch, digest)
                keys: OfficeKeys | None
                if cached is not None:
                    keys = OfficeKeys(office, epoch, *cached)
                else:
                    try:
                        keys = officekeys.unwrap(blob, self._identities, office, epoch)
                    except officekeys.BadKeyFile:
                        keys = None
                    if keys is not None:
                        self._cache.put_office_keys(office, epoch, digest, keys.data, keys.index)
                if keys is not None:
                    held[epoch] = keys
            self._office[office] = held
        return self._office[office]

    def can_read(self, office: str) -> bool:
        return bool(self.office_keys(office))

    def current(self, office: str) -> OfficeKeys | None:
        """The keys of the office's newest epoch, if this user holds them (new case keys use it)."""
        newest = officekeys.epochs(self._root, office)
        return self.office_keys(office).get(newest[-1]) if newest else None

    def index_key(self, office: str, epoch: int) -> bytes | None:
        keys = self.office_keys(office).get(epoch)
        return keys.index if keys else None

    def preload(self, office: str) -> None:
        """Read every wrapped case key of `office` at once (a view over many cases)."""
        if office not in self._wrapped and self._git is not None and self.can_read(office):
            self._wrapped[office] = casekeys.read_all(self._git, (casekeys.ref(office), casekeys.remote_ref(office)))

    def case_key(self, office: str, kid: str) -> bytes | None:
        """The case key `kid` of `office`, None when this user cannot open it."""
        if (office, kid) in self._case:
            return self._case[(office, kid)]
        if kid in self.erased(office):  # R-RT-5, PIPL art. 47: gone for good, from the cache too
            self._cache.forget_case_key(office, kid)
            self._case[(office, kid)] = None
            return None
        key = self._cache.case_key(office, kid)
        if key is not None:
            self._case[(office, kid)] = key
            return key
        held = self.office_keys(office)
        self._asked[office] = self._asked.get(office, 0) + 1
        if held and self._asked[office] > 1:  # a view over several cases: read the office's keys at once
            self.preload(office)
        if held and self._git is not None:
            wrapped = self._wrapped[office].get(kid) if office in self._wrapped else casekeys.read_one(
                self._git, (casekeys.ref(office), casekeys.remote_ref(office)), kid)
            keys = held.get(wrapped.epoch) if wrapped is not None else None
            if wrapped is not None and keys is not None:
                try:
                    key = unwrap_case_key(keys.data, office, M.unb64(kid), wrapped.epoch, wrapped.nonce,
                                          wrapped.wrapped)
                except (DecryptFailed, M.BadMarker):
                    key = None
                if key is not None:
                    self._cache.put_case_key(office, kid, key)
        self._case[(office, kid)] = key
        return key

    def erased(self, office: str) -> set[str]:
        """The case keys of `office` an erasure retired (privacy/erased.py), read once per command."""
        if office not in self._erased:
            self._erased[office] = set() if self._git is None else (
                erased.tombstoned(self._git, casekeys.ref(office))
                | erased.tombstoned(self._git, casekeys.remote_ref(office)))
        return self._erased[office]

    def remember(self, office: str, kid: str, key: bytes) -> None:
        """A case key made in this process (before its ref entry is read back)."""
        self._case[(office, kid)] = key
        self._cache.put_case_key(office, kid, key)

    def rewrap_current(self, office: str, kid: str, entry: WrappedKey) -> WrappedKey | None:
        """`entry` wrapped again under the office's current epoch; None when it already is, or
        when this user cannot (then the server says so at the push)."""
        current = self.current(office)
        old = self.office_keys(office).get(entry.epoch)
        if current is None or old is None or entry.epoch == current.epoch:
            return None
        raw = M.unb64(kid)
        try:
            key = unwrap_case_key(old.data, office, raw, entry.epoch, entry.nonce, entry.wrapped)
        except DecryptFailed:
            return None
        nonce, wrapped = wrap_case_key(current.data, office, raw, current.epoch, key)
        return WrappedKey(current.epoch, nonce, wrapped)
