"The `tao-hub` console script as a user runs it: a full round on the tiny model and the stage commands (bad input: test_errors.py)."
import json, sqlite3, subprocess, sys
import pytest
from huggingface_hub import ModelCard
from tao_hub.testing.tiny import tiny_prompts
from conftest import tao, tiny_flags

def test_round_from_config_file(tiny_model, tmp_path):
    "`tao-hub run CONFIG.yaml --set ...` runs a whole round and writes every output the issue lists."
    cfg = tmp_path/"round.yaml"
    cfg.write_text(f"model: {tiny_model}\nprompts: {tiny_prompts(tmp_path/'p.jsonl')}\nn_train: 10\nn_eval: 6\nsteps: 5\nnum_generations: 2\n"
                   f"per_device_train_batch_size: 4\nmax_new_tokens: 8\nmax_completion_length: 8\nstrategies: [plain@1.0, restate@1.0]\nout: {tmp_path/'r'}\n")
    r = tao("run", cfg, "--set", "steps=2")
    assert r.returncode == 0, r.stderr[-3000:]
    out = tmp_path/"r"
    m = json.loads((out/"metrics.json").read_text())
    assert set(m) == {"base", "best_of_n", "tuned", "n_eval_prompts", "prompt_source", "tuned_minus_base", "tuned_minus_best_of_n", "best_of_n_gain_captured"}
    assert m["n_eval_prompts"] == 6
    for k in ["tuned_minus_base", "tuned_minus_best_of_n"]:
        d = m[k]
        assert d["n"] == 6 and d["ci95"][0] <= d["diff"] <= d["ci95"][1]
        assert abs(d["diff"] - (m["tuned"]["score"] - m[k.removeprefix("tuned_minus_")]["score"])) < 1e-9    # the same prompts on both sides
    for s in ["base", "best_of_n", "tuned"]:
        assert set(m[s]) == {"score", "ci95", "tokens_per_answer", "degenerate"} and 0 <= m[s]["degenerate"] <= 1
        lo, hi = m[s]["ci95"]
        assert 0 <= lo <= m[s]["score"] <= hi <= 1 and m[s]["tokens_per_answer"] > 0
    # best-of-N pays for every candidate; the tuned model answers the plain prompt like the base does
    assert m["best_of_n"]["tokens_per_answer"] > m["base"]["tokens_per_answer"]
    assert json.loads((out/"run.json").read_text())["config"]["steps"] == 2          # --set beat the file
    train = json.loads((out/"train.json").read_text())               # the default recipe: SFT on the winners exploration found
    wins = [json.loads(l) for l in (out/"winners.jsonl").read_text().splitlines()]
    assert train["recipe"] == "sft" and train["targets"] == len(wins) > 0 and all(w["score"] == 1.0 for w in wins)
    assert {h["phase"] for h in json.loads((out/"train_log.json").read_text())} == {"sft"}
    assert {p.name for p in (out/"adapter").iterdir()} >= {"adapter_config.json", "adapter_model.safetensors"}
    assert (out/"plots"/"results.png").read_bytes()[:4] == b"\x89PNG"
    card = ModelCard.load(out/"README.md")
    assert card.data.library_name == "peft"
    assert {e.metric_type for e in card.data.eval_results} == {"constraint_score", "constraint_score_base", "constraint_score_best_of_n"}
    assert "| tuned adapter (plain prompt) |" in card.text
    cands = [json.loads(l) for l in (out/"candidates.jsonl").read_text().splitlines()]
    assert len(cands) == 20 and {c["strategy"] for c in cands} == {"plain@1", "restate@1"}
    train = {json.loads(l)["prompt"] for l in (out/"prompts_train.jsonl").read_text().splitlines()}
    ev = {json.loads(l)["prompt"] for l in (out/"prompts_eval.jsonl").read_text().splitlines()}
    assert not train & ev
    assert "TAO round finished" in r.stdout and "| base (plain prompt) |" in r.stdout
    # the card's usage snippet (plain transformers + peft) runs as written, in a fresh process
    snippet = card.text.split("```python\n")[1].split("```")[0].replace("path/to/adapter", str(out/"adapter"))
    run = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]

