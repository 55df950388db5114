"""The clone's cache folder (`.git/complaintctl/`) and the keys that say when its contents are
still good: the code version, the `holidays` version, the policy text.

Everything here is derived data: deleting the folder only makes the next command slower.
The parsed policy and its country calendar are kept here: parsing the policy with
the pure-Python YAML reader and building the `holidays` calendar would cost ~200 ms per
process, far more than a one-case `show` may take.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from complaintctl import __version__
from complaintctl.errors import PolicyError
from complaintctl.policy import calendar
from complaintctl.policy.policy import POLICY_FILE, Policy, parse_policy_text
from complaintctl.repo.files import set_new_file_mode

FOLDER = "complaintctl"
_PACKAGE = Path(__file__).resolve().parent.parent
_where: list[Path] = []  # the cache folder the hooks' policy reads use (see use())


def folder(git_dir: Path) -> Path:
    return git_dir / FOLDER


@functools.cache
def code_version() -> str:
    """A digest of complaintctl's own source: any change to the code (a rule, the parser, the
    cache layout) or to a message catalog makes every cached verdict, record and policy stale.

    Reading and hashing every source file cost more than a one-case `show` may take, so the
    digest is remembered beside the bytecode (`__pycache__/code-version-STAMP`) under a stamp
    of each file's path, size and modification time — the test Python itself trusts its
    `.pyc` files by. A package folder that cannot be written only costs the reading."""
    files = _source_files()
    stamp = hashlib.sha1(f"{__version__}\0{sys.version}".encode())
    for rel, st in files:
        stamp.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    memo = _PACKAGE / "__pycache__" / f"code-version-{stamp.hexdigest()[:20]}"
    try:
        known = memo.read_text(encoding="ascii").strip()
        if len(known) == 16 and all(c in "0123456789abcdef" for c in known):
            return known
    except (OSError, UnicodeDecodeError):
        pass
    h = hashlib.sha1(__version__.encode())
    for rel, _st in files:
        h.update(rel.encode())
        h.update((_PACKAGE / rel).read_bytes())
    h.update(sys.version.encode())  # pickles and float formatting follow the interpreter
    version = h.hexdigest()[:16]
    _prune(memo.parent, "code-version-*", keep=0)
    write_atomic(memo, version.encode("ascii"))
    return version


def _source_files() -> list[tuple[str, os.stat_result]]:
    """(path below the package, its stat) of every source file and compiled catalog (a kept
    verdict holds its findings' text, repo/check.py), in path order; os.walk, not rglob
    (several times faster)."""
    found = []
    for top, dirs, names in os.walk(_PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith((".py", ".mo")):
                path = os.path.join(top, name)
                found.append((os.path.relpath(path, _PACKAGE), os.stat(path)))
    return sorted(found, key=lambda f: Path(f[0]).parts)


@functools.cache
def holidays_version() -> str:
    """The installed `holidays` distribution, found without importing it (~80 ms)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return "none"
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("holidays-*.dist-info"))
    if found:
        return found[-1]
    stat = Path(spec.origin).stat()  # an unusual install: its files' identity
    return f"{spec.origin}:{stat.st_mtime_ns}:{stat.st_size}"


def write_atomic(path: Path, data: bytes) -> None:
    """Best effort: a cache that cannot be written is only slower (read-only clone, full disk)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        set_new_file_mode(tmp)
        os.replace(tmp, path)
    except OSError:
        return


def use(git_dir: Path) -> None:
    """Let policy reads in this process (the hooks') use this repository's cache folder."""
    _where[:] = [folder(git_dir)]


def policy_key(text: str) -> str:
    # a policy that is not UTF-8 arrives with its bytes as surrogates (git.show): keyed by them
    key = f"{code_version()}\0{holidays_version()}\0{text}"
    return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()


def cached_policy(text: str, source: str = POLICY_FILE, git_dir: Path | None = None) -> Policy:
    """The policy parsed from `text` (PolicyError as `parse_policy_text`), from the cache when the
    same text was parsed before by the same code; its country calendar is preloaded."""
    where = folder(git_dir) if git_dir is not None else (_where[0] if _where else None)
    if where is None:
        return parse_policy_text(text, source)
    path = where / f"policy-{policy_key(text)}.pickle"
    try:
        with path.open("rb") as fh:
            policy, tables = pickle.load(fh)
        if isinstance(policy, Policy):
            for table in tables:
                calendar.preload(table)
            return policy
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    policy = parse_policy_text(text, source)
    table = calendar.table_for(policy.calendar_spec)
    stored: tuple[Any, ...] = (policy, [table] if table is not None else [])
    _prune(where, "policy-*.pickle", keep=7)
    write_atomic(path, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    return policy


def load_policy(root: Path, git_dir: Path) -> Policy:
    """The work tree's policy file (`complaintctl.yaml`), through the cache."""
    path = root / POLICY_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise PolicyError(f"{path}: no policy file — not a case repository (run `complaintctl init`)") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 (byte {exc.start}): save the policy as UTF-8") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    return cached_policy(text, str(path), git_dir)


def _prune(where: Path, pattern: str, keep: int) -> None:
    """Keep the folder small: only the `keep` most recently written files matching `pattern`."""
    try:
        found = sorted(where.glob(pattern), key=lambda p: p.stat().st_mtime_ns) if where.is_dir() else []
        for old in found[:-keep] if keep else found:
            old.unlink(missing_ok=True)
    except OSError:
        return
