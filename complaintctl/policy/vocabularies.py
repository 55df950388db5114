"""The words a user types for a vocabulary: the policy's tables (categories, units, channels…)
and the fixed ones (statuses, satisfaction). Each key may be typed as itself or as its zh or en
label (labels.resolve); anything else is refused with the choices listed. Also which case
field a correction takes from which vocabulary (docs/authority.md)."""

from __future__ import annotations

from complaintctl import labels
from complaintctl.errors import BadValue
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.policy.policy import Policy

FIXED = labels.FIXED

# A correctable field whose value is a key of a policy vocabulary (R-DEF-3, R-AS-2, R-DEF-2,
# R-DEF-4): `correct --value` takes the key or its label in either language, as the options do.
CORRECTED_BY_KEY = {F.ASSESSMENT_CATEGORY: "categories", F.ASSESSMENT_SEVERITY: "severities",
                    F.INTAKE_COMPLAINANT_CLASS: "complainant_classes", F.INTAKE_CHANNEL: "channels"}


def names(policy: Policy, vocabulary: str) -> dict[str, tuple[str, ...]]:
    """key -> the names a user may type for it (its zh and en labels)."""
    fixed = FIXED.get(vocabulary)
    return labels.names(fixed) if fixed is not None else dict(policy.names(vocabulary))


def key_for(policy: Policy, vocabulary: str, value: str, option: str) -> str:
    """The key `value` stands for in `vocabulary`, else BadValue (a usage error, exit 2) naming
    `option` and listing the choices in one line."""
    known = names(policy, vocabulary)
    key = labels.resolve(value, known)
    if key is None:
        words = labels.words(policy.language, FIXED[vocabulary]) if vocabulary in FIXED \
            else policy.labels(vocabulary)
        choices = ", ".join(f"{k} ({words[k]})" if words.get(k, k) != k else k for k in known)
        raise BadValue(_("{option}: {value!r} is not one of: {choices}").format(
            option=option, value=value, choices=choices))
    return key
