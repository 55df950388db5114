"""R-CL-2: the ranges of a resolution's amounts — compensation and loss are 0 or more, a share
of responsibility lies between 0 and 1. One definition for the rule on case files
(rules.fields), the steps (handling.steps) and the command line (commands.params)."""

from __future__ import annotations

from complaintctl.i18n import _

SHARE_MAX = 1.0
MAX_AMOUNT = 1e12  # the command line's cap on any amount: no overflow downstream


def amount_problem(value: float, cap: float | None = None) -> str | None:
    """Why `value` is no amount R-CL-2 allows (in the office's language), or None. `cap`: the
    command line's upper bound; the rule itself sets none."""
    if not value >= 0:  # NaN too
        return _("{value!r} must be 0 or more").format(value=value)
    if cap is not None and value > cap:
        return _("{value!r} must be between 0 and {high}").format(value=value, high=f"{cap:g}")
    return None


def share_problem(value: float) -> str | None:
    """Why `value` is no share of responsibility R-CL-2 allows (in the office's language), or None."""
    if not 0 <= value <= SHARE_MAX:  # NaN too
        return _("{value!r} must be between 0 and {high}").format(value=value, high=f"{SHARE_MAX:g}")
    return None
