"""Deterministic sample cases: seed, count, date range and policy → case documents.

Every case is built by `steps.build_case` and moved along by the real step functions
(`steps.assign`, `plan`, `resolve`, `revisit`, `close`, `reopen`, `mark_invalid`,
`wait`/`resume`, `note`) through `steps.apply`, and checked by the shared validator
after every step with `now` = the moment of that step — the same judgement the CLI and
the hooks make. Pure: no I/O, no wall clock; the same inputs give the same documents.

It streams (a generator) and keeps only small per-complainant state, so 100,000 cases
cost time linear in the count and little memory. Cases come in chunks of CHUNK, in the
order received: the first chunk continues the seed's random sequence (so a sample of up to
CHUNK cases is what it always was), each later chunk has its own seed-derived sequence and
forgets the earlier chunks' complainants, so chunks can be built by parallel workers and
the result is the same for any number of workers. With `versions`, each case also carries
the text of every step — its history, one commit per step by the person who took it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import InvalidInput
from complaintctl.handling import deadlines, steps
from complaintctl.handling.lifecycle import commit_message
from complaintctl.model.ids import case_id_for
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Person, Policy
from complaintctl.sample.cast import Cast, identity, weighted
from complaintctl.sample.life import Dump, Life, Stop, Version, add_working_days, late_reason, within_limit
from complaintctl.sample.texts import (
    CONTACT_NOTES,
    DISSATISFIED,
    FOLLOW_UP,
    GIVEN,
    KINDS,
    NON_CUSTOMER_NAMES,
    REOPEN_REASONS,
    REPLIES,
    RESUME_NOTES,
    SURNAMES,
    TITLES,
    WAIT_REASONS,
    Kind,
)

# How each case's life is meant to go; truncated at the end of the range, so the
# newest cases are naturally still open.
LIVES: tuple[tuple[str, int], ...] = (
    ("closed", 52), ("resolved", 8), ("in_progress", 6), ("waiting", 4), ("assigned", 4),
    ("received", 3), ("invalid", 6), ("dissatisfied", 7), ("reopened", 5), ("waited", 5),
)
CHANNEL_WEIGHTS = {"phone": 40, "in-person": 20, "web": 12, "sms": 8, "email": 6, "letter": 3,
                   "media": 2, "authority": 2, "fax": 1}
CLASS_WEIGHTS = {"owner": 70, "tenant": 12, "prospective-owner": 6, "visitor": 4}
REPEAT_SHARE = 0.08  # R-AS-5: the same complainant again
RECENT = 400  # repeats come from the last complainants seen (a bounded window, O(1) each)
UNALLOCATED = frozenset({"154", "174", "179", "194"})  # mobile prefixes no carrier uses (phonenumbers: invalid)


@dataclass(frozen=True)
class SampleSpec:
    seed: int
    count: int
    since: date
    until: date  # inclusive: cases are received on or before this day
    end: datetime | None = None  # no step after this moment (default: end of `until`)


CHUNK = 1000  # cases per chunk (a constant: the cases must not depend on the number of workers)



@dataclass(frozen=True)
class SampleCase:
    case_id: str
    relpath: str
    doc: CommentedMap | None  # None when built by a worker process (the text travels instead)
    text: str = ""
    status: str = ""
    versions: tuple[Version, ...] = ()


@dataclass(frozen=True)
class Complainant:
    name: str
    klass: str
    contact: str
    location: str
    building: str
    floor: int


def category_for(kind: Kind, policy: Policy) -> str:
    """First category whose key or English label contains one of the kind's words;
    else `other`, else the policy's first category (presets differ, R-DEF-3)."""
    for word in kind.match:
        for key, cat in policy.categories.items():
            if word in key.lower() or word in cat.en.lower():
                return key
    return "other" if "other" in policy.categories else next(iter(policy.categories))


