"""Reward-model scoring inside GRPO: tao-hub's `RewardModel` against TRL's built-in string path, on the same completions.

Both run through the real `GRPOTrainer._calculate_rewards` of TRL (the method GRPO calls every step):
- trl: `reward_funcs="<folder>"`: TRL loads the classifier itself and scores all completions in one forward pass,
  padded to the longest and untruncated (trl grpo_trainer.py, the nn.Module branch of _calculate_rewards);
- tao: `reward_funcs=RewardModel("<folder>", batch_size=16, max_length=1024)`: length-sorted batches of 16, inputs cut
  to 1024 tokens from the left (its score cache is cleared before every repetition, so nothing is served from it).
Model: the tests' random-init 2-layer Llama classifier (hidden 64) with SmolLM2's tokenizer, on CPU, float32 for both
(bf16=False, as tao-hub configures GRPO on a CPU; TRL's default bf16=True makes accelerate run the reward model under
bf16 autocast, which on a CPU is several times slower). The work is not identical: RewardModel applies the reward
model's chat template (TRL joins prompt + completion as plain strings) and, above 1024 tokens, reads only the last 1024.
Each (path, completion length) runs in its own process; peak memory is the rise of the process's peak RSS (VmHWM,
reset through /proc/self/clear_refs) over its RSS before scoring. Time: median of --reps calls.

    python benchmarks/reward_scoring.py [--n 64] [--lengths 256,512,1024,2048] [--reps 3]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def _status(key:str) -> int:
    "A field of /proc/self/status in MiB."
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(key + ":"))
    return int(line.split()[1]) // 1024

def texts(n:int, length:int, tok) -> tuple:
    "n prompts and n completions of about `length` tokens each (varying by up to 16 so batches need padding)."
    words = "river owl tea map kite bridge snow clock lamp stone garden window cloud harbor candle forest".split()
    prompts = [f"Write about {words[i % len(words)]}." for i in range(n)]
    comps = []
    for i in range(n):
        target = length - (i * 7) % 16
        text = " ".join(words[(i + j) % len(words)] + ("," if j % 5 == 4 else "") for j in range(target))
        ids = tok.encode(text, add_special_tokens=False)[:target]
        comps.append(tok.decode(ids))
    return prompts, comps

def case(path:str, n:int, length:int, reps:int) -> dict:
    "Time and peak memory of one scoring path in this process."
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer
    from tao_hub.models import load_tokenizer
    from tao_hub.testing.tiny import tiny_model_dir
    from tao_hub.rewards import RewardModel
    from tao_hub.testing.tiny import tiny_reward_model_dir
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    policy, rm_dir = str(tiny_model_dir()), str(tiny_reward_model_dir())
    tok = load_tokenizer(policy)
    reward = str(rm_dir) if path == "trl" else RewardModel(rm_dir, batch_size=16, max_length=1024)
    with tempfile.TemporaryDirectory() as d:
        args = GRPOConfig(output_dir=d, use_cpu=True, bf16=False, report_to="none", per_device_train_batch_size=8, num_generations=8, max_steps=1)
        trainer = GRPOTrainer(model=policy, reward_funcs=reward, args=args, train_dataset=Dataset.from_dict({"prompt": ["x"] * 8}), processing_class=tok)
        prompts, comps = texts(n, length, tok)
        ids = [tok.encode(c, add_special_tokens=False) for c in comps]
        inputs = [{"prompt": p} for p in prompts]
        score = lambda k: trainer._calculate_rewards(inputs[:k], prompts[:k], comps[:k], ids[:k])
        score(2)                                        # warm-up: lazy initialisation is not part of the measure
        times, out = [], None
        rss = _status("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")    # reset the peak RSS to the current RSS
        for _ in range(reps):
            if path == "tao": reward.cache.clear()
            t0 = time.perf_counter()
            out = score(n)
            times.append(time.perf_counter() - t0)
        peak = _status("VmHWM")
    med = statistics.median(times)
    return dict(path=path, n=n, length=length, tokens=sum(map(len, ids)) / n, median_s=med, completions_per_s=n / med,
                peak_mb=peak - rss, finite=bool(torch.isfinite(out).all()))

def main(n:int, lengths:list, reps:int, out:Path):
    rows = []
    for length in lengths:
        for path in ["trl", "tao"]:
            r = subprocess.run([sys.executable, __file__, "--case", path, "--n", str(n), "--lengths", str(length), "--reps", str(reps)],
                               capture_output=True, text=True)
            if r.returncode: rows.append(dict(path=path, n=n, length=length, error=(r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1][:200]))
            else: rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(n=n, reps=reps, cpu_count=os.cpu_count(), rows=rows), indent=1))
    print(f"\n{n} completions per GRPO batch, CPU ({os.cpu_count()} cores), median of {reps}\n")
    print("| completion tokens | TRL string path: s, completions/s, peak MiB | "
          "RewardModel: s, completions/s, peak MiB | throughput ratio (RewardModel / TRL) |")
    print("|---|---|---|---|")
    for length in lengths:
        t, m = (next(r for r in rows if r["path"] == p and r["length"] == length) for p in ["trl", "tao"])
        cell = lambda r: r.get("error") or f"{r['median_s']:.2f} s, {r['completions_per_s']:.1f}/s, {r['peak_mb']} MiB"
        ratio = f"{m['completions_per_s'] / t['completions_per_s']:.2f}x" if "error" not in t and "error" not in m else "-"
        print(f"| {length} | {cell(t)} | {cell(m)} | {ratio} |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=64); ap.add_argument("--lengths", default="256,512,1024,2048"); ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--case", choices=["trl", "tao"]); ap.add_argument("--out", type=Path, default=Path(__file__).parent/"results"/"reward_scoring.json")
    a = ap.parse_args()
    lengths = [int(x) for x in a.lengths.split(",")]
    if a.case: print(json.dumps(case(a.case, a.n, lengths[0], a.reps)))
    else: main(a.n, lengths, a.reps, a.out)