def test_stages_one_by_one(tiny_model, tmp_path):
    "explore -> score -> train -> eval as separate processes, each reading the files the previous one wrote."
    out = tmp_path/"r"
    r = tao("explore", *tiny_flags(tiny_model, tmp_path), "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["candidates.jsonl", "config.json", "exploration.json",
                                                     "prompts_eval.jsonl", "prompts_train.jsonl", "tao-hub.log"]
    for cmd in ["score", "train", "eval"]:
        r = tao(cmd, "--out", out)
        assert r.returncode == 0, (cmd, r.stderr[-3000:])
    assert (out/"adapter"/"adapter_model.safetensors").exists() and (out/"README.md").exists()
    assert json.loads((out/"config.json").read_text())["steps"] == 2          # later stages used explore's settings
    assert "tuned" in json.loads((out/"metrics.json").read_text())
    r = tao("score", "--out", tmp_path/"nothing-here")
    assert r.returncode == 2 and "run `tao-hub explore` first" in r.stderr

def test_demo_help_explains_length():
    r = tao("demo", "--help")
    assert r.returncode == 0 and "Shorter" in r.stdout and "Longer" in r.stdout and "--steps" in r.stdout

@pytest.mark.slow
def test_demo_end_to_end_on_smollm2(tmp_path):
    "The real demo on the embedded SmolLM2-135M-Instruct, with few steps and prompts."
    r = tao("demo", "--steps", 2, "--n-train", 8, "--n-eval", 8, "--max-new-tokens", 32, "--out", tmp_path/"demo")
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/"demo"/"metrics.json").read_text())
    assert m["n_eval_prompts"] == 8 and all(0 <= m[s]["score"] <= 1 for s in ["base", "best_of_n", "tuned"])
    assert ModelCard.load(tmp_path/"demo"/"README.md").data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"

@pytest.mark.slow
def test_math_round_on_smollm2(tmp_path):
    "verifier:math end to end on SmolLM2: the winners are answers the `answer` column confirms, and every system is scored."
    data = tmp_path/"math.jsonl"
    qs = [(a, b) for a in range(2, 14) for b in range(3, 7)]
    data.write_text("".join(json.dumps(dict(question=f"What is {a} + {b}? Answer with the number only.", answer=a + b)) + "\n" for a, b in qs))
    r = tao("run", "--prompts", data, "--prompt-column", "question", "--reward", "verifier:math", "--n-train", 24, "--n-eval", 12,
            "--steps", 2, "--max-new-tokens", 24, "--strategies", "plain@0.7,plain@1.0,restate@0.7", "--out", tmp_path/"m")
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/"m"/"metrics.json").read_text())
    assert m["n_eval_prompts"] == 12 and all(0 <= m[s]["score"] <= 1 for s in ["base", "best_of_n", "tuned"])
    wins = [json.loads(l) for l in (tmp_path/"m"/"winners.jsonl").read_text().splitlines()]
    assert wins and all(w["score"] == 1.0 and str(w["answer"]) in w["completion"] for w in wins)

FUNCS = [("add", "returns the sum of a and b", "a, b", ["assert add(2, 3) == 5", "assert add(-1, 1) == 0"]),
         ("sub", "returns a minus b", "a, b", ["assert sub(5, 3) == 2", "assert sub(0, 4) == -4"]),
         ("mul", "returns the product of a and b", "a, b", ["assert mul(2, 3) == 6", "assert mul(-2, 4) == -8"]),
         ("square", "returns x squared", "x", ["assert square(3) == 9", "assert square(-2) == 4"]),
         ("double", "returns twice x", "x", ["assert double(4) == 8", "assert double(0) == 0"]),
         ("is_even", "returns True when n is even", "n", ["assert is_even(4)", "assert not is_even(3)"]),
         ("biggest", "returns the larger of a and b", "a, b", ["assert biggest(2, 7) == 7", "assert biggest(5, 1) == 5"]),
         ("negate", "returns -x", "x", ["assert negate(3) == -3", "assert negate(-1) == 1"])]
TOPICS = ["owls", "rain", "tea", "bridges", "maps", "bees", "clocks", "rivers", "kites", "salt", "lamps", "wheat"]
IFEVAL = [("Your entire response should be in English, and in all lowercase letters.", ["change_case:english_lowercase"], [{}]),
          ("Do not use any commas in your response.", ["punctuation:no_comma"], [{}]),
          ("Answer with less than 40 words.", ["length_constraints:number_words"], [{"relation": "less than", "num_words": 40}])]

