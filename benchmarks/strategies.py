"""Which exploration strategies pay on the demo task: per-strategy mean score, best rate and token cost, and best-of-N.

Demo task: the builtin constraint prompts, the embedded SmolLM2-135M-Instruct (4-bit NF4, as a round loads it), the
transformers backend. Scores: the constraint verifier (the demo's reward); IFEval's checkers on the same constraints
are reported beside it (weight 0) as a cross-check. Writes benchmarks/results/strategies.json and prints a table.

    python benchmarks/strategies.py [--n 40] [--max-new-tokens 64] [--seed 0]
"""
import argparse, json, time
from pathlib import Path
from tao_hub.config import DEMO_CONSTRAINTS
from tao_hub.data import builtin_prompts
from tao_hub.explore import explore, hf_generator
from tao_hub.models import load_policy, load_tokenizer, resolve_model
from tao_hub.rewards import Composite, best_of_n, score_candidates, strategy_report
from tao_hub.verifiers import ConstraintReward, IFEvalReward

STRATEGIES = ["ladder", "restate", "think", "persona", "critique", "fewshot"]

def _f(x): return "n/a" if x is None else f"{x:.3f}"

def main(n:int, max_new_tokens:int, seed:int, out:Path):
    path = resolve_model()
    model, tok = load_policy(path, True), load_tokenizer(path)
    prompts = builtin_prompts(n, DEMO_CONSTRAINTS, seed)
    scorer = Composite([ConstraintReward(), IFEvalReward()], [1.0, 0.0])
    t0 = time.perf_counter()
    cands = explore(hf_generator(model, tok, 48), prompts, STRATEGIES, max_new_tokens, seed, scorer)
    scored = score_candidates(cands, scorer)
    report = dict(model=path, prompts=n, max_new_tokens=max_new_tokens, seed=seed, seconds=round(time.perf_counter() - t0, 1),
                  strategies=strategy_report(scored), best_of_n=best_of_n(scored),
                  best_of_n_without_multipass=best_of_n(scored.filter(lambda r: not r["strategy"].startswith(("critique", "fewshot")))))
    seconds = {s: sum(r["seconds"] for r in scored if r["strategy"] == s) / n for s in dict.fromkeys(scored["strategy"])}
    for r in report["strategies"]: r["seconds_per_prompt"] = seconds[r["strategy"]]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"\n{n} builtin prompts, {path}, max_new_tokens={max_new_tokens}, {report['seconds']} s\n")
    print("| strategy | mean constraint score | best rate | mean IFEval (same constraints) | generated tokens | prompt tokens (all passes) |")
    print("|---|---|---|---|---|---|")
    ptoks = {s: sum(r["prompt_tokens"] for r in scored if r["strategy"] == s) / n for s in seconds}
    for r in report["strategies"]:
        print(f"| {r['strategy']} | {_f(r['mean_score'])} | {r['best_rate']:.2f} | {_f(r['scorers']['ifeval'])} | "
              f"{r['tokens']:.1f} | {ptoks[r['strategy']]:.0f} |")
    print(f"\nbest-of-N over all {len(seconds)} strategies: {_f(report['best_of_n'])}; "
          f"without critique and fewshot: {_f(report['best_of_n_without_multipass'])}")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40); ap.add_argument("--max-new-tokens", type=int, default=64); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent/"results"/"strategies.json")
    a = ap.parse_args()
    main(a.n, a.max_new_tokens, a.seed, a.out)
