"""A fast reader and writer for case documents as complaintctl writes them: the same bytes
as the round-trip dump (`model.case.dump_document`), about 30x faster (a 100,000-case
sample with its whole history writes ~600,000 versions; a sweep over a backlog rewrites
every late case).

`rebuild` is the reading half: from the strict reader's plain data and the file's text it
builds the round-trip document the steps change — and keeps it only when writing it back
gives the file's exact bytes, so nothing of the file (a comment, a quoting style, a key
order) can be lost; otherwise the caller loads with ruamel.

It writes only what those documents hold — block mappings and sequences (mapping indent 2,
sequence indent 4 with offset 2), empty `[]`/`{}`, the start comment and comments before
top-level keys, and scalars (text, numbers, booleans, dates, times with a UTC offset). For
anything else (flow style, other comments, a shared object that ruamel would write as an
alias, text that could fold at the line width) it returns None and the caller uses ruamel.
A text scalar whose style is not obvious is rendered once by ruamel itself and remembered.
tests/sample/test_fastyaml.py proves the bytes identical over generated cases and every version of
their history.
"""

from __future__ import annotations

import io
import math
import re
from collections import OrderedDict
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl.model.case import _yaml_rt

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_KEYWORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
_UNSAFE_START = set(" -?:,[]{}#&*!|>'\"%@`")
_SPECIAL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


class Unsupported(Exception):
    """The document holds something this writer does not write like ruamel: use ruamel."""


class _MightFold(Unsupported):
    """A long text with spaces: whether ruamel folds it depends on the column it starts at."""


@lru_cache(maxsize=65536)
def _by_ruamel_at(text: str, column: int) -> str:
    """ruamel's rendering of `text` as a value starting at `column` (a key of the same
    length puts it there); Unsupported when ruamel folds it over lines."""
    key = "k" * max(1, column - 2)
    buf = io.StringIO()
    _yaml_rt().dump({key: text}, buf)
    out = buf.getvalue()
    if out.count("\n") != 1 or not out.startswith(key + ": "):
        raise Unsupported(text)
    return out[len(key) + 2:-1]


@lru_cache(maxsize=65536)
def _by_ruamel(text: str) -> str:
    buf = io.StringIO()
    _yaml_rt().dump({"k": text}, buf)
    out = buf.getvalue()
    if out.count("\n") != 1 or not out.startswith("k: "):
        raise Unsupported(text)
    return out[3:-1]


@lru_cache(maxsize=262144)
def _text(s: str) -> str:
    if not s:
        return "''"
    if _IDENT.match(s):
        return s if s.lower() not in _KEYWORDS else _by_ruamel(s)
    if _DIGITS.match(s):
        return f"'{s}'"
    if " " in s and len(s) > 40:
        raise _MightFold(s)  # might fold at the line width: the caller knows the column
    if not s.isascii() and s[0] not in _UNSAFE_START and s[-1] not in " :" and ": " not in s \
            and " #" not in s and not _SPECIAL.search(s):
        return s
    return _by_ruamel(s)


def _scalar(v: Any) -> str:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is str:
        return _text(v)
    if t is int:
        return str(v)
    if t is float:
        if not math.isfinite(v) or abs(v) >= 1e16 or (v != 0 and abs(v) < 1e-4):
            raise Unsupported(v)
        return repr(v)
    if t is datetime:
        if v.tzinfo is None or v.microsecond or v.utcoffset() in (None, timedelta(0)):
            raise Unsupported(v)
        return str(v.isoformat(sep=" "))
    if t is date:
        return str(v.isoformat())
    raise Unsupported(v)


