"""What every command of ``beacon-org`` shares: exit codes, reading input, writing output.

Its own module so that ``cli`` and the commands kept elsewhere (``_expectations``) import it
rather than each other.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from typing import Any, TextIO

from ._bundle import Bundle, bundle_from_dict
from ._errors import OrgError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141

#: Lines of human output fit this many columns.
WIDTH = 100
#: An error message longer than this is cut: the place comes first, so it is never cut away.
MESSAGE_LIMIT = 300
#: Progress on stderr starts after this many seconds of work (and only on a terminal).
PROGRESS_AFTER = 2.0


class _BadInput(Exception):
    """Input the command cannot use: reported as one line on stderr, exit status 2."""


def _cut(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line of at most ``limit`` characters, saying how much was left out."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return f"{line[: limit - 30]}... ({len(line) - limit + 30:,} more characters)"


# --- writing --------------------------------------------------------------------------------------


class _Writer:
    """Human output: every line wrapped to :data:`WIDTH` columns, continuation lines indented."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def line(self, text: str = "", *, hang: str = "") -> None:
        if len(text) <= WIDTH:
            self.out.write(f"{text}\n")
            return
        indent = text[: len(text) - len(text.lstrip(" "))]
        wrapped = textwrap.wrap(
            text,
            width=WIDTH,
            subsequent_indent=indent + (hang or "    "),
            break_long_words=True,
            break_on_hyphens=False,
        )
        self.out.write("\n".join(wrapped) + "\n")


def _write_json(out: TextIO, data: Any) -> None:
    out.write(json.dumps(data, indent=2) + "\n")


class _Progress:
    """Counts long work on stderr, only when stderr is a terminal and after a couple of seconds."""

    def __init__(self, err: TextIO, what: str, total: int) -> None:
        isatty = getattr(err, "isatty", None)
        self.on = bool(isatty and isatty())
        self.err, self.what, self.total = err, what, total
        self.start = time.monotonic()
        self.after = PROGRESS_AFTER
        self.shown_at = 0.0

    def step(self, done: int) -> None:
        if not self.on:
            return
        now = time.monotonic()
        if now - self.start < self.after or now - self.shown_at < 0.2:
            return
        self.shown_at = now
        self.err.write(f"\rbeacon-org: {self.what} {done:,}/{self.total:,}")
        self.err.flush()

    def done(self) -> None:
        if self.on and self.shown_at:
            self.err.write("\r\033[K")
            self.err.flush()


# --- reading --------------------------------------------------------------------------------------


def _read_text(path: str) -> str:
    """The text of a file, or of stdin for ``-``; a UTF-8 byte-order mark is dropped."""
    name = _name(path)
    data: bytes | str
    try:
        if path == "-":
            stream = sys.stdin
            data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        msg = f"cannot read {name}: {exc.strerror or exc}"
        raise _BadInput(msg) from None
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        # utf-8-sig: a file saved with a byte-order mark (as some Windows editors do) reads too.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{name} is not UTF-8 text (bad byte at offset {exc.start})"
        raise _BadInput(msg) from None


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise _BadInput(msg) from None
    except RecursionError:
        msg = f"{name} is nested too deeply to read (arrays or objects inside each other)"
        raise _BadInput(msg) from None
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits (int_max_str_digits).
        msg = f"{name} holds a value Python cannot read: {exc}"
        raise _BadInput(msg) from None


def _name(path: str) -> str:
    return "stdin" if path == "-" else repr(path)


def _read_bundle(path: str) -> Bundle:
    name = _name(path)
    data = _parse_json(_read_text(path), name)
    try:
        return bundle_from_dict(data)
    except OrgError as exc:
        msg = f"{name}: {exc}"
        raise _BadInput(msg) from None
    except RecursionError:
        msg = f"{name}: nested too deeply to read"
        raise _BadInput(msg) from None
