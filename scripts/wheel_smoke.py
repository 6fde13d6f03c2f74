"""What a user of the built wheel gets, checked in a fresh virtual environment outside the repository (run by
scripts/check_wheel.sh, from a scratch folder): `import tao_hub` from site-packages, `tao-hub --help`, a one-step round
on a tiny random model, a push to the loopback Hub emulator, and `load_tuned` back from it. Prints one line per check."""
import json, os, subprocess, sys, tempfile
from pathlib import Path

def check(what:str, ok:bool, detail:str=""):
    print(f"{'ok' if ok else 'FAILED'}: {what}" + (f" ({detail})" if detail else ""), flush=True)
    if not ok: sys.exit(1)

def main(version:str):
    import tao_hub
    where = Path(tao_hub.__file__).resolve()
    check("import tao_hub from the installed wheel", "site-packages" in where.parts, str(where.parent))
    check("the version", tao_hub.__version__ == version, tao_hub.__version__)
    cli = Path(sys.executable).parent/"tao-hub"
    r = subprocess.run([cli, "--help"], capture_output=True, text=True)
    check("tao-hub --help", r.returncode == 0 and "flywheel" in r.stdout)
    from tao_hub.testing.tiny import tiny_model_dir, tiny_prompts
    work = Path(tempfile.mkdtemp(prefix="tao-wheel-"))
    flags = ["--model", tiny_model_dir(), "--prompts", tiny_prompts(work/"p.jsonl"), "--n-train", 8, "--n-eval", 4,
             "--recipe", "grpo", "--steps", 1, "--num-generations", 2, "--per-device-train-batch-size", 4,
             "--max-new-tokens", 8, "--max-completion-length", 8, "--strategies", "plain@1.0,restate@1.0", "--out", work/"r"]
    r = subprocess.run([cli, "run", *map(str, flags)], capture_output=True, text=True)
    check("a one-step round on a tiny model", r.returncode == 0 and (work/"r"/"adapter"/"adapter_config.json").exists(),
          r.stderr[-2000:] if r.returncode else "")
    metrics = json.loads((work/"r"/"metrics.json").read_text())
    check("the round's metrics", {"base", "best_of_n", "tuned"} <= set(metrics))
    from tao_hub.publish import load_tuned, push_round
    from tao_hub.testing.hub import HubEmulator, activate
    with HubEmulator() as hub, activate(hub):
        pushed = push_round(work/"r", "test-org/tiny-tao")
        model, tok = load_tuned("test-org/tiny-tao", revision=pushed["tag"])    # main moves only when a round is promoted
        check("push to the Hub emulator, then load_tuned", pushed["round"] == 1 and type(model).__name__ == "PeftModelForCausalLM",
              type(model).__name__)

if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    main(sys.argv[1])
