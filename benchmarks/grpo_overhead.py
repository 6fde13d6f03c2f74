"""GRPO step cost: tao-hub's `train_grpo` against a plain TRL script with identical settings, 4-bit QLoRA and full-precision LoRA.

Each (path, precision) runs in its own process on the same random-init model (a real Qwen2.5 config on a GPU, the
tests' tiny Llama on a CPU), the same prompts, the same reward (the constraint verifier) and the same GRPOConfig and
LoraConfig (the script checks that the two configs agree field by field). Measured per run: median seconds per GRPO
step (steps after the first), completion tokens per second of generation (time inside `generate`), and peak memory
(GPU: torch.cuda.max_memory_allocated; CPU: the rise of peak RSS). Overhead = tao-hub / TRL - 1 on seconds per step.

    python benchmarks/grpo_overhead.py --model tiny --steps 6                  # CPU: checks the harness
    python benchmarks/grpo_overhead.py --model qwen2.5-0.5b --steps 8         # GPU (needs trl, bitsandbytes, datasets)
    python benchmarks/grpo_overhead.py --model smollm2 --paths tao --steps 6 --completion-length 24   # CPU: is 4-bit worth it here?
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

CONFIGS = {"qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True),
           "qwen2.5-1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2, tie_word_embeddings=True)}

def model_dir(name:str) -> str:
    "A folder with a random-init model of config `name` and SmolLM2's tokenizer (made once)."
    from tao_hub.models import cached_folder, tiny_model_dir, embedded_tokenizer_dir
    if name == "tiny": return str(tiny_model_dir())
    if name == "smollm2":
        from tao_hub.models import embedded_model_dir
        return str(embedded_model_dir())
    def build(d):
        import torch
        from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
        tok = AutoTokenizer.from_pretrained(os.environ.get("TAO_TOKENIZER_DIR") or embedded_tokenizer_dir())
        torch.manual_seed(0)
        cfg = Qwen2Config(vocab_size=len(tok), max_position_embeddings=32768, rope_theta=1e6, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, **CONFIGS[name])
        Qwen2ForCausalLM(cfg).to(torch.bfloat16).save_pretrained(d); tok.save_pretrained(d)
    return str(cached_folder(f"random-{name}", build))

class Timer:
    "Times each optimizer step (a TrainerCallback) and every `generate` call with the tokens it produced."
    def __init__(self): self.steps, self.gen_s, self.gen_tokens, self._t = [], 0.0, 0, None
    def callback(self):
        from transformers import TrainerCallback
        timer = self
        class CB(TrainerCallback):
            def on_step_begin(self, *a, **k): timer._t = time.perf_counter()
            def on_step_end(self, *a, **k): timer.steps.append(time.perf_counter() - timer._t)
        return CB()
    def patch_generate(self, pad_id):
        from transformers import GenerationMixin
        orig = GenerationMixin.generate
        def generate(model, *a, **k):
            t = time.perf_counter(); out = orig(model, *a, **k)
            self.gen_s += time.perf_counter() - t
            ids = out if hasattr(out, "shape") else out.sequences
            n_in = (k.get("input_ids") if k.get("input_ids") is not None else a[0]).shape[1]
            self.gen_tokens += int((ids[:, n_in:] != pad_id).sum())
            return out
        GenerationMixin.generate = generate

def run(path:str, precision:str, model:str, steps:int, length:int=None) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer
    from tao_hub.config import TaoConfig
    from tao_hub.data import builtin_prompts
    from tao_hub.models import compute_dtype, has_gpu, load_policy, load_tokenizer
    from tao_hub.train import grpo_args, train_grpo
    from tao_hub.verifiers import ConstraintReward
    d, four = model_dir(model), precision == "4bit"
    cfg = TaoConfig(model=d, steps=steps, num_generations=4, per_device_train_batch_size=8, max_completion_length=length or (64 if has_gpu() else 16),
                    load_in_4bit=four, save_steps=0, learning_rate=1e-4, backend="transformers")
    prompts = builtin_prompts(64, None, 0)
    tok, timer = load_tokenizer(d), Timer()
    timer.patch_generate(tok.pad_token_id)
    rss0 = _rss()
    if has_gpu(): torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as out:
        if path == "tao":
            from transformers import Trainer
            orig_init = Trainer.__init__
            def init(self, *a, **k):                      # add the timer to tao-hub's own trainer without changing tao-hub
                orig_init(self, *a, **k); self.add_callback(timer.callback())
            Trainer.__init__ = init
            train_grpo(load_policy(d, four), tok, prompts, cfg, out, ConstraintReward())
        else:                                             # the plain TRL script, written out by hand
            from transformers import AutoModelForCausalLM, BitsAndBytesConfig
            dtype, gpu = compute_dtype(), has_gpu()
            kw = dict(dtype=dtype, use_safetensors=True, device_map={"": 0} if gpu else None)
            if four: kw["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype)
            m = AutoModelForCausalLM.from_pretrained(d, **kw)
            args = GRPOConfig(output_dir=out, max_steps=steps, learning_rate=1e-4, per_device_train_batch_size=8, num_generations=4,
                              max_completion_length=cfg.max_completion_length, temperature=0.7, top_k=0, beta=0.0, seed=0, use_cpu=not gpu,
                              bf16=dtype == torch.bfloat16, fp16=dtype == torch.float16, gradient_checkpointing=gpu, logging_steps=1,
                              save_strategy="no", report_to="none")
            ref = grpo_args(cfg, out).to_dict()
            diff = {k: (v, ref[k]) for k, v in args.to_dict().items() if ref.get(k) != v and k not in ("output_dir", "logging_dir", "save_steps", "reward_weights", "use_vllm")}
            assert not diff, f"the plain TRL config differs from tao-hub's: {diff}"
            ds = Dataset.from_dict({"prompt": [[{"role": "user", "content": p}] for p in prompts]})
            lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
            from tao_hub.train import lora_config
            assert lora.to_dict() == lora_config(cfg).to_dict(), "the plain LoraConfig differs from tao-hub's"
            trainer = GRPOTrainer(model=m, reward_funcs=[ConstraintReward()], args=args, train_dataset=ds, processing_class=tok, peft_config=lora, callbacks=[timer.callback()])
            trainer.train()
            trainer.model.save_pretrained(Path(out)/"adapter")
    peak = torch.cuda.max_memory_allocated() / 2**20 if has_gpu() else _hwm() - rss0
    return dict(path=path, precision=precision, model=model, steps=len(timer.steps), s_per_step=statistics.median(timer.steps[1:]),
                gen_tokens_per_s=timer.gen_tokens / timer.gen_s if timer.gen_s else None, peak_mib=round(peak),
                device=torch.cuda.get_device_name(0) if has_gpu() else f"cpu ({os.cpu_count()} cores)")

def _status(key): return int(next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(key + ":")).split()[1]) // 1024
def _rss(): Path("/proc/self/clear_refs").write_text("5"); return _status("VmRSS")
def _hwm(): return _status("VmHWM")

def main(model:str, steps:int, out:Path, paths:list=("trl", "tao"), length:int=None):
    rows = []
    for precision in ["4bit", "lora"]:
        for path in paths:
            r = subprocess.run([sys.executable, __file__, "--case", path, precision, "--model", model, "--steps", str(steps), *(["--completion-length", str(length)] if length else [])], capture_output=True, text=True)
            rows.append(json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else dict(path=path, precision=precision, error=r.stderr.strip().splitlines()[-1][:300]))
            print(json.dumps(rows[-1]), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    print(f"\n{model}, {steps} GRPO steps, 8 completions per step, median s/step after the first\n")
    if list(paths) == ["tao"]:
        for r in rows: print(f"| {r['precision']} | " + (r.get("error") or f"{r['s_per_step']:.2f} s/step, {r['gen_tokens_per_s']:.0f} gen tok/s, {r['peak_mib']} MiB") + " |")
        return
    print("| precision | TRL: s/step, gen tok/s, peak MiB | tao-hub: s/step, gen tok/s, peak MiB | tao-hub overhead |\n|---|---|---|---|")
    for precision in ["4bit", "lora"]:
        t, m = (next(r for r in rows if r["path"] == p and r["precision"] == precision) for p in ["trl", "tao"])
        cell = lambda r: r.get("error") or f"{r['s_per_step']:.2f} s, {r['gen_tokens_per_s']:.0f} tok/s, {r['peak_mib']} MiB"
        over = f"{(m['s_per_step'] / t['s_per_step'] - 1) * 100:+.1f}%" if "error" not in t and "error" not in m else "-"
        print(f"| {precision} | {cell(t)} | {cell(m)} | {over} |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tiny", choices=["tiny", "smollm2", *CONFIGS]); ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--paths", nargs="+", default=["trl", "tao"], choices=["trl", "tao"]); ap.add_argument("--completion-length", type=int)
    ap.add_argument("--case", nargs=2, metavar=("PATH", "PRECISION"))
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.case: print(json.dumps(run(a.case[0], a.case[1], a.model, a.steps, a.completion_length)))
    else: main(a.model, a.steps, a.out or Path(__file__).parent/"results"/f"grpo_overhead-{a.model}.json", a.paths, a.completion_length)
