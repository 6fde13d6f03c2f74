"""Does a round improve instruction following as IFEval's checkers judge it? Full rounds, one per seed, scored per instruction.

Each seed runs the round a user runs (`tao-hub demo --task ifeval`, or `tao-hub run --prompts FILE --reward verifier:ifeval`
for a file in IFEval's format), then scores every held-out answer per instruction, strict, with IFEval's checkers:

- instruction-level accuracy (instructions followed / instructions) and prompt-level accuracy (prompts with all followed),
  for the base (greedy), best-of-N over the round's strategies, and the tuned adapter (greedy);
- tuned - base, instruction level, with a paired bootstrap 95% CI over prompts, and the share of the best-of-N gain;
- tokens per answer and degenerate answers (`verifiers.degenerate`: loops, echoes, near-empty answers);
- accuracy per instruction kind; a few tuned answers, printed for reading.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect_ifeval.py                                # builtin task, seeds 0 and 1 (~30 min)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect_ifeval.py --prompts input_data.jsonl --tag ifeval-public
                                                  # a file in IFEval's format (google/IFEval): train on part, score on the rest
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect_ifeval.py --prompts input_data.jsonl --tag ifeval-public --wide 80
                                                  # also base and tuned on 80 more of the file's prompts, unused by the round
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect_ifeval.py --seeds 0 --tag ifeval-public --reuse --wide 80
                                                  # the same for a round already in results/TAG/seed0 (no new round)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/effect_ifeval.py --seeds ""                     # the saved table again

The rounds stay in results/TAG/seedN/ (candidates, winners, every generation); the figures go to results/TAG.json.
"""
import argparse, json, random, sys
from pathlib import Path

RESULTS = Path(__file__).parent/"results"
SYSTEMS = ["base", "best_of_n", "tuned"]

def verdict(row:dict, answer:str, tokens:int) -> dict:
    "One answer to prompt row `row`: its text, tokens, whether it is degenerate, and one strict verdict per checkable instruction."
    from tao_hub.verifiers import checkable, degenerate, followed, prompt_instructions
    ids, kw = row.get("instruction_id_list"), row.get("kwargs")
    pairs = checkable(prompt_instructions(row["prompt"], ids, kw))
    return dict(answer=answer, tokens=tokens, kinds=[i for i, _ in pairs], ok=followed(row["prompt"], answer, pairs),
                degenerate=degenerate(row["prompt"], answer, instruction_id_list=ids, kwargs=kw))

def checks(folder:Path) -> dict:
    "Per system and prompt with a checkable instruction: the answer's `verdict`."
    rows = {r["prompt"]: r for r in map(json.loads, (folder/"prompts_eval.jsonl").read_text().splitlines())}
    out = {s: {} for s in SYSTEMS}
    for g in map(json.loads, (folder/"eval_generations.jsonl").read_text().splitlines()):
        v = verdict(rows[g["prompt"]], g["completion"], g["tokens"]) if g["system"] in out else None
        if v and v["kinds"]: out[g["system"]][g["prompt"]] = v
    return out

def inst_acc(per:dict, prompts:list) -> float: return sum(sum(per[p]["ok"]) for p in prompts) / sum(len(per[p]["ok"]) for p in prompts)
def prompt_acc(per:dict, prompts:list) -> float: return sum(all(per[p]["ok"]) for p in prompts) / len(prompts)

def system_figures(per:dict, prompts:list) -> dict:
    "Instruction- and prompt-level accuracy, tokens per answer and share of degenerate answers over `prompts`."
    return dict(instruction=inst_acc(per, prompts), prompt=prompt_acc(per, prompts), tokens=sum(per[p]["tokens"] for p in prompts) / len(prompts),
                degenerate=sum(per[p]["degenerate"] is not None for p in prompts) / len(prompts))

def paired(a:dict, b:dict, prompts:list, n:int=2000, seed:int=0) -> dict:
    "Instruction-level accuracy a - b, with a paired bootstrap 95% CI over prompts."
    rng, diffs = random.Random(seed), []
    for _ in range(n):
        ps = [rng.choice(prompts) for _ in prompts]
        diffs.append(inst_acc(a, ps) - inst_acc(b, ps))
    diffs.sort()
    return dict(diff=inst_acc(a, prompts) - inst_acc(b, prompts), ci95=[diffs[int(0.025 * n)], diffs[int(0.975 * n) - 1]])

