"""Case bulletins (案例通报, R-RP-3): find what to say, then render it — like towncrier.

`find` is pure: records + period → a frozen `Bulletin` (the period's report, chart bars
and the featured cases, every text already masked, R-RP-4). `render` fills a Jinja2
template (Markdown or one self-contained HTML file); an office's own
`templates/bulletin/` overrides the shipped ones. Templates come from the repository, so
anyone who can push can write one: they render in Jinja2's immutable sandbox, where a template
that reaches for Python internals (`cycler.__init__.__globals__`, `__class__`, …) fails with
a clear error and nothing runs. `publish` is the only part that writes files and
commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complaintctl import labels
from complaintctl.errors import InvalidInput
from complaintctl.i18n import duration
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.periods import Period
from complaintctl.policy.policy import Policy
from complaintctl.policy.standing import UPGRADED_TO
from complaintctl.repo import messages, transaction
from complaintctl.repo.transaction import FileWrite, write_atomic
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import sandbox
from complaintctl.reporting.masking import NameFinder, masker_for
from complaintctl.reporting.reports import Activity, Count, Elapsed, Report, build_report

if TYPE_CHECKING:
    import jinja2

FORMATS = {"md": "bulletin.md.j2", "html": "bulletin.html.j2"}
BULLETINS_DIR = "bulletins"
SLOWEST = 2  # how many of the slowest resolutions are featured


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    share: float  # of the longest bar, 0..1
    text: str  # the value as printed

    @property
    def short(self) -> str:
        """The label clipped to fit a chart's label column (about 24 Latin or 12 Chinese characters)."""
        width, out = 0, ""
        for ch in self.label:
            width += 2 if ord(ch) > 0x2E80 else 1
            if width > 24:
                return out.rstrip() + "…"
            out += ch
        return out


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Featured:
    id: str
    subject: str
    category: str
    unit: str
    severity: str
    major: bool
    reasons: tuple[str, ...]
    what_happened: str
    what_was_done: str
    outcome: str
    satisfaction: str
    root_cause: str
    lesson: str
    preventive_action: str
    days: float | None  # working days, as a figure (kept for offices' own templates)
    time_to_resolve: str = ""  # the same as the one duration format says it (i18n.duration)


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    change: str  # against the previous period, as printed
    trend: str  # up, down, flat, none
    tone: str  # good, bad, neutral


@dataclass(frozen=True)
class Bulletin:
    report: Report
    title: str
    kpis: tuple[Kpi, ...]
    charts: tuple[Chart, ...]
    featured: tuple[Featured, ...]
    labels: Mapping[str, str]
    durations: Mapping[str, str] = field(default_factory=dict)  # median_days, p90_days as i18n.duration


def _bars(items: Iterable[tuple[str, float]], fmt: str = "{:g}") -> tuple[Bar, ...]:
    pairs = [(k, v) for k, v in items if v]
    top = max((v for _, v in pairs), default=0)
    return tuple(Bar(k, v, v / top if top else 0.0, fmt.format(v)) for k, v in pairs)


def _charts(report: Report, L: Mapping[str, str]) -> tuple[Chart, ...]:  # noqa: N803
    t = report.table
    by_cat = [(r.label, float(r.total)) for r in t.rows]
    by_unit = [(u.label, float(u.count)) for u in t.units]

    def counts(items: Sequence[Count]) -> list[tuple[str, float]]:
        return [(c.label, float(c.count)) for c in items]

    rates = [(L.get(c.clock, c.clock), round(c.rate * 100, 1)) for c in report.clocks if c.rate is not None]
    charts = [Chart("category", L["category"], _bars(sorted(by_cat, key=lambda p: -p[1]))),
              Chart("unit", L["unit"], _bars(sorted(by_unit, key=lambda p: -p[1]))),
              Chart("channel", L["by_channel"], _bars(counts(report.by_channel))),
              Chart("clocks", L["clocks"], _bars(rates, "{:g}%"))]
    return tuple(c for c in charts if c.bars)


# headline figure -> which way is better (+1: up, -1: down, 0: neither)
KPIS: tuple[tuple[str, int], ...] = (
    ("received", 0), ("closed", 0), ("on_time_rate", 1), ("median_days", -1),
    ("satisfaction_rate", 1), ("repeats", -1), ("open_at_end", -1), ("overdue_at_end", -1),
)


