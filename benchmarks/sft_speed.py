"""SFT step time: tao-hub's supervised training as it was (padded batches), padding-free as of ee42530, with attention
per packed sequence and the LM head on answer positions only (as it is), and the same with token-level unlikelihood
(`--sft-unlikelihood 1`), interleaved in one run on the same winners, SmolLM2-135M, full-precision LoRA.

Each variant runs `train_sft` in its own process for one epoch over the same winners (a round's winners.jsonl, or
answers of 8-60 words to the demo's prompts), batch 8. Reported: median s/step over the steps after the first, trained
tokens/s (prompt + answer tokens per epoch / summed step time) and the losses of the first steps, which padding-free
batches must leave unchanged.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/sft_speed.py --repeats 2                  # ~6 min on 2 CPU cores
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/sft_speed.py --winners tao-out/demo/winners.jsonl
"""
import argparse, contextlib, json, statistics, subprocess, sys, tempfile
from pathlib import Path

VARIANTS = {"padded (before)": dict(padding_free=False, unlikelihood=0.0), "padding-free (ee42530)": dict(fast=False, unlikelihood=0.0),
            "padding-free + packed attention + answer-only head (now)": dict(unlikelihood=0.0),
            "the same + --sft-unlikelihood 1": dict(unlikelihood=1.0)}

def targets(path:str=None, n:int=48) -> list:
    "A round's winners, or answers of 8-60 words to the demo's prompts."
    if path: return [json.loads(l) for l in Path(path).read_text().splitlines()][:n]
    from tao_hub.data import builtin_prompts
    return [dict(prompt=p, completion=" ".join(f"word{j % 11}" for j in range(8 + 13 * i % 53)) + ".") for i, p in enumerate(builtin_prompts(n, None, 0))]

def case(name:str, winners:str) -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    import tao_hub.train as T
    from dataclasses import replace
    from train_overhead import Timer, _timed_init, sft_tokens
    from tao_hub.config import TaoConfig
    from tao_hub.models import load_policy, load_tokenizer, resolve_model
    over, orig = dict(VARIANTS[name]), T.sft_args
    unlikelihood = over.pop("unlikelihood")
    if not over.pop("fast", True) or over.get("padding_free") is False:     # as before: TRL's dense mask, every position scored
        T.packed_attention = T.answer_positions_only = lambda *a: contextlib.nullcontext()
    T.sft_args = lambda cfg, out: replace(orig(cfg, out), **over, **({"max_length": 1024} if over.get("padding_free") is False else {}))
    path, timer = resolve_model(), Timer()
    tok, tg = load_tokenizer(path), targets(winners)
    _timed_init(timer)
    with tempfile.TemporaryDirectory() as d:
        _, log = T.train_sft(load_policy(path, False), tok, tg, TaoConfig(sft_epochs=1, per_device_train_batch_size=8, sft_unlikelihood=unlikelihood), d)
    tokens = sft_tokens(tok, tg)
    return dict(variant=name, s_per_step=statistics.median(timer.steps[1:]), tokens_per_s=tokens / sum(timer.steps),
                losses=[round(l["loss"], 4) for l in log if "loss" in l][:4])

def main(repeats:int, winners:str, out:Path):
    runs = {v: [] for v in VARIANTS}
    for i in range(repeats):
        for v in (list(VARIANTS) if i % 2 == 0 else list(VARIANTS)[::-1]):
            r = subprocess.run([sys.executable, __file__, "--case", v, *(["--winners", winners] if winners else [])], capture_output=True, text=True)
            if r.returncode: sys.exit(f"{v} failed:\n{r.stderr[-2000:]}")
            runs[v].append(json.loads(r.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[v][-1]), flush=True)
    base = statistics.median(r["s_per_step"] for r in runs["padded (before)"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(repeats=repeats, winners=winners or "synthetic", runs=runs), indent=1))
    print(f"\nSmolLM2-135M LoRA, batch 8, median over {repeats} repeats\n\n"
          "| variant | s/step | trained tokens/s | speed-up | first losses |\n|---|---|---|---|---|")
    for v, rs in runs.items():
        s = statistics.median(r["s_per_step"] for r in rs)
        print(f"| {v} | {s:.2f} | {statistics.median(r['tokens_per_s'] for r in rs):.0f} | {base / s:.2f}x | {rs[0]['losses']} |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2); ap.add_argument("--winners"); ap.add_argument("--case")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent/"results"/"sft_speed.json")
    a = ap.parse_args()
    if a.case: print(json.dumps(case(a.case, a.winners)))
    else: main(a.repeats, a.winners, a.out)
