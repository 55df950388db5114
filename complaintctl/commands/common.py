"""Shared command plumbing: the workspace from -C, the acting identity, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import update_wrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from complaintctl import i18n, labels
from complaintctl.commands.params import check_values, resolve_vocabularies
from complaintctl.i18n import _
from complaintctl.model import clock
from complaintctl.model.timeparse import parse_when
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from complaintctl.handling.lifecycle import Result
    from complaintctl.model.snapshot import CaseRecord
    from complaintctl.repo.index import Index, Skipped

F = TypeVar("F", bound=Callable[..., Any])


def workspace() -> Workspace:
    ctx = click.get_current_context()
    root = ctx.find_root()
    cached = root.meta.get("complaintctl.workspace")
    if cached is None:
        cached = open_workspace(Path(root.meta.get("complaintctl.dir", ".")))
        root.meta["complaintctl.workspace"] = cached
        i18n.use(cached.policy.language)  # every word from here on is in the office's language
        # What a killed or interrupted command left is finished or undone first, and said.
        from complaintctl.repo import transaction

        for line in transaction.recover_if_idle(cached.root, cached.git):
            click.echo(line, err=True)
    ws: Workspace = cached
    return ws


def base_dir() -> Path:
    return Path(click.get_current_context().find_root().meta.get("complaintctl.dir", "."))


def now(ws: Workspace) -> datetime:
    return clock.current(ws.policy.tz)


def actor(ws: Workspace) -> Identity:
    """Who acts: git's identity as the policy names it (repo.workspace.actor, shared with the UI)."""
    from complaintctl.repo import workspace as opened

    return opened.actor(ws)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def wide_option(f: F) -> F:
    return click.option("--wide", is_flag=True, help="Every column in full, however narrow the terminal.")(f)


def screen_width(wide: bool = False) -> int | None:
    """The display width tables are fitted to: $COLUMNS when set, else the terminal's
    width when stdout is a terminal. None — every column in full, nothing cut — with --wide, or
    when stdout is a pipe or a file and $COLUMNS is not set (`list | grep` sees whole subjects)."""
    import os
    import shutil
    import sys

    if wide:
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or replaced stdout
        return None
    return shutil.get_terminal_size().columns


def step_json(f: F) -> F:
    """--json on a command that records one step: `report` prints the result as JSON."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.meta["complaintctl.json"] = True
        return value

    return click.option("--json", is_flag=True, expose_value=False, callback=remember,
                        help="Print the result as JSON for scripts (id, path, from, to, commit).")(f)


def wants_json() -> bool:
    return bool(click.get_current_context().meta.get("complaintctl.json"))


def result_json(result: Result) -> dict[str, Any]:
    return {"id": result.case_id, "path": result.relpath, "from": result.src, "to": result.dst,
            "commit": result.commit}


def report(result: Result) -> None:
    if wants_json():
        from complaintctl.output import as_json

        click.echo(as_json(result_json(result)))
        return
    # the case ID comes first: scripts read it
    if result.src is None:
        click.echo(_("{id} recorded ({path}), commit {commit}").format(
            id=result.case_id, path=result.relpath, commit=result.commit[:10]))
    elif result.src != result.dst:
        words = labels.words(i18n.language(), labels.STATUSES)
        click.echo(_("{id}: {src} → {dst}, commit {commit}").format(
            id=result.case_id, src=words.get(result.src, result.src), dst=words.get(result.dst, result.dst),
            commit=result.commit[:10]))
    else:
        words = labels.words(i18n.language(), labels.STATUSES)
        click.echo(_("{id}: updated ({status}), commit {commit}").format(
            id=result.case_id, status=words.get(result.dst, result.dst), commit=result.commit[:10]))


def records(ws: Workspace) -> list[CaseRecord]:
    """Every readable case; each file left out is named on stderr with the reason (a case
    is never dropped silently)."""
    from complaintctl.repo import index  # not for one-case commands

    skipped: list[Skipped] = []
    out = index.load_records(ws, skipped=skipped)
    say_skipped(skipped)
    return out


def read_index(ws: Workspace) -> Index:
    """The read index, fresh; the files reads leave out are named on stderr first."""
    from complaintctl.repo import index

    idx = index.open_index(ws)
    try:
        say_skipped(idx.skipped())
    except BaseException:
        idx.close()
        raise
    return idx


def say_skipped(skipped: list[Skipped]) -> None:
    for s in skipped:
        click.echo(_("warning: skipped {path}: {reason}").format(
            path=s.path, reason=s.reason.removeprefix(s.path + ": ")), err=True)
    if skipped:
        click.echo(_("warning: {n} file(s) under cases/ skipped; `complaintctl validate` lists every "
                     "problem").format(n=len(skipped)), err=True)


def pass_ws(f: F) -> F:
    """Give a command the opened workspace as its first argument."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_values(kwargs)  # before the repository is even opened
        ws = workspace()
        resolve_vocabularies(ws.policy, kwargs)  # a key or a label, in either language
        return f(ws, *args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def late_options(f: F) -> F:
    """--at / --late-reason: record a step that happened earlier (an office that was offline, a
    paper form found later). Older than the policy's offline window it needs an approver."""
    f = click.option("--late-reason", default="", help="Why it is recorded late (approvals: late).")(f)
    return click.option("--at", "at_text", help="When it happened (default: now).")(f)


def when(ws: Workspace, at_text: str | None) -> datetime | None:
    """The moment a step happened, when it is not now (--at; the step refuses one to come)."""
    return parse_when(at_text, ws.policy.tz, "--at") if at_text else None
