"""The Hub end to end, against the loopback Hub emulator (tao_hub.testing.hub) with the real clients: huggingface_hub, datasets,
transformers and peft in the `tao-hub` console script and in fresh Python processes. Nothing is mocked; pytest-socket (pytest.ini)
refuses any connection beyond 127.0.0.1 in this process, and the client processes get a proxy pointing at the emulator, which
records any request meant for another host as an unknown route (asserted empty)."""
import hashlib, json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
import datasets
import torch
from huggingface_hub import HfApi, ModelCard, hf_hub_download
from tao_hub.testing.hub import HubEmulator, activate
from tao_hub.testing.tiny import tiny_model_dir, tiny_prompts, tiny_reward_model_dir
from conftest import TAO, after_import, one_line_error

SMALL = ["--n-train", 10, "--n-eval", 6, "--steps", 2, "--num-generations", 2, "--per-device-train-batch-size", 4, "--max-new-tokens", 8,
         "--max-completion-length", 8, "--strategies", "plain@1.0,restate@1.0", "--reward-batch-size", 4]
ROUND = ["--model", "test-org/tiny-base", "--dataset", "test-org/prompts", "--prompt-column", "prompt", "--reward-model", "test-org/tiny-rm",
         "--push-to", "test-org/tiny-tao", *SMALL]

AVX512BF16 = after_import("bitsandbytes.functional",      # bitsandbytes then asks the Hub for a CPU kernel (kernels-community)
                          "module.has_avx512bf16 = lambda: True", 'print("SIMULATED AVX512-BF16", file=sys.stderr)')

@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    "The emulator, with a tiny base model, a tiny reward model and a prompt dataset pushed by the real clients."
    with HubEmulator() as hub, activate(hub):
        api = HfApi()
        for repo, folder in [("test-org/tiny-base", tiny_model_dir()), ("test-org/tiny-rm", tiny_reward_model_dir())]:
            api.create_repo(repo); api.upload_folder(folder_path=str(folder), repo_id=repo)
        rows = [json.loads(l)["prompt"] for l in tiny_prompts(tmp_path_factory.mktemp("p")/"p.jsonl").read_text().splitlines()]
        datasets.Dataset.from_dict({"prompt": rows + rows[:3] + [""], "id": list(range(len(rows) + 4))}).push_to_hub("test-org/prompts")
        hub.home, hub.distinct = tmp_path_factory.mktemp("hf-home"), len(set(rows))
        (hub.home/"cpu").mkdir(); (hub.home/"cpu"/"sitecustomize.py").write_text(AVX512BF16)     # every client process runs on such a CPU
        yield hub
    assert hub.unknown == [] and hub.crashes == [], (hub.unknown, hub.crashes)

def client_env(hub, token=None) -> dict:
    "A client process's environment: the emulator as its Hub, on a CPU with AVX512-BF16 (simulated)."
    path = os.pathsep.join(filter(None, [str(hub.home/"cpu"), os.environ.get("PYTHONPATH")]))
    return os.environ | hub.env(token) | {"HF_HOME": str(hub.home), "PYTHONPATH": path}

def tao(hub, *args, token=None, **env):
    return subprocess.run([TAO, *map(str, args)], capture_output=True, text=True, env=client_env(hub, token) | env)

def py(hub, code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=client_env(hub) | env)

def files_digest(d:Path) -> dict:
    return {str(p.relative_to(d)): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}

