"""Generation speed: exploration and evaluation of a round, this tree against a baseline revision, interleaved in one run.

Each side runs the round's own stages in a fresh process (`start_round`, `explore`, `score`, `evaluate_reference`), with
PYTHONPATH at its tree (the baseline is extracted with `git archive`), on the same prompts, seeds and settings; repeat i
uses seed i on both sides. The sides alternate, so a noisy machine slows both alike; speeds are medians over the repeats,
scores are means.

- tokens/s of exploration (every strategy's candidates) and of evaluation (base greedy + best-of-N), and their seconds;
- greedy outputs (the base's held-out answers): how many are identical to the baseline's; where the numerics change
  (bf16), the share that differ and the base's score on each side;
- sampled outputs: mean candidate score per strategy and the best-of-N score on each side (a distribution, not a match).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/generation.py                       # the demo's prompts, 2 repeats (~15 min)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/generation.py --task ifeval --repeats 1

`--engine transformers|vllm --model NAME` measures one backend alone on a model of `train_overhead.py` (tiny, smollm2, a
random-init Qwen2.5 config): sampled answers of a fixed length to the demo's prompts, tokens/s and peak GPU memory
(the GPU check runs it; vLLM takes the share of GPU memory it is given, which is what its row reports).
"""
import argparse, json, statistics, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, sys, time
from dataclasses import replace
from tao_hub.config import TaoConfig
from tao_hub.round import start_round, _load, explore, score, evaluate_reference
a = json.loads(sys.argv[1])
cfg = TaoConfig(task=a["task"], n_train=a["n_train"], n_eval=a["n_eval"], seed=a["seed"], out=a["out"], overwrite=True, **a["extra"])
out, split = start_round(cfg)
model, tok = _load(cfg)
t = time.perf_counter(); explore(cfg, out, model, tok, split); t_explore = time.perf_counter() - t
sc = score(cfg, out)
t = time.perf_counter(); ref = evaluate_reference(cfg, out, model, tok); t_eval = time.perf_counter() - t
cands = [json.loads(l) for l in (out.candidates).read_text().splitlines()]
print("RESULT " + json.dumps(dict(
    explore_s=t_explore, explore_tokens=sum(c["completion_tokens"] for c in cands), eval_s=t_eval,
    eval_tokens=sum(r["tokens"] for r in ref.rows if r["system"] == "base") + sum(r["tokens"] for r in ref.rows if r["system"] == "best_of_n"),
    strategies={r["strategy"]: r["mean_score"] for r in sc.strategies}, best_of_n=ref.metrics["best_of_n"]["score"],
    base_score=ref.metrics["base"]["score"], base=[r["completion"] for r in ref.rows if r["system"] == "base"])))
