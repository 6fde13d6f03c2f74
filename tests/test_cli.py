"The `tao-hub` console script as a user runs it: a full round on the tiny model, the stage commands, and bad input."
import json, os, sqlite3, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
from huggingface_hub import ModelCard
from tao_hub.round import tiny_prompts

TAO = str(Path(sys.executable).parent/"tao-hub")

def tao(*args, cwd=None, env=None):
    return subprocess.run([TAO, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {}))

def tiny_flags(tiny_model, tmp_path):
    "A GRPO round on the tiny model (the tests of steps, checkpoints, resume and ranks are GRPO's; the default recipe is tested from a config file)."
    return ["--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"prompts.jsonl"), "--recipe", "grpo", "--n-train", 10, "--n-eval", 6, "--steps", 2,
            "--num-generations", 2, "--per-device-train-batch-size", 4, "--max-new-tokens", 8, "--max-completion-length", 8,
            "--strategies", "plain@1.0,restate@1.0,think@1.0"]

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
    assert sorted(p.name for p in out.iterdir()) == ["candidates.jsonl", "config.json", "exploration.json", "prompts_eval.jsonl", "prompts_train.jsonl", "tao-hub.log"]
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

def _one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    err = r.stderr.strip()
    assert "Traceback" not in r.stderr and len(err.splitlines()) == 1, r.stderr
    assert err.startswith("tao-hub: error: ")
    for n in needles: assert n in err, err

def _all_fail(cases:dict, tmp_path, env=None):
    "Run each case's `tao-hub` command (two at a time: independent processes, mostly imports) and check its one-line error."
    with ThreadPoolExecutor(2) as pool: runs = dict(zip(cases, pool.map(lambda k: tao(*cases[k][0], env=env), cases)))
    for k, (_, needles) in cases.items(): _one_line_error(runs[k], *needles)

def test_bad_input(tiny_model, tmp_path):
    "Each bad input gets one clear line and exit status 2, never a traceback."
    (tmp_path/"bad.yaml").write_text("steps: 2\nlearnin_rate: 0.1\n")
    nocol = tmp_path/"nocol.jsonl"
    nocol.write_text('{"text": "Write about rain. Use fewer than 9 words."}\n')
    empty = tmp_path/"empty.jsonl"
    empty.write_text('{"prompt": ""}\n{"prompt": "   "}\n')
    plain = tmp_path/"plain.jsonl"
    plain.write_text('{"prompt": "Tell me about rain."}\n{"prompt": "Tell me about owls."}\n')
    busy = tmp_path/"busy"
    busy.mkdir(); (busy/"keep.txt").write_text("precious")
    _all_fail({
        "missing": (["run", tmp_path/"missing.yaml"], ["config file not found"]),
        "key": (["run", tmp_path/"bad.yaml"], ["unknown config key(s) 'learnin_rate'", "valid keys"]),
        "set": (["demo", "--set", "stepz=3"], ["unknown config key(s) 'stepz'"]),
        "zero": (["demo", "--steps", "0"], ["steps must be at least 1"]),
        "negative": (["run", "--steps", "-3"], ["steps must be at least 1"]),
        "o1": (["run", "--model", tiny_model, "--prompts", nocol, "--out", tmp_path/"o1"], ["has no column 'prompt' (columns: text)", "--prompt-column"]),
        "o2": (["run", "--model", tiny_model, "--prompts", empty, "--out", tmp_path/"o2"], ["no non-empty prompts"]),
        "o3": (["run", "--model", tiny_model, "--prompts", plain, "--out", tmp_path/"o3"],
               ["none of the 2 prompts read is usable: 2 without a constraint the verifier can check", "--reward rm:ORG/NAME"]),
        "o4": (["run", "--strategies", "plain@0.7,beam", "--out", tmp_path/"o4"], ["unknown strategy 'beam'"]),
        "o5": (["run", "--per-device-train-batch-size", "6", "--out", tmp_path/"o5"], ["multiple of num_generations"]),
        "busy": (["run", *tiny_flags(tiny_model, tmp_path), "--out", busy], ["exists and is not empty", "--overwrite"]),
    }, tmp_path)
    for o in ["o1", "o2", "o3", "o4", "o5"]: assert not (tmp_path/o).exists(), f"a refused run must not leave {o} behind"
    assert (busy/"keep.txt").read_text() == "precious" and sorted(p.name for p in busy.iterdir()) == ["keep.txt"]