def _kpis(report: Report, L: Mapping[str, str], texts: Mapping[str, str]) -> tuple[Kpi, ...]:  # noqa: N803
    """`texts`: figures already written out (working days as i18n.duration)."""
    out = []
    for key, better in KPIS:
        value, delta = getattr(report.headline, key), report.change(key)
        rate = key.endswith("_rate")
        text = texts.get(key) or ("—" if value is None else f"{value * 100:.1f}%" if rate else f"{value:g}")
        if delta is None:
            change, trend = "", "none"
        else:
            change = f"{delta * 100:+.1f} pt" if rate else f"{delta:+g}"
            trend = "up" if delta > 0 else "down" if delta < 0 else "flat"
        sign = 0 if trend in ("flat", "none") else (1 if trend == "up" else -1)
        tone = "neutral" if better == 0 or sign == 0 else "good" if sign == better else "bad"
        out.append(Kpi(key, L[key], text, change, trend, tone))
    return tuple(out)


def _candidates(records: Sequence[CaseRecord], period: Period, policy: Policy,
                as_of: datetime) -> list[CaseRecord]:
    """Cases the period saw: received, resolved or closed in it (and not after `as_of`)."""
    tz = policy.tz
    start, end = period.start(tz), min(period.end(tz), as_of)
    out = []
    for r in records:
        for value in (r.received_at, r.resolved_at, r.closed_at):
            moment = as_datetime(value, tz) if value else None
            if moment is not None and start <= moment < end:
                out.append(r)
                break
    return out


def find(records: Sequence[CaseRecord], period: Period, policy: Policy, as_of: datetime, elapsed: Elapsed,
         activities: Iterable[Activity] = (), limit: int = 6, names: NameFinder | None = None,
         documents: Callable[[list[str]], Mapping[str, Mapping[str, Any]]] | None = None,
         stamps: Mapping[str, CaseStamps] | None = None) -> Bulletin:
    """Everything the bulletin says, masked (R-RP-4): figures, charts, featured cases.
    `documents`: path -> whole document of the featured cases (and the cases they repeat), when
    `records` carry only what the figures read (repo.index.report_facts)."""
    tz = policy.tz
    # the figures count what the record proves (policy.clocks.timeliness), as `report` does
    report = build_report(records, period, policy, as_of, elapsed, activities,
                          labels.label(policy.language, "unassigned"), stamps)
    L = labels.labels(policy.language)  # noqa: N806
    seen = _candidates(records, period, policy, as_of)
    days: dict[str, float] = {}
    took: dict[str, str] = {}
    cal = WorkCalendar.from_policy(policy)
    start, end = period.start(tz), min(period.end(tz), as_of)
    for r in seen:
        resolved = as_datetime(r.resolved_at, tz) if r.resolved_at else None
        if resolved is not None and start <= resolved < end:  # resolved in the period, as the report counts
            days[r.id] = round(elapsed(r.received(tz), resolved), 1)
            took[r.id] = duration(*cal.working_parts(r.received(tz), resolved), working=True)
    slowest = set(sorted(days, key=lambda i: -days[i])[:SLOWEST])
    picked: list[tuple[tuple[int, int, float, str], CaseRecord, tuple[str, ...]]] = []
    upgraded = set(report.upgraded_ids)  # R-DL-6 counted from the recorded time (policy.standing)
    for r in seen:
        why = []
        major = r.severity == "major" or r.id in upgraded
        if major:
            why.append(L["why_major"])
        if r.repeat:
            why.append(L["why_repeat"])
        if r.id in slowest:
            why.append(L["why_slow"])
        if get(r.data, F.CLOSING_LESSON):
            why.append(L["why_lesson"])
        if why:
            picked.append(((-len(why), not major, -days.get(r.id, 0.0), r.id), r, tuple(why)))
    picked.sort(key=lambda p: p[0])
    chosen = picked[:limit]
    # Mask with every chosen case's complainant and the complainants of the cases they repeat.
    by_id = {r.id: r for r in records}
    shown = [r for _, r, _ in chosen] + [by_id[i] for _, r, _ in chosen for i in r.repeat_of if i in by_id]
    whole = documents(sorted({r.path for r in shown})) if documents is not None else None

    def doc(r: CaseRecord) -> Mapping[str, Any]:
        return whole[r.path] if whole is not None else r.data

    linked = [doc(by_id[i]) for _, r, _ in chosen for i in r.repeat_of if i in by_id]
    mask = masker_for([doc(r) for _, r, _ in chosen] + linked, policy, names)
    featured = tuple(replace(_featured(r, doc(r), why, days.get(r.id), policy, mask, r.id in upgraded),
                             time_to_resolve=took.get(r.id, "")) for _, r, why in chosen)
    title = f"{policy.name} {L['bulletin_title']} {period.label}"

    def working_days(value: float | None) -> str:
        return "—" if value is None else duration(*cal.days_parts(value), working=True)

    texts = {key: working_days(getattr(report.headline, key)) for key in ("median_days", "p90_days")}
    return Bulletin(report, mask(title), _kpis(report, L, texts), _charts(report, L), featured, L, texts)


