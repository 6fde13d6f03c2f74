"""How much of a round's effect is the training seed? Retrain a finished round on its own targets with other seeds.

A round's paired CI covers its held-out prompts only. The seed that trains the adapter (the LoRA's initial weights, the
order of the batches) moves the figure too: on the builtin IFEval-style task, by 11 points between three seeds. This
takes a finished round folder (`tao-hub demo`, `tao-hub run`, `effect_ifeval.py`), keeps its exploration, targets, split
and base / best-of-N answers, and for each seed trains the adapter again (`round.train`, with `--set` overrides such as
`sft_unlikelihood=1`), answers the held-out prompts with it (`round.eval_tuned`, greedy) and scores them: with IFEval's
strict checkers per instruction as `effect_ifeval.py` does for a round scored by `verifier:ifeval`, else with the round's
own score. The round's own seed with no `--set` gives back the round's adapter. Judge a training change by the mean
over seeds.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/retrain_seeds.py results/effect-ifeval-avx2/seed1 --seeds 1,101,102
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/retrain_seeds.py results/effect-ifeval-avx2/seed1 --seeds 1,101,102 \\
        --set sft_unlikelihood=1 --tag retrain-ul1       # a training change, over the same seeds
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/retrain_seeds.py /tmp/demo --seeds 0,101,102   # a `tao-hub demo --out /tmp/demo`

Each retrain goes to results/effect-ifeval-retrain/TAG/ (git-ignored), the figures to results/TAG.json (no prompts).
About 7 minutes per seed on 2 CPU cores for a builtin IFEval-style round (SFT about 300 s, 40 held-out answers about
100 s), 4 for the constraint demo.
"""
import argparse, json, shutil, statistics, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from effect_ifeval import RESULTS, figures

KEEP = ("config.json", "exploration.json", "run.json", "metrics.json", "prompts_train.jsonl", "prompts_eval.jsonl",
        "candidates.jsonl", "scored.jsonl", "selected.jsonl", "winners.jsonl", "eval_generations.jsonl")

def summary(folder:Path, # a retrained round folder, its eval_generations.jsonl with the new tuned rows
            tuned:dict, # `round.eval_tuned`'s metrics of the tuned system
           ) -> dict:
    "IFEval's strict instruction-level figures for a round scored by `verifier:ifeval`, else the round's own score; the same keys either way."
    from tao_hub.eval import compare_systems
    conf = json.loads((folder/"config.json").read_text())
    if "verifier:ifeval" in conf["reward"]:
        f = figures(folder)
        s = f["systems"]
        return dict(metric="IFEval instruction level", base=s["base"]["instruction"], tuned=s["tuned"]["instruction"],
                    tuned_minus_base=f["tuned_minus_base"], share=f["share_of_best_of_n_gain"], degenerate=s["tuned"]["degenerate"],
                    base_degenerate=s["base"]["degenerate"], tokens=s["tuned"]["tokens"], kinds=f["kinds"])
    base, rows = json.loads((folder/"metrics.json").read_text())["base"], [json.loads(l) for l in (folder/"eval_generations.jsonl").open()]
    c = compare_systems(rows)
    return dict(metric="the round's score", base=base["score"], tuned=tuned["score"], tuned_minus_base=c["tuned_minus_base"],
                share=c["best_of_n_gain_captured"]["share"], degenerate=tuned["degenerate"], base_degenerate=base["degenerate"],
                tokens=tuned["tokens_per_answer"])