class Generator:
    def __init__(self, policy: Policy, spec: SampleSpec, dump: Dump | None = None) -> None:
        if spec.count < 0:
            raise InvalidInput("--count must not be negative")
        if spec.until < spec.since:
            raise InvalidInput(f"--until {spec.until} is before --since {spec.since}")
        self.policy, self.spec = policy, spec
        self.rng = random.Random(spec.seed)
        self.tz = policy.tz
        self.cal = WorkCalendar.from_policy(policy)
        self.cast = Cast(policy)
        self.categories = {k.key: category_for(k, policy) for k in KINDS}
        self.channels = {c: CHANNEL_WEIGHTS.get(c, 3) for c in policy.channels}
        self.classes = {c: CLASS_WEIGHTS.get(c, 2 if v.kind == "customer" else 1)
                        for c, v in policy.complainant_classes.items()}
        last = datetime.combine(spec.until + timedelta(days=1), time(0), self.tz) - timedelta(seconds=1)
        self.end = min(last, spec.end.astimezone(self.tz)) if spec.end else last
        self.recent: list[Complainant] = []
        self.last_case: dict[Complainant, str] = {}  # repeat links in O(1), for the recent window only
        self.serials: dict[tuple[int, int], int] = {}
        self.dump = dump

    def received_moments(self) -> list[datetime]:
        rng, spec = self.rng, self.spec
        days = (spec.until - spec.since).days + 1
        out = []
        for _ in range(spec.count):
            day = spec.since + timedelta(days=rng.randrange(days))
            if not self.cal.is_working_day(day) and rng.random() < 0.5:
                day = spec.since + timedelta(days=rng.randrange(days))  # fewer complaints on days off
            minute = int(rng.triangular(7 * 60, 21 * 60, 10 * 60 + 30))
            moment = datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), self.tz)
            out.append(min(moment, self.end - timedelta(minutes=10)))
        return sorted(out)

    def complainant(self) -> tuple[Complainant, str | None]:
        rng = self.rng
        if self.recent and rng.random() < REPEAT_SHARE:
            who = rng.choice(self.recent)
            return who, self.last_case[who]
        klass = weighted(rng, self.classes)
        if self.policy.complainant_classes[klass].kind == "non-customer" and rng.random() < 0.5:
            name = rng.choice(NON_CUSTOMER_NAMES)
        elif rng.random() < 0.6:
            name = rng.choice(SURNAMES) + rng.choice(TITLES)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        b, u, floor = rng.randint(1, 20), rng.randint(1, 4), rng.randint(2, 33)
        mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
        if mobile[:3] in UNALLOCATED:  # R-IN-1: a number that could be called (same draws, same cases)
            mobile = "158" + mobile[3:]
        who = Complainant(name, klass, mobile, f"{b}栋{u}单元{floor}{rng.randint(1, 4):02d}", f"{b}栋", floor)
        return who, None

    def cases(self) -> Iterator[SampleCase]:
        for received in self.received_moments():
            yield self.case(received)

    def case(self, received: datetime) -> SampleCase:
        rng, policy, cast = self.rng, self.policy, self.cast
        kind = rng.choices(KINDS, weights=[k.weight for k in KINDS])[0]
        who, earlier = self.complainant()
        slots = {"loc": who.location, "bld": who.building, "floor": who.floor, "days": rng.randint(2, 9),
                 "plate": f"粤B{rng.randrange(10**5):05d}", "amount": rng.choice((2.8, 3.5, 4.2, 580, 1260)),
                 "time": f"{rng.randint(7, 21)}点", "month": rng.randint(1, 12)}
        i = rng.randrange(len(kind.subjects))  # subject and details tell the same story
        subject = kind.subjects[i].format(**slots)
        details = kind.details[i].format(**slots) if i < len(kind.details) else subject + FOLLOW_UP
        accused = cast.accused(rng, kind.accused_units) if rng.random() < kind.accused else None
        accused_name = accused.name if accused else ""
        category = self.categories[kind.key]
        unit = policy.categories[category].unit
        receiver = cast.pick(rng, cast.dispatchers, accused_name)
        intake = steps.Intake(
            channel=weighted(rng, self.channels), name=who.name, contact=who.contact,
            complainant_class=who.klass, category=category, subject=subject,
            details=details, received_at=received,
            severity="major" if rng.random() < kind.major else "general", location=who.location,
            first_receiver=receiver.name, accused_person=accused_name,
            accused_unit=accused.unit if accused else "",
            repeat_of=(earlier,) if earlier else (),  # R-AS-5: the complainant's previous case
        )
        # R-AS-3: a complaint that reads as an incident is recorded as one, as `new` does when
        # nobody declines it (at the incident's severity or above).
        intake = steps.incident_choice(policy, intake, None, False)
        key = (received.year, received.month)
        self.serials[key] = serial = self.serials.get(key, 0) + 1
        cid = case_id_for(policy.office, received, serial)
        recorded = received + timedelta(minutes=rng.randint(1, 5))  # R-IN-3: entered within 5 minutes
        doc = steps.build_case(policy, str(cid), intake, recorded, identity(receiver))
        first = Version(recorded, identity(receiver).name, identity(receiver).email,
                        commit_message(policy, str(cid), "new", None, "received", subject), "", "new")
        life = Life(policy, cid.relpath, doc, recorded, self.end, rng, self.dump, first)
        try:
            self.live(life, kind, intake, unit, accused_name, senior=earlier is not None)
        except Stop:
            pass
        if who not in self.last_case:
            self.recent.append(who)
            if len(self.recent) > RECENT:  # out of the window: never picked again, so forgotten
                del self.last_case[self.recent.pop(0)]
        self.last_case[who] = str(cid)
        return SampleCase(str(cid), cid.relpath, life.doc, status=str(life.doc.get("status")),
                          versions=tuple(life.versions))

    def live(self, life: Life, kind: Kind, intake: steps.Intake, unit: str, accused: str, senior: bool) -> None:
        rng, cast, policy = self.rng, self.cast, self.policy
        target = weighted(rng, dict(LIVES))
        dispatcher = cast.pick(rng, cast.dispatchers, accused)
        if target == "received":
            return
        if target == "invalid" and rng.random() < 0.5:
            self.invalid(life, dispatcher)
            return
        handler = cast.handler(rng, unit, accused, senior)
        copied = [h.name for h in cast.heads if h.name not in (accused, handler.name)][:2] \
            if intake.severity != "general" else []  # R-RT-2: major cases copied to the heads
        life.do(5, 180, dispatcher, lambda t, a: steps.assign(policy, handler.name, None, copied))
        if target == "invalid":
            self.invalid(life, dispatcher)
            return
        if target == "assigned":
            return
        days = 3 if intake.severity == "major" else rng.randint(1, 3)  # R-DL-1 limits, roughly
        j = rng.randrange(len(kind.measures))  # the plan, its result and its cause belong together
        measures = kind.measures[j]
        life.do(20, 240, handler, lambda t, a: steps.plan(handler.name, measures,
                                                          within_limit(life.doc,
                                                                       add_working_days(t.date(), days, life.cal),
                                                                       policy, life.cal)))
        life.do(2, 30, handler, lambda t, a: steps.note(rng.choice(CONTACT_NOTES), True))  # R-RT-4
        if target == "in_progress":
            return
        if target in ("waiting", "waited"):
            i = rng.randrange(len(WAIT_REASONS))
            life.do(30, 600, handler, lambda t, a: steps.wait(WAIT_REASONS[i]))
            if target == "waiting":
                return
            life.do(600, 4000, handler, lambda t, a: steps.resume(RESUME_NOTES[i]))
        self.resolve(life, kind, handler, unit, j)
        if target == "resolved":
            return
        closer = cast.pick(rng, cast.heads, accused)
        if target == "dissatisfied":  # R-CL-1: a dissatisfied customer reopens the case
            comment = rng.choice(DISSATISFIED)
            life.do(300, 2800, dispatcher, lambda t, a: steps.revisit("dissatisfied", comment, False, t, a))
            life.do(20, 240, handler, lambda t, a: steps.note(rng.choice(CONTACT_NOTES), True))
            self.resolve(life, kind, handler, unit, j)
        self.revisit_and_close(life, kind, j, dispatcher, closer)
        if target == "reopened":
            reason = rng.choice(REOPEN_REASONS)
            # R-CL-3: a closed case is reopened by a head, under that role, with the reason
            role = policy.authority.role_for(closer.roles, "reopen")
            life.do(1400, 20000, closer, lambda t, a: steps.reopen(reason, role))
            self.resolve(life, kind, handler, unit, j)
            self.revisit_and_close(life, kind, j, dispatcher, closer)

    def invalid(self, life: Life, dispatcher: Person) -> None:
        reason = self.rng.choice(list(REPLIES))
        life.do(30, 600, dispatcher, lambda t, a: steps.mark_invalid(reason, REPLIES[reason], a))  # R-AS-1

    def resolve(self, life: Life, kind: Kind, handler: Person, unit: str, j: int) -> None:
        rng = self.rng
        outcome = next((o for o in kind.outcomes if o in self.policy.outcomes), next(iter(self.policy.outcomes)))
        paid = outcome in ("compensation", "refund", "discount")
        amount = float(rng.choice((100, 200, 300, 500, 800, 1200))) if paid else None
        summary = kind.summaries[j % len(kind.summaries)]
        limit = self.policy.authority.limit_for(handler.roles)
        if amount is not None and limit is not None and amount > limit:  # R-ES-2: approved above the limit
            accused = str((life.doc.get("accused") or {}).get("person") or "")
            approver = self.cast.approver(rng, amount, self.policy, (handler.name, accused))
            life.do(30, 600, approver, lambda t, a: steps.approve(amount, "超出经办人权限,经审批同意"))
        life.do(120, 5200, handler, lambda t, a: steps.resolve(
            outcome, summary, t, a, compensation=amount, responsible=unit if paid else "",
            share=rng.choice((0.5, 1.0)) if paid else None, loss=amount))  # R-CL-2
        # R-DL-5: the unit's completion report (2 h) and the verification (8 h), where the policy asks
        present = life.doc.get("clocks") or {}
        if "completion" in present:
            life.do(5, 150, handler, lambda t, a: deadlines.report_filed("完工报告已提交", "completion"))
        if "verification" in present:
            life.do(30, 480, handler, lambda t, a: deadlines.report_filed("现场验证合格", "verification"))

    def revisit_and_close(self, life: Life, kind: Kind, j: int, dispatcher: Person, closer: Person) -> None:
        rng = self.rng
        happy = rng.choice(("satisfied", "satisfied", "satisfied", "neutral"))
        comment = "对处理结果满意" if happy == "satisfied" else "基本认可"
        life.do(240, 2800, dispatcher, lambda t, a: steps.revisit(happy, comment, rng.random() < 0.7, t, a))
        cause, lesson = kind.causes[j % len(kind.causes)], rng.choice(kind.lessons)
        preventive = rng.choice(kind.preventive)  # R-RT-6
        # R-RT-6, R-CL-3: closed again after a reopening, the case keeps its earlier preventive action
        earlier = [e.get("preventive_action") for e in life.doc["timeline"] if e.get("action") == "close"]
        preventive = preventive or next((p for p in reversed(earlier) if p), "")
        policy = self.policy
        life.do(10, 1400, closer, lambda t, a: steps.close(cause, lesson, preventive,
                                                           late_reason(life.doc, t, policy, life.cal), t, a))


