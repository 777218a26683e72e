"""The page every view is: one self-contained HTML file that opens offline.

Everything is inline (vis-network's script and stylesheet from pyvis's bundled copy, our CSS and
JS, the data as a JSON block), a Content-Security-Policy forbids the page any network request,
and every piece of data is escaped: text with ``html.escape``, data for scripts as JSON with
``<``, ``>`` and ``&`` written as ``\\u`` escapes so no value can close a script element.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import util
from pathlib import Path
from typing import Any, Iterable

from dhrgraph.queries.outputs import json_text

__all__ = ["View", "page", "json_block", "vis_assets", "esc", "count", "write_page"]

VIS_DIR = "templates/lib/vis-9.1.2"
# No fetch of any kind: scripts and styles inline only, images only data: URIs (vis' own icons).
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")

CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fafafa;
     display:flex;flex-direction:column;height:100vh}
header{padding:.6rem 1rem;border-bottom:1px solid #ddd;background:#fff}
header h1{font-size:1.2rem;margin:0}header p{margin:.15rem 0 0;color:#444}
.note{color:#8a4b00}
main{display:flex;flex:1;min-height:24rem}
#network{flex:1;min-width:0;background:#fff}
aside{width:22rem;overflow:auto;border-left:1px solid #ddd;padding:.4rem .9rem;background:#fff}
aside h2,.legend h2{font-size:.95rem;margin:.8rem 0 .3rem}
.legend ul{list-style:none;margin:0;padding:0}.legend li{display:flex;align-items:center;gap:.4rem;margin:.1rem 0;font-size:.85rem}
.legend svg{flex:none}
.findings{list-style:none;margin:0;padding:0}
.findings li{margin:.35rem 0;padding:.35rem .45rem;border:1px solid #e0e0e0;border-radius:4px;font-size:.85rem}
.findings li.active{border-color:#ff9800;background:#fff8e1}
.findings button{font:inherit;font-size:.8rem;margin-top:.2rem;cursor:pointer}
.findings .cites{color:#555;font-size:.78rem;margin:.15rem 0 0 1rem;padding:0}
.findings .cites li{border:0;margin:0;padding:0}
.tip{white-space:pre-line;max-width:30rem;font:12px/1.4 system-ui,sans-serif}
#tip{position:fixed;z-index:10;pointer-events:none;background:#fffde7;border:1px solid #bbb;border-radius:3px;
     padding:.35rem .5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.controls label{display:block;font-size:.85rem;margin:.3rem 0}
"""


@dataclass(frozen=True)
class View:
    """One finished view: its title and the whole HTML page."""

    title: str
    html: str

    def _repr_html_(self) -> str:
        """Shown inline in Jupyter: the same self-contained page in a sandboxed frame (its own
        Content-Security-Policy still forbids any request), so it works offline there too."""
        return (f"<iframe title='{esc(self.title)}' srcdoc=\"{html.escape(self.html, quote=True)}\" "
                "sandbox='allow-scripts' style='width:100%;height:640px;border:1px solid #ddd'></iframe>")

    def write(self, path: str | os.PathLike) -> Path:
        """Write the page as UTF-8 (creating its folder); return the path."""
        return write_page(path, self.html)


def write_page(path: str | os.PathLike, text: str | Iterable[str]) -> Path:
    """Write an HTML page as UTF-8 from its text or its pieces, creating its folder (a view's page, a report's)."""
    from dhrgraph.queries.outputs import write_text

    target = Path(path)
    if os.fspath(path):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # write_text says why the file cannot be written
    write_text(path, text)
    return target


def count(n: int, word: str, plural: str = "") -> str:
    """'1 contact', '2 contacts', '3 people' (with ``plural``)."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def json_block(element_id: str, data: Any) -> str:
    """``data`` as a JSON script element that no value can break out of."""
    text = json_text(data, sort_keys=True)
    for raw, safe in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    return f"<script type='application/json' id='{esc(element_id)}'>{text}</script>"


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's (script, stylesheet) from the copy pyvis ships, to be inlined."""
    # found, not imported: importing pyvis imports IPython (a third of a one-review view's time)
    folder = Path(util.find_spec("pyvis").origin).parent / VIS_DIR
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    style = (folder / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in script.lower() or "</style" in style.lower():
        raise RuntimeError("pyvis' vis-network bundle cannot be inlined safely (it closes its own element)")
    return script, style


def page(title: str, subtitle: str, body: str, *, head: str = "", script: str = "", note: str = "") -> str:
    """A whole page: header with title, subtitle and an optional note, then ``body``; ``head`` and
    ``script`` (inline JS run at the end) come from the view. Text arguments are escaped here;
    ``body``, ``head`` and ``script`` are trusted markup built by the views."""
    note_html = f"<p class='note'>{esc(note)}</p>" if note else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width,initial-scale=1'><meta name='referrer' content='no-referrer'>"
        f"<title>{esc(title)}</title><style>{CSS}</style>{head}</head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p>{note_html}</header>"
        f"{body}<div id='tip' class='tip' hidden></div><script>{script}</script></body></html>\n"
    )
