"""What every output does to cells it did not write itself: chronology text is the reviewers' and
can carry formulas, terminal escapes and control characters. One place, for every output:

* CSV (and any spreadsheet output): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading ``'``, as OWASP recommends against CSV injection
  (https://owasp.org/www-community/attacks/CSV_Injection), so a spreadsheet shows it as text and
  never runs it (``=HYPERLINK(...)`` stays text). Numbers are written as they are.
* Terminal tables: control characters (C0 and C1, so ESC and CSI, and with them OSC-8 links) and
  bidirectional overrides are shown as visible escapes (``\\x1b``), never sent to the terminal.
* JSON: the same characters as ``\\u`` escapes (JSON already escapes C0; this adds DEL, C1 and the
  bidi controls); the data is unchanged for any JSON reader.
* XML (GraphML): characters XML 1.0 cannot hold become U+FFFD, so the file stays valid XML.
* Files: ``write_text`` writes an output file or raises one clear error (a missing folder, /proc,
  /dev/full, an empty name), never a traceback; ``format_for`` takes a written file's format from its
  extension and refuses a name the command cannot write, before anything runs.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any, Iterable

from dhrgraph.graph.errors import DhrgraphError

__all__ = ["FORMULA_STARTS", "neutralise", "csv_writer", "terminal_safe", "json_text", "json_safe", "xml_safe", "write_text", "OutputError",
           "EXTENSIONS", "format_for"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls (tab and newline are flattened by the table renderer), DEL, C1 (CSI is \x9b), and the
# bidirectional overrides and isolates that can reorder what a terminal shows
_UNSAFE_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OutputError(DhrgraphError):
    """An output file that cannot be written."""


def neutralise(value: Any) -> Any:
    """A spreadsheet-safe cell: text starting with a formula character gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _NeutralisingWriter:
    def __init__(self, writer: Any):
        self._writer = writer

    def writerow(self, row) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: Any, **options: Any) -> _NeutralisingWriter:
    """A ``csv.writer`` whose every cell is ``neutralise``d: use it for every CSV dhrgraph writes."""
    return _NeutralisingWriter(csv.writer(fh, **options))


def terminal_safe(text: str) -> str:
    """``text`` with control and bidi characters shown as escapes (``\\x1b``, ``\\u202e``)."""
    if not _UNSAFE_TERMINAL.search(text):
        return text
    return _UNSAFE_TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def json_text(value: Any, *, indent: bool = False, sort_keys: bool = False) -> str:
    """``value`` as JSON text, non-ASCII characters as they are: compact (``","`` and ``":"``), or indented by two
    spaces. orjson's text where it takes the value (ten times faster on a large query's rows), else the standard
    library's (keys that are not strings, integers beyond 64 bits): the same text either way, but that orjson spells
    some floats out where Python writes an exponent (0.00006103515625 for 6.103515625e-05; the same number)."""
    import orjson

    option = (orjson.OPT_INDENT_2 if indent else 0) | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        return orjson.dumps(value, option=option).decode("utf-8")
    except TypeError:
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys,
                          **({"indent": 2} if indent else {"separators": (",", ":")}))


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 and bidi characters written as ``\\u`` escapes (the same JSON value)."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_safe(value: Any) -> Any:
    """Text that XML 1.0 can hold: its forbidden characters become U+FFFD."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return _NOT_XML.sub("\ufffd", value)
    return value


def describe_os_error(path: str | os.PathLike, exc: OSError) -> str:
    """One line for a file that cannot be written or read."""
    reason = exc.strerror or exc.__class__.__name__
    return f"cannot write {os.fspath(path)!r}: {reason}"


def write_text(path: str | os.PathLike, text: str | Iterable[str]) -> None:
    """Write an output file (UTF-8) from its text or its text's pieces (written as they come); any failure is one
    ``OutputError`` naming the file and why. The file ends with a newline."""
    if not os.fspath(path):
        raise OutputError("the output file name is empty; give a file name, e.g. --output report.html")
    folder = os.path.dirname(os.fspath(path)) or "."
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {os.fspath(path)!r}: the folder {folder!r} does not exist")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            last = ""
            for piece in [text] if isinstance(text, str) else text:
                fh.write(piece)
                last = piece or last
            if not last.endswith("\n"):
                fh.write("\n")
    except OSError as exc:
        raise OutputError(describe_os_error(path, exc)) from None


# extension -> format
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".csv": "csv"}


def format_for(path: str | os.PathLike, allowed: tuple[str, ...], given: str | None = None) -> str:
    """The format to write ``path`` in, from its extension; refuse an extension the command cannot
    write (``allowed`` formats), or one that contradicts an explicit ``--format`` (``given``)."""
    suffix = Path(path).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    can = ", ".join(sorted(ext for ext, f in EXTENSIONS.items() if f in allowed and ext != ".htm"))
    if fmt is None or fmt not in allowed:
        raise OutputError(f"Cannot write {str(path)!r}: the extension {suffix or '(none)'!r} names no format this "
                          f"command writes; use one of {can}")
    if given is not None and given != fmt and not (given == "report" and fmt in ("markdown", "html")):
        raise OutputError(f"--format {given} disagrees with {str(path)!r} (a {fmt} file); drop --format or rename the file")
    return fmt
