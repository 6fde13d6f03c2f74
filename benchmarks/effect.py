"""Does a round make the model better? Each training recipe on the same exploration, at an equal wall-clock budget.

One exploration of the demo's task (builtin constraint prompts, the demo's strategies, the embedded SmolLM2-135M-Instruct,
full precision on a CPU) is shared by every run. Then, for each recipe and seed, a fresh base model is trained for at
most `--budget` seconds (TRL callback `TimeBudget`; SFT stops earlier when its epochs are done) and answers the held-out
prompts greedily. Two held-out sets:

- `heldout`: builtin prompts whose topics, task phrasings, words, endings, start words and word limits are never used
  in training (`part_of`);
- `fresh`: prompts built here from lists that appear nowhere in tao-hub (other topics, phrasings, words and endings).

Reported per run: score, paired tuned - base with a paired bootstrap 95% CI, share of the best-of-N gain captured
(heldout only: best-of-N is measured there), tokens per answer, share of degenerate answers, training seconds and
generated training tokens. Candidates, scores and every generation are kept in results/effect/ for reading.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect.py                          # all recipes, seeds 0 and 1 (~45 min, 2 cores)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect.py --recipes sft --seeds 0  # one run
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect.py --recipes ""             # the saved table again
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect.py --strategies plain@0.7,plain@1.0,restate,think --tag effect
                                                                                  # the exploration before `guided`
"""
import argparse, json, random, re, time
from dataclasses import replace
from pathlib import Path

RESULTS = Path(__file__).parent/"results"
FIXED = ["model", "n_train", "n_prompts", "n_eval", "strategies", "constraints", "max_new_tokens", "generation_batch", "load_in_4bit",
         "seed", "recipe", "steps", "sft_epochs"]   # shape the cached exploration and references, or are set per run: not --set keys
FRESH_TASKS = ["Compose a brief passage on {t}.", "What should a visitor know about {t}?", "Write a paragraph for a travel guide about {t}.",
               "Summarize what makes {t} special.", "Write a friendly message describing {t}."]
FRESH_TOPICS = ["harbors", "wolves", "cinnamon", "tunnels", "ballet", "meteor showers", "beekeeping", "the desert night sky", "canals",
                "ice skating", "bamboo forests", "typewriters", "lighthouse keepers", "mountain goats", "street food", "thunder lizards"]
FRESH_ARGS = {"max_words": [18, 28, 33, 42], "include_word": ["marble", "lantern", "crimson", "meadow", "echo", "pebble"],
              "end_phrase": ["Thanks for listening.", "That sums it up.", "Goodbye for now."], "start_word": ["Picture", "Recently", "Notably"]}

def fresh_prompts(n:int, kinds:list, seed:int=123) -> list:
    "Constraint prompts from lists that tao-hub never uses (other topics, phrasings and arguments)."
    from tao_hub.constraints import Constraint, describe
    rng, out = random.Random(seed), {}
    while len(out) < n:
        ks = rng.sample(kinds, rng.randint(1, 2))
        out.setdefault(" ".join([rng.choice(FRESH_TASKS).format(t=rng.choice(FRESH_TOPICS))]
                                + [describe(Constraint(k, rng.choice(FRESH_ARGS[k]))) for k in ks]), None)
    return list(out)

def cached(path:Path, make):
    if path.exists(): return json.loads(path.read_text())
    value = make(); path.write_text(json.dumps(value, indent=1)); return value

