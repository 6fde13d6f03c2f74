"""Keep the notebooks' example outputs: run them and save what a reader should see, or check that it is there.

    python scripts/notebook_outputs.py              # run every notebook in nbs/ and save its outputs (make outputs)
    python scripts/notebook_outputs.py nbs/02_data.ipynb
    python scripts/notebook_outputs.py --check      # every notebook shows outputs, none of them volatile (make check)
    python scripts/notebook_outputs.py --tutorials [--save]   # run nbs/tutorials/ as CI does (make tutorials)

What is kept: results and displays as text (`text/plain`, `text/markdown`) and printed lines (stdout). What is dropped,
so that a rerun on another machine changes nothing it need not: stderr (warnings, progress bars), images (the repo stays
small), and any output that names a temporary path, a memory address, a random id or a timestamp. Cells tagged with
nbdev's `tst_flags` (slow, gpu, notest) and `#| eval: false` cells are not run, as in `make test`. Run from the project
root.

The tutorials (`nbs/tutorials/`) run with `TAO_TUTORIAL_CI=1`, which their parameters cell reads: the embedded model, a
Hub emulator on 127.0.0.1 and small settings, in a scratch folder; `--save` keeps their outputs, plots included."""
import argparse, re, sys
from pathlib import Path

KEEP = ("text/plain", "text/markdown")
KEEP_TUTORIAL = KEEP + ("image/png",)                   # a tutorial shows its plot
VOLATILE = re.compile(r"/tmp/|/var/folders/|\btmp[a-z0-9_]{6,}\b|\bat 0x[0-9a-f]{6,}|\b[0-9a-f]{32}\b|\d{4}-\d\d-\d\dT\d\d:\d\d")

def volatile(out:dict) -> bool:
    "Whether an output names what differs from run to run (`VOLATILE`: temporary paths, addresses, random ids, timestamps)."
    text = out.get("text", "") if out["output_type"] == "stream" else " ".join(map(str, out.get("data", {}).values()))
    return bool(VOLATILE.search(text if isinstance(text, str) else "".join(text)))

def kept(outputs:list, keep:tuple=KEEP) -> list:
    "The outputs worth saving: stdout and text results (`keep`), never stderr or volatile text."
    res = []
    for o in outputs:
        if o["output_type"] == "stream" and o.get("name") != "stdout": continue
        if o["output_type"] in ("execute_result", "display_data"):
            data = {k: v for k, v in o.get("data", {}).items() if k in keep}
            if not data: continue
            o = dict(o, data=data, metadata={}) | ({"execution_count": None} if "execution_count" in o else {})
        if o["output_type"] == "error" or volatile(o): continue
        res.append(o)
    return res

def skipped(flags:list):
    "A cell filter: True for cells tagged with one of nbdev's test flags (`#| slow` and so on) or `#| eval: false`."
    pat = re.compile(r"^#\|\s*(" + "|".join(map(re.escape, flags)) + r"\b|eval:\s*false)", re.M)
    return lambda cell: cell.cell_type == "code" and bool(pat.search(cell.source))

def run(path:Path, flags:list, cwd:Path=None, save:bool=True, keep:tuple=KEEP):
    "Execute the notebook (in its folder, or `cwd`), keep the outputs worth saving and, with `save`, write it back."
    from fastcore.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    nb = read_nb(path)
    sys.argv = sys.argv[:1]             # a cell that parses the command line sees no notebook paths
    sys.path.insert(0, str(cwd or path.parent))          # a kernel imports from its working folder
    with working_directory(cwd or path.parent): CaptureShell(path).run_all(nb, exc_stop=True, preproc=skipped(flags))
    for c in nb.cells:
        if c.cell_type == "code": c.outputs, c.execution_count = kept(c.get("outputs", []), keep), None
    if save: write_nb(nb, path)

def run_tutorials(paths:list, flags:list, save:bool):
    "Run each tutorial as tao-hub's CI does, in its own scratch folder and process environment; print its time."
    import os, subprocess, tempfile, time
    if len(paths) > 1:                                   # each in a process of its own, as a user's runtime would be
        for p in paths:
            subprocess.run([sys.executable, __file__, "--tutorials", *(["--save"] if save else []), str(p)], check=True)
        return
    os.environ["TAO_TUTORIAL_CI"] = "1"
    for p in paths:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            os.environ["HF_HOME"] = str(Path(d)/"hf")       # a fresh Hub cache: an earlier run's emulator files must not be read
            run(p.resolve(), flags, cwd=Path(d), save=save, keep=KEEP_TUTORIAL)
        print(f"{p}: ran in {time.perf_counter() - t0:.0f} s", flush=True)

def problems(path:Path) -> list:
    "What is wrong with a notebook's saved outputs: none at all, stderr, images, or volatile text."
    import json
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    outs = [o for c in cells for o in c.get("outputs", [])]
    found = [] if outs else ["no outputs: run `make outputs`"]
    if any(kept(c.get("outputs", [])) != c.get("outputs", []) for c in cells):
        found.append("outputs that are not kept (stderr, images or volatile text): run `make outputs`")
    return found

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every nbs/*.ipynb)")
    ap.add_argument("--check", action="store_true", help="check the saved outputs instead of making them")
    ap.add_argument("--tutorials", action="store_true", help="run the tutorials (nbs/tutorials/) as CI does")
    ap.add_argument("--save", action="store_true", help="with --tutorials: keep their outputs")
    a = ap.parse_args()
    if a.tutorials:
        from nbdev.config import get_config
        return run_tutorials(a.paths or sorted(Path("nbs/tutorials").glob("*.ipynb")), get_config().tst_flags.split(), a.save)
    paths = a.paths or sorted(Path("nbs").glob("*.ipynb"))
    if a.check:
        bad = [f"{p}: {why}" for p in paths for why in problems(p)]
        if bad: sys.exit("notebook outputs:\n" + "\n".join(bad))
        return print(f"{len(paths)} notebooks show their examples' outputs")
    from nbdev.config import get_config
    flags = get_config().tst_flags.split()
    for p in paths:
        print(f"running {p}", flush=True)
        run(p, flags)

if __name__ == "__main__": main()