def figures(folder:Path) -> dict:
    "The seed's figures, from its round folder."
    c = checks(folder)
    prompts = sorted(set.intersection(*(set(c[s]) for s in SYSTEMS)))
    sys_figs = {s: system_figures(c[s], prompts) for s in SYSTEMS}
    gain, room = sys_figs["tuned"]["instruction"] - sys_figs["base"]["instruction"], sys_figs["best_of_n"]["instruction"] - sys_figs["base"]["instruction"]
    kinds = {}
    for s in SYSTEMS:
        for p in prompts:
            for k, ok in zip(c[s][p]["kinds"], c[s][p]["ok"]):
                kinds.setdefault(k.split(":")[-1], {x: [0, 0] for x in SYSTEMS})[s][0] += ok
                kinds[k.split(":")[-1]][s][1] += 1
    expl = json.loads((folder/"exploration.json").read_text())
    return dict(n_prompts=len(prompts), systems=sys_figs, tuned_minus_base=paired(c["tuned"], c["base"], prompts),
                share_of_best_of_n_gain=gain / room if room > 0 else None, kinds=kinds, winners=expl.get("winners"),
                wall_seconds=json.loads((folder/"run.json").read_text()).get("wall_seconds"),
                samples=[dict(prompt=p, base=c["base"][p]["answer"], tuned=c["tuned"][p]["answer"]) for p in prompts[:6]])

def unused_prompts(folder:Path, n:int) -> list:
    "The last `n` prompts of the round's seeded shuffle of its file (its split reaches them last): the same for any n_train that leaves them out."
    from tao_hub.config import TaoConfig
    from tao_hub.data import read_source
    from tao_hub.round import usable_prompts
    from tao_hub.verifiers import checkable, prompt_instructions
    cfg = TaoConfig(**json.loads((folder/"config.json").read_text()))
    ps, dropped, _ = read_source(cfg)
    usable = usable_prompts(cfg, ps, dropped)
    last = random.Random(cfg.seed).sample(usable, len(usable))[-n:] if len(usable) > 2 * n else []      # `split_prompts`'s shuffle
    used = {json.loads(l)["prompt"] for f in ("prompts_train.jsonl", "prompts_eval.jsonl") for l in (folder/f).read_text().splitlines()}
    if not last or used & {r["prompt"] for r in last}: sys.exit(f"--wide {n}: the file has too few prompts the round did not use; lower it")
    return [r for r in last if checkable(prompt_instructions(r["prompt"], r.get("instruction_id_list"), r.get("kwargs")))]

def wider(folder:Path, n:int, cap:int=None) -> dict:
    "Base and tuned (greedy) on `n` of the file's prompts that the round neither trained nor evaluated on: accuracy, loops, tokens, tuned - base."
    from tao_hub.config import TaoConfig
    from tao_hub.eval import eval_plain
    from tao_hub.models import generation_model, load_policy, load_tokenizer, resolve_model
    from tao_hub.round import budgets, round_scorer
    from tao_hub.train import load_trained
    cfg, rows = TaoConfig(**json.loads((folder/"config.json").read_text())), unused_prompts(folder, n)
    b, path = budgets(cfg, rows), resolve_model(cfg.model)
    b = [min(x, cap or x) for x in b] if isinstance(b, list) else min(b, cap or b)
    out = {}
    for name in ("base", "tuned"):
        model = load_trained(path, folder/"adapter", cfg.load_in_4bit) if name == "tuned" else load_policy(path, cfg.load_in_4bit)
        gen, _ = eval_plain(generation_model(model, cfg.generation_dtype, owned=True), load_tokenizer(path), rows, name, b,
                            cfg.generation_batch, round_scorer(cfg))
        out[name] = {r["prompt"]: verdict(r, g["completion"], g["tokens"]) for r, g in zip(rows, gen)}
    ps = sorted(out["base"])
    (folder/"wide_generations.json").write_text(json.dumps(out, indent=1))
    return dict(n_prompts=len(ps), answer_cap=cap, tuned_minus_base=paired(out["tuned"], out["base"], ps),
                systems={s: system_figures(out[s], ps) for s in out})