def _featured(r: CaseRecord, data: Mapping[str, Any], why: tuple[str, ...], days: float | None, policy: Policy,
              mask: Callable[[Any], str], upgraded: bool = False) -> Featured:
    def g(path: str) -> str:
        return mask(get(data, path) or "").strip()

    done = ("；" if policy.language == "zh" else "; ").join(
        x for x in (g(F.PLAN_MEASURES), g(F.RESOLUTION_SUMMARY)) if x)
    satisfaction = r.satisfaction  # the current revisit's (model.snapshot)
    return Featured(
        id=r.id, subject=g(F.INTAKE_SUBJECT), category=policy.label("categories", r.category),
        unit=policy.label("units", r.unit) if r.unit else "",
        # R-DL-6 counted from the recorded time: the file still says general, the record proves it late
        severity=f"{policy.label('severities', UPGRADED_TO)} (R-DL-6)" if upgraded and r.severity != UPGRADED_TO
        else policy.label("severities", r.severity),
        major=r.severity == UPGRADED_TO or upgraded, reasons=why, what_happened=g(F.INTAKE_DETAILS), what_was_done=done,
        outcome=policy.label("outcomes", str(get(data, F.RESOLUTION_OUTCOME) or "")) if r.resolved_at else "",
        satisfaction=labels.label(policy.language, satisfaction) if satisfaction else "",
        root_cause=g(F.CLOSING_ROOT_CAUSE), lesson=g(F.CLOSING_LESSON),
        preventive_action=g(F.CLOSING_PREVENTIVE_ACTION), days=days,
    )


def environment(office_root: Path | None) -> jinja2.Environment:
    """Templates from the office's `templates/bulletin/` first, then the shipped ones, in the
    sandbox (reporting.sandbox)."""
    return sandbox.environment(office_root, "bulletin", {
        "pct": lambda v: "—" if v is None else f"{v * 100:.1f}%",
        "num": lambda v: "—" if v is None else f"{v:g}",
        "signed": lambda v, pct=False: "—" if v is None else (f"{v * 100:+.1f} pt" if pct else f"{v:+g}"),
    })


def render(bulletin: Bulletin, fmt: str, office_root: Path | None = None) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"bulletin format {fmt!r} is not one of {', '.join(FORMATS)}")
    return sandbox.render(environment(office_root), "bulletin", FORMATS[fmt], b=bulletin, r=bulletin.report,
                          L=bulletin.labels)


def file_names(period: Period) -> dict[str, str]:
    return {fmt: f"bulletin-{period.slug}.{fmt}" for fmt in FORMATS}


def publish(ws: Workspace, texts: Mapping[str, str], period: Period, out_dir: Path | None,
            commit: bool) -> tuple[list[Path], str | None]:
    """Write the rendered bulletin; with `commit`, under bulletins/ and committed (R-RP-3).

    Returns the files written and the new commit (None if nothing changed).
    """
    names = file_names(period)
    folder = ws.root / BULLETINS_DIR if commit else (out_dir or Path.cwd())
    if commit and out_dir is not None and out_dir.resolve() != folder.resolve():
        raise InvalidInput("--commit writes under the repository's bulletins/; leave out --out")
    paths = [folder / names[fmt] for fmt in texts]
    if not commit:
        for path, text in zip(paths, texts.values(), strict=True):
            _write(path, text)
        return paths, None
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        rel = [f"{BULLETINS_DIR}/{p.name}" for p in paths]
        before = [ws.git.show("HEAD", r) for r in rel]
        if all(b == t for b, t in zip(before, texts.values(), strict=True)) and ws.git.has_head():
            for path, text in zip(paths, texts.values(), strict=True):
                _write(path, text)
            return paths, None
        message = messages.bulletin(ws.policy, period.label)
        writes = [FileWrite(r, t, b) for r, t, b in zip(rel, texts.values(), before, strict=True)]
        return paths, transaction.commit_files(ws.root, ws.git, writes, message)


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write: {exc.strerror or exc}") from exc
