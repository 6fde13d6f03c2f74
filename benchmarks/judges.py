"""A served judge, pointwise against group-relative (RULER-style): agreement with the verifier, and the effect of a round scored by each.

The judge is the embedded SmolLM2-135M-Instruct itself, served on 127.0.0.1 by `tao_hub.testing.chat_server` (greedy, OpenAI chat
route) and called by the round as `judge:endpoint:URL@smollm2` -- the only real model this machine has, and a weak judge. Per mode,
one demo round (builtin constraint prompts, the demo's strategies and recipe) scored by the judge alone. Then, with the constraint
verifier, which the round never saw:

- agreement: per training prompt, Kendall's tau-b between the judge's scores and the verifier's over the prompt's candidates,
  averaged over the prompts where neither is constant; also the share of prompts whose judge-best candidate is verifier-best;
- effect: tuned - base on the held-out prompts, scored by the verifier, paired 95% bootstrap CI;
- the judge's own figures: requests, unreadable replies, and in group mode the agreement of the two orders and the first-slot bias.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/judges.py                  # point and group, seed 0 (~25 min on 2 cores)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/judges.py --modes ""       # the saved table again
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/judges.py --modes "" --rescore point-seed0 --prompts 32
                     # agreement only: the first 32 prompts' candidates of that round, judged again in each mode (no round)
"""
import argparse, json, os, sys, time
from pathlib import Path

RESULTS = Path(__file__).parent/"results"

def agreement(scored:list) -> dict:
    "Mean per-prompt Kendall tau-b of judge against verifier scores, and how often the judge's best is the verifier's best."
    from tao_hub.judges import kendall_tau
    from tao_hub.verifiers import ConstraintReward
    truth = ConstraintReward()([r["prompt"] for r in scored], [r["completion"] for r in scored])
    per = {}
    for r, v in zip(scored, truth):
        if r["score"] is not None and v is not None: per.setdefault(r["prompt"], []).append((r["score"], v))
    taus = [t for xs in per.values() if (t := kendall_tau([a for a, _ in xs], [b for _, b in xs])) is not None]
    hits = [max(xs, key=lambda x: x[0])[1] == max(b for _, b in xs) for xs in per.values() if len({a for a, _ in xs}) > 1]
    return dict(kendall_tau=sum(taus) / len(taus) if taus else None, prompts_with_tau=len(taus), prompts=len(per),
                judge_best_is_verifier_best=sum(hits) / len(hits) if hits else None)

def effect(folder:Path) -> dict:
    "Tuned - base on the held-out prompts under the constraint verifier, paired, and each system's verifier mean."
    from tao_hub.eval import paired_diff
    from tao_hub.verifiers import ConstraintReward
    rows = [json.loads(l) for l in (folder/"eval_generations.jsonl").read_text().splitlines() if l.strip()]
    by = {s: {r["prompt"]: r["completion"] for r in rows if r["system"] == s} for s in ("base", "best_of_n", "tuned")}
    prompts = sorted(set(by["base"]) & set(by["tuned"]))
    score = {s: ConstraintReward()(prompts, [by[s].get(p, "") for p in prompts]) for s in by}
    mean = lambda xs: sum(x for x in xs if x is not None) / max(1, sum(x is not None for x in xs))
    return dict({s: mean(v) for s, v in score.items()}, tuned_minus_base=paired_diff(score["tuned"], score["base"]), n=len(prompts))

def run(mode:str, seed:int) -> dict:
    from tao_hub.config import TaoConfig
    from tao_hub.models import embedded_model_dir
    from tao_hub.round import run_round
    from tao_hub.testing.chat_server import ChatServer, model_reply
    out = RESULTS/"judges"/f"{mode}-seed{seed}"
    with ChatServer(model_reply(embedded_model_dir())) as server:
        t0 = time.perf_counter()
        run_round(TaoConfig(reward=[f"judge:endpoint:{server.url}@smollm2"], judge_mode=mode, seed=seed, out=str(out), overwrite=True))
        wall = time.perf_counter() - t0
    scored = [json.loads(l) for l in (out/"scored.jsonl").read_text().splitlines() if l.strip()]
    expl = json.loads((out/"exploration.json").read_text())
    return dict(mode=mode, seed=seed, wall_seconds=round(wall), judge=expl["judges"][0], winners=expl["winners"]["with_winner"],
                agreement=agreement(scored), effect=effect(out))