def test_every_error_is_one_line(tiny_model, tmp_path):
    "Argument parsing, odd files, values of the wrong type and errors while reading prompts: `tao-hub: error: <one line>`, exit 2."
    (tmp_path/"latin1.yaml").write_bytes("model: caf\xe9\n".encode("latin-1"))
    (tmp_path/"null.yaml").write_text("steps:\n")
    (tmp_path/"list.yaml").write_text("- steps\n- 2\n")
    (tmp_path/"tabs.yaml").write_text("steps: [1\n")
    (tmp_path/"folder.yaml").mkdir()
    (tmp_path/"broken.jsonl").write_text('{"prompt": "Write about rain. Use fewer than 9 words."}\n{"prompt": \n')
    (tmp_path/"binary.txt").write_bytes(b"\xff\xfe\x00garbage\x81")
    (tmp_path/"empty.csv").write_text("")
    (tmp_path/"ps").mkdir()
    prompts = ["--model", tiny_model, "--out"]
    _all_fail({
        "nocommand": ([], ["the following arguments are required: COMMAND"]),
        "badcommand": (["trian"], ["invalid choice: 'trian'"]),
        "badflag": (["run", "--stepz", 3], ["unrecognized arguments: --stepz"]),
        "type": (["run", "--steps", "many"], ["argument --steps: config key 'steps' expects int, got 'many'"]),
        "float": (["run", "--learning-rate", "fast"], ["expects float, got 'fast'"]),
        "bool": (["run", "--load-in-4bit", "perhaps"], ["expects true, false or auto, got 'perhaps'"]),
        "temperature": (["run", "--temperature", "-1"], ["temperature must be positive"]),
        "latin1": (["run", tmp_path/"latin1.yaml"], ["could not read config file", "not UTF-8"]),
        "null": (["run", tmp_path/"null.yaml"], ["config key 'steps' expects int, got nothing (null)"]),
        "list": (["run", tmp_path/"list.yaml"], ["must be a mapping of key: value"]),
        "yaml": (["run", tmp_path/"tabs.yaml"], ["is not valid YAML"]),
        "folder": (["run", tmp_path/"folder.yaml"], ["is a folder"]),
        "dataset": (["run", "--dataset", "./prompts.jsonl"], ["an existing local file or folder", "--prompts"]),
        "broken": (["run", "--prompts", tmp_path/"broken.jsonl", *prompts, tmp_path/"o1"],
                   ["could not read prompt file", "line 2 is not valid JSON", "fix or remove that line"]),
        "binary": (["run", "--prompts", tmp_path/"binary.txt", *prompts, tmp_path/"o2"], ["could not read prompt file"]),
        "emptycsv": (["run", "--prompts", tmp_path/"empty.csv", *prompts, tmp_path/"o3"], ["could not read prompt file"]),
        "promptdir": (["run", "--prompts", tmp_path/"ps", *prompts, tmp_path/"o4"], ["is a folder"]),
        "outfile": (["run", "--out", tmp_path/"latin1.yaml"], ["exists and is not a folder"]),
    }, tmp_path)
    for o in ["o1", "o2", "o3", "o4"]: assert not (tmp_path/o).exists()

def test_faults_users_hit_end_in_one_line(tiny_model, tmp_path):
    "Every prompt over the token budget (with a reward model given), a damaged --init-adapter, a push with no adapter: one line each, before any work."
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from tao_hub.rewards import tiny_reward_model_dir
    long = tmp_path/"long.jsonl"
    long.write_text('{"prompt": "Write about rain. Use fewer than 9 words."}\n{"prompt": "Write about owls. Use fewer than 9 words."}\n')
    cut = tmp_path/"cut"
    get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model), LoraConfig(r=2, target_modules="all-linear")).save_pretrained(cut)
    weights = cut/"adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:len(weights.read_bytes()) // 2])      # a copy cut short
    unfinished = tmp_path/"unfinished"
    unfinished.mkdir(); (unfinished/"metrics.json").write_text("{}"); (unfinished/"README.md").write_text("# card")
    _all_fail({
        "budget": (["run", "--model", tiny_model, "--prompts", long, "--max-prompt-tokens", 4, "--reward-model", tiny_reward_model_dir(),
                    "--out", tmp_path/"o1"], ["none of the 2 prompts read is usable: 2 over the token budget (max_prompt_tokens=4)",
                                              "raise --max-prompt-tokens, or pass --prompt-overflow truncate"]),
        "adapter": (["run", "--model", tiny_model, "--init-adapter", cut, "--out", tmp_path/"o2"],
                    [f"--init-adapter {cut} has a damaged adapter_model.safetensors", "a copy cut short?"]),
        "push": (["push", unfinished, "--to", "test-org/x"], [f"{unfinished}/adapter holds no adapter (adapter_config.json): nothing to push"]),
    }, tmp_path)
    assert not (tmp_path/"o1").exists() and not (tmp_path/"o2").exists()
    r = tao("run", "--model", tiny_model, "--prompts", long, "--max-prompt-tokens", 4, "--reward-model", tiny_reward_model_dir(), "--out", tmp_path/"o1")
    assert "verifier:constraints + rm:" in r.stdout and "--reward-model adds to --reward" in r.stdout, r.stdout

