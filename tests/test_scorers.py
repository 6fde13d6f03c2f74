"Scorers and strategies chosen on the command line: a round that mixes scorers with weights and runs the multi-pass strategies, and bad specs."
import json
from huggingface_hub import ModelCard
from tao_hub.explore import vllm_available
from tao_hub.models import has_gpu
from tao_hub.verifiers import Guard
from tao_hub.testing.tiny import tiny_prompts
from conftest import tao, tiny_flags, all_fail

VLLM_HERE = vllm_available() and has_gpu()

def test_round_with_weighted_scorers_and_multipass_strategies(tiny_model, tmp_path):
    "--reward x3 with --reward-weights: TRL logs each scorer, scored.jsonl keeps each column, the card names the mix."
    out = tmp_path/"r"
    flags = [f for f in tiny_flags(tiny_model, tmp_path)]
    flags[flags.index("--strategies") + 1] = "plain@1.0,critique@1.0,fewshot@1.0"
    r = tao("run", *flags, "--reward", "verifier:constraints", "--reward", "guard@6,consistency", "--reward-weights", "1,0.5,0.25", "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert ("exploration backend: vllm" if VLLM_HERE else "exploration backend: transformers (vLLM not used: ") in r.stdout
    scored = [json.loads(l) for l in (out/"scored.jsonl").read_text().splitlines()]
    assert len(scored) == 30 and {s["strategy"] for s in scored} == {"plain@1", "critique@1", "fewshot@1"}
    for s in scored:
        parts = [(1, s["score_constraints"]), (0.5, s["score_guard"]), (0.25, s["score_consistency"])]
        assert abs(s["score"] - sum(w * v for w, v in parts if v is not None)) < 1e-9
    assert all(abs(s["score_guard"] - Guard(max_words=6).penalty(s["completion"])) < 1e-6 for s in scored)   # guard@6 reached the guard
    assert {s["score_consistency"] for s in scored} <= {0.0, 1.0}
    crit = [s for s in scored if s["strategy"] == "critique@1"]
    assert max(s["completion_tokens"] for s in crit) > 8                 # three passes of up to 8 tokens each
    log = json.loads((out/"train_log.json").read_text())
    assert {"rewards/constraints/mean", "rewards/guard/mean", "rewards/consistency/mean"} <= set(log[0])
    expl = json.loads((out/"exploration.json").read_text())
    assert set(expl["strategies"][0]["scorers"]) == {"constraints", "guard", "consistency"} and expl["best_of_n"] is not None
    card = ModelCard.load(out/"README.md")
    assert {e.metric_type for e in card.data.eval_results} == {"reward", "reward_base", "reward_best_of_n"}
    assert "0.5 × `guard@6`" in card.text and "0.25 × `consistency`" in card.text

def test_bad_scorer_specs_fail_before_any_work(tiny_model, tmp_path):
    "A malformed spec, an unknown scorer, wrong weights, a missing database or an impossible backend: one line, exit 2, nothing written."
    base = ["run", "--model", tiny_model, "--prompts", tmp_path/"none.jsonl"]
    cases = {"o1": ([*base, "--reward", "verifier:constrains"],
                    ["unknown verifier in 'verifier:constrains'", "valid scorers: rm:ORG/NAME[@REV]",
                     "guard[@MAX_WORDS]"]),
             "o2": ([*base, "--reward", "bleu"], ["unknown scorer 'bleu'", "verifier:sql@DB.sqlite"]),
             "o3": ([*base, "--reward", "verifier:constraints,guard", "--reward-weights", "1"], ["reward_weights has 1 value(s) for 2 scorer(s)"]),
             "o4": (["run", "--reward", "verifier:sql@missing.sqlite"], ["SQLite database missing.sqlite not found"]),
             "o6": (["run", "--reward", "verifier:math"], ["verifier:math needs an 'answer' column", "use consistency:math"]),
             "o7": (["run", "--strategies", "fewshot,plain"], ["list another strategy first"])}
    if not VLLM_HERE: cases["o5"] = (["run", "--backend", "vllm"], ["backend vllm cannot run here", "--backend transformers"])
    all_fail({o: ([*args, "--out", tmp_path/o], needles) for o, (args, needles) in cases.items()})
    for o in ["o1", "o2", "o3", "o4", "o5", "o6", "o7"]: assert not (tmp_path/o).exists()

REWARD_FILE = '''import json, os
def near_target(prompts, completions, target=None, **kw):
    "Reward answers whose word count is near the row's `target` column; log what arrived."
    with open(os.environ["TAO_TEST_LOG"], "a") as f:
        f.write(json.dumps(dict(n=len(prompts), target=target, trl="trainer_state" in kw)) + "\\n")
    texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
    return [-abs(len(t.split()) - n) / 8 for t, n in zip(texts, target)]
'''

def test_dataset_columns_reach_a_user_reward_in_every_stage(tiny_model, tmp_path):
    "A dataset's extra column travels with each prompt: exploration, selection, TRL's GRPO (as a keyword) and evaluation all score with it."
    data = tmp_path/"tasks.jsonl"
    data.write_text("".join(json.dumps(dict(question=f"Write about item {i}.", target=2 + i % 6)) + "\n" for i in range(24)))
    (tmp_path/"my_rewards.py").write_text(REWARD_FILE)
    log, out = tmp_path/"calls.jsonl", tmp_path/"r"
    flags = tiny_flags(tiny_model, tmp_path)
    flags[flags.index("--prompts") + 1] = data
    r = tao("run", *flags, "--prompt-column", "question", "--reward", "py:my_rewards:near_target", "--out", out, cwd=tmp_path,
            env={"TAO_TEST_LOG": str(log)})
    assert r.returncode == 0, r.stderr[-3000:]
    calls = [json.loads(l) for l in log.read_text().splitlines()]
    assert calls and all(c["target"] is not None and len(c["target"]) == c["n"] and None not in c["target"] for c in calls)
    assert any(c["trl"] for c in calls) and any(not c["trl"] for c in calls)     # GRPO's calls (TRL passes trainer_state) and ours
    want = {f"Write about item {i}.": 2 + i % 6 for i in range(24)}
    for name in ["prompts_train.jsonl", "prompts_eval.jsonl", "selected.jsonl", "candidates.jsonl", "scored.jsonl"]:
        rows = [json.loads(l) for l in (out/name).read_text().splitlines()]
        assert rows and all(row["target"] == want[row["prompt"]] for row in rows), name
    m = json.loads((out/"metrics.json").read_text())
    assert all(m[s]["score"] is not None and m[s]["score"] <= 0 for s in ["base", "best_of_n", "tuned"])
    card = (out/"README.md").read_text()
    assert "py:my_rewards:near_target" in card and "degenerate" not in card.lower() and "degenerate" not in m["base"]   # no constraint guard here

def test_user_reward_errors_are_one_line(tiny_model, tmp_path):
    "A missing reward module, file or function: one line that names it, exit 2, nothing written."
    (tmp_path/"my_rewards.py").write_text(REWARD_FILE)
    base = ["run", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl")]
    cases = {"m1": ([*base, "--reward", "py:no_such_rewards:f"], ["reward module 'no_such_rewards' could not be imported"]),
             "m2": ([*base, "--reward", f"py:{tmp_path/'my_rewards.py'}:nope"], ["has no function 'nope' (it has: near_target)"]),
             "m3": ([*base, "--reward", "py:gone.py:f"], ["reward file gone.py not found"])}
    all_fail({o: ([*args, "--out", tmp_path/o], needles) for o, (args, needles) in cases.items()})
    for o in cases: assert not (tmp_path/o).exists()