def shared(args, cfg, folder:Path) -> dict:
    "Prompts, exploration (scored), winners, selection, and the base and best-of-N evaluations, computed once."
    from tao_hub.data import builtin_prompts
    from tao_hub.eval import eval_best_of_n, eval_plain
    from tao_hub.explore import explore, hf_generator
    from tao_hub.models import load_policy, load_tokenizer, resolve_model
    from tao_hub.rewards import score_candidates
    from tao_hub.select import select_prompts
    from tao_hub.round import winner_bar
    from tao_hub.train import winners
    from tao_hub.verifiers import ConstraintReward
    train = builtin_prompts(args.n_prompts, cfg.constraints, 0, part="train")[:args.n_train]
    heldout, fresh = builtin_prompts(args.n_eval, cfg.constraints, 0, part="eval"), fresh_prompts(args.n_eval, cfg.constraints)
    path, state = resolve_model(cfg.model), {}
    def model():
        if "m" not in state: state["m"] = (load_policy(path, cfg.load_in_4bit), load_tokenizer(path))
        return state["m"]
    def explored():
        t0 = time.perf_counter()
        rows = score_candidates(explore(hf_generator(*model(), cfg.generation_batch), train, cfg.strategies, cfg.max_new_tokens or 64, 0, ConstraintReward()),
                                ConstraintReward()).to_list()
        return dict(rows=rows, seconds=time.perf_counter() - t0)
    ex = cached(folder/"scored.json", explored)
    def reference():
        out = {}
        for name, ps in [("heldout", heldout), ("fresh", fresh)]:
            rows, _ = eval_plain(*model(), ps, "base", cfg.max_new_tokens or 64, cfg.generation_batch, ConstraintReward())
            if name == "heldout": rows += eval_best_of_n(*model(), ps, cfg.strategies, cfg.max_new_tokens or 64,
                                                         cfg.generation_batch, ConstraintReward(), seed=1000)[0]
            out[name] = rows
        return out
    ref = cached(folder/"reference.json", reference)
    targets = winners(ex["rows"], winner_bar(cfg), cfg.winners_per_prompt)   # the bar a round uses
    selected, stats = select_prompts(__import__("datasets").Dataset.from_list(ex["rows"]))
    return dict(train=train, explored=ex, reference=ref, targets=targets, selected=selected, selection=stats)

