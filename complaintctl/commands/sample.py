"""`complaintctl sample`: fill a case repository with generated, valid sample cases."""

from __future__ import annotations

from datetime import date

import click

from complaintctl.commands.common import json_option, now, pass_ws
from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.output import Progress
from complaintctl.output import as_json as json_text
from complaintctl.repo.workspace import Workspace
from complaintctl.sample import bulk
from complaintctl.sample.generator import SampleSpec


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{option}: {text!r} is not a date (e.g. 2026-01-01)") from None


@click.command("sample")
@click.option("--count", type=click.IntRange(min=0), required=True, help="How many cases to generate.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same cases.")
@click.option("--since", required=True, help="First day cases are received (YYYY-MM-DD).")
@click.option("--until", required=True, help="Last day (inclusive); no step happens after it.")
@click.option("--replace", is_flag=True, help="Remove this office's cases in the range's months first.")
@click.option("--batch-size", type=int, default=bulk.DEFAULT_BATCH, show_default=True,
              help="Cases per commit.")
@click.option("--no-verify", is_flag=True, hidden=True,
              help="Kept for old scripts: the sample never runs the pre-commit hook.")
@click.option("--history", is_flag=True,
              help="Each person's day of one kind of step is a commit by that person (git fast-import); "
                   "a new office only.")
@click.option("--per-step", is_flag=True,
              help="With --history: every step its own commit, by its actor, as the CLI writes it.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes building cases (0: one per core); the cases do not depend on it.")
@json_option
@pass_ws
def sample_cmd(ws: Workspace, count: int, seed: int, since: str, until: str, replace: bool,
               batch_size: int, no_verify: bool, history: bool, per_step: bool, workers: int,
               as_json: bool) -> None:
    """Generate realistic sample cases through the real steps and commit them in batches."""
    spec = SampleSpec(seed, count, _day(since, "--since"), _day(until, "--until"))

    bar = Progress("writing sample cases", count)  # on a terminal's stderr only

    def progress(done: int, what: str) -> None:
        bar.update(done)

    # A generated history is many people's steps in one commit, dated in the past: the hook's
    # ledger (one committer, the offline window) cannot hold for it. Every step was already
    # judged by the same validator as its own actor at its own time (sample.generator).
    result = bulk.write_sample(ws, spec, now(ws), replace=replace, batch_size=batch_size,
                               verify=False, progress=progress, history=history, workers=workers,
                               per_step=per_step)
    bar.close()
    if as_json:
        click.echo(json_text({"written": result.written, "removed": result.removed, "commits": list(result.commits),
                              "statuses": dict(sorted(result.statuses.items()))}))
        return
    mix = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    if result.removed and not result.commits:
        click.echo(_("{n} sample case(s) regenerated, identical to those committed: no commit ({mix})")
                   .format(n=result.written, mix=mix))
        return
    removed = _(", {n} replaced").format(n=result.removed) if result.removed else ""
    click.echo(_("{n} sample case(s) written in {commits} commit(s){removed}: {mix}")
               .format(n=result.written, commits=len(result.commits), removed=removed, mix=mix))