@lru_cache(maxsize=4096)
def _key(k: Any) -> str:
    if type(k) is not str or not _IDENT.match(k) or k.lower() in _KEYWORDS:
        raise Unsupported(k)
    return k


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.seen: set[int] = set()

    def _once(self, v: Any) -> None:
        # ruamel writes an object met twice as an anchor and an alias
        if id(v) in self.seen:
            raise Unsupported("shared object")
        self.seen.add(id(v))

    def _plain_container(self, v: Any) -> None:
        if getattr(v, "merge", None):
            raise Unsupported("merge keys")
        ca = getattr(v, "ca", None)
        if ca is not None and (ca.items or ca.comment or getattr(ca, "end", None)):
            raise Unsupported("comments")
        fa = getattr(v, "fa", None)
        if fa is not None and fa.flow_style() and len(v):
            raise Unsupported("flow style")

    def mapping(self, m: Any, indent: int, first_inline: bool = False) -> None:
        pad = " " * indent
        # OrderedDict's own (C) iteration: the mapping's order, without CommentedMap's Python-level
        # iterator (a CommentedMap with merge keys is refused in _plain_container)
        items = OrderedDict.items(m) if isinstance(m, OrderedDict) else m.items()
        for n, (k, v) in enumerate(items):
            lead = "" if (first_inline and n == 0) else pad
            key = _key(k)
            self.entry(f"{lead}{key}:", v, indent, indent + len(key) + 2)

    def entry(self, head: str, v: Any, indent: int, column: int = 0) -> None:
        """`column`: where a scalar value starts (the head may begin after a sequence's `- `)."""
        if isinstance(v, dict):
            self._once(v)
            self._plain_container(v)
            if not v:
                self.out.append(f"{head} {{}}\n")
                return
            self.out.append(head + "\n")
            self.mapping(v, indent + 2)
        elif isinstance(v, list):
            self._once(v)
            self._plain_container(v)
            if not v:
                self.out.append(f"{head} []\n")
                return
            self.out.append(head + "\n")
            self.sequence(v, indent + 2)
        else:
            if isinstance(v, datetime | date):
                self._once(v)
            try:
                s = _scalar(v)
            except _MightFold:
                s = _by_ruamel_at(v, column or len(head) + 1)
            self.out.append(f"{head} {s}\n" if s else head + "\n")

    def sequence(self, seq: Any, indent: int) -> None:
        pad = " " * indent
        for item in seq:
            if isinstance(item, dict):
                self._once(item)
                self._plain_container(item)
                if not item:
                    self.out.append(f"{pad}- {{}}\n")
                    continue
                self.out.append(f"{pad}- ")
                self.mapping(item, indent + 2, first_inline=True)
            elif isinstance(item, list):
                raise Unsupported("nested sequence")
            else:
                if isinstance(item, datetime | date):
                    self._once(item)
                try:
                    s = _scalar(item)
                except _MightFold:
                    s = _by_ruamel_at(item, indent + 2)
                self.out.append(f"{pad}- {s}\n" if s else f"{pad}-\n")


def _comment_lines(tokens: Any) -> str:
    out = []
    for tok in tokens or ():
        value = getattr(tok, "value", None)
        if not isinstance(value, str) or not value.startswith("#") or not value.endswith("\n") \
                or getattr(tok, "column", 0) != 0:
            raise Unsupported("comment")
        out.append(value)
    return "".join(out)


def dump(doc: CommentedMap) -> str | None:
    """The round-trip dump's exact text, or None where this writer cannot promise it."""
    try:
        if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
            return None
        w = _Writer()
        w.seen.add(id(doc))
        start = doc.ca.comment
        if start is not None:
            if start[0] is not None or any(start[2:]):
                return None
            w.out.append(_comment_lines(start[1]))
        if getattr(doc.ca, "end", None):
            return None
        if getattr(doc, "merge", None):
            return None
        for k, v in OrderedDict.items(doc):
            item = doc.ca.items.get(k)
            if item is not None:
                if item[0] is not None or item[2] is not None or item[3] is not None:
                    return None
                w.out.append(_comment_lines(item[1]))
            w.entry(f"{_key(k)}:", v, 0)
        if set(doc.ca.items) - set(doc):
            return None  # a comment left on a key that is gone: ruamel's handling is not ours
        return "".join(w.out)
    except Unsupported:
        return None


def _comment_text(lines: list[str]) -> str | None:
    """The text `yaml_set_start_comment`/`..._before_after_key` take for `# x` lines."""
    out = []
    for line in lines:
        if not line.startswith("# "):
            return None  # `#x` or a bare `#`: not a comment complaintctl writes
        out.append(line[2:])
    return "\n".join(out)


def _container(value: Any) -> Any:
    if type(value) is dict:
        return CommentedMap((k, _container(v)) for k, v in value.items())
    if type(value) is list:
        return CommentedSeq(_container(v) for v in value)
    return value


def rebuild(text: str, data: dict[str, Any]) -> CommentedMap | None:
    """The round-trip document for `text`, built from its strict-reader `data` without
    parsing again, or None unless `dump` of it gives `text` byte for byte (then ruamel must
    load it: a comment inside a section, a hand-chosen quoting style, …)."""
    lines = text.split("\n")
    start: list[str] = []
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        start.append(lines[n])
        n += 1
    before: dict[str, str] = {}
    pending: list[str] = []
    for line in lines[n:]:
        if line.startswith("#"):
            pending.append(line)
        elif pending and line and not line[0].isspace():
            key = line.split(":", 1)[0]
            comment = _comment_text(pending)
            if comment is None or key not in data:
                return None
            before[key] = comment
            pending = []
    if pending:
        return None  # a comment after the last key
    doc = _container(data)
    if start:
        comment = _comment_text(start)
        if comment is None:
            return None
        doc.yaml_set_start_comment(comment)
    for key, comment in before.items():
        doc.yaml_set_comment_before_after_key(key, before=comment)
    return doc if dump(doc) == text else None


def dump_document(doc: CommentedMap) -> str:
    """Fast where possible, ruamel's round-trip dump otherwise: always its bytes."""
    text = dump(doc)
    if text is None:
        from complaintctl.model.case import ruamel_dump

        return ruamel_dump(doc)
    return text


__all__ = ["CommentedMap", "CommentedSeq", "dump", "dump_document", "rebuild"]
