"""Exploration wall time in 1 process and in 2 (`--num-processes 2`: torchrun, gloo, one shard each) on this CPU, interleaved.

Each repeat runs `tao-hub explore` on the demo's prompts (builtin constraint prompts, the demo's strategies, the embedded
SmolLM2-135M-Instruct) once per process count, alternating, so a noisy machine affects both alike. Reported: the median wall
time of each (the whole command: imports, loading each rank's model copy, exploring, merging), their ratio, and whether the
merged candidates are identical to one process's.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/shard_speed.py                 # 48 prompts, 2 repeats (~8 min on 2 cores)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/shard_speed.py --n-train 16 --repeats 1
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path

RESULTS = Path(__file__).parent/"results"
TAO = str(Path(sys.executable).parent/"tao-hub")

def explore(out:Path, n:int, n_train:int) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([TAO, "explore", "--out", str(out), "--overwrite", "--num-processes", str(n), "--n-train", str(n_train)],
                       capture_output=True, text=True)
    if r.returncode: sys.exit(f"tao-hub explore in {n} process(es) failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0

def candidates(folder:Path) -> list:
    return [{k: v for k, v in json.loads(l).items() if k != "seconds"} for l in (folder/"candidates.jsonl").read_text().splitlines() if l.strip()]

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n-train", type=int, default=48)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    times = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.repeats):
            for n in (1, 2): times[n].append(explore(Path(d)/f"p{n}", n, args.n_train))
        same = candidates(Path(d)/"p1") == candidates(Path(d)/"p2")
    med = {n: statistics.median(t) for n, t in times.items()}
    res = dict(n_train=args.n_train, seconds=times, median_seconds=med, speedup=med[1] / med[2], identical_candidates=same)
    (RESULTS/"shard_speed.json").write_text(json.dumps(res, indent=1))
    print("| processes | median wall (s) | runs (s) |\n|---|---|---|\n" +
          "\n".join(f"| {n} | {med[n]:.1f} | {', '.join(f'{x:.1f}' for x in times[n])} |" for n in (1, 2)) +
          f"\n\n1 process / 2 processes: {res['speedup']:.2f}x; merged candidates identical to one process's: {same}")

if __name__ == "__main__": sys.exit(main())
