"""Every value typed on the command line is checked before anything is read or written:
text is valid Unicode without control characters (tabs and newlines only in the fields that
hold paragraphs), numbers are finite and in range. A bad value is a usage error (exit 2)
naming the option."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from complaintctl import labels
from complaintctl.errors import BadValue
from complaintctl.i18n import _
from complaintctl.policy import vocabularies
from complaintctl.rules import amounts
from complaintctl.rules.amounts import MAX_AMOUNT

if TYPE_CHECKING:
    from complaintctl.policy.policy import Policy

# Parameters whose text may run over several lines (a note, a reply, a summary…).
PARAGRAPHS = frozenset({"details", "measures", "text", "reason", "summary", "comment", "root_cause", "lesson",
                        "preventive_action", "late_reason", "reply"})
MAX_LINE = 500  # characters in a one-line field (name, subject, handler…)
MAX_PARAGRAPH = 20_000

_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes in argv arrive as U+DC80..U+DCFF
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_CONTROL_PARAGRAPH = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def option_name(name: str) -> str:
    """How the user typed it: `--root-cause` for root_cause, `TEXT` for an argument."""
    ctx = click.get_current_context(silent=True)
    for param in ctx.command.params if ctx else ():
        if param.name == name:
            return max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
    return "--" + name.replace("_", "-")


def check_text(value: str, name: str, paragraph: bool | None = None) -> str:
    """`value` if it is acceptable text for parameter `name`, else BadValue (exit 2)."""
    if paragraph is None:
        paragraph = name in PARAGRAPHS
    shown = option_name(name)
    bad = _SURROGATE.search(value)
    if bad:
        byte = ord(bad.group()) - 0xDC00 if 0xDC80 <= ord(bad.group()) <= 0xDCFF else None
        what = f" (byte 0x{byte:02x})" if byte is not None else ""
        raise BadValue(f"{shown}: not valid UTF-8 text{what}: set a UTF-8 locale or fix the text")
    bad = (_CONTROL_PARAGRAPH if paragraph else _CONTROL_LINE).search(value)
    if bad:
        allowed = "only tabs and newlines are allowed" if paragraph else "this field is one line of text"
        raise BadValue(f"{shown}: control character U+{ord(bad.group()):04X} in the text ({allowed})")
    limit = MAX_PARAGRAPH if paragraph else MAX_LINE
    if len(value) > limit:
        raise BadValue(f"{shown}: {len(value)} characters is too long (at most {limit})")
    return value


def check_values(params: Mapping[str, Any]) -> None:
    """Check every text a command received (strings and lists of strings)."""
    for name, value in params.items():
        if isinstance(value, str):
            check_text(value, name)
        elif isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, str):
                    check_text(item, name)


class Amount(click.ParamType):
    """R-CL-2: money amounts are finite numbers ≥ 0 (and below 10¹²: no overflow downstream)."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = _float(value, param)
        if amounts.amount_problem(number, MAX_AMOUNT) is not None:
            _speak_office_language(ctx)  # then the reason, in the office's words
            raise BadValue(f"{_name(param)}: R-CL-2: {amounts.amount_problem(number, MAX_AMOUNT)}")
        return number


class Share(click.ParamType):
    """R-CL-2: a share of responsibility is between 0 and 1."""

    name = "share"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = _float(value, param)
        if amounts.share_problem(number) is not None:
            _speak_office_language(ctx)
            raise BadValue(f"{_name(param)}: R-CL-2: {amounts.share_problem(number)}")
        return number


def _speak_office_language(ctx: click.Context | None) -> None:
    """Options are converted before the office's policy is read (commands.common.workspace):
    a refused value is said in the office's language all the same, read from the `language:`
    line of the nearest complaintctl.yaml (as the hooks do, repo.precommit)."""
    from complaintctl import i18n
    from complaintctl.i18n import language_near

    language = language_near(Path(ctx.find_root().meta.get("complaintctl.dir", ".")) if ctx else Path("."))
    if language:
        i18n.use(language)


def _name(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "value"


def _float(value: Any, param: click.Parameter | None) -> float:
    """Same words as the core's check (handling.steps), exit 2 (a usage error) at the edge."""
    if isinstance(value, float):
        number = value
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise BadValue(f"{_name(param)}: {str(value)[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise BadValue(f"{_name(param)}: R-CL-2: {value!r} is not a finite number")
    return number


AMOUNT = Amount()
SHARE = Share()


# Options that take a word from a vocabulary: option name -> the policy's table, or one of the
# fixed vocabularies in labels.py. Each takes the key or its label in either language
# (`--category 工作效率`, `--status 已结案`, `--unit 工程维修部`); anything else is a usage error
# (exit 2) listing the choices — never a silent empty result.
VOCABULARIES: dict[str, str] = {
    "category": "categories", "unit": "units", "severity": "severities", "channel": "channels",
    "complainant_class": "complainant_classes", "outcome": "outcomes", "accused_unit": "units",
    "status": "statuses", "statuses": "statuses", "satisfaction": "satisfaction",
}


def vocabulary_key(policy: Policy, vocabulary: str, value: str, name: str) -> str:
    """The key `value` stands for in `vocabulary` (policy.vocabularies), else BadValue (exit 2)
    naming the option as the user typed it."""
    return vocabularies.key_for(policy, vocabulary, value, option_name(name))


def resolve_vocabularies(policy: Policy, params: dict[str, Any]) -> None:
    """Turn every vocabulary option's value (key or label) into its key, in place."""
    for name, vocabulary in VOCABULARIES.items():
        value = params.get(name)
        if isinstance(value, str) and value:
            params[name] = vocabulary_key(policy, vocabulary, value, name)
        elif isinstance(value, tuple) and value:
            params[name] = tuple(vocabulary_key(policy, vocabulary, v, name) for v in value)


def vocabulary_help(text: str, vocabulary: str) -> str:
    """Help for a vocabulary option, with the office's own keys when its policy is at hand
    (read cheaply: `--help` must stay fast), else a pointer to complaintctl.yaml."""
    keys = _policy_keys(vocabulary)
    if vocabulary in labels.FIXED:
        return _(text) + _(" A key or its label (zh or en): {keys}.").format(keys=", ".join(keys))
    if keys:
        return _(text) + _(" A key or its label (zh or en) from complaintctl.yaml `{vocabulary}`: {keys}.").format(
            vocabulary=vocabulary, keys=", ".join(keys))
    return _(text) + _(" A key or its label (zh or en) from complaintctl.yaml `{vocabulary}`.").format(
        vocabulary=vocabulary)


def _policy_keys(vocabulary: str) -> list[str]:
    if vocabulary in labels.FIXED:
        return list(labels.FIXED[vocabulary])
    ctx = click.get_current_context(silent=True)
    start = Path(ctx.find_root().meta.get("complaintctl.dir", ".")) if ctx else Path(".")
    for folder in (start.resolve(), *start.resolve().parents):
        path = folder / "complaintctl.yaml"
        if path.is_file():
            import yaml  # PyYAML's C loader: milliseconds, where the full policy check takes ~50 ms

            try:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
                table = data.get(vocabulary) if isinstance(data, dict) else None
                return [str(k) for k in table] if isinstance(table, dict) else []
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                return []
    return []


class VocabularyOption(click.Option):
    """An option taking a vocabulary word; its help lists the office's values (item 7)."""

    def __init__(self, *args: Any, vocabulary: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vocabulary = vocabulary
        self.base_help = self.help or ""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = vocabulary_help(self.base_help, self.vocabulary)
        return super().get_help_record(ctx)
