"""Exploration wall time in 1 process and in 2 (`--num-processes 2`: torchrun, gloo, one shard each) on this CPU, interleaved.

Each repeat runs `tao-hub explore` on the demo's prompts (builtin constraint prompts, the demo's strategies, the embedded
SmolLM2-135M-Instruct) once per process count, alternating, so a noisy machine affects both alike. Reported: the median wall
time of each (the whole command: imports, loading each rank's model copy, exploring, merging), their ratio, the share of
candidates identical to one process's, and both runs' mean constraint score per strategy (equal in distribution?).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/shard_speed.py                 # 48 prompts, 2 repeats (~8 min on 2 cores)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/shard_speed.py --n-train 16 --repeats 1 --generation-dtype float32
"""
import argparse, json, statistics, subprocess, sys, time
from pathlib import Path

RESULTS = Path(__file__).parent/"results"
TAO = str(Path(sys.executable).parent/"tao-hub")

def explore(out:Path, n:int, n_train:int, dtype:str) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([TAO, "explore", "--out", str(out), "--overwrite", "--num-processes", str(n), "--n-train", str(n_train),
                        "--generation-dtype", dtype],
                       capture_output=True, text=True)
    if r.returncode: sys.exit(f"tao-hub explore in {n} process(es) failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0

def candidates(folder:Path) -> list:
    return [{k: v for k, v in json.loads(l).items() if k != "seconds"} for l in (folder/"candidates.jsonl").read_text().splitlines() if l.strip()]

def mean_scores(rows:list) -> dict:
    "Mean constraint-verifier score per strategy."
    from tao_hub.verifiers import ConstraintReward
    scores = ConstraintReward()([r["prompt"] for r in rows], [r["completion"] for r in rows])
    per = {}
    for r, s in zip(rows, scores): per.setdefault(r["strategy"], []).append(s or 0.0)
    return {k: round(sum(v) / len(v), 3) for k, v in per.items()}

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n-train", type=int, default=48)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--generation-dtype", default="auto", help="auto (bf16 where the CPU has it), float32 or bfloat16")
    args = p.parse_args()
    times = {1: [], 2: []}
    d = RESULTS/"shard_speed"
    for _ in range(args.repeats):
        for n in (1, 2): times[n].append(explore(d/f"p{n}", n, args.n_train, args.generation_dtype))
    one, two = candidates(d/"p1"), candidates(d/"p2")
    med = {n: statistics.median(t) for n, t in times.items()}
    res = dict(n_train=args.n_train, generation_dtype=args.generation_dtype, seconds=times, median_seconds=med, speedup=med[1] / med[2],
               identical=sum(a == b for a, b in zip(one, two)) / len(one), mean_score={1: mean_scores(one), 2: mean_scores(two)})
    (RESULTS/"shard_speed.json").write_text(json.dumps(res, indent=1))
    print("| processes | median wall (s) | runs (s) |\n|---|---|---|\n" +
          "\n".join(f"| {n} | {med[n]:.1f} | {', '.join(f'{x:.1f}' for x in times[n])} |" for n in (1, 2)) +
          f"\n\n1 process / 2 processes: {res['speedup']:.2f}x; candidates identical to one process's: {res['identical']:.0%}; "
          f"mean constraint score per strategy, 1 process: {res['mean_score'][1]}; 2 processes: {res['mean_score'][2]}")

if __name__ == "__main__": sys.exit(main())
