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
from pathlib import Path

DOMAIN = "complaintctl"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")

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
    """A stretch of time in two units, truncated, never rounded up: 3 days 14 h 59 min is
    "3d 14h" / "3天14小时" — the time left before a deadline is never overstated
    (Babel's format_timedelta would say "4天")."""
    minutes = int(abs(seconds) // 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if d:
        return _("{d}d {h}h").format(d=d, h=h)
    return _("{h}h {m:02d}m").format(h=h, m=m)