@dataclass(frozen=True)
class Chunk:
    """What one worker builds: cases `moments`, numbered after `serials`, with its random state."""

    number: int
    moments: tuple[datetime, ...]
    serials: tuple[tuple[tuple[int, int], int], ...]
    rng_state: Any


def chunks(policy: Policy, spec: SampleSpec) -> list[Chunk]:
    """The sample cut into chunks of CHUNK cases (checks its arguments first)."""
    g = Generator(policy, spec)
    moments = g.received_moments()
    out: list[Chunk] = []
    serials: dict[tuple[int, int], int] = {}
    for n, i in enumerate(range(0, len(moments), CHUNK)):
        part = tuple(moments[i:i + CHUNK])
        state = g.rng.getstate() if n == 0 else random.Random(f"{spec.seed}/{n}").getstate()
        out.append(Chunk(n, part, tuple(sorted(serials.items())), state))
        for m in part:
            key = (m.year, m.month)
            serials[key] = serials.get(key, 0) + 1
    return out


def build_chunk(policy: Policy, spec: SampleSpec, chunk: Chunk, versions: bool = False, dump: Dump | None = None,
                keep_docs: bool = True) -> list[SampleCase]:
    """One chunk's cases (a worker's job): with their final text, and every version's if asked."""
    from complaintctl.model.fastyaml import dump_document

    writer: Dump = dump or dump_document
    g = Generator(policy, spec, writer if versions else None)
    g.rng.setstate(chunk.rng_state)
    g.serials = dict(chunk.serials)
    out = []
    for moment in chunk.moments:
        case = g.case(moment)
        assert case.doc is not None
        text = case.versions[-1].text if case.versions else writer(case.doc)
        out.append(replace(case, doc=case.doc if keep_docs else None, text=text))
    return out


def generate(policy: Policy, spec: SampleSpec, versions: bool = False, dump: Dump | None = None,
             workers: int = 1) -> Iterator[SampleCase]:
    """The sample cases in the order received (IDs numbered per month, R-IN-5). With
    `workers` > 1, chunks are built by a process pool (documents then stay in the workers:
    `doc` is None, `text` holds the file)."""
    parts = chunks(policy, spec)
    if workers <= 1 or len(parts) <= 1:
        for chunk in parts:
            yield from build_chunk(policy, spec, chunk, versions, dump)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        pending = []
        for chunk in parts:  # a few chunks in flight: memory stays flat
            pending.append(pool.submit(build_chunk, policy, spec, chunk, versions, dump, False))
            while len(pending) > workers:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()
