"""The client's git hooks, written where a push cannot reach them.

A hook in the work tree (`core.hooksPath=hooks`, what offices used before) is a file any
push can change, and git would run the new version on the next commit in every office.
So `init`, `clone` and `complaintctl hook install` write the hooks into the clone's own
`.git/hooks/`, with the Python that runs complaintctl filled in: git runs the installed
package, never a script from the repository. `validate` warns when what git would run
differs from what this complaintctl installs.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from complaintctl.errors import PolicyError
from complaintctl.i18n import _
from complaintctl.policy.policy import load_policy
from complaintctl.policy.resources import hook_path
from complaintctl.repo.files import set_new_file_mode
from complaintctl.repo.git import Git
from complaintctl.repo.vouch import python_id

CLIENT_HOOKS = ("pre-commit", "post-commit")  # post-commit: the witness without a shared remote
PLACEHOLDER = "PYTHON=python3"  # the line of the shipped template that install fills in
ID_PLACEHOLDER = "PYTHON_ID=\n"  # and the interpreter as the vouch token names it
HOOKS_PATH = "core.hooksPath"
DIFF_DRIVER = "complaintctl"  # .gitattributes: cases/**/*.yaml diff=complaintctl
GITATTRIBUTES = f"cases/**/*.yaml diff={DIFF_DRIVER}\n"


def hook_text(name: str, python: str = sys.executable) -> str:
    """The hook as this complaintctl installs it: the shipped template, pinned to `python`."""
    template = hook_path(name).read_text(encoding="utf-8")
    if PLACEHOLDER not in template:
        raise FileNotFoundError(f"{hook_path(name)} is not complaintctl's hook template (no {PLACEHOLDER} line)")
    text = template.replace(PLACEHOLDER, f"PYTHON={shlex.quote(python)}", 1)
    return text.replace(ID_PLACEHOLDER, f"PYTHON_ID={shlex.quote(python_id(python))}\n", 1)


def installed_dir(g: Git) -> Path:
    return g.git_dir / "hooks"


def install(g: Git) -> list[str]:
    """Write the client hooks into .git/hooks and stop git from running a work-tree folder.
    Returns what was done besides (a foreign hook moved aside, core.hooksPath unset)."""
    notes = []
    folder = installed_dir(g)
    folder.mkdir(parents=True, exist_ok=True)
    for name in CLIENT_HOOKS:
        target = folder / name
        text = hook_text(name)
        if target.exists() and is_framework(target):  # the office chose the framework (README): it owns the hook
            notes.append(_("left the pre-commit framework's {name} hook in place: it validates where "
                           ".pre-commit-config.yaml lists complaintctl-validate").format(name=name))
            continue
        if target.exists() and not _ours(target):
            aside = target.with_name(f"{name}.before-complaintctl")
            target.replace(aside)
            notes.append(_("moved the existing {name} hook to {aside}").format(name=name, aside=aside))
        tmp = target.with_name(f".{name}.complaintctl-tmp")
        tmp.write_text(text, encoding="utf-8")
        set_new_file_mode(tmp, executable=True)
        tmp.replace(target)
    local = g.get_config_local(HOOKS_PATH)
    if local is not None and not _is(local, g, folder):
        g.unset_config_local(HOOKS_PATH)
        notes.append(_("unset {key}={value} (git now runs the hooks in {folder})").format(
            key=HOOKS_PATH, value=local, folder=folder))
    notes.extend(install_diff_driver(g))
    inherited = g.get_config(HOOKS_PATH)
    if inherited is not None and not _is(inherited, g, folder):
        # A user-wide or system-wide hooks folder would win over .git/hooks: point this clone back.
        g.set_config(HOOKS_PATH, str(folder))
        notes.append(_("set {key}={folder} here (your git config sets {inherited} for every repository)").format(
            key=HOOKS_PATH, folder=folder, inherited=inherited))
    return notes


def install_diff_driver(g: Git) -> list[str]:
    """R-RT-5: with privacy required, `git diff` and `git log -p` show a key holder the text of
    the fields their keys open (.gitattributes: `cases/**/*.yaml diff=complaintctl`; the driver
    is privacy/textconv.py). Caching is off: git would keep the plaintext in refs/notes/textconv."""
    try:
        required = load_policy(g.root).privacy.required
    except (PolicyError, OSError):
        return []
    if not required:
        return []
    g.set_config(f"diff.{DIFF_DRIVER}.textconv", f"{shlex.quote(sys.executable)} -m complaintctl textconv")
    g.set_config(f"diff.{DIFF_DRIVER}.cachetextconv", "false")
    return []


def problems(g: Git) -> list[str]:
    """Why the hooks git runs here are not the ones this complaintctl would install (empty: fine)."""
    configured = g.get_config(HOOKS_PATH)
    if configured is not None and not _is(configured, g, installed_dir(g)):
        where = _where(configured, g)
        inside = where.is_relative_to(g.root.resolve()) and not where.is_relative_to(g.git_dir.resolve())
        why = (_("a folder in the work tree, which any push can change") if inside
               else _("not the hooks complaintctl installs"))
        return [_("{key}={value}: git runs hooks from {why} — run `complaintctl hook install`").format(
            key=HOOKS_PATH, value=configured, why=why)]
    out = []
    for name in CLIENT_HOOKS:
        target = installed_dir(g) / name
        if not target.is_file():
            out.append(_("{hook}: missing, so commits are not validated — run `complaintctl hook install`").format(
                hook=target))
        elif is_framework(target):  # noted, not to be replaced: `hook install` leaves it in place
            out.append(_("{hook}: the pre-commit framework's hook, not complaintctl's own: commits are validated "
                         "where .pre-commit-config.yaml lists complaintctl-validate").format(hook=target))
        elif target.read_text(encoding="utf-8", errors="replace") != hook_text(name):
            out.append(_("{hook}: differs from what this complaintctl ({python}) would install — run "
                         "`complaintctl hook install`").format(hook=target, python=sys.executable))
    return out


def _where(configured: str, g: Git) -> Path:
    """The folder a core.hooksPath value names (relative ones are relative to the work tree)."""
    where = Path(configured).expanduser()
    return (where if where.is_absolute() else g.root / where).resolve()


def _is(configured: str, g: Git, folder: Path) -> bool:
    return _where(configured, g) == folder.resolve()


FRAMEWORK_MARK = "File generated by pre-commit: https://pre-commit.com"  # the framework's hook template


def is_framework(path: Path) -> bool:
    """The hook is the pre-commit framework's (pre-commit.com), which the README lets an office use."""
    return FRAMEWORK_MARK in path.read_text(encoding="utf-8", errors="replace")


def _ours(path: Path) -> bool:
    return "complaintctl" in path.read_text(encoding="utf-8", errors="replace")
