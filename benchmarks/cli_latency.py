"""CLI latency: how long `tao-hub --help`, `tao-hub run --help` and a config error take to answer, this tree against a
baseline revision (default: the last commit whose CLI imported torch, TRL, bitsandbytes and datasets before parsing).

Both run the same way, `python -c "from tao_hub.cli import main; main()" ARGS` with PYTHONPATH pointing at the tree
(the baseline is extracted with `git archive`), interleaved, in fresh processes; the figure is the median wall time.

    .venv/bin/python benchmarks/cli_latency.py --runs 5            # ~2 min on 2 CPU cores
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"tao-hub --help": ["--help"], "tao-hub run --help": ["run", "--help"], "tao-hub run missing.yaml (config error)": ["run", "missing.yaml"]}
MAIN = "import sys; sys.argv[0] = 'tao-hub'; from tao_hub.cli import main; sys.exit(main())"

def timed(tree:Path, args:list) -> float:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True,
                       env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
                       cwd=tempfile.gettempdir())
    assert r.returncode in (0, 2), r.stderr[-500:]
    return time.perf_counter() - t

def main(runs:int, baseline:str, out:Path):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(f"git -C {ROOT} archive {baseline} tao_hub | tar -x -C {d}", shell=True, check=True)
        trees = {"baseline": Path(d), "now": ROOT}
        times = {(c, t): [] for c in COMMANDS for t in trees}
        for _ in range(runs):
            for c, args in COMMANDS.items():
                for t, tree in trees.items(): times[c, t].append(timed(tree, args))
    rows = [dict(command=c, baseline_s=statistics.median(times[c, "baseline"]), now_s=statistics.median(times[c, "now"])) for c in COMMANDS]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(baseline=baseline, runs=runs, rows=rows), indent=1))
    print(f"median of {runs} runs each; baseline = {baseline}\n\n| command | baseline | now | speed-up |\n|---|---|---|---|")
    for r in rows: print(f"| `{r['command']}` | {r['baseline_s']:.2f} s | {r['now_s']:.2f} s | {r['baseline_s'] / r['now_s']:.0f}x |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5); ap.add_argument("--baseline", default="434264f")
    ap.add_argument("--out", type=Path, default=ROOT/"benchmarks"/"results"/"cli_latency.json")
    a = ap.parse_args()
    main(a.runs, a.baseline, a.out)
