"""Exploration and evaluation sharded across 2 processes on a CPU (torchrun, gloo): the merged results equal one process's, and a
killed shard is resumed. Real processes, the real launcher; the kill is a real `os._exit` in one rank (a sitecustomize hook)."""
import json
from conftest import after_import, tao
from tao_hub.testing.tiny import tiny_prompts

KILL_RANK_1 = after_import("tao_hub.launch",                   # rank 1 dies before writing its exploration shard, once rank 0 wrote its own
    "import os, time",
    "if os.environ.get('RANK') == '1':",
    "    def write_shard(path, rows):",
    "        while path.name.startswith('explore') and not list(path.parent.glob('explore-1-of-2-*.jsonl')): time.sleep(0.2)",
    "        os._exit(3)",
    "    module.write_shard = write_shard")

def rows(path, system=None) -> list:
    "A round file's rows without their timings, optionally one system's."
    out = [{k: v for k, v in json.loads(l).items() if k != "seconds"} for l in path.read_text().splitlines() if l.strip()]
    return [r for r in out if system is None or r["system"] in system]

def test_two_processes_explore_and_evaluate_as_one_does_and_resume_a_killed_shard(tiny_model, tmp_path):
    args = ["run", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--n-train", 10, "--n-eval", 6, "--max-new-tokens", 8,
            "--strategies", "plain@1.0,restate@1.0,repair", "--generation-batch", 4,          # sampled, and a strategy that works on earlier ones
            "--generation-dtype", "float32"]          # bf16 rounds with a batch's shape and padding: equal only in distribution there
    one = tao(*args, "--out", tmp_path/"one")
    assert one.returncode == 0, one.stderr[-3000:]
    (tmp_path/"hook").mkdir(); (tmp_path/"hook"/"sitecustomize.py").write_text(KILL_RANK_1)
    killed = tao(*args, "--num-processes", 2, "--out", tmp_path/"two", env={"PYTHONPATH": str(tmp_path/"hook")})
    last = killed.stderr.strip().splitlines()[-1]                  # torchrun prints its own report of the dead rank above it
    assert killed.returncode == 2 and last.startswith("tao-hub: error: exploration in 2 processes failed") and "only the missing ones run" in last, last
    shards = tmp_path/"two"/"shards"
    first, = shards.glob("explore-1-of-2-*.jsonl")                  # named by a hash of its prompts and settings
    assert not list(shards.glob("explore-2-of-2-*")), sorted(shards.iterdir())
    two = tao(*args, "--num-processes", 2, "--out", tmp_path/"two", "--resume")
    assert two.returncode == 0, two.stderr[-3000:]
    assert "launching exploration in 2 processes" in two.stdout and f"kept its finished shard {first.name}" in two.stdout, two.stdout[-2000:]
    assert rows(tmp_path/"two"/"candidates.jsonl") == rows(tmp_path/"one"/"candidates.jsonl")   # sampled candidates: identical
    ref = ("base", "best_of_n")                                # the adapters differ (one process trains alone, two with DDP)
    assert rows(tmp_path/"two"/"eval_generations.jsonl", ref) == rows(tmp_path/"one"/"eval_generations.jsonl", ref)
    m1, m2 = (json.loads((tmp_path/d/"metrics.json").read_text()) for d in ("one", "two"))
    assert all(m1[s] == m2[s] for s in ref), (m1, m2)
    assert {r["system"] for r in rows(tmp_path/"two"/"eval_generations.jsonl")} == {"base", "best_of_n", "tuned"}
    assert list(shards.iterdir()) == []                            # merged shards are removed
