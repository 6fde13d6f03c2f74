"""Scale on a CPU: GRPO in two processes (torchrun, gloo), resume after a real SIGKILL, batch checks.
The GPU paths (accelerate DDP/ZeRO-2, vLLM) need a GPU machine."""
import json, os, shutil, signal, subprocess, time
from pathlib import Path
from peft import PeftModel
from transformers import AutoModelForCausalLM
import pytest
from conftest import TAO, tao, tiny_flags, all_fail, one_line_error

@pytest.fixture(scope="module")
def scored(tiny_model, tmp_path_factory):
    "One explored and scored GRPO round on the tiny model; the tests that train copy it."
    out = tmp_path_factory.mktemp("scored")/"r"
    assert tao("explore", *tiny_flags(tiny_model, out.parent), "--out", out).returncode == 0
    assert tao("score", "--out", out).returncode == 0
    return out

def test_round_in_two_processes(tiny_model, tmp_path):
    "`tao-hub run --num-processes 2`: the ranks split the prompts, rank 0 writes, the round records world size 2, --merge writes a plain model."
    out = tmp_path/"r"
    r = tao("run", *tiny_flags(tiny_model, tmp_path), "--num-processes", 2, "--per-device-train-batch-size", 2, "--merge", "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "launching training (grpo) in 2 processes" in r.stdout and "GRPO generation: transformers" in r.stdout
    assert json.loads((out/"run.json").read_text())["world_size"] == 2
    train = json.loads((out/"train.json").read_text())
    seen = train["prompts_per_rank"]
    assert train["world_size"] == 2 and train["steps"] == 2 and set(seen) == {"0", "1"}
    assert seen["0"] and seen["1"] and not set(seen["0"]) & set(seen["1"]), seen       # each rank scored its own prompts
    assert set(seen["0"]) | set(seen["1"]) <= {json.loads(l)["prompt"] for l in (out/"selected.jsonl").read_text().splitlines()}
    assert len(json.loads((out/"train_log.json").read_text())) == 2
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), str(out/"adapter"))
    assert any("lora_B" in n for n, _ in model.named_parameters())
    merged = AutoModelForCausalLM.from_pretrained(out/"merged")
    assert not any("lora" in n for n, _ in merged.named_parameters())
    assert "tuned" in json.loads((out/"metrics.json").read_text())

def test_resume_after_sigkill(tiny_model, scored, tmp_path):
    "Kill training with SIGKILL after its second checkpoint; --resume ends at the same step count with an unbroken checkpoint lineage."
    out = Path(shutil.copytree(scored, tmp_path/"r"))
    p = subprocess.Popen([TAO, "train", "--out", str(out), "--steps", "8", "--save-steps", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.time() + 240
    while not (out/"trainer"/"checkpoint-2"/"trainer_state.json").exists():
        assert p.poll() is None and time.time() < deadline, "training ended before its second checkpoint"
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    assert p.wait() == -signal.SIGKILL
    assert not (out/"adapter").exists() and not (out/"train.json").exists()
    first = out/"trainer"/"checkpoint-1"/"adapter_model.safetensors"
    before = (first.stat().st_mtime_ns, first.read_bytes())
    r = tao("train", "--out", out, "--steps", "8", "--save-steps", "1", "--resume")
    assert r.returncode == 0, r.stderr[-3000:]
    train = json.loads((out/"train.json").read_text())
    k = int(train["resumed_from"].split("-")[1])
    assert k >= 2 and train["steps"] == 8
    assert train["checkpoints"] == [f"checkpoint-{i}" for i in range(1, 9)]         # lineage: every step saved once, before and after the kill
    assert (first.stat().st_mtime_ns, first.read_bytes()) == before        # a real resume: the steps before the kill were not trained again
    steps = [h["step"] for h in json.loads((out/"train_log.json").read_text())]
    assert steps == list(range(1, 9))
    PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), str(out/"adapter"))

def test_scale_settings_fail_fast(tiny_model, tmp_path):
    "A batch that does not fit the world size, resuming nothing, a bad logger or starting adapter: one line, exit 2."
    all_fail({
        "batch": (["train", "--out", tmp_path/"x", "--num-processes", 2, "--per-device-train-batch-size", 3, "--num-generations", 4],
                  ["(3 x 2 = 6 completions per step) must be a multiple of num_generations (4)"]),
        "resume": (["run", "--resume", "--out", tmp_path/"nothing"], ["nothing to resume in"]),
        "report": (["run", "--report-to", "mlflow", "--out", tmp_path/"y"], ["report_to must be none, trackio, wandb or tensorboard"]),
        "adapter": (["run", "--init-adapter", tmp_path, "--out", tmp_path/"z"], ["holds no adapter (adapter_config.json)"]),
    })

def test_multiprocess_resume_follows_its_flags(tiny_model, scored, tmp_path):
    """`run --resume --steps N --num-processes 2` after an interrupted 2-step training: refused up front (as in one
    process), not silently trained to the old count."""
    out = Path(shutil.copytree(scored, tmp_path/"r"))
    assert tao("train", "--out", out, "--save-steps", 1).returncode == 0
    for gone in ["adapter", "train.json"]: shutil.rmtree(out/gone) if (out/gone).is_dir() else (out/gone).unlink()   # as if killed after step 2
    before = (out/"config.json").read_text()
    r = tao("run", "--resume", "--out", out, "--steps", 4, "--num-processes", 2, "--per-device-train-batch-size", 2)
    one_line_error(r, "was set to 2 steps, not 4", "pass --steps 2")
    assert not (out/"adapter").exists() and (out/"config.json").read_text() == before
    r = tao("run", "--resume", "--out", out, "--num-processes", 2, "--per-device-train-batch-size", 2, "--save-steps", 1)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((out/"config.json").read_text())["num_processes"] == 2          # the launched ranks read the resumed run's settings
    train = json.loads((out/"train.json").read_text())
    assert (train["world_size"], train["resumed_from"], train["steps"]) == (2, "checkpoint-2", 2)
