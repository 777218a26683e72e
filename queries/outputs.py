"""Outputs that match their names: the format of a written file comes from its extension, and a
name the command cannot write is refused before anything runs."""

from __future__ import annotations

import os
from pathlib import Path

from graph.errors import DhrgraphError

__all__ = ["EXTENSIONS", "format_for", "write_text"]

# extension -> format
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".csv": "csv"}


def format_for(path: str | os.PathLike, allowed: tuple[str, ...], given: str | None = None) -> str:
    """The format to write ``path`` in, from its extension; refuse an extension the command cannot
    write (``allowed`` formats), or one that contradicts an explicit ``--format`` (``given``)."""
    suffix = Path(path).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    can = ", ".join(sorted(ext for ext, f in EXTENSIONS.items() if f in allowed and ext != ".htm"))
    if fmt is None or fmt not in allowed:
        raise DhrgraphError(f"Cannot write {str(path)!r}: the extension {suffix or '(none)'!r} names no format this "
                            f"command writes; use one of {can}")
    if given is not None and given != fmt and not (given == "report" and fmt in ("markdown", "html")):
        raise DhrgraphError(f"--format {given} disagrees with {str(path)!r} (a {fmt} file); drop --format or rename the file")
    return fmt


def write_text(path: str | os.PathLike, text: str) -> None:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise DhrgraphError(f"Cannot write {str(path)!r}: {exc.strerror or exc}") from None