def rescore(folder:Path, n_prompts:int) -> list:
    "Agreement with the verifier of both modes on the same candidates: the first `n_prompts` prompts of a saved round."
    from tao_hub.judges import EndpointJudge, judge_summary
    from tao_hub.models import embedded_model_dir
    from tao_hub.testing.chat_server import ChatServer, model_reply
    rows = [json.loads(l) for l in (folder/"candidates.jsonl").read_text().splitlines() if l.strip()]
    keep = list(dict.fromkeys(r["prompt"] for r in rows))[:n_prompts]
    rows = [r for r in rows if r["prompt"] in keep]
    out = []
    with ChatServer(model_reply(embedded_model_dir())) as server:
        for mode in ("point", "group"):
            judge, t0 = EndpointJudge(server.url, "smollm2", mode=mode), time.perf_counter()
            scores = judge([r["prompt"] for r in rows], [r["completion"] for r in rows])
            out.append(dict(mode=mode, prompts=len(keep), candidates=len(rows), seconds=round(time.perf_counter() - t0),
                            agreement=agreement([dict(r, score=s) for r, s in zip(rows, scores)]), judge=judge_summary(judge)))
    return out

def table(runs:list) -> str:
    lines = ["| mode | seed | Kendall τ vs verifier (prompts) | judge's best = verifier's best | order agreement | first-slot bias | unreadable | "
             "base → tuned (verifier) | tuned − base [95% CI] | round |", "|---|---|---|---|---|---|---|---|---|---|"]
    f = lambda x, fmt="{:.3f}": "n/a" if x is None else fmt.format(x)
    for r in runs:
        a, e, j, d = r["agreement"], r["effect"], r["judge"], r["effect"]["tuned_minus_base"]
        lines.append(f"| {r['mode']} | {r['seed']} | {f(a['kendall_tau'])} ({a['prompts_with_tau']} of {a['prompts']}) | "
                     f"{f(a['judge_best_is_verifier_best'], '{:.0%}')} | {f(j['order_agreement'])} | {f(j['first_slot_bias'], '{:+.3f}')} | "
                     f"{j['unreadable']} of {j['requests']} | {e['base']:.3f} → {e['tuned']:.3f} | "
                     f"{d['diff']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}] | {r['wall_seconds']} s |")
    return "\n".join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modes", default="point,group")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rescore", help="a saved round under results/judges/ whose candidates both modes judge again (agreement only)")
    p.add_argument("--prompts", type=int, default=32, help="with --rescore: how many of its prompts")
    args = p.parse_args()
    os.environ.setdefault("TAO_HUB_CACHE", str(RESULTS/"judges"/"cache"))      # its own verdict cache: a re-run asks the judge nothing
    path = RESULTS/"judges.json"
    saved = json.loads(path.read_text()) if path.exists() else {"runs": []}
    for mode in [m for m in args.modes.split(",") if m]:
        r = run(mode, args.seed)
        saved["runs"] = [x for x in saved["runs"] if (x["mode"], x["seed"]) != (mode, args.seed)] + [r]
        path.write_text(json.dumps(saved, indent=1))
    if args.rescore:
        saved["rescored"] = rescore(RESULTS/"judges"/args.rescore, args.prompts)
        path.write_text(json.dumps(saved, indent=1))
    for r in saved.get("rescored", []):
        a, j = r["agreement"], r["judge"]
        print(f"rescored, {r['mode']}: Kendall τ {a['kendall_tau']} over {a['prompts_with_tau']} of {a['prompts']} prompts; judge's best is the "
              f"verifier's best on {a['judge_best_is_verifier_best']}; order agreement {j['order_agreement']}, first-slot bias "
              f"{j['first_slot_bias']}; unreadable {j['unreadable']} of {r['candidates']}; {r['seconds']} s")
    print(table(saved["runs"]))

if __name__ == "__main__": sys.exit(main())
