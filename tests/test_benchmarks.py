"Benchmarks' plumbing on this CPU with the tests' tiny model: the GPU check run dry (a lent GPU runs it for real), the seed retrainer."
import json, os, subprocess, sys

def test_gpu_check_dry_run_prints_its_table(root, tmp_path):
    env = {**os.environ, "GPU_CHECK_OUT": str(tmp_path), "PYTHON": sys.executable}
    r = subprocess.run(["bash", "benchmarks/gpu_check.sh", "--dry-run"], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = {l.split("|")[1].strip(): l.split("|")[2].strip() for l in r.stdout.splitlines() if l.startswith("| ") and "---" not in l}
    assert "collected" in rows["pytest -m gpu"], rows                   # the GPU tests are found (they need a GPU to run)
    for recipe in ["grpo", "sft"]:                                       # both paths of each recipe trained and were timed
        assert f"{recipe} LoRA" in rows, rows                               # a step that timed out or failed says so in its row
        cell = rows[f"{recipe} LoRA"]
        assert cell.count("s/step") == (3 if recipe == "sft" else 2) and "tao-hub overhead" in cell and "failed" not in cell, cell
    assert "with unlikelihood (its default)" in rows["sft LoRA"], rows               # the SFT default's own time and memory
    assert "tokens/s" in rows["explore tokens/s, transformers"], rows
    vllm = rows["explore tokens/s, vllm"]
    assert "tokens/s (" in vllm or vllm.startswith("skipped"), vllm
    assert (tmp_path/"grpo.json").exists() and (tmp_path/"sft.json").exists()

def test_retrain_seeds_gives_back_the_rounds_adapter(root, tiny_model, tmp_path):
    "`retrain_seeds.py` on a finished round: its own seed trains the round's adapter again; another seed or a --set trains another."
    from safetensors.torch import load_file
    from tao_hub.testing.tiny import tiny_prompts
    from conftest import tao
    out, res = tmp_path/"r", tmp_path/"results"
    r = tao("run", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--n-train", 10, "--n-eval", 6, "--max-new-tokens", 8,
            "--strategies", "plain@1.0,restate@1.0", "--sft-epochs", 1, "--per-device-train-batch-size", 4, "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    res.mkdir()
    def retrain(*args):
        r = subprocess.run([sys.executable, "benchmarks/retrain_seeds.py", str(out), "--results", str(res), *args], cwd=root,
                           capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stderr[-3000:]
        return r.stdout
    assert "over 2 seeds: mean" in retrain("--seeds", "0,7", "--tag", "t")
    assert "over 1 seeds: mean" in retrain("--seeds", "0", "--set", "sft_unlikelihood=0", "--tag", "u")
    saved, m = json.loads((res/"t.json").read_text()), json.loads((out/"metrics.json").read_text())
    assert [x["seed"] for x in saved["runs"]] == [0, 7]
    f = saved["runs"][0]["figures"]
    assert f["metric"] == "the round's score" and abs(f["tuned_minus_base"]["diff"] - m["tuned_minus_base"]["diff"]) < 1e-9
    folder = lambda tag, seed: res/"effect-ifeval-retrain"/tag/f"{tmp_path.name}-r-t{seed}"
    weights = lambda d: load_file(str(d/"adapter"/"adapter_model.safetensors"))
    same = lambda a, b: a.keys() == b.keys() and all(a[k].equal(b[k]) for k in a)
    assert same(weights(folder("t", 0)), weights(out))                          # the round's own seed: the round's adapter
    assert not same(weights(folder("t", 7)), weights(out)) and not same(weights(folder("u", 0)), weights(out))
    phase = lambda d: json.loads((d/"train.json").read_text())["phases"][-1]["unlikelihood"]
    assert (phase(out), phase(folder("t", 7)), phase(folder("u", 0))) == (1.0, 1.0, 0.0)   # --set reached training; the default otherwise
