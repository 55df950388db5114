"""The knowledge base of past cases: `search` and `similar` (R-RP-3)."""

from __future__ import annotations

import click

from complaintctl import labels
from complaintctl.commands.common import json_option, pass_ws, read_index, screen_width, wide_option
from complaintctl.i18n import N_, _
from complaintctl.model.ids import parse_case_id
from complaintctl.output import FIXED, Col, table
from complaintctl.output import as_json as json_text
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import knowledge
from complaintctl.reporting.queries import minutes_on

HEADERS = [N_("ID"), N_("score"), N_("status"), N_("received"), N_("subject"), N_("outcome"), N_("root cause"),
           N_("lesson")]
# In a narrow terminal: the subject and the lesson are what a search is for.
COLS = (FIXED, Col(drop=3), Col(drop=2), FIXED, Col(shrink=16, main=True), Col(shrink=6, drop=1),
        Col(shrink=12, drop=4), Col(shrink=16, main=True))


def _print(ws: Workspace, hits: list[knowledge.Hit], as_json: bool, wide: bool) -> None:
    if as_json:
        click.echo(json_text([h.__dict__ for h in hits]))
        return
    states = labels.words(ws.policy.language, labels.STATUSES)
    day = minutes_on(ws.policy.tz)  # the office's calendar day
    rows = [[h.id, f"{h.score:.2f}", states.get(h.status, h.status), day(h.received_at)[:10], h.subject,
             ws.policy.label("outcomes", h.outcome) if h.outcome else "", h.root_cause, h.lesson] for h in hits]
    click.echo(table(rows, [_(h) for h in HEADERS], screen_width(wide), COLS))
    click.echo(_("{n} case(s)").format(n=len(hits)))


@click.command("search")
@click.argument("text")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many cases.")
@json_option
@wide_option
@pass_ws
def search_cmd(ws: Workspace, text: str, limit: int, as_json: bool, wide: bool) -> None:
    """Search every case, its root cause and lesson (Chinese or English)."""
    _print(ws, knowledge.search_seen(ws, read_index(ws), text, limit), as_json, wide)


@click.command("similar")
@click.argument("case_id", metavar="ID")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many cases.")
@json_option
@wide_option
@pass_ws
def similar_cmd(ws: Workspace, case_id: str, limit: int, as_json: bool, wide: bool) -> None:
    """Past cases most like this one, with their outcomes and lessons."""
    _print(ws, knowledge.similar_seen(ws, read_index(ws), str(parse_case_id(case_id)), limit), as_json, wide)
