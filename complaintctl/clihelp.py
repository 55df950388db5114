"""`--help` in the office's language, laid out for Chinese and for keys.

The language is the nearest complaintctl.yaml's `language:` line (read, not parsed: help must
stay fast), else the user's locale (LC_ALL, LC_MESSAGES, LANG: `zh_CN.UTF-8` → zh), else English.
Every text click prints — a command's docstring, an option's `help=`, click's own headings —
is looked up in the gettext catalog by its English text; `extract_help` hands babel those
texts from the source (babel.cfg), so they are in the catalog like any `_()` message.

Lines are filled by display width (a Chinese character is two columns wide), break between
Chinese characters and at spaces, and never inside a word: `work-efficiency` stays whole
(click's own filling breaks at hyphens)."""

from __future__ import annotations

import ast
import inspect
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, Any

import click

from complaintctl import i18n
from complaintctl.i18n import N_, _

# click's own words, in the catalog through these marks
CLICK_WORDS = (N_("Usage: "), N_("Options"), N_("Commands"), N_("Show this message and exit."),
               N_("Show the version and exit."), N_("default: {default}"), N_("required"))
_EXTRA = re.compile(r"^(?P<text>.*?)(?:\s*\[(?P<extra>[^\[\]]*)\])?$", re.S)


def help_language(directory: str) -> str:
    return i18n.language_for(directory)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# a run of spaces, or one piece a line may break around: a run of narrow characters (a word, a
# key, an option: never broken) or one wide character — with the opening punctuation that must
# not end a line before it and the closing punctuation that must not start one after it
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_OPEN, _CLOSE = "（《「『“‘〔【", "，。、；：！？）》」』”’〕】"
_TOKEN = re.compile(rf"\s+|[{_OPEN}]*(?:[^\s{_WIDE}]+|[{_WIDE}])[{_CLOSE}]*")


def _pieces(text: str) -> list[str]:
    """The tokens, with a piece that ends in an opening bracket joined to the next one and a
    piece that starts with closing punctuation joined to the one before (no space between)."""
    out: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        if out and not token.isspace() and not out[-1].isspace() and (
                out[-1][-1] in _OPEN + "([" or token[0] in _CLOSE + ")],.;:!?"):
            out[-1] += token
        else:
            out.append(token)
    return out


def fill(text: str, limit: int) -> list[str]:
    """One paragraph in lines of at most `limit` columns (a word longer than that stands alone)."""
    lines: list[str] = []
    line, used, space = "", 0, False
    for token in _pieces(text):
        if token.isspace():
            space = bool(line)
            continue
        gap = 1 if space else 0
        w = width(token)
        if line and used + gap + w > limit:
            lines.append(line)
            line, used = token, w
        else:
            line, used = line + " " * gap + token, used + gap + w
        space = False
    if line:
        lines.append(line)
    return lines


def translate(text: str) -> str:
    """A help text in the active language: the whole text, else its part before click's
    `[default: …; required]`, each of those words too."""
    whole = _(text)
    if whole != text:
        return whole
    m = _EXTRA.match(text)
    if m is None or m.group("extra") is None:
        return text
    extras = []
    for item in m.group("extra").split("; "):
        key, sep, value = item.partition(": ")
        extras.append(_("default: {default}").format(default=value) if key == "default" and sep else _(item))
    main = _(m.group("text")) if m.group("text") else ""
    return f"{main}  [{'; '.join(extras)}]" if main else f"[{'; '.join(extras)}]"


class OfficeHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        limit = max(self.width - self.current_indent, 20)
        for i, para in enumerate(translate(text).split("\n\n")):
            if i:
                self.write("\n")
            if para.startswith("\b\n"):  # click's "do not rewrap" paragraph
                self.write("".join(f"{indent}{line}\n" for line in para[2:].splitlines()))
                continue
            self.write("".join(f"{indent}{line}\n" for line in fill(para, limit)))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((width(r[0]) for r in rows), default=0), col_max)
        indent = " " * self.current_indent
        limit = max(self.width - self.current_indent - first - col_spacing, 20)
        for term, text in rows:
            lines = fill(translate(text), limit) if text else []
            if width(term) <= first:
                head = f"{indent}{term}{' ' * (first - width(term) + col_spacing)}"
            else:
                self.write(f"{indent}{term}\n")
                head = " " * (self.current_indent + first + col_spacing)
            if not lines:
                self.write(head.rstrip() + "\n")
                continue
            self.write(f"{head}{lines[0]}\n")
            pad = " " * (self.current_indent + first + col_spacing)
            self.write("".join(f"{pad}{line}\n" for line in lines[1:]))


class OfficeContext(click.Context):
    """Speaks the office's language from the moment its help is laid out."""

    formatter_class = OfficeHelpFormatter

    def make_formatter(self) -> click.HelpFormatter:
        root = self.find_root()  # `-C DIR` is in meta once the group has run, in params before
        directory = root.meta.get("complaintctl.dir") or root.params.get("directory") or "."
        i18n.use(help_language(str(directory)))
        return super().make_formatter()


def office_help(command: click.Command) -> click.Command:
    """The command (and a group's subcommands) lays out its help as OfficeContext does."""
    command.context_class = OfficeContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            office_help(sub)
    return command


# ---- babel: the help texts of the source, for the catalog (babel.cfg) ----

def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _click_decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any("command" in ast.unparse(d) or "group" in ast.unparse(d) for d in node.decorator_list)


def extract_help(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                 ) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: every `help="…"` literal, every docstring of a click command,
    and the short helps of cli.COMMANDS, as click shows them (inspect.cleandoc)."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help" and (text := _literal(node.value)):
            yield node.value.lineno, "_", inspect.cleandoc(text), []
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _click_decorated(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, "_", doc.partition("\f")[0], []
        elif isinstance(node, ast.AnnAssign | ast.Assign) and "COMMANDS" in ast.unparse(node).split("=")[0] \
                and isinstance(node.value, ast.Dict):
            for value in node.value.values:
                if isinstance(value, ast.Tuple) and len(value.elts) == 2 and (text := _literal(value.elts[1])):
                    yield value.lineno, "_", text, []


def extract_messages(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                     ) -> Iterator[tuple[Any, ...]]:
    """babel.cfg's method for the package: the `_()` messages (babel's own Python method), then
    the help texts (babel runs one method per file)."""
    from babel.messages.extract import extract_python  # Babel: a dev dependency, never at run time

    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    yield from extract_help(fileobj, keywords, comment_tags, options)