def table(runs:list) -> str:
    "Markdown: one row per seed and system, then accuracy per instruction kind summed over the seeds."
    lines = ["| seed | system | instruction-level | prompt-level | tokens/answer | degenerate | tuned − base [paired 95% CI] | share of best-of-N gain |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        f = r["figures"]
        for s in SYSTEMS:
            x, d = f["systems"][s], f["tuned_minus_base"]
            extra = (f"{d['diff']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}] | "
                     + (f"{f['share_of_best_of_n_gain']:.0%}" if f["share_of_best_of_n_gain"] is not None else "n/a")) if s == "tuned" else " | "
            lines.append(f"| {r['seed']} | {s} | {x['instruction']:.3f} | {x['prompt']:.3f} | {x['tokens']:.0f} | {x['degenerate']:.0%} | {extra} |")
    kinds = {}
    for r in runs:
        for k, v in r["figures"]["kinds"].items():
            for s in SYSTEMS:
                kinds.setdefault(k, {x: [0, 0] for x in SYSTEMS})[s][0] += v[s][0]; kinds[k][s][1] += v[s][1]
    for r in runs:
        w = r["figures"].get("wide")
        if not w: continue
        d = w["tuned_minus_base"]
        cap = f"answers of at most {w['answer_cap']} tokens" if w["answer_cap"] else "the round's answer budgets"
        lines += ["", f"Seed {r['seed']}, {w['n_prompts']} more of the file's prompts, unused by the round ({cap}):",
                  "", "| system | instruction-level | prompt-level | tokens/answer | degenerate |", "|---|---|---|---|---|"]
        lines += [f"| {s} | {x['instruction']:.3f} | {x['prompt']:.3f} | {x['tokens']:.0f} | {x['degenerate']:.0%} |" for s, x in w["systems"].items()]
        lines.append(f"\ntuned − base, instruction level: {d['diff']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]")
    lines += ["", "| instruction kind | n | base | best-of-N | tuned |", "|---|---|---|---|---|"]
    for k, v in sorted(kinds.items()):
        lines.append(f"| {k} | {v['base'][1]} | " + " | ".join(f"{v[s][0] / v[s][1]:.2f}" for s in SYSTEMS) + " |")
    return "\n".join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--prompts", default="builtin", help="'builtin' (--task ifeval), or a prompt file in IFEval's format")
    p.add_argument("--tag", default="effect-ifeval", help="results go to results/TAG.json and results/TAG/")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a round setting (e.g. n_train=96)")
    p.add_argument("--wide", type=int, default=0, help="also answer N more of the file's prompts, unused by the round, with base and tuned")
    p.add_argument("--wide-cap", type=int, help="at most this many tokens per answer in --wide (default: the round's budgets)")
    p.add_argument("--reuse", action="store_true", help="score the round already in results/TAG/seedN instead of running one")
    args = p.parse_args()
    if args.wide and args.prompts == "builtin": p.error("--wide needs --prompts FILE: the builtin task has no unused prompts to draw")
    from tao_hub.config import TaoConfig, parse_sets
    from tao_hub.round import run_round
    path, folder = RESULTS/f"{args.tag}.json", RESULTS/args.tag
    saved = json.loads(path.read_text()) if path.exists() else {"runs": []}
    for seed in [int(s) for s in args.seeds.split(",") if s.strip()]:
        out = folder/f"seed{seed}"
        task = dict(task="ifeval") if args.prompts == "builtin" else dict(prompts=args.prompts, reward=["verifier:ifeval"])
        if not args.reuse: run_round(TaoConfig(**task, **parse_sets(args.set), seed=seed, out=str(out), overwrite=True))
        earlier = next((r for r in saved["runs"] if r["seed"] == seed), {})
        run = dict(seed=seed, prompts=args.prompts, sets=earlier.get("sets") if args.reuse else args.set,
                   n_train=json.loads((out/"config.json").read_text())["n_train"], figures=figures(out))
        wide = wider(out, args.wide, args.wide_cap) if args.wide else earlier.get("figures", {}).get("wide") if args.reuse else None
        if wide: run["figures"]["wide"] = wide
        saved["runs"] = [r for r in saved["runs"] if r["seed"] != seed] + [run]
        path.write_text(json.dumps(saved, indent=1))
        for s in run["figures"]["samples"][:3]: print(f"\nPROMPT {s['prompt']}\nBASE   {s['base'][:400]!r}\nTUNED  {s['tuned'][:400]!r}")
    print(table(saved["runs"]))

if __name__ == "__main__": sys.exit(main())
