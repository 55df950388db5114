"""`git diff` and `git log -p` for a key holder (docs/design/encrypted-fields.md, "git diff"):
git hands the diff driver `complaintctl` each version of a case file (`.gitattributes`:
`cases/**/*.yaml diff=complaintctl`), and it prints the file with every marker this user's keys
open replaced by its text. Markers it cannot open stay as they are, so the diff still shows
that such a field changed; a file it cannot read is printed unchanged. Never an error: git
would print none of the diff."""

from __future__ import annotations

import json
import re

from complaintctl.errors import InvalidInput
from complaintctl.model.case import get, load_plain
from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.privacy import marker as M
from complaintctl.privacy.document import reveal_value
from complaintctl.privacy.keyring import Keyring


def reveal_text(text: str, keyring: Keyring | None, limits: Limits = DEFAULT_LIMITS) -> str:
    """The case file's text with the markers `keyring` opens shown as their (quoted) text."""
    if "ENC[" not in text or keyring is None:
        return text
    try:
        data = load_plain(text, "textconv", limits)
    except InvalidInput:
        return text
    for path in M.ENCRYPTED_FIELDS:
        value = get(data, path)
        if not M.is_marker(value):
            continue
        shown = reveal_value(value, path, keyring)
        if shown == M.ENCRYPTED:
            continue
        # the marker as the writer folds it (on the key's line or the next, plain or quoted) →
        # one double-quoted scalar on the key's line, so the diff shows the field's line
        quoted = json.dumps(str(shown), ensure_ascii=False)
        found = re.search(rf":[ \t]*(?:\n[ \t]*)?(['\"]?){re.escape(value)}\1", text)
        if found is not None:
            text = text[:found.start()] + ": " + quoted + text[found.end():]
    return text
