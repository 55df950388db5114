"""The UI's own words (headings, buttons, field names), English msgids translated at each page
into the office's language (docs/i18n.md); the case's own words come from the same functions
`show`, `list` and `due` use."""

from __future__ import annotations

from complaintctl.i18n import N_, _

WORDS: dict[str, str] = {
    "mine": N_("My work"), "board": N_("Board"), "new": N_("New complaint"), "reports": N_("Report"),
    "bulletin": N_("Bulletin"), "sync": N_("Sync"), "acting_as": N_("Acting as"),
    "nothing_mine": N_("No open case names you as handler, resolver, first receiver or a head copied."),
    "roles": N_("you are"), "next_clock": N_("next clock"), "actions": N_("what you may do"),
    "handler": N_("handler"), "resolver": N_("resolver"), "first_receiver": N_("first receiver"),
    "copied": N_("head copied"), "timeline": N_("Timeline"), "clocks": N_("Clocks"),
    "commits": N_("Commits (from git)"), "similar": N_("Similar past cases"), "printable": N_("Printable form"),
    "record": N_("Record"), "refused": N_("Not recorded — nothing was written:"), "recorded": N_("Recorded"),
    "loading": N_("loading…"), "none": N_("none"),
    "no_actions": N_("The policy lets you take no step on this case now."),
    "new_id": N_("New case"), "clocks_started": N_("Clocks started"), "open_case": N_("Open the case"),
    "incident_auto": N_("as the text reads (R-AS-3)"), "not_incident": N_("It reads like an incident but is none"),
    "reason": N_("Reason"), "within": N_("within"), "overdue_only": N_("overdue only"),
    "by_unit": N_("By unit"), "by_person": N_("By person"), "filter": N_("Filter"), "all": N_("all"),
    "period": N_("Period"), "show": N_("Show"),
    "board_cut": N_("The {read} cases due soonest of {candidates}: narrow by unit, person or severity for the "
                    "rest."),
    "sweep_next": N_("next sweep"),
    "repeat_warning": N_("Looks like a repeat complaint (R-AS-5):"),
    "incident_warning": N_("This reads as an incident (R-AS-3):"),
}


def words() -> dict[str, str]:
    """Every UI word in the office's language (i18n.use has been called for the office)."""
    return {k: _(v) for k, v in WORDS.items()}