@pytest.fixture(scope="module")
def round1(hub, tmp_path_factory):
    "`tao-hub run` with flags alone: Hub prompts, Hub reward model, push."
    out, before = tmp_path_factory.mktemp("r1")/"out", len(hub.log)
    r = tao(hub, "run", *ROUND, "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    hub.round1_routes = hub.routes()[before:]                 # what the round asked the Hub for
    return out, r

def test_round_pulls_trains_and_pushes(hub, round1):
    out, r = round1
    assert "pushed round 1 to" in r.stdout
    with activate(hub):
        api = HfApi()
        sha = api.dataset_info("test-org/prompts").sha
        # the prompts: pinned to the commit, cleaned, the sha recorded in the outputs
        run = json.loads((out/"run.json").read_text())
        assert run["dataset"] == "test-org/prompts" and run["dataset_revision"] == sha
        assert run["n_prompts"] == hub.distinct and run["dropped"]["duplicate"] == 27 - hub.distinct and run["dropped"]["empty"] == 1
        assert sha in json.loads((out/"metrics.json").read_text())["prompt_source"]
        assert sha in (out/"README.md").read_text()
        # the model repo: branch and tag round-1 at the same commit, with adapter, card, plots
        refs = api.list_repo_refs("test-org/tiny-tao")
        branches, tags = {b.name: b.target_commit for b in refs.branches}, {t.name: t.target_commit for t in refs.tags}
        assert tags["round-1"] == branches["round-1"]
        files = set(api.list_repo_files("test-org/tiny-tao", revision="round-1"))
        assert {"adapter_config.json", "adapter_model.safetensors", "README.md", "plots/results.png", "metrics.json", "run.json"} <= files
        info = api.model_info("test-org/tiny-tao", revision="round-1")
        assert {e.metric_type for e in info.card_data.eval_results} == {"reward", "reward_base", "reward_best_of_n"}
        m = json.loads((out/"metrics.json").read_text())
        assert {e.metric_type: e.metric_value for e in info.card_data.eval_results}["reward"] == round(m["tuned"]["score"], 4)
        card = ModelCard.load(hf_hub_download("test-org/tiny-tao", "README.md", revision="round-1"))
        assert card.data.base_model == "test-org/tiny-base" and card.data.library_name == "peft" and card.data.license == "apache-2.0"
        assert card.data.datasets == ["test-org/prompts", "test-org/tiny-tao-tao-data"]
        assert 'tao_hub.load_tuned("test-org/tiny-tao"' in card.text and "test-org/tiny-rm" in card.text
        # the card describes what this round scored (the constraint verifier and a reward model, on Hub prompts)
        assert "The reward model's score is its own learned preference" in card.text and "random split of the same prompt set" in card.text
        assert "surface constraints" in card.text and "same generator" not in card.text
        assert {e.dataset_name for e in info.card_data.eval_results} == {"held-out prompts"}
        assert json.load(open(hf_hub_download("test-org/tiny-tao", "adapter_config.json",
                                              revision="round-1")))["base_model_name_or_path"] == "test-org/tiny-base"
        # main moves only when the round is promoted (promote_rule ci: the paired 95% CI of tuned − base lies above 0)
        push = json.loads((out/"push.json").read_text())
        assert push["promoted"] == (m["tuned_minus_base"]["ci95"][0] > 0)
        main_files = set(api.list_repo_files("test-org/tiny-tao"))
        assert ("adapter_model.safetensors" in main_files) == push["promoted"]
        # the data repo: candidates and eval generations of round 1, tagged
        cands = datasets.load_dataset("test-org/tiny-tao-tao-data", "candidates", split="round_1")
        assert len(cands) == 20 and {"prompt", "strategy", "completion", "score"} <= set(cands.column_names)
        assert "cut_at_budget" not in cands.column_names      # local bookkeeping: earlier rounds' splits lack it, and splits must match
        gens = datasets.load_dataset("test-org/tiny-tao-tao-data", "eval_generations", split="round_1")
        assert set(gens["system"]) == {"base", "best_of_n", "tuned"}
        assert "round-1" in {t.name for t in api.list_repo_refs("test-org/tiny-tao-tao-data", repo_type="dataset").tags}
    # the token is never written: not in the round's files nor in the Hub's stored files
    token = hub.token.encode()
    assert not [p for p in out.rglob("*") if p.is_file() and token in p.read_bytes()]
    assert not [k for k, v in {**hub.state.blobs, **hub.state.lfs}.items() if token in v]

def test_cpu_round_asks_the_hub_for_nothing_else(hub, round1):
    "On a CPU with AVX512-BF16, importing bitsandbytes asks the Hub for a kernel; a round, and any import after `import tao_hub`, must not."
    check_then_import = "import importlib.util, tao_hub; assert importlib.util.find_spec('bitsandbytes'); import peft"  # as libraries do
    with HubEmulator() as bare:
        r = subprocess.run([sys.executable, "-c", "import bitsandbytes"], capture_output=True, text=True, env=client_env(hub) | bare.env())
        assert "SIMULATED AVX512-BF16" in r.stderr and any("kernels-community" in e["path"] for e in bare.unknown), (r.stderr[-2000:], bare.unknown)
        seen = len(bare.log)                            # the simulation is live; now the same CPU with tao_hub imported first
        r = subprocess.run([sys.executable, "-c", check_then_import], capture_output=True, text=True, env=client_env(hub) | bare.env())
        assert r.returncode == 0 and "SIMULATED AVX512-BF16" in r.stderr and bare.log[seen:] == [], (r.stderr[-2000:], bare.log[seen:])
    out, _ = round1
    assert "SIMULATED AVX512-BF16" in (out/"tao-hub.log").read_text()
    precision = json.loads((out/"run.json").read_text())["precision"]
    assert precision.startswith("4-bit" if torch.cuda.is_available() else "full precision"), precision
    assert hub.unknown == [] and not [r for r in hub.round1_routes if "kernels" in r]
    named = ("test-org/tiny-base", "test-org/tiny-rm", "test-org/prompts", "test-org/tiny-tao")        # what the round was told to use
    general = ("GET /api/whoami-v2", "POST /api/repos/create", "POST /api/validate-yaml", "PUT /_lfs/")   # endpoints that name no repo
    assert not [r for r in hub.round1_routes if not r.startswith(general) and not any(n in r for n in named)], hub.round1_routes

LOAD = ("""import tao_hub, json
from tao_hub.models import generate
model, tok = tao_hub.load_tuned("test-org/tiny-tao", revision="round-1", merge={merge})
print(json.dumps(dict(kind=type(model).__name__, text=generate(model, tok, """
        """[[{{"role": "user", "content": "Describe rain."}}]], max_new_tokens=6)[0]["text"])))""")

def test_load_tuned_in_fresh_process_then_offline(hub, round1):
    r = py(hub, LOAD.format(merge=False))
    assert r.returncode == 0, r.stderr[-3000:]
    online = json.loads(r.stdout.strip().splitlines()[-1])
    assert online["kind"] == "PeftModelForCausalLM"
    merged = json.loads(py(hub, LOAD.format(merge=True)).stdout.strip().splitlines()[-1])
    assert merged["kind"] == "LlamaForCausalLM" and merged["text"] == online["text"]     # greedy: merging changes cost, not answers
    n = len(hub.log)
    r = py(hub, LOAD.format(merge=False), HF_HUB_OFFLINE="1")                          # offline replay from the cache
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == online and len(hub.log) == n

def test_second_round_leaves_round_one_alone(hub, round1, tmp_path):
    "Round 2 starts from round 1's adapter on the Hub (--init-adapter) and leaves round 1's refs and data alone."
    with activate(hub):
        before = {t.name: t.target_commit for t in HfApi().list_repo_refs("test-org/tiny-tao").tags}
    r = tao(hub, "run", *ROUND, "--seed", 1, "--init-adapter", "test-org/tiny-tao@round-1", "--out", tmp_path/"r2")
    assert r.returncode == 0, r.stderr[-4000:]
    # round 2 built on round 1's adapter, from the Hub
    assert json.loads((tmp_path/"r2"/"train.json").read_text())["init_adapter"] == "test-org/tiny-tao@round-1"
    with activate(hub):
        refs = HfApi().list_repo_refs("test-org/tiny-tao")
        tags, branches = {t.name: t.target_commit for t in refs.tags}, {b.name: b.target_commit for b in refs.branches}
        assert tags["round-1"] == before["round-1"] and branches["round-1"] == before["round-1"]
        assert tags["round-2"] == branches["round-2"] != tags["round-1"]
        assert len(datasets.load_dataset("test-org/tiny-tao-tao-data", "candidates", split="round_2")) == 20
        assert len(datasets.load_dataset("test-org/tiny-tao-tao-data", "candidates", split="round_1")) == 20

def test_bad_hub_input_fails_fast(hub, tmp_path):
    "Each fails before any model is trained, in one line, and leaves no output folder behind."
    cases = {"a": ([], "hf_wrong", ["the Hub rejected your token (401)", "HF_TOKEN"]),
             "b": (["--dataset", "test-org/nope"], None, ["dataset 'test-org/nope' was not found on the Hub"]),
             "c": (["--revision", "v9"], None, ["at revision 'v9'", "that revision does not exist"]),
             "d": (["--prompt-column", "text"], None, ["has no column 'text' (columns: prompt, id)"]),
             "e": (["--reward-model", "test-org/tiny-base"], None, ["is LlamaForCausalLM", "not a single-logit sequence classifier"])}
    def run(k): return tao(hub, "run", *ROUND, *cases[k][0], "--out", tmp_path/k, token=cases[k][1])
    with ThreadPoolExecutor(2) as pool: runs = dict(zip(cases, pool.map(run, cases)))     # independent processes, two at a time
    for k, (_, _, needles) in cases.items(): one_line_error(runs[k], *needles, alone=False)
    for d in "abcde": assert not (tmp_path/d).exists()

def test_push_failure_keeps_files_and_retry_succeeds(hub, round1):
    out, _ = round1
    before = files_digest(out)
    hub.fail(r"^POST /api/models/test-org/tiny-retry/commit/", 500)
    try: one_line_error(tao(hub, "push", out, "--to", "test-org/tiny-retry", "--private"),
                        "push to test-org/tiny-retry failed", "nothing is lost",
                        f"tao-hub push {out} --to test-org/tiny-retry", alone=False)
    finally: hub.clear_failures()
    assert files_digest(out) == before                  # every local file byte-identical, push.json included
    hub.fail(r"^POST /api/models/test-org/tiny-retry/commit/", 500, times=2)   # two transient failures, then the Hub answers
    r = tao(hub, "push", out, "--to", "test-org/tiny-retry", "--private")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "pushed round 1" in r.stdout and r.stdout.count("transient failure") == 2     # retried, and the same round, not a new one
    with activate(hub):
        refs = HfApi().list_repo_refs("test-org/tiny-retry")
        assert [t.name for t in refs.tags] == ["round-1"] and sorted(b.name for b in refs.branches) == ["main", "round-1"]
        assert [t.name for t in HfApi().list_repo_refs("test-org/tiny-retry-tao-data", repo_type="dataset").tags] == ["round-1"]
        assert "adapter_model.safetensors" in HfApi().list_repo_files("test-org/tiny-retry", revision="round-1")
        assert HfApi().model_info("test-org/tiny-retry").private
        from huggingface_hub.errors import RepositoryNotFoundError
        with pytest.raises(RepositoryNotFoundError): HfApi(token=False).model_info("test-org/tiny-retry")   # hidden from anonymous users

def test_math_answers_travel_from_a_hub_dataset_to_the_verifier(hub, tmp_path):
    "verifier:math in a round: the `answer` column of a Hub dataset reaches the verifier; a dataset without one is refused in one line."
    pairs = [(a, b) for a in range(3, 9) for b in range(2, 6)]
    want = {f"What is {a} + {b}? Answer with the number.": str(a + b) for a, b in pairs}
    with activate(hub): datasets.Dataset.from_dict({"question": list(want), "answer": list(want.values())}).push_to_hub("test-org/math")
    flags = ["--model", "test-org/tiny-base", "--prompt-column", "question", "--reward", "verifier:math", *SMALL]
    r = tao(hub, "explore", *flags, "--dataset", "test-org/math", "--out", tmp_path/"m")
    assert r.returncode == 0, r.stderr[-3000:]
    r = tao(hub, "score", "--out", tmp_path/"m")
    assert r.returncode == 0, r.stderr[-3000:]
    scored = [json.loads(l) for l in (tmp_path/"m"/"scored.jsonl").read_text().splitlines()]
    assert len(scored) == 20 and all(s["answer"] == want[s["prompt"]] for s in scored)
    assert all(s["score"] in (0.0, 1.0) for s in scored)            # None would mean the verifier never saw an answer
    r = tao(hub, "run", "--model", "test-org/tiny-base", "--reward", "verifier:math", "--dataset", "test-org/prompts", "--out", tmp_path/"no-answer")
    assert r.returncode == 2 and "verifier:math needs an 'answer' column, but the prompts have columns id besides the prompt" in r.stderr
    assert not (tmp_path/"no-answer").exists()
