"""The UI's routes: each page a read through the functions the commands use, each form one core
step committed by the person running the server. A refusal (a rule finding, a wrong value) is
shown in the form it came from, in the office's language, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from complaintctl import i18n, labels
from complaintctl.errors import CaseNotFound, ComplaintError, ValidationFailed
from complaintctl.handling import worklist
from complaintctl.handling.deadlines import views
from complaintctl.i18n import _
from complaintctl.model import clock
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.repo import index
from complaintctl.repo.workspace import Workspace, actor, open_workspace
from complaintctl.reporting import form, knowledge, queries, sandbox
from complaintctl.web import actions, intake, pages, reports
from complaintctl.web.guard import CSRF_FIELD, Guard, Secrets
from complaintctl.web.syncing import Syncer
from complaintctl.web.words import words

T = TypeVar("T")
STATIC = Path(__file__).parent / "static"
# Our own pages: our own script and style only, never inside another site's frame.
OWN = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
# The printable form and the bulletin come from templates an office may override (anyone who can
# push): served sandboxed — no script runs, and the page is no origin of ours to act from.
PRINTED = {"content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           "font-src data:; frame-ancestors 'none'", "cache-control": "no-store"}
BOARD_CASES = 100  # the board reads the soonest-due cases first; the filters narrow to the rest
WINDOWS = {"4h": timedelta(hours=4), "1d": timedelta(days=1), "2d": timedelta(days=2), "7d": timedelta(days=7)}


def refusal_lines(exc: ComplaintError) -> list[str]:
    """A refusal as the command line says it: each rule finding (file, field, rule ID, message) on
    its own line, else the one message, in the office's language."""
    if isinstance(exc, ValidationFailed):
        return [str(f) for f in exc.findings]
    return [_(str(exc))]


