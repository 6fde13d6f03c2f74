#!/usr/bin/env python
"""Render README.md from nbs/index.ipynb with nbdev's own notebook processors (quarto cannot be installed here).

Usage: python scripts/render_readme.py [--check]   (--check: exit 1 if README.md is not current)
"""
import sys
from pathlib import Path
from fastcore.nbio import read_nb
from nbdev.process import NBProcessor
from nbdev.processors import clean_magics, hide_, hide_line, rm_export, strip_ansi

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- generated from nbs/index.ipynb by scripts/render_readme.py: edit the notebook, not this file -->\n\n"

def _outputs(cell):
    "Text of a code cell's saved outputs (none after nbdev-clean unless kept on purpose)."
    txt = []
    for o in cell.get("outputs", []):
        if "text" in o: txt.append("".join(o["text"]))
        elif "data" in o and "text/plain" in o["data"]: txt.append("".join(o["data"]["text/plain"]))
    return "".join(txt).strip()

def render(nb_path=ROOT/"nbs"/"index.ipynb") -> str:
    "Markdown for README.md from the index notebook."
    nb = read_nb(nb_path)
    NBProcessor(nb_path, [strip_ansi, hide_, hide_line, rm_export, clean_magics], nb=nb).process()
    parts = []
    for c in nb.cells:
        src = c.source.strip()
        if not src: continue
        if c.cell_type == "markdown": parts.append(src)
        else:
            parts.append(f"```python\n{src}\n```")
            if out := _outputs(c): parts.append(f"```\n{out}\n```")
    return HEADER + "\n\n".join(parts) + "\n"

if __name__ == "__main__":
    text, readme = render(), ROOT/"README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is not current: run `python scripts/render_readme.py` and commit it")
        print("README.md is current")
    else:
        readme.write_text(text); print(f"wrote {readme}")
