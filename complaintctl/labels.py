"""Words printed for people, in the policy's language (zh or en): report and bulletin labels,
the case statuses, clock states, timeline actions, satisfaction — and the one place where a
word typed by a user (a key, or its label in either language) is turned back into its key.

The English texts are msgids of the gettext catalog (complaintctl.i18n); each carries its key
as context, so the same English ("Closed": a status, a report column) may read differently
in Chinese (已结案, 结案)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from complaintctl import i18n
from complaintctl.i18n import _p, translations

_LABELS: dict[str, tuple[str, str]] = {
    # headline figures
    "received": _p("received", "Complaints received"),
    "resolved": _p("resolved", "Resolved"),
    "closed": _p("closed", "Closed"),
    "invalid": _p("invalid", "Invalid"),
    "repeats": _p("repeats", "Repeat complaints"),
    "incidents_declined": _p("incidents_declined", "Incidents declined (R-AS-3)"),
    "customer": _p("customer", "Customer complaints"),
    "non_customer": _p("non_customer", "Non-customer complaints"),
    "anonymous": _p("anonymous", "Anonymous complaints"),
    "on_time_rate": _p("on_time_rate", "On-time rate"),
    "median_days": _p("median_days", "Median time to resolve (working days)"),
    "p90_days": _p("p90_days", "P90 time to resolve (working days)"),
    "satisfaction_rate": _p("satisfaction_rate", "Revisit satisfaction"),
    "open_at_end": _p("open_at_end", "Open at period end"),
    "overdue_at_end": _p("overdue_at_end", "Overdue at period end"),
    # sections
    "headline": _p("headline", "Key figures"),
    "classification": _p("classification", "Classification table (category × unit)"),
    "non_customer_classification": _p("non_customer_classification", "Non-customer complaints (category × unit)"),
    "by_severity": _p("by_severity", "By severity"),
    "by_channel": _p("by_channel", "By channel"),
    "by_class": _p("by_class", "By complainant class"),
    "clocks": _p("clocks", "On-time rate per clock"),
    "satisfaction": _p("satisfaction", "Revisit satisfaction"),
    "people": _p("people", "Work per person"),
    "against_record": _p("against_record", "Claims against the record (recorded time)"),
    "case_id": _p("case_id", "Case"),
    "how": _p("how", "Counts as"),
    "register": _p("register", "Weekly complaint register"),
    "charts": _p("charts", "Charts"),
    "featured": _p("featured", "Featured cases"),
    "report_title": _p("report_title", "Complaint report"),
    "bulletin_title": _p("bulletin_title", "Complaint case bulletin"),
    # columns
    "figure": _p("figure", "Figure"),
    "value": _p("value", "This period"),
    "previous": _p("previous", "Previous"),
    "change": _p("change", "Change"),
    "vs_previous": _p("vs_previous", "vs previous"),
    "category": _p("category", "Category"),
    "unit": _p("unit", "Unit"),
    "total": _p("total", "Total"),
    "item": _p("item", "Item"),
    "count": _p("count", "Count"),
    "clock": _p("clock", "Clock"),
    "on_time": _p("on_time", "On time"),
    "late": _p("late", "Late"),
    "rate": _p("rate", "Rate"),
    "person": _p("person", "Person"),
    "p_received": _p("p_received", "Received"),
    "p_handled": _p("p_handled", "Handled"),
    "p_closed": _p("p_closed", "Closed"),
    "p_on_time": _p("p_on_time", "Closed on time"),
    "id": _p("id", "ID"),
    "received_at": _p("received_at", "Received"),
    "channel": _p("channel", "Channel"),
    "complainant_class": _p("complainant_class", "Complainant class"),
    "subject": _p("subject", "Subject"),
    "severity": _p("severity", "Severity"),
    "handler": _p("handler", "Handler"),
    "status": _p("status", "Status"),
    "outcome": _p("outcome", "Outcome"),
    "resolved_at": _p("resolved_at", "Resolved"),
    "repeat": _p("repeat", "Repeat"),
    "timeliness": _p("timeliness", "Against the record"),  # policy.standing: the case's worst clock
    "upgraded": _p("upgraded", "Upgraded (R-DL-6)"),
    # bulletin
    "period": _p("period", "Period"),
    "as_of": _p("as_of", "Figures as of"),
    "what_happened": _p("what_happened", "What happened"),
    "what_was_done": _p("what_was_done", "What was done"),
    "root_cause": _p("root_cause", "Root cause"),
    "lesson": _p("lesson", "Lesson"),
    "preventive_action": _p("preventive_action", "Preventive action"),
    "why_featured": _p("why_featured", "Why featured"),
    "why_major": _p("why_major", "major complaint"),
    "why_repeat": _p("why_repeat", "repeat complaint"),
    "why_slow": _p("why_slow", "slowest to resolve"),
    "why_lesson": _p("why_lesson", "has a lesson"),
    "days_to_resolve": _p("days_to_resolve", "Time to resolve"),
    "no_cases": _p("no_cases", "No featured cases this period."),
    "masking_note": _p("masking_note", "Complainants' names, phone numbers, addresses and unit numbers are "
                                       "masked (R-RP-4)."),
    # R-RP-4: what a masked phone, address… reads as in a bulletin (docs/reports.md, "Masking")
    "mask_name": _p("mask_name", "[name]"),
    "mask_phone": _p("mask_phone", "[phone]"),
    "mask_number": _p("mask_number", "[number]"),
    "mask_email": _p("mask_email", "[e-mail]"),
    "mask_account": _p("mask_account", "[account]"),
    "mask_plate": _p("mask_plate", "[plate]"),
    "mask_id": _p("mask_id", "[ID number]"),
    "mask_address": _p("mask_address", "[address]"),
    "none": _p("none", "none"),
    "satisfied": _p("satisfied", "Satisfied"),
    "neutral": _p("neutral", "Neutral"),
    "dissatisfied": _p("dissatisfied", "Dissatisfied"),
    "unassigned": _p("unassigned", "Unassigned"),
    "intake": _p("intake", "Intake"),
    "response": _p("response", "First response"),
    "dispatch": _p("dispatch", "Dispatch"),
    "resolution": _p("resolution", "Resolution"),
    "revisit": _p("revisit", "Revisit"),
    "report": _p("report", "Written report"),
    "notice": _p("notice", "Cannot-meet notice"),
    "completion": _p("completion", "Completion report"),
    "verification": _p("verification", "Verification"),
    "board-report": _p("board-report", "Board report"),
    "opinion": _p("opinion", "Consolidated opinion"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "received": _p("status", "Received"),
    "assigned": _p("status", "Assigned"),
    "in_progress": _p("status", "In progress"),
    "waiting": _p("status", "Waiting"),
    "resolved": _p("status", "Resolved"),
    "closed": _p("status", "Closed"),
    "invalid": _p("status", "Invalid"),
    "open": _p("status", "Open"),  # a filter only: every status before resolved
}

SATISFACTION: dict[str, tuple[str, str]] = {
    "satisfied": _p("satisfaction", "Satisfied"),
    "neutral": _p("satisfaction", "Neutral"),
    "dissatisfied": _p("satisfaction", "Dissatisfied"),
}

# The vocabularies a user may type that are not the policy's (policy.vocabularies)
FIXED: dict[str, dict[str, tuple[str, str]]] = {"statuses": STATUSES, "satisfaction": SATISFACTION}

# Roles (escalation levels are roles too: R-ES-1's chain)
ROLES: dict[str, tuple[str, str]] = {
    "staff": _p("role", "Staff"),
    "head": _p("role", "Head of department"),
    "vp": _p("role", "Vice-president in charge"),
    "gm": _p("role", "General manager"),
    "dispatcher": _p("role", "Dispatcher"),
    "hq": _p("role", "Headquarters"),
    "system": _p("role", "System"),
}

INVALID_REASONS: dict[str, tuple[str, str]] = {  # R-AS-1
    "unverifiable": _p("invalid reason", "Too unclear to verify"),
    "contrary-to-fact": _p("invalid reason", "Seriously contrary to fact"),
    "out-of-scope": _p("invalid reason", "Outside our service commitments"),
    "unlawful": _p("invalid reason", "Not in conformity with the law"),
}

# The notices `notify` sends (rules.notices.KINDS), as their mails name them (reporting.mailtexts)
NOTICES: dict[str, tuple[str, str]] = {
    "incident": _p("notice", "Incident reported"),
    "dispatch": _p("notice", "Dispatched"),
    "completion": _p("notice", "Handling completed"),
    "reminder": _p("notice", "Reminder"),
    "escalation": _p("notice", "Escalated"),
    "revisit": _p("notice", "Revisit due"),
}

CLOCK_STATES: dict[str, tuple[str, str]] = {
    "on time": _p("clock state", "on time"),
    "late": _p("clock state", "late"),
    "running": _p("clock state", "running"),
    "overdue": _p("clock state", "overdue"),
    "paused": _p("clock state", "paused"),
    "stopped": _p("clock state", "stopped"),
    "missed": _p("clock state", "missed"),
    # recorded time (policy.clocks.timeliness): how a met clock counts, and unstamped entries
    "on time (vouched)": _p("clock state", "on time (vouched)"),
    "claimed on time, recorded late": _p("clock state", "claimed on time, recorded late"),
    "pending": _p("clock state", "pending (not on the record yet)"),
    "unstamped": _p("clock state", "unstamped (before stamping began)"),
    "imported (claimed, not witnessed)": _p("clock state", "imported (claimed, not witnessed)"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "received": _p("action", "received"),
    "assign": _p("action", "assign"),
    "plan": _p("action", "plan"),
    "wait": _p("action", "wait"),
    "resume": _p("action", "resume"),
    "resolve": _p("action", "resolve"),
    "revisit": _p("action", "revisit"),
    "close": _p("action", "close"),
    "reopen": _p("action", "reopen"),
    "invalid": _p("action", "invalid"),
    "note": _p("action", "note"),
    "contact": _p("action", "contact"),
    "extend": _p("action", "extend"),
    "escalate": _p("action", "escalate"),
    "remind": _p("action", "remind"),
    "upgrade": _p("action", "upgrade"),
    "reassign": _p("action", "reassign"),
    "replan": _p("action", "replan"),
    "report": _p("action", "report filed"),
    "renumber": _p("action", "renumber"),
    "correct": _p("action", "correct"),
    "approve": _p("action", "approve"),
    "edit": _p("action", "edit"),
    "notice": _p("action", "notice"),
    "vouch-late": _p("action", "vouch for a late-recorded step"),
}


def _text(language: str, pair: tuple[str, str]) -> str:
    return translations(language).pgettext(*pair)


def labels(language: str) -> Mapping[str, str]:
    """All report labels for one language (unknown keys are the caller's to fall back on)."""
    t = translations(language)
    return {k: t.pgettext(*v) for k, v in _LABELS.items()}


def label(language: str, key: str) -> str:
    pair = _LABELS.get(key)
    return key if pair is None else _text(language, pair)


def action_word(key: str) -> str:
    """One timeline action's word in the office's language (`reassign` → 改派), for a message
    made now and then (a rule finding), not per row."""
    pair = ACTIONS.get(key)
    return key if pair is None else translations(i18n.language()).pgettext(*pair)


def status_word(key: str) -> str:
    """A status in the office's language (`in_progress` → 处理中), for a message made now and
    then: inside a sentence the office reads its word, not the key."""
    pair = STATUSES.get(key)
    return key if pair is None else translations(i18n.language()).pgettext(*pair)


def status_list(keys: Iterable[str]) -> str:
    return ("、" if i18n.language() == "zh" else ", ").join(status_word(k) for k in keys)


def words(language: str, table: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """One fixed vocabulary (STATUSES, SATISFACTION, CLOCK_STATES, ACTIONS) in one language:
    key -> word, looked up once per command, not once per row."""
    t = translations(language)
    return {k: t.pgettext(*v) for k, v in table.items()}


def names(table: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """key -> every name it goes by (its zh and en words), for `resolve`."""
    zh, en = words("zh", table), words("en", table)
    return {k: (zh[k], en[k]) for k in table}


def resolve(value: str, known: Mapping[str, Iterable[str]]) -> str | None:
    """The key `value` stands for: the key itself, or one of its names in either language
    (English case-insensitively, `-`/`_`/space alike); None if nothing matches."""
    if value in known:
        return value
    folded = _fold(value)
    for key, others in known.items():
        if folded == _fold(key) or any(value == n or folded == _fold(n) for n in others):
            return key
    return None


def _fold(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()