"""

def side(tree:Path, args:dict) -> dict:
    "One run of the child on `tree`, in a fresh process; its RESULT line."
    r = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, cwd=tempfile.gettempdir(),
                       env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "HF_HUB_OFFLINE": "1"})
    lines = [l for l in r.stdout.splitlines() if l.startswith("RESULT ")]
    if r.returncode or not lines: sys.exit(f"the {tree} side failed:\n{r.stderr[-3000:]}")
    return json.loads(lines[-1][7:])

def summary(runs:list) -> dict:
    "One side over its repeats (seed = repeat): median speeds and seconds, mean scores, every greedy answer."
    med, mean = (lambda k: statistics.median(r[k] for r in runs)), (lambda k: statistics.mean(r[k] for r in runs))
    return dict(explore_tok_s=statistics.median(r["explore_tokens"] / r["explore_s"] for r in runs), explore_s=med("explore_s"),
                eval_tok_s=statistics.median(r["eval_tokens"] / r["eval_s"] for r in runs), eval_s=med("eval_s"),
                strategies={k: statistics.mean(r["strategies"][k] for r in runs) for k in runs[0]["strategies"]},
                best_of_n=mean("best_of_n"), base_score=mean("base_score"), base=[a for r in runs for a in r["base"]])

def engine_speed(engine:str, model:str, n:int=256, tokens:int=128) -> dict:
    "tokens/s of one backend: `n` demo prompts, sampled answers of up to `tokens` tokens, after one warm-up batch."
    import time, torch
    sys.path.insert(0, str(Path(__file__).parent))
    from train_overhead import model_dir
    from tao_hub.data import builtin_prompts
    from tao_hub.explore import hf_generator, vllm_generator
    from tao_hub.models import has_gpu, load_policy, load_tokenizer
    d, convs = model_dir(model), [[{"role": "user", "content": p}] for p in builtin_prompts(n, None, 0)]
    if has_gpu(): torch.cuda.reset_peak_memory_stats()
    gen = vllm_generator(d, 0) if engine == "vllm" else hf_generator(load_policy(d, False), load_tokenizer(d), batch_size=64)
    gen(convs[:8], 8, 0.7)
    t = time.perf_counter(); out = gen(convs, tokens, 0.7); dt = time.perf_counter() - t
    n_tok = sum(o["tokens"] for o in out)
    peak = "0.4 of the GPU (gpu_memory_utilization)" if engine == "vllm" else \
           (f"{torch.cuda.max_memory_allocated() / 2**20:.0f} MiB" if has_gpu() else "cpu")
    return dict(engine=engine, model=model, prompts=n, tokens=n_tok, seconds=round(dt, 2), tokens_per_s=round(n_tok / dt, 1), peak=peak)

def main(baseline:str, repeats:int, task:str, n_train:int, n_eval:int, out:Path, now_config:dict=None):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(f"git -C {ROOT} archive {baseline} tao_hub | tar -x -C {d}", shell=True, check=True)
        trees, runs = {"baseline": Path(d), "now": ROOT}, {"baseline": [], "now": []}
        for i in range(repeats):
            for name in (["baseline", "now"] if i % 2 == 0 else ["now", "baseline"]):
                args = dict(task=task, n_train=n_train, n_eval=n_eval, seed=i, out=str(Path(d)/f"out-{name}"),
                            extra=(now_config or {}) if name == "now" else {})
                runs[name].append(side(trees[name], args))
                r = runs[name][-1]
                print(f"  {name}: explore {r['explore_tokens']} tokens in {r['explore_s']:.0f} s; eval {r['eval_tokens']} tokens in {r['eval_s']:.0f} s",
                      flush=True)
    b, n = summary(runs["baseline"]), summary(runs["now"])
    same = sum(x == y for x, y in zip(b["base"], n["base"]))
    res = dict(baseline=baseline, now_config=now_config or {}, repeats=repeats, task=task, n_train=n_train, n_eval=n_eval, sides=dict(baseline=b, now=n),
               greedy_identical=[same, len(b["base"])])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    print(f"\nmedian of {repeats} repeats per side; baseline = {baseline}; now: this tree {now_config or ''}; task {task}, "
          f"{n_train} train / {n_eval} held-out prompts\n")
    print("| stage | baseline tokens/s | now tokens/s | speed-up | baseline s | now s |\n|---|---|---|---|---|---|")
    for k in ["explore", "eval"]:
        print(f"| {k} | {b[k + '_tok_s']:.0f} | {n[k + '_tok_s']:.0f} | {n[k + '_tok_s'] / b[k + '_tok_s']:.2f}x | {b[k + '_s']:.0f} | {n[k + '_s']:.0f} |")
    print(f"\ngreedy base answers identical: {same} of {len(b['base'])}; base mean score {b['base_score']:.3f} (baseline) vs {n['base_score']:.3f} (now)")
    print(f"best-of-N {b['best_of_n']:.3f} vs {n['best_of_n']:.3f}; mean candidate score per strategy: " +
          ", ".join(f"{s} {b['strategies'].get(s, float('nan')):.3f} vs {v:.3f}" for s, v in n["strategies"].items()))

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="f18175b"); ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--task", default="constraints"); ap.add_argument("--n-train", type=int, default=96); ap.add_argument("--n-eval", type=int, default=40)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--now-config", nargs="*", default=[], metavar="KEY=VALUE", help="settings of the new side only, e.g. generation_dtype=float32")
    ap.add_argument("--engine", choices=["transformers", "vllm"]); ap.add_argument("--model", default="tiny")
    ap.add_argument("--prompts", type=int, default=256); ap.add_argument("--tokens", type=int, default=128)
    a = ap.parse_args()
    if a.engine: print(json.dumps(engine_speed(a.engine, a.model, a.prompts, a.tokens))); sys.exit()
    now = dict(kv.split("=", 1) for kv in a.now_config)
    main(a.baseline, a.repeats, a.task, a.n_train, a.n_eval, a.out or ROOT/"benchmarks"/"results"/f"generation-{a.task}.json", now)