class Site:
    """One office's repository, served to the person whose clone and identity run it."""

    def __init__(self, root: Path, keys: Secrets, syncer: Syncer | None = None) -> None:
        self.root = root
        self.keys = keys
        self.syncer = syncer or Syncer(root)
        # The UI's own templates only: an office may restyle its bulletin and form (sandboxed), but
        # a page that holds this person's CSRF token is not a file anyone who can push may write.
        self.env = sandbox.environment(None, "ui")

    def workspace(self) -> Workspace:
        """Opened per request: a sync or another terminal's command may have changed the policy."""
        ws = open_workspace(self.root)
        i18n.use(ws.policy.language)
        return ws

    def page(self, ws: Workspace, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        me = actor(ws)
        html = sandbox.render(self.env, "ui", name, w=words(), csrf=self.keys.csrf, csrf_field=CSRF_FIELD,
                              me=me.name, email=me.email, office=ws.policy.name or ws.policy.office,
                              lang=ws.policy.language, synced=self.syncer.last, **context)
        return HTMLResponse(html, status_code=status,
                            headers={"cache-control": "no-store", "content-security-policy": OWN})

    def now(self, ws: Workspace) -> Any:
        return clock.current(ws.policy.tz)

    # -- pages ----------------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        return RedirectResponse("/mine", status_code=303)

    def mine(self, request: Request) -> Response:
        ws = self.workspace()
        me, now = actor(ws), self.now(ws)
        page = _page(request.query_params.get("page", "1"))
        idx = index.open_index(ws, progress=False)
        try:
            found, more = worklist.my_work(idx, ws.policy, me.name, now, page - 1)
        finally:
            idx.close()
        return self.page(ws, "mine.html.j2", rows=pages.work_rows(found, ws.policy, me),
                         acts=pages.action_words(ws.policy), more=more, number=page,
                         first=(page - 1) * worklist.PAGE + 1, last=(page - 1) * worklist.PAGE + len(found))

    def case(self, request: Request, refused: Mapping[str, Any] | None = None, status: int = 200) -> Response:
        ws = self.workspace()
        case_id = request.path_params["case_id"]
        try:
            view = pages.case_page(ws, case_id, actor(ws), self.now(ws))
        except CaseNotFound as exc:
            return self.page(ws, "error.html.j2", 404, lines=refusal_lines(exc))
        return self.page(ws, "case.html.j2", status, case=view, acts=pages.action_words(ws.policy),
                         forms={a: self._fields(ws, a, view.running) for a in view.actions}, refused=refused or {},
                         done=request.query_params.get("done", ""))

    def _fields(self, ws: Workspace, action: str, running: Sequence[str] = ()) -> list[dict[str, Any]]:
        return [{"name": f.name, "label": _(f.label), "kind": f.kind, "required": f.required,
                 "choices": actions.choices(ws, f.vocabulary, running) if f.vocabulary else []}
                for f in actions.FORMS.get(action, ())]

    def similar(self, request: Request) -> Response:
        ws = self.workspace()
        idx = index.open_index(ws, progress=False)
        try:
            hits = knowledge.similar_seen(ws, idx, request.path_params["case_id"], 5)
        except ComplaintError as exc:
            return self.page(ws, "error_part.html.j2", lines=refusal_lines(exc))
        finally:
            idx.close()
        return self.page(ws, "similar.html.j2", hits=hits,
                         statuses=labels.words(ws.policy.language, labels.STATUSES))

    def printable(self, request: Request) -> Response:
        """The form `complaintctl form` writes, for the browser to print."""
        ws = self.workspace()
        now = self.now(ws)
        try:
            data = queries.case_data(ws, request.path_params["case_id"])
        except CaseNotFound as exc:
            return self.page(ws, "error.html.j2", 404, lines=refusal_lines(exc))
        found = views(data, ws.policy, WorkCalendar.from_policy(ws.policy), now)
        return HTMLResponse(form.render(form.build(data, ws.policy, now, found), ws.root), headers=PRINTED)

    async def act(self, request: Request) -> Response:
        values = {k: str(v) for k, v in (await request.form()).items()}
        return await _threaded(self._act, request, values)

    def _act(self, request: Request, values: dict[str, str]) -> Response:
        ws = self.workspace()
        case_id, action = request.path_params["case_id"], request.path_params["action"]
        try:
            result = actions.run(ws, action, case_id, values, self.now(ws), actor(ws))
        except ComplaintError as exc:
            return self.case(request, {"action": action, "lines": refusal_lines(exc), "values": values}, 422)
        return RedirectResponse(f"/case/{result.case_id}?done={action}", status_code=303)

    def new(self, request: Request) -> Response:
        ws = self.workspace()
        return self._new_form(ws, {}, [])

    def _new_form(self, ws: Workspace, values: Mapping[str, str], lines: list[str], status: int = 200) -> Response:
        fields = [{"name": f.name, "label": _(f.label), "kind": f.kind, "required": f.required,
                   "choices": actions.choices(ws, f.vocabulary) if f.vocabulary else []} for f in intake.FIELDS]
        incidents = [(k, i.text(ws.policy.language)) for k, i in ws.policy.authority.incidents.items()]
        return self.page(ws, "new.html.j2", status, fields=fields, values=values, lines=lines, incidents=incidents)

    async def create(self, request: Request) -> Response:
        values = {k: str(v) for k, v in (await request.form()).items()}
        return await _threaded(self._create, values)

    def _create(self, values: dict[str, str]) -> Response:
        ws = self.workspace()
        now = self.now(ws)
        try:
            result, repeats = intake.record(ws, values, now, actor(ws))
        except ComplaintError as exc:
            return self._new_form(ws, values, refusal_lines(exc), 422)
        data = queries.case_data(ws, result.case_id)
        found = views(data, ws.policy, WorkCalendar.from_policy(ws.policy), now)
        return self.page(ws, "created.html.j2", case_id=result.case_id, commit=result.commit[:10],
                         started=pages.clock_rows(found, ws.policy), repeats=repeats)

    async def check(self, request: Request) -> Response:
        values = {k: str(v) for k, v in (await request.form()).items()}
        return await _threaded(self._check, values)

    def _check(self, values: dict[str, str]) -> Response:
        ws = self.workspace()
        try:
            found = intake.warnings(ws, values, self.now(ws))
        except ComplaintError as exc:  # a half-typed date, say: said where the warnings go
            return self.page(ws, "error_part.html.j2", lines=refusal_lines(exc))
        return self.page(ws, "warnings.html.j2", found=found)

    def board(self, request: Request) -> Response:
        ws = self.workspace()
        q = request.query_params
        within = q.get("within", "2d") if q.get("within", "2d") in WINDOWS else "2d"
        idx = index.open_index(ws, progress=False)
        try:
            rows, candidates = worklist.board(idx, ws.policy, self.now(ws), WINDOWS[within],
                                              unit=q.get("unit") or None, person=q.get("handler") or None,
                                              severity=q.get("severity") or None,
                                              overdue_only=bool(q.get("overdue")), cases=BOARD_CASES)
        finally:
            idx.close()
        lines = pages.board_lines(rows, ws.policy)
        return self.page(ws, "board.html.j2", by_unit=pages.grouped(lines, "unit"),
                         by_person=pages.grouped(lines, "handler"), count=len(lines), q=dict(q), within=within,
                         cut=candidates > BOARD_CASES, candidates=candidates, read=BOARD_CASES,
                         windows=list(WINDOWS), units=ws.policy.labels("units"),
                         severities=ws.policy.labels("severities"))

    def report(self, request: Request) -> Response:
        ws = self.workspace()
        now = self.now(ws)
        period = request.query_params.get("period") or reports.default_period(now)
        try:
            title, sections = reports.report(ws, period, now)
        except ComplaintError as exc:
            return self.page(ws, "report.html.j2", 422, period=period, title="", sections=[],
                             lines=refusal_lines(exc))
        return self.page(ws, "report.html.j2", period=period, title=title, sections=sections, lines=[])

    def bulletin(self, request: Request) -> Response:
        ws = self.workspace()
        now = self.now(ws)
        try:
            html = reports.bulletin_html(ws, request.query_params.get("period") or reports.default_period(now), now)
        except ComplaintError as exc:
            return self.page(ws, "error.html.j2", 422, lines=refusal_lines(exc))
        return HTMLResponse(html, headers=PRINTED)

    async def sync(self, request: Request) -> Response:
        await _threaded(self.syncer.once)
        return RedirectResponse("/mine", status_code=303)


def _page(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


async def _threaded(fn: Callable[..., T], *args: Any) -> T:
    """Blocking work (git, SQLite, the validator) off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def crashed(request: Request, exc: Exception) -> Response:
    """A bug: the traceback kept in a log, one line on the page (as the command line does)."""
    import tempfile
    import traceback

    log = Path(tempfile.gettempdir()) / "complaintctl-crash.log"
    try:
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:
        pass
    text = _("internal error: {kind}: {text} ({where}please report it)").format(
        kind=type(exc).__name__, text=" ".join(str(exc).split())[:300],
        where=_("traceback in {log}; ").format(log=log))
    return Response(text, status_code=500, media_type="text/plain; charset=utf-8")


def build(root: Path, port: int, keys: Secrets, syncer: Syncer | None = None) -> Guard:
    """The application behind its guard (web.guard), for uvicorn."""
    site = Site(root, keys, syncer)
    routes = [
        Route("/", site.home), Route("/mine", site.mine), Route("/board", site.board),
        Route("/new", site.new, methods=["GET"]), Route("/new", site.create, methods=["POST"]),
        Route("/new/check", site.check, methods=["POST"]),
        Route("/case/{case_id}", site.case), Route("/case/{case_id}/similar", site.similar),
        Route("/case/{case_id}/form", site.printable),
        Route("/case/{case_id}/act/{action}", site.act, methods=["POST"]),
        Route("/report", site.report), Route("/bulletin", site.bulletin), Route("/sync", site.sync, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Guard(Starlette(routes=routes, exception_handlers={Exception: crashed}), port, keys)