def retrain(round_dir:Path, # a round folder (`tao-hub run`, `tao-hub demo`, `effect_ifeval.py`)
            dest:Path, # where the copy with the new adapter goes (replaced)
            seed:int, # the training seed
            sets:dict, # training settings to change
           ) -> dict:
    "Copy the round's exploration to `dest`, train there with `seed` and `sets`, answer the held-out prompts: `summary` and seconds."
    from tao_hub.config import EARLIER_DEFAULTS, TaoConfig
    from tao_hub.round import eval_tuned, train
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in KEEP:
        if (round_dir/name).exists(): shutil.copy(round_dir/name, dest/name)
    conf = EARLIER_DEFAULTS | json.loads((round_dir/"config.json").read_text())           # a round saved before a default changed
    conf |= dict(out=str(dest), overwrite=True, resume=False, push_to=None, merge=False)
    t0 = time.perf_counter()
    train(TaoConfig(**conf | sets | dict(seed=seed)), dest)
    t1 = time.perf_counter()
    tuned = eval_tuned(TaoConfig(**conf), dest)         # the round's own generation settings
    rows = [json.loads(l) for l in (round_dir/"eval_generations.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["system"] != "tuned"] + tuned.rows
    (dest/"eval_generations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return summary(dest, tuned.metrics["tuned"]) | dict(train_seconds=t1 - t0, eval_seconds=time.perf_counter() - t1)

def ci(d:dict) -> str: return f"{d['diff']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]"

def table(runs:list) -> str:
    "Markdown: one row per training seed, then the mean and spread of tuned − base."
    lines = ["| training seed | tuned | tuned − base [paired 95% CI] | share of best-of-N gain | degenerate | tokens/answer | train s |",
             "|---|---|---|---|---|---|---|"]
    for r in runs:
        f = r["figures"]
        share = f"{f['share']:.0%}" if f["share"] is not None else "n/a"
        lines.append(f"| {r['seed']} | {f['tuned']:.3f} | {ci(f['tuned_minus_base'])} | {share} | {f['degenerate']:.0%} | {f['tokens']:.0f} "
                     f"| {f['train_seconds']:.0f} |")
    diffs, f = [r["figures"]["tuned_minus_base"]["diff"] for r in runs], runs[0]["figures"]
    spread = f", sd {statistics.stdev(diffs):.3f}" if len(diffs) > 1 else ""
    lines += ["", f"{f['metric']}: base {f['base']:.3f} ({f['base_degenerate']:.0%} degenerate); tuned − base over {len(diffs)} seeds: "
                  f"mean {statistics.mean(diffs):+.3f}{spread}, from {min(diffs):+.3f} to {max(diffs):+.3f}"]
    return "\n".join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("round", help="a finished round's folder (relative to here or to benchmarks/)")
    p.add_argument("--seeds", default="1,101,102", help="training seeds, comma-separated")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a training setting to change (e.g. sft_epochs=4)")
    p.add_argument("--tag", default="retrain", help="figures go to results/TAG.json, retrains to results/effect-ifeval-retrain/TAG/")
    p.add_argument("--results", default=str(RESULTS), help="the results folder (default: benchmarks/results)")
    args = p.parse_args()
    from tao_hub.config import ConfigError, parse_sets
    round_dir = next((d for d in (Path(args.round), Path(__file__).parent/args.round) if d.is_dir()), Path(args.round))
    if not all((round_dir/f).exists() for f in ("scored.jsonl", "metrics.json")):
        p.error(f"{round_dir} is not a finished round (no scored.jsonl or metrics.json): pass the folder of a round that ran to the end")
    try: sets = parse_sets(args.set)
    except ConfigError as e: p.error(str(e))
    if fixed := sorted(set(sets) & {"seed", "out", "overwrite", "resume"}): p.error(f"--set {', '.join(fixed)}: set per retrain; use --seeds")
    try: seeds = list(dict.fromkeys(int(s) for s in args.seeds.split(",") if s.strip()))
    except ValueError: p.error(f"--seeds {args.seeds!r}: give whole numbers, comma-separated, e.g. --seeds 1,101,102")
    if not seeds: p.error("--seeds is empty: give one or more training seeds, e.g. --seeds 1,101,102")
    runs = []
    for seed in seeds:
        dest = Path(args.results)/"effect-ifeval-retrain"/args.tag/f"{round_dir.parent.name}-{round_dir.name}-t{seed}"   # git-ignored
        f = retrain(round_dir, dest, seed, sets)
        runs.append(dict(seed=seed, figures=f))
        print(table(runs[-1:]).splitlines()[2], flush=True)
    saved = dict(round=str(round_dir), sets=args.set, runs=runs)          # figures only: no prompt in the JSON
    (Path(args.results)/f"{args.tag}.json").write_text(json.dumps(saved, indent=1, default=str))
    print(table(runs))

if __name__ == "__main__": sys.exit(main())
