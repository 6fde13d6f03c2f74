"""Training step cost: tao-hub's `train_grpo` and `train_sft` against plain TRL scripts with identical settings, in 4-bit QLoRA and
full-precision LoRA (bf16 on a GPU).

Each (path, precision) runs in its own process on the same random-init model (a real Qwen2.5 config on a GPU, the
tests' tiny Llama on a CPU), the same prompts, the same reward (the constraint verifier) and the same GRPOConfig and
LoraConfig (the script checks that the two configs agree field by field); SFT trains on the same prompts with fixed
48-word answers and the same SFTConfig. Measured per run: median seconds per step (steps after the first), completion
tokens per second of generation (GRPO: time inside `generate`) or trained tokens per second (SFT), and peak memory
(GPU: torch.cuda.max_memory_allocated; CPU: the rise of peak RSS). Overhead = tao-hub / TRL - 1 on seconds per step.

    python benchmarks/train_overhead.py --model tiny --steps 6                  # CPU: checks the harness
    python benchmarks/train_overhead.py --model qwen2.5-0.5b --steps 8         # GPU (needs trl, bitsandbytes, datasets)
    python benchmarks/train_overhead.py --recipe sft --model qwen2.5-0.5b     # the same for supervised training
    python benchmarks/train_overhead.py --model smollm2 --paths tao --steps 6 --completion-length 24   # CPU: is 4-bit worth it here?
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

CONFIGS = {"qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                                num_key_value_heads=2, tie_word_embeddings=True),
           "qwen2.5-1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                                num_key_value_heads=2, tie_word_embeddings=True)}

def model_dir(name:str) -> str:
    "A folder with a random-init model of config `name` and SmolLM2's tokenizer (made once)."
    from tao_hub.models import cached_folder, embedded_tokenizer_dir
    from tao_hub.testing.tiny import tiny_model_dir
    if name == "tiny": return str(tiny_model_dir())
    if name == "smollm2":
        from tao_hub.models import embedded_model_dir
        return str(embedded_model_dir())
    def build(d):
        import torch
        from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
        tok = AutoTokenizer.from_pretrained(os.environ.get("TAO_TOKENIZER_DIR") or embedded_tokenizer_dir())
        torch.manual_seed(0)
        cfg = Qwen2Config(vocab_size=len(tok), max_position_embeddings=32768, rope_theta=1e6,
                          bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                          **CONFIGS[name])
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

def _timed_init(timer):
    "Add the step timer to every Trainer tao-hub makes, without changing tao-hub."
    from transformers import Trainer
    orig_init = Trainer.__init__
    def init(self, *a, **k): orig_init(self, *a, **k); self.add_callback(timer.callback())
    Trainer.__init__ = init

def _plain_model(d:str, four:bool):
    "The model as a plain TRL script loads it."
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig
    from tao_hub.models import compute_dtype, has_gpu
    dtype = compute_dtype()
    kw = dict(dtype=dtype, use_safetensors=True, device_map={"": 0} if has_gpu() else None)
    if four: kw["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype)
    return AutoModelForCausalLM.from_pretrained(d, **kw)

def _plain_lora(cfg):
    from peft import LoraConfig
    from tao_hub.train import lora_config
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    assert lora.to_dict() == lora_config(cfg).to_dict(), "the plain LoraConfig differs from tao-hub's"
    return lora

def _same(args, ref, skip=()):
    diff = {k: (v, ref[k]) for k, v in args.to_dict().items() if ref.get(k) != v and k not in ("output_dir", "logging_dir", "save_steps", *skip)}
    assert not diff, f"the plain TRL config differs from tao-hub's: {diff}"

def grpo_case(path:str, d:str, four:bool, cfg, prompts:list, tok, timer, out:str):
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer
    from tao_hub.models import compute_dtype, has_gpu, load_policy
    from tao_hub.train import grpo_args, train_grpo
    from tao_hub.verifiers import ConstraintReward
    if path == "tao": return train_grpo(load_policy(d, four), tok, prompts, cfg, out, ConstraintReward())
    dtype, gpu = compute_dtype(), has_gpu()
    args = GRPOConfig(output_dir=out, max_steps=cfg.steps, learning_rate=1e-4, per_device_train_batch_size=8, num_generations=4,
                      max_completion_length=cfg.max_completion_length, temperature=0.7, top_k=0, beta=0.0, seed=0, use_cpu=not gpu,
                      bf16=dtype == torch.bfloat16, fp16=dtype == torch.float16, gradient_checkpointing=gpu, logging_steps=1,
                      save_strategy="no", report_to="none")
    _same(args, grpo_args(cfg, out).to_dict(), ("reward_weights", "use_vllm"))
    ds = Dataset.from_dict({"prompt": [[{"role": "user", "content": p}] for p in prompts]})
    trainer = GRPOTrainer(model=_plain_model(d, four), reward_funcs=[ConstraintReward()], args=args, train_dataset=ds, processing_class=tok,
                          peft_config=_plain_lora(cfg), callbacks=[timer.callback()])
    trainer.train()
    trainer.model.save_pretrained(Path(out)/"adapter")

def sft_targets(prompts:list) -> list:
    "Fixed 48-word answers: SFT's step time depends on lengths, not on what the words say."
    return [dict(prompt=p, completion=" ".join(f"word{i % 7}" for i in range(48)) + ".") for p in prompts]

def sft_case(path:str, d:str, four:bool, cfg, prompts:list, tok, timer, out:str):
    import torch
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer
    from tao_hub.models import compute_dtype, has_gpu, load_policy
    from tao_hub.train import sft_args, train_sft
    targets = sft_targets(prompts)
    if path.startswith("tao"): return train_sft(load_policy(d, four), tok, targets, cfg, out)
    dtype, gpu = compute_dtype(), has_gpu()
    args = SFTConfig(output_dir=out, num_train_epochs=cfg.sft_epochs, learning_rate=cfg.sft_learning_rate, per_device_train_batch_size=8,
                     completion_only_loss=True, padding_free=True, max_length=None, logging_steps=1, save_strategy="no", report_to="none",
                     seed=0, use_cpu=not gpu, bf16=dtype == torch.bfloat16, fp16=dtype == torch.float16, gradient_checkpointing=gpu)
    _same(args, sft_args(cfg, out).to_dict())
    ds = Dataset.from_dict({"prompt": [[{"role": "user", "content": t["prompt"]}] for t in targets],
                            "completion": [[{"role": "assistant", "content": t["completion"]}] for t in targets]})
    trainer = SFTTrainer(model=_plain_model(d, four), args=args, train_dataset=ds, processing_class=tok, peft_config=_plain_lora(cfg),
                         callbacks=[timer.callback()])
    trainer.train()
    trainer.model.save_pretrained(Path(out)/"adapter")

def sft_tokens(tok, targets:list) -> int:
    "Tokens in one epoch over `targets` (prompt and answer, as the chat template writes them)."
    return sum(len(tok(tok.apply_chat_template([{"role": "user", "content": t["prompt"]}, {"role": "assistant", "content": t["completion"]}],
                                              tokenize=False), add_special_tokens=False)["input_ids"]) for t in targets)

def run(path:str, precision:str, model:str, steps:int, length:int=None, recipe:str="grpo") -> dict:
    import torch
    from tao_hub.config import TaoConfig
    from tao_hub.data import builtin_prompts
    from tao_hub.models import has_gpu, load_tokenizer
    d, four = model_dir(model), precision == "4bit"
    cfg = TaoConfig(model=d, steps=steps, num_generations=4, per_device_train_batch_size=8, max_completion_length=length or (64 if has_gpu() else 16),
                    load_in_4bit=four, save_steps=0, learning_rate=1e-4, backend="transformers", sft_epochs=1,
                    sft_unlikelihood=1.0 if path == "tao+ul" else 0.0)    # plain TRL trains the NLL alone; tao+ul: tao-hub's default
    prompts = builtin_prompts(8 * steps if recipe == "sft" else 64, None, 0)
    tok, timer = load_tokenizer(d), Timer()
    timer.patch_generate(tok.pad_token_id)
    if path.startswith("tao"): _timed_init(timer)
    rss0 = _rss()
    if has_gpu(): torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as out:
        (sft_case if recipe == "sft" else grpo_case)(path, d, four, cfg, prompts, tok, timer, out)
    peak = torch.cuda.max_memory_allocated() / 2**20 if has_gpu() else _hwm() - rss0
    speed = dict(train_tokens_per_s=sft_tokens(tok, sft_targets(prompts)) / sum(timer.steps)) if recipe == "sft" else \
            dict(gen_tokens_per_s=timer.gen_tokens / timer.gen_s if timer.gen_s else None)
    return dict(recipe=recipe, path=path, precision=precision, model=model, steps=len(timer.steps), s_per_step=statistics.median(timer.steps[1:]),
                **speed, peak_mib=round(peak), device=torch.cuda.get_device_name(0) if has_gpu() else f"cpu ({os.cpu_count()} cores)")

def _status(key): return int(next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(key + ":")).split()[1]) // 1024
def _rss(): Path("/proc/self/clear_refs").write_text("5"); return _status("VmRSS")
def _hwm(): return _status("VmHWM")

def _cell(r:dict) -> str:
    if "error" in r: return r["error"]
    speed = f"{r['train_tokens_per_s']:.0f} train tok/s" if r["recipe"] == "sft" else f"{r['gen_tokens_per_s']:.0f} gen tok/s"
    return f"{r['s_per_step']:.2f} s/step, {speed}, {r['peak_mib']} MiB"

def main(model:str, steps:int, out:Path, paths:list=("trl", "tao"), length:int=None, recipe:str="grpo", precisions:list=("4bit", "lora")):
    rows = []
    for precision in precisions:
        for path in paths:
            r = subprocess.run([sys.executable, __file__, "--case", path, precision, "--model", model, "--steps", str(steps), "--recipe", recipe,
                                *(["--completion-length", str(length)] if length else [])], capture_output=True, text=True)
            rows.append(json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else
                        dict(recipe=recipe, path=path, precision=precision, error=(r.stderr.strip().splitlines() or ["failed"])[-1][:300]))
            print(json.dumps(rows[-1]), flush=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(rows, indent=1))                 # after each case: a time limit keeps what finished
    print(f"\n{model}, {steps} {recipe} steps, 8 {'completions' if recipe == 'grpo' else 'examples'} per step, median s/step after the first\n")
    if not {"trl", "tao"} <= set(paths):
        for r in rows: print(f"| {r['precision']} {r['path']} | {_cell(r)} |")
        return
    print("| precision | TRL | tao-hub | tao-hub overhead |\n|---|---|---|---|")
    for precision in precisions:
        t, m = (next(r for r in rows if r["path"] == p and r["precision"] == precision) for p in ["trl", "tao"])
        over = f"{(m['s_per_step'] / t['s_per_step'] - 1) * 100:+.1f}%" if "error" not in t and "error" not in m else "-"
        print(f"| {precision} | {_cell(t)} | {_cell(m)} | {over} |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tiny", choices=["tiny", "smollm2", *CONFIGS]); ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--recipe", default="grpo", choices=["grpo", "sft"])
    ap.add_argument("--paths", nargs="+", default=["trl", "tao"], choices=["trl", "tao", "tao+ul"],
                    help="tao+ul: tao-hub's SFT with token-level unlikelihood, its default (sft only)")
    ap.add_argument("--completion-length", type=int)
    ap.add_argument("--precisions", nargs="+", default=["4bit", "lora"], choices=["4bit", "lora"])
    ap.add_argument("--case", nargs=2, metavar=("PATH", "PRECISION"))
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.recipe != "sft" and "tao+ul" in a.paths: ap.error("--paths tao+ul: unlikelihood is an SFT loss; use it with --recipe sft")
    if a.case: print(json.dumps(run(a.case[0], a.case[1], a.model, a.steps, a.completion_length, a.recipe)))
    else: main(a.model, a.steps, a.out or Path(__file__).parent/"results"/f"{a.recipe}_overhead-{a.model}.json",
               a.paths, a.completion_length, a.recipe, a.precisions)
