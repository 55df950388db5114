"""Shell completion: commands and options come from click; case IDs, the policy's
vocabularies, states and people are completed here, by parameter name, for every command.

Click's protocol: the shell calls `complaintctl` with `_COMPLAINTCTL_COMPLETE=bash_complete`
(zsh_complete, fish_complete) and COMP_WORDS/COMP_CWORD; `_COMPLAINTCTL_COMPLETE=bash_source
complaintctl` prints the script to install (README "Shell completion"). Completing must be
cheap: case IDs are the file names under cases/ (nothing is parsed, no index is built), and
the policy is read once per completion.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from complaintctl.model.ids import CASE_ID_RE
from complaintctl.model.workflow import STATES

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _root(ctx: click.Context) -> Path:
    """The case repository completion is for: -C if given, else here (or the nearest parent
    that holds a complaintctl.yaml, as the commands find it)."""
    top = ctx.find_root()
    start = Path(top.params.get("directory") or ".").expanduser()
    start = start if start.is_absolute() else Path.cwd() / start
    for folder in (start, *start.parents):
        if (folder / "complaintctl.yaml").is_file():
            return folder
    return start


def _case_files(root: Path, incomplete: str) -> Iterator[str]:
    cases = root / "cases"
    try:
        years = sorted((e for e in os.scandir(cases) if e.is_dir(follow_symlinks=False)),
                       key=lambda e: e.name, reverse=True)
    except OSError:
        return
    for year in years:
        try:
            months = sorted((e for e in os.scandir(year.path) if e.is_dir(follow_symlinks=False)),
                            key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for month in months:
            try:
                names = sorted((e.name for e in os.scandir(month.path)), reverse=True)
            except OSError:
                continue
            for name in names:
                stem = name.removesuffix(".yaml")
                if stem != name and stem.upper().startswith(incomplete.upper()) and CASE_ID_RE.match(stem):
                    yield stem


def case_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Case IDs, newest first."""
    return [CompletionItem(i) for i in _case_files(_root(ctx), incomplete)]


def _policy(ctx: click.Context) -> Any:
    """The office's policy, from the cache every command keeps in .git (no git call, no parse
    when a command ran before), else parsed."""
    from complaintctl.errors import ComplaintError
    from complaintctl.policy.policy import load_policy
    from complaintctl.repo import cache

    root = _root(ctx)
    try:
        if (root / ".git").is_dir():
            return cache.load_policy(root, root / ".git")
        return load_policy(root)
    except (ComplaintError, OSError):
        return None


def vocabulary(name: str) -> Completer:
    """The policy's keys of one vocabulary, each with its label as the help text."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        policy = _policy(ctx)
        if policy is None:
            return []
        return [CompletionItem(key, help=policy.label(name, key)) for key in getattr(policy, name)
                if key.startswith(incomplete)]
    return complete


def people(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    policy = _policy(ctx)
    if policy is None:
        return []
    return [CompletionItem(p.name, help=p.unit) for p in policy.people if p.name.startswith(incomplete)]


def states(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(s) for s in (*STATES, "open") if s.startswith(incomplete)]


def presets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from complaintctl.repo.office import presets as known

    return [CompletionItem(p) for p in known() if p.startswith(incomplete)]


# parameter name -> what completes it, for every command that has such a parameter
BY_NAME: dict[str, Completer] = {
    "case_id": case_ids, "other_id": case_ids,
    "category": vocabulary("categories"), "channel": vocabulary("channels"),
    "severity": vocabulary("severities"), "unit": vocabulary("units"),
    "complainant_class": vocabulary("complainant_classes"), "outcome": vocabulary("outcomes"),
    "statuses": states, "status": states,
    "handler": people, "resolver": people, "responsible": people,
    "preset": presets,
}


def attach(command: click.Command) -> click.Command:
    """Give the command's (and its subcommands') parameters their completion, unless the
    parameter completes itself already (a custom completer, or a Choice type)."""
    for param in command.params:
        completer = BY_NAME.get(param.name or "")
        if completer is None or getattr(param, "_custom_shell_complete", None) is not None:
            continue
        if isinstance(param.type, click.Choice | click.Path | click.File):
            continue
        param._custom_shell_complete = completer  # what click's shell_complete= sets
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub)
    return command