def _task(kind:str, d):
    "(rows, extra flags, the column that must reach the scorer) for a small dataset of task `kind` made in folder `d`."
    if kind == "python":
        rows = [dict(prompt=f"Write a Python function {n}({args}) that {what}. Reply with the code only.", tests=t) for n, what, args, t in FUNCS]
        return rows * 2, ["--reward", "verifier:python", "--n-train", 8, "--n-eval", 4], "tests"
    if kind == "ifeval":
        rows = [dict(prompt=f"Write a short note about {t}. {ask}", instruction_id_list=ids, kwargs=kw) for t in TOPICS for ask, ids, kw in IFEVAL[:2]]
        rows += [dict(prompt=f"Describe {t}. {IFEVAL[2][0]}", instruction_id_list=IFEVAL[2][1], kwargs=IFEVAL[2][2]) for t in TOPICS]
        return rows, ["--reward", "verifier:ifeval", "--n-train", 16, "--n-eval", 8], "instruction_id_list"
    for db_id, table, cols in [("shop", "orders", "id integer, customer text, total real"), ("library", "books", "id integer, title text, year integer")]:
        (d/"dbs"/db_id).mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(d/"dbs"/db_id/f"{db_id}.sqlite") as con:
            con.execute(f"create table {table} ({cols})")
            con.executemany(f"insert into {table} values (?, ?, ?)", [(1, "a", 3), (2, "b", 5)])
    queries = ["SELECT * FROM {t};", "SELECT COUNT(*) FROM {t};", "SELECT id FROM {t} WHERE id = 1;", "SELECT * FROM {t} ORDER BY id;",
               "SELECT MAX(id) FROM {t};", "SELECT id FROM {t};"]           # a small model copies some, and they return rows only on db_id's database
    rows = [dict(prompt=f"Reply with this SQL query and nothing else: {q.format(t=t)}", db_id=db) for db, t in [("shop", "orders"), ("library", "books")]
            for q in queries]
    return rows, ["--reward", f"verifier:sql@{d/'dbs'}", "--n-train", 8, "--n-eval", 4], "db_id"

@pytest.mark.slow
@pytest.mark.parametrize("kind", ["python", "ifeval", "sql"])
def test_task_round_on_smollm2(kind, tmp_path):
    "Code with per-row tests, IFEval columns, and SQL on per-row databases: `tao-hub run` end to end, the column reaching every score."
    rows, flags, column = _task(kind, tmp_path)
    data = tmp_path/"tasks.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    r = tao("run", "--prompts", data, *flags, "--steps", 2, "--max-new-tokens", 48, "--strategies", "plain@0.7,plain@1.0,restate@0.7",
            "--out", tmp_path/"r")
    assert r.returncode == 0, r.stderr[-3000:]
    want = {row["prompt"]: row[column] for row in rows}
    scored = [json.loads(l) for l in (tmp_path/"r"/"scored.jsonl").read_text().splitlines()]
    assert all(s[column] == want[s["prompt"]] and s["score"] is not None for s in scored) and any(s["score"] > 0 for s in scored)
    m = json.loads((tmp_path/"r"/"metrics.json").read_text())
    assert all(0 <= m[s]["score"] <= 1 for s in ["base", "best_of_n", "tuned"])

def test_ifeval_task_explores_with_what_the_verifier_knows(tiny_model, tmp_path):
    "`--task ifeval`: IFEval-checked builtin prompts, repairs of what plain sampling failed, a budget per prompt, winners per strategy and kind."
    out = tmp_path/"r"
    r = tao("explore", "--model", tiny_model, "--task", "ifeval", "--n-train", 6, "--n-eval", 4, "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "answer budget: 96 tokens" in r.stdout, r.stdout
    cands = [json.loads(l) for l in (out/"candidates.jsonl").read_text().splitlines()]
    assert list(dict.fromkeys(c["strategy"] for c in cands)) == ["plain@0.7", "repair@0"]
    assert all(c["instruction_id_list"] and len(c["kwargs"]) == len(c["instruction_id_list"]) for c in cands)
    assert max(c["completion_tokens"] for c in cands) > 64                      # not the constraint demo's 64-token budget
    r = tao("score", "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    scored = [json.loads(l) for l in (out/"scored.jsonl").read_text().splitlines()]
    mean = lambda s: sum(c["score"] for c in scored if c["strategy"] == s) / 6
    assert mean("repair@0") > mean("plain@0.7"), (mean("repair@0"), mean("plain@0.7"))    # the rules mend what a random model breaks
    report = json.loads((out/"exploration.json").read_text())["winners"]
    kinds = {k for c in scored for k in (i.split(":")[-1] for i in c["instruction_id_list"])}
    assert report["prompts"] == 6 and set(report["per_kind"]) == kinds and all(w <= n for w, n in report["per_kind"].values())