def test_failed_model_load_does_not_block_its_rerun(tiny_model, tmp_path):
    "A run that failed while loading its model computed nothing: the same command with the model fixed runs in the same folder."
    out, wrong = tmp_path/"r", tmp_path/"not-a-model"
    wrong.mkdir()
    flags = ["--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--n-train", 4, "--n-eval", 2, "--max-new-tokens", 4, "--strategies", "plain@1.0", "--out", out]
    _one_line_error(tao("explore", "--model", wrong, *flags), "could not load model")
    assert (out/"config.json").exists()                                 # the failed run had prepared its folder
    r = tao("explore", "--model", tiny_model, *flags)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len((out/"candidates.jsonl").read_text().splitlines()) == 4
    assert json.loads((out/"config.json").read_text())["model"] == str(tiny_model)

NOISY = """import importlib.abc, importlib.util, logging, sys, warnings
class Noisy(importlib.abc.MetaPathFinder):
    "Print at bitsandbytes' import, as bitsandbytes 0.50 does on CPUs with AVX512-BF16, in the three ways libraries do."
    def find_spec(self, name, path, target=None):
        if name != "bitsandbytes": return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            logging.getLogger("bitsandbytes.cextension").warning("SIMULATED bitsandbytes was compiled without GPU support")
            warnings.warn("SIMULATED import-time warning", UserWarning)
            print("SIMULATED import-time print", file=sys.stderr)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Noisy())
"""

def test_library_noise_stays_off_the_error_path(tiny_model, tmp_path):
    "On a machine whose libraries print at import (simulated with a sitecustomize hook), errors are still one line and the noise goes to OUT/tao-hub.log."
    (tmp_path/"hook").mkdir(); (tmp_path/"hook"/"sitecustomize.py").write_text(NOISY)
    env = {"PYTHONPATH": str(tmp_path/"hook")}
    probe = subprocess.run([sys.executable, "-c", "import bitsandbytes"], capture_output=True, text=True, env=os.environ | env)
    for said in ["SIMULATED bitsandbytes was compiled", "SIMULATED import-time warning", "SIMULATED import-time print"]:
        assert said in probe.stderr, probe.stderr                     # the simulation is live: without tao-hub's care these reach stderr
    nocol = tmp_path/"nocol.jsonl"
    nocol.write_text('{"text": "Write about rain. Use fewer than 9 words."}\n')
    _all_fail({"config": (["run", tmp_path/"missing.yaml"], ["config file not found"]),
               "prompts": (["run", "--model", tiny_model, "--prompts", nocol, "--out", tmp_path/"o1"], ["has no column 'prompt'"]),
               "strategy": (["explore", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--strategies", "beam", "--out", tmp_path/"o2"], ["unknown strategy 'beam'"])},
              tmp_path, env)
    out = tmp_path/"r"
    r = tao("explore", *tiny_flags(tiny_model, tmp_path), "--out", out, env=env)
    assert r.returncode == 0 and "SIMULATED" not in r.stderr + r.stdout, r.stderr[-2000:]
    log = (out/"tao-hub.log").read_text()
    assert "SIMULATED bitsandbytes was compiled without GPU support" in log and "SIMULATED import-time print" in log, log[-2000:]
    r = tao("score", "--out", out, "--verbose", env=env)              # --verbose shows them again
    assert r.returncode == 0 and "SIMULATED" in r.stderr

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
