"On a GPU machine only (`python -m pytest -m gpu --flags gpu`): QLoRA GRPO on a random-init model of a real config, through tao-hub, in one and two processes."
import json
import pytest
import torch
from conftest import tao

pytestmark = pytest.mark.gpu

@pytest.fixture(scope="module")
def qwen_dir():
    "A random-init Qwen2.5-0.5B (real config, SmolLM2's tokenizer): no weights are needed to time or test training."
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]/"benchmarks"))
    from train_overhead import model_dir
    return model_dir("qwen2.5-0.5b")

def _run(qwen_dir, tmp_path, *extra):
    from tao_hub.testing.tiny import tiny_prompts
    r = tao("run", "--model", qwen_dir, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--recipe", "grpo", "--n-train", 16, "--n-eval", 8, "--steps", 3,
            "--max-new-tokens", 32, "--max-completion-length", 32, "--out", tmp_path/"r", *extra)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((tmp_path/"r"/"run.json").read_text()), json.loads((tmp_path/"r"/"train.json").read_text())

def test_qlora_grpo_on_a_real_config(qwen_dir, tmp_path):
    assert torch.cuda.is_available()
    run, train = _run(qwen_dir, tmp_path)
    assert train["steps"] == 3 and run["world_size"] == 1 and "cpu" not in run["device"]

@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")
def test_ddp_on_two_gpus(qwen_dir, tmp_path):
    run, train = _run(qwen_dir, tmp_path, "--num-processes", 2)
    assert run["world_size"] == 2 and set(train["prompts_per_rank"]) == {"0", "1"}