def one_run(recipe:str, seed:int, args, cfg, sh:dict, folder:Path, label:str="") -> dict:
    "Train `recipe` with `seed` within the budget, evaluate on both held-out sets; return the run's figures."
    import torch
    from transformers import TrainerCallback, set_seed
    from tao_hub.eval import compare_systems, eval_plain
    from tao_hub.models import load_policy, load_tokenizer, resolve_model
    from tao_hub.train import TimeBudget, load_trained, train_recipe
    from tao_hub.verifiers import ConstraintReward
    class Tokens(TrainerCallback):
        def __init__(self): self.n = 0
        def on_log(self, a, s, c, logs=None, **k):
            if logs and "num_tokens" in logs: self.n = logs["num_tokens"]
    out = folder/(re.sub(r"[^\w.\[\]-]", "-", recipe + label) + (f"-{args.budget:g}s" if args.budget != 180 else "") + f"-seed{seed}")
    path = resolve_model(cfg.model)
    set_seed(seed); torch.manual_seed(seed)
    run_cfg = replace(cfg, recipe=recipe.removesuffix(":all"), seed=seed, steps=10_000, sft_epochs=args.sft_epochs)   # --set keys are in cfg
    selected = sh["train"] if recipe.endswith(":all") else sh["selected"]
    tokens, t0 = Tokens(), time.perf_counter()
    train_recipe(load_policy(path, cfg.load_in_4bit), load_tokenizer(path), run_cfg, out, selected, sh["targets"],
                 ConstraintReward(), [TimeBudget(args.budget), tokens])
    seconds = time.perf_counter() - t0
    tuned = load_trained(path, out/"adapter", cfg.load_in_4bit)
    res = dict(recipe=recipe + label, seed=seed, budget=args.budget, sft_epochs=args.sft_epochs, train_seconds=round(seconds, 1), train_tokens=tokens.n,
               steps=json.loads((out/"train.json").read_text())["phases"], sets={})
    for name, ref in sh["reference"].items():
        ps = [r["prompt"] for r in ref if r["system"] == "base"]
        rows, summary = eval_plain(tuned, load_tokenizer(path), ps, "tuned", cfg.max_new_tokens or 64, cfg.generation_batch, ConstraintReward())
        (out/f"eval_{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        res["sets"][name] = dict(tuned=summary, **compare_systems(ref + rows))
    return res

def summary(ref_rows:list) -> dict:
    from tao_hub.eval import summarize
    out = {}
    for s in ["base", "best_of_n"]:
        rows = [r for r in ref_rows if r["system"] == s]
        if rows: out[s] = summarize([r["score"] for r in rows], [r["tokens"] for r in rows], [r["degenerate"] for r in rows])
    return out

def table(results:list, sh:dict) -> str:
    "Markdown: one row per recipe (mean over seeds, each seed's paired CI)."
    lines = []
    for name in ["heldout", "fresh"]:
        ref = summary(sh["reference"][name])
        lines += [f"\n**{name}** ({len([r for r in sh['reference'][name] if r['system'] == 'base'])} prompts): base {ref['base']['score']:.3f} "
                  f"(degenerate {ref['base']['degenerate']:.0%}, {ref['base']['tokens_per_answer']:.1f} tokens)" +
                  (f", best-of-N {ref['best_of_n']['score']:.3f} ({ref['best_of_n']['tokens_per_answer']:.1f} tokens)" if "best_of_n" in ref else "") + "\n",
                  "| recipe | seed | train s | tuned | tuned − base [paired 95% CI] | share of best-of-N gain | tokens/answer | degenerate |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in results:
            s = r["sets"][name]; d = s["tuned_minus_base"]; g = s.get("best_of_n_gain_captured")
            share = f"{g['share']:.0%} [{g['ci95'][0]:.0%}, {g['ci95'][1]:.0%}]" if g else ""
            run = r["recipe"] + (f" ({r['budget']:g} s budget)" if r.get("budget", 180) != 180 else "")
            lines.append(f"| {run} | {r['seed']} | {r['train_seconds']:.0f} | {s['tuned']['score']:.3f} | "
                         f"{d['diff']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}] | "
                         f"{share} | {s['tuned']['tokens_per_answer']:.1f} | {s['tuned']['degenerate']:.0%} |")
    return "\n".join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipes", default="grpo,sft,sdft,sft+grpo", help="comma-separated; grpo:all trains GRPO on every prompt (no selection)")
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--budget", type=float, default=180, help="training seconds per run")
    p.add_argument("--n-train", type=int, default=96)
    p.add_argument("--n-prompts", type=int, default=240)
    p.add_argument("--n-eval", type=int, default=60)
    p.add_argument("--sft-epochs", type=int, default=3)
    p.add_argument("--strategies", default=None, help="comma-separated exploration strategies (default: tao-hub's)")
    p.add_argument("--tag", default="effect", help="results go to results/TAG.json and results/TAG/")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a training setting for the runs (e.g. sft_learning_rate=1e-3); the runs are named RECIPE[KEY=VALUE]")
    args = p.parse_args()
    from tao_hub.config import EARLIER_DEFAULTS, TaoConfig, parse_sets
    sets = parse_sets(args.set)
    if fixed := sorted(set(sets) & set(FIXED)):
        p.error(f"--set {', '.join(fixed)}: these shape the cached exploration or are set per run; use the flags or another --tag")
    cfg = TaoConfig(n_train=args.n_train, **({"strategies": args.strategies.split(",")} if args.strategies else {}), **sets)
    label = "".join(f"[{k}={v:g}]" if isinstance(v, float) else f"[{k}={v}]" for k, v in sorted(sets.items()))
    folder = RESULTS/args.tag; folder.mkdir(parents=True, exist_ok=True)
    sh = shared(args, cfg, folder)
    print(f"exploration: {len(sh['train'])} prompts, {len(sh['explored']['rows'])} candidates in {sh['explored']['seconds']:.0f} s; "
          f"{len(sh['targets'])} winners on {len({t['prompt'] for t in sh['targets']})} prompts; {len(sh['selected'])} selected for GRPO", flush=True)
    path = RESULTS/f"{args.tag}.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    results = [dict(dict(budget=saved["args"]["budget"], sft_epochs=saved["args"]["sft_epochs"]), **r) for r in saved.get("runs", [])]
    for recipe in filter(None, args.recipes.split(",")):          # --recipes "" prints the saved table
        for seed in map(int, args.seeds.split(",")):
            name = label + (f"[sft_unlikelihood={cfg.sft_unlikelihood:g}]" if recipe in ("sft", "sft+grpo") and "sft_unlikelihood" not in sets
                            and cfg.sft_unlikelihood != EARLIER_DEFAULTS["sft_unlikelihood"] else "")   # not the runs saved before it
            if any((r["recipe"], r["seed"], r["budget"], r["sft_epochs"]) == (recipe + name, seed, args.budget, args.sft_epochs) for r in results): continue
            print(f"▶ {recipe}{name} seed {seed}", flush=True)
            results.append(one_run(recipe, seed, args, cfg, sh, folder, name))
            path.write_text(json.dumps(dict(args=vars(args), selection=sh["selection"], n_winners=len(sh["targets"]),
                                            exploration_seconds=sh["explored"]["seconds"], runs=results), indent=1))
            print(table(results[-1:], sh), flush=True)
    print(table(results, sh))

if __name__ == "__main__": main()
