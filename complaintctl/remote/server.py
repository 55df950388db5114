"""`complaintctl server init`: the shared bare repository every office pushes to.

The hooks are the shipped `hooks/pre-receive` (it runs `complaintctl hook pre-receive`) and
`hooks/post-receive` (the witness: it stamps what main accepted, repo/stamps.py), written
into the bare repository — where no push can change it; git itself also refuses
rewriting and deleting refs (receive.denyNonFastForwards, receive.denyDeletes), so main
stays safe even if the hook were removed.

Layouts: `plain` (git over ssh, a forced command sets COMPLAINTCTL_PUSHER), `gitolite`
(gitolite's own `update` hook stays; it sets GL_USER for every hook), `gitea` and `gitlab`.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from complaintctl.errors import ComplaintError, RepoStateError
from complaintctl.policy.resources import hook_path
from complaintctl.remote.access import ANONYMOUS_KEY
from complaintctl.repo.git import clean_env
from complaintctl.repo.git.runner import git

if TYPE_CHECKING:
    from complaintctl.remote.status import ServerStatus

# Where each server runs custom pre-receive hooks, relative to the bare repository.
LAYOUTS = {
    "plain": "hooks/pre-receive",
    "gitolite": "hooks/pre-receive",  # gitolite owns hooks/update (its access rules); pre-receive is ours
    "gitea": "hooks/pre-receive.d/complaintctl",  # Gitea/Forgejo run every script in pre-receive.d
    "gitlab": "custom_hooks/pre-receive.d/complaintctl",  # GitLab server hooks (Gitaly)
}
# ... and post-receive hooks: the witness that stamps what main accepted (repo/stamps.py).
POST_LAYOUTS = {
    "plain": "hooks/post-receive",
    "gitolite": "hooks/post-receive",  # gitolite 3 installs no post-receive of its own in a repository
    "gitea": "hooks/post-receive.d/complaintctl",
    "gitlab": "custom_hooks/post-receive.d/complaintctl",
}
CONFIG = {"receive.denyNonFastForwards": "true", "receive.denyDeletes": "true"}


@dataclass(frozen=True)
class ServerSetup:
    path: Path
    created: bool
    hook: Path
    post_hook: Path


def _git(*args: str, cwd: Path | None = None) -> str:
    # A child in *another* repository: never inherit GIT_DIR & co. (we may run inside a hook).
    return git(*args, cwd=cwd, env=clean_env())[1].decode("utf-8", "replace").strip()


def hook_text(command: str | None, name: str = "pre-receive") -> str:
    text = hook_path(name).read_text(encoding="utf-8")
    if not command:
        return text
    shebang, _, rest = text.partition("\n")
    return f"{shebang}\nCOMPLAINTCTL=${{COMPLAINTCTL:-{shlex.quote(command)}}}\n{rest}"


def init_server(path: Path, layout: str = "plain", command: str | None = None,
                force: bool = False, allow_anonymous: bool = False) -> ServerSetup:
    """Create the bare repository if needed (branch main), install the hook, set receive.*.
    `allow_anonymous`: take pushes without a pusher identity (a local or NAS remote one office
    uses alone) — kept in this repository's own config, so no push can change it; otherwise
    the hook refuses them (remote.access.judge_for)."""
    created = not path.exists() or not any(path.iterdir())
    if created:
        path.mkdir(parents=True, exist_ok=True)
        _git("init", "-q", "--bare", "-b", "main", str(path))
    elif _git("rev-parse", "--is-bare-repository", cwd=path) != "true":
        raise RepoStateError(f"{path} is not a bare repository (a server repository has no working tree)")
    if layout == "gitolite":
        _check_gitolite(path)
    hooks = {path / LAYOUTS[layout]: hook_text(command),
             path / POST_LAYOUTS[layout]: hook_text(command, "post-receive")}
    for hook, text in hooks.items():
        if hook.exists() and hook.read_text(encoding="utf-8", errors="replace") != text and not force:
            raise RepoStateError(f"{hook} exists and is not complaintctl's: move it away or pass --force")
    for hook, text in hooks.items():
        hook.parent.mkdir(parents=True, exist_ok=True)
        hook.write_text(text, encoding="utf-8")
        hook.chmod(0o755)
    for key, value in CONFIG.items():
        _git("config", key, value, cwd=path)
    # The hook's last resort when complaintctl is not on the server's PATH: this Python.
    _git("config", "complaintctl.python", sys.executable, cwd=path)
    _git("config", ANONYMOUS_KEY, "true" if allow_anonymous else "false", cwd=path)
    return ServerSetup(path, created, path / LAYOUTS[layout], path / POST_LAYOUTS[layout])



def _check_gitolite(path: Path) -> None:
    """A gitolite repository carries gitolite's update hook (a link into ~/.gitolite)."""
    update = path / "hooks" / "update"
    if not update.is_symlink() or ".gitolite" not in str(update.readlink()):
        raise RepoStateError(f"{path} is not a gitolite repository ({update} is not gitolite's update hook): "
                             "add the repository to gitolite.conf and push gitolite-admin first")


def status(path: Path, now: datetime | None = None) -> ServerStatus:
    """`server status`: the policy on main, the push log, the server's clock."""
    from complaintctl.model import clock
    from complaintctl.policy.policy import POLICY_FILE
    from complaintctl.remote import pushlog
    from complaintctl.remote.status import server_status
    from complaintctl.repo.cache import cached_policy

    try:
        text = _git("show", f"refs/heads/main:{POLICY_FILE}", cwd=path)
    except ComplaintError:
        text = ""
    if not text:
        raise RepoStateError(f"{path}: no policy on main yet (push the group's repository first)")
    policy = cached_policy(text, POLICY_FILE)
    return server_status(policy, pushlog.read(path), now or clock.current(allow_pinned=True))
