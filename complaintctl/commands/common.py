"""Shared command plumbing: the workspace from -C, the acting identity, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import update_wrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from complaintctl.errors import InvalidInput
from complaintctl.model import clock
from complaintctl.model.timeparse import parse_when
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from complaintctl.handling.lifecycle import Result

F = TypeVar("F", bound=Callable[..., Any])


def workspace() -> Workspace:
    ctx = click.get_current_context()
    root = ctx.find_root()
    cached = root.meta.get("complaintctl.workspace")
    if cached is None:
        cached = open_workspace(Path(root.meta.get("complaintctl.dir", ".")))
        root.meta["complaintctl.workspace"] = cached
    ws: Workspace = cached
    return ws


def base_dir() -> Path:
    return Path(click.get_current_context().find_root().meta.get("complaintctl.dir", "."))


def now(ws: Workspace) -> datetime:
    return clock.current(ws.policy.tz)


def actor(ws: Workspace) -> Identity:
    """Who acts: git's identity, named as the policy's people name them (matched by e-mail),
    so every entry's `by:` is the committer as the hooks will see them (issue 9)."""
    ident = ws.git.identity()
    return Identity(ws.policy.canonical_name(ident.name, ident.email), ident.email)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def report(result: Result) -> None:
    if result.src is None:
        click.echo(f"{result.case_id} recorded ({result.relpath}), commit {result.commit[:10]}")
    elif result.src != result.dst:
        click.echo(f"{result.case_id}: {result.src} → {result.dst}, commit {result.commit[:10]}")
    else:
        click.echo(f"{result.case_id}: updated ({result.dst}), commit {result.commit[:10]}")


def pass_ws(f: F) -> F:
    """Give a command the opened workspace as its first argument."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(workspace(), *args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def late_options(f: F) -> F:
    """--at / --late-reason: record a step that happened earlier (an office that was offline, a
    paper form found later). Older than the policy's offline window it needs an approver."""
    f = click.option("--late-reason", default="", help="Why it is recorded late (approvals: late).")(f)
    return click.option("--at", "at_text", help="When it happened (default: now).")(f)


def when(ws: Workspace, at_text: str | None) -> datetime | None:
    """The moment a step happened, when it is not now (--at)."""
    if not at_text:
        return None
    at = parse_when(at_text, ws.policy.tz, "--at")
    if at > now(ws):
        raise InvalidInput(f"--at: {at.isoformat()} is in the future")
    return at
