"""The office's language (policy `language`: zh or en) through gettext message catalogs.

English is the source language: every msgid is the English text, and
`complaintctl/locale/<lang>/LC_MESSAGES/complaintctl.po` holds the translations; its compiled
`.mo` is committed beside it and ships in the wheel (docs/i18n.md says how to update both;
tests/test_i18n.py checks the zh catalog is complete and compiled). The catalog is read with
the standard library's `gettext`, so `--help` and `show` import no Babel.

The language is chosen once per command, when the office's policy is read (`use`); before
that (`init`, `--help`, a missing policy) the tool speaks English.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

DOMAIN = "complaintctl"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
POLICY_FILE = "complaintctl.yaml"  # policy.policy.POLICY_FILE, named here without importing the policy
LANGUAGE_LINE = re.compile(r"""(?m)^language:[ \t]*["']?(zh|en)["']?[ \t]*(?:#.*)?$""")

_cache: dict[str, gettext.NullTranslations] = {}
_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def translations(language: str) -> gettext.NullTranslations:
    """The catalog of one language (English: the msgids themselves)."""
    found = _cache.get(language)
    if found is None:
        if language == "en":
            found = gettext.NullTranslations()
        else:
            found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
        _cache[language] = found
    return found


def use(language: str) -> None:
    """Speak `language` from now on (the policy's `language`)."""
    global _active, _language
    _active, _language = translations(language), language


def language() -> str:
    return _language


def language_for(directory: str) -> str:
    """The language to speak before a policy is read (`--help`, `server init`): the nearest
    complaintctl.yaml's `language:` line, else the locale (LC_ALL, LC_MESSAGES, LANG: zh_CN → zh),
    else English."""
    found = language_near(Path(directory))
    if found:
        return found
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def language_near(start: Path) -> str | None:
    """The `language:` of the nearest complaintctl.yaml at or above `start`, read from its line
    (no parse: a command line's refusal, or `--help`, comes before the policy is read); None
    when there is none to read — the language is a nicety, the refusal stands in English."""
    try:
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / POLICY_FILE).is_file():
                found = LANGUAGE_LINE.search((folder / POLICY_FILE).read_text(encoding="utf-8", errors="replace"))
                return found.group(1) if found else None
    except OSError:
        return None
    return None


def _(message: str) -> str:
    """`message` in the office's language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the office's language, told apart from the same English in another
    context (a status "Closed" and a report column "Closed")."""
    return _active.pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a msgid for extraction; translated later, where it is shown."""
    return message


def _p(context: str, message: str) -> tuple[str, str]:
    """Marks (context, English msgid) for extraction (babel keyword `_p:1c,2`); looked up later
    with `translations(language).pgettext(*pair)`."""
    return context, message


def span(seconds: float) -> str:
    """A stretch of clock time: `duration` in calendar days and hours."""
    days, rest = divmod(int(abs(seconds)), 24 * 3600)
    return duration(days, rest, working=False)


def duration(days: int, seconds: float, working: bool) -> str:
    """The one way a time left or overdue is written, in the office's language: whole days
    (working days for a working-time clock) and hours, or — under a day — hours and minutes;
    truncated, never rounded up, so the time left is never overstated: 3 days 14 h 59 min is
    `3天14小时` / `3d 14h` (Babel's format_timedelta would say `4天`), 2 working days and 3
    working hours `2个工作日3小时`, a same-day stretch `3小时20分(工作时间)`, never `0个工作日`."""
    minutes = int(abs(seconds) // 60)
    h, m = divmod(minutes, 60)
    if days and working:
        if days == 1:  # English says "day" and "days"; the catalog holds each (no plural forms)
            return (_("1 working day {h}h") if h else _("1 working day")).format(h=h)
        return (_("{d} working days {h}h") if h else _("{d} working days")).format(d=days, h=h)
    if days:
        return _("{d}d {h}h").format(d=days, h=h)
    if not minutes:
        return _("under a working minute") if working else _("under a minute")
    text = _("{h}h {m:02d}m").format(h=h, m=m) if h else _("{m} min").format(m=m)
    return _("{span} working").format(span=text) if working else text
