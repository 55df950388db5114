"""`complaintctl server backup` / `server restore`: the group's server in one file.

A backup is a gzip'd tar of:
- `repository.bundle`: `git bundle create --all` — main with every case, the policy, the
  wrapped office keys under keys/, and every other ref the server holds (notes, case keys);
- `config`: the server repository's own settings that no push can change
  (`complaintctl.*`, `receive.*`), one `key value` per line;
- `layout`: where the server runs complaintctl's hook (server init's `--layout`);
- `complaintctl/pushes.jsonl`: the push log `server status` reads.
Nothing else of `$GIT_DIR/complaintctl/` is kept: the rest are caches, rebuilt on use.

Restore makes a new (or empty) bare repository with `server init`'s own steps, fetches every
ref from the bundle (no hook runs: this is the record as it was, not a push), and puts the
settings back. The file is written with mode 0600: it is the whole record.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from complaintctl.errors import InvalidInput, RepoStateError
from complaintctl.remote import pushlog, server
from complaintctl.repo.git import clean_env
from complaintctl.repo.git.runner import git

BUNDLE, CONFIG, LAYOUT = "repository.bundle", "config", "layout"
KEPT_CONFIG = r"^(complaintctl|receive)\."
MACHINE_CONFIG = ("complaintctl.python",)  # where this machine's Python is: set by init, never restored


@dataclass(frozen=True)
class Backup:
    path: Path
    refs: int
    layout: str


def _git(*args: str, cwd: Path | None = None, ok: bool = True) -> str:
    # Another repository than the one we may run in: never inherit GIT_DIR & co.
    code, out = git(*args, cwd=cwd, env=clean_env(), ok=(0,) if ok else None)
    return out.decode("utf-8", "replace").strip() if code == 0 else ""


def layout_of(repo: Path) -> str:
    """Which of server init's layouts holds complaintctl's hook here."""
    for name, rel in server.LAYOUTS.items():
        hook = repo / rel
        if hook.is_file() and "complaintctl" in hook.read_text(encoding="utf-8", errors="replace"):
            return "gitolite" if name == "plain" and (repo / "hooks" / "update").is_symlink() else name
    raise RepoStateError(f"{repo}: no complaintctl hook found (not a server repository set up by `server init`)")


def backup(repo: Path, out: Path) -> Backup:
    if _git("rev-parse", "--is-bare-repository", cwd=repo, ok=False) != "true":
        raise RepoStateError(f"{repo} is not a bare repository (back up the server's repository)")
    layout = layout_of(repo)
    refs = _git("for-each-ref", "--format=%(refname)", cwd=repo).splitlines()
    if not refs:
        raise RepoStateError(f"{repo} has nothing to back up yet (no refs)")
    config = _git("config", "--local", "--get-regexp", KEPT_CONFIG, cwd=repo, ok=False)
    with tempfile.TemporaryDirectory(prefix="complaintctl-backup-") as tmp:
        bundle = Path(tmp) / BUNDLE
        _git("bundle", "create", "-q", str(bundle), "--all", cwd=repo)
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
                tar.add(bundle, BUNDLE)
                _add_text(tar, CONFIG, config + "\n")
                _add_text(tar, LAYOUT, layout + "\n")
                log = repo / pushlog.LOG
                if log.is_file():
                    tar.add(log, pushlog.LOG)
            partial.replace(out)  # a backup is whole or absent
        finally:
            partial.unlink(missing_ok=True)
    return Backup(out, len(refs), layout)


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def restore(archive: Path, target: Path, command: str | None = None) -> Backup:
    """Into a new or empty bare repository (for gitolite: one gitolite has just created)."""
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise InvalidInput(f"{archive}: not a complaintctl server backup ({exc})") from exc
    with tar, tempfile.TemporaryDirectory(prefix="complaintctl-restore-") as tmp:
        names = set(tar.getnames())
        if not {BUNDLE, CONFIG, LAYOUT} <= names:
            raise InvalidInput(f"{archive}: not a complaintctl server backup (it lacks {BUNDLE}, {CONFIG} or {LAYOUT})")
        tar.extractall(tmp, members=[m for m in tar.getmembers() if m.isfile()], filter="data")
        base = Path(tmp)
        layout = (base / LAYOUT).read_text(encoding="utf-8").strip()
        if layout not in server.LAYOUTS:
            raise InvalidInput(f"{archive}: unknown layout {layout!r}")
        if target.exists() and any(target.iterdir()) and _git("for-each-ref", cwd=target, ok=False):
            raise RepoStateError(f"{target} already holds refs: restore into a new or empty repository")
        settings = _settings((base / CONFIG).read_text(encoding="utf-8"))
        anonymous = settings.get("complaintctl.allowanonymous", "false") == "true"
        server.init_server(target, layout, command, force=False, allow_anonymous=anonymous)
        _git("fetch", "-q", str(base / BUNDLE), "refs/*:refs/*", cwd=target)
        for key, value in settings.items():
            if key not in {k.lower() for k in MACHINE_CONFIG}:
                _git("config", key, value, cwd=target)
        if (base / pushlog.LOG).is_file():
            (target / pushlog.LOG).parent.mkdir(parents=True, exist_ok=True)
            (target / pushlog.LOG).write_bytes((base / pushlog.LOG).read_bytes())
        refs = _git("for-each-ref", "--format=%(refname)", cwd=target).splitlines()
    return Backup(target, len(refs), layout)


def _settings(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key:
            out[key.lower()] = value
    return out
