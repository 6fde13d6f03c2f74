"""The flywheel end to end against the loopback Hub emulator: usage rows written by the real `UsageLogger` (its `CommitScheduler`
pushing to the emulator), rounds run by the `tao-hub flywheel` console script on a tiny random-init model, kills with SIGKILL and
restarts. Nothing is mocked."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import datasets
from huggingface_hub import HfApi, hf_hub_download
from tao_hub.hub_emulator import HubEmulator, activate
from tao_hub.models import tiny_model_dir
from tao_hub.rewards import tiny_reward_model_dir
from tao_hub.round import tiny_prompts
from tao_hub.usage_log import UsageLogger

TAO = str(Path(sys.executable).parent/"tao-hub")
REWARD = '''def greeting(prompts, completions, **kw):
    "1 for an answer that says hello, plus a little credit per distinct word (so exploration of a random model finds winners)."
    texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
    return [("hello" in t.lower()) + min(len(set(t.split())), 8) / 80 for t in texts]
'''
READER = "hf_reader_token"
# A tiny random model cannot learn much in seconds, so the test fixes the outcomes it needs: the rounds start from an adapter
# trained here to say "hello world" (a known gain over the base's empty answers) and keep it (a learning rate of 1e-12), except
# round 2, trained with a learning rate so high that the answers collapse (a known loss against the champion).
KEEP = ["--sft-learning-rate", 1e-12]
DAMAGE = ["--sft-learning-rate", 3, "--sft-epochs", 6]

def hello_adapter(prompts:list, dest:Path) -> Path:
    "A LoRA adapter for the tiny model, trained until it answers every prompt with 'hello' first."
    import torch
    from peft import LoraConfig, get_peft_model
    from tao_hub.models import generate, load_policy, load_tokenizer
    torch.manual_seed(0)
    tok = load_tokenizer(tiny_model_dir())
    model = get_peft_model(load_policy(tiny_model_dir(), False), LoraConfig(r=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    heads = [tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True, tokenize=False) for p in prompts]
    rows = [(tok(h, add_special_tokens=False).input_ids, tok("hello world", add_special_tokens=False).input_ids + [tok.eos_token_id]) for h in heads]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(40):
        for head, target in rows:
            ids = torch.tensor([head + target])
            labels = torch.tensor([[-100] * len(head) + target])
            model(input_ids=ids, labels=labels).loss.backward(); opt.step(); opt.zero_grad()
    answers = generate(model.eval(), tok, [[{"role": "user", "content": p}] for p in prompts], max_new_tokens=8)
    assert all(a["text"].startswith("hello") for a in answers), [a["text"] for a in answers]
    model.save_pretrained(dest)
    return dest

@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    "The emulator with a tiny base model and a tiny reward model; a second user whose token cannot write to test-org."
    with HubEmulator(tokens={"hf_emulator_token": ("tester", ["test-org"]), READER: ("reader", [])}) as hub, activate(hub):
        api = HfApi()
        for repo, folder in [("test-org/tiny-base", tiny_model_dir()), ("test-org/tiny-rm", tiny_reward_model_dir())]:
            api.create_repo(repo); api.upload_folder(folder_path=str(folder), repo_id=repo)
        hub.prompts = [json.loads(l)["prompt"] for l in tiny_prompts(tmp_path_factory.mktemp("p")/"p.jsonl", 32).read_text().splitlines()]
        hub.home = tmp_path_factory.mktemp("hf-home")
        (hub.home/"fw_reward.py").write_text(REWARD)
        hub.hello = hello_adapter(hub.prompts, tmp_path_factory.mktemp("hello")/"adapter")
        hub.small = ["--model", "test-org/tiny-base", "--reward", f"py:{hub.home/'fw_reward.py'}:greeting", "--n-train", 8, "--n-eval", 6,
                     "--max-new-tokens", 8, "--strategies", "plain@1.0,restate@1.0", "--generation-batch", 16, "--private"]
        yield hub
    assert hub.unknown == [] and hub.crashes == [], (hub.unknown, hub.crashes)

def tao(hub, *args, token=None):
    return subprocess.run([TAO, *map(str, args)], capture_output=True, text=True, env=os.environ | hub.env(token) | {"HF_HOME": str(hub.home)})

def log_rows(hub, repo, folder, prompts):
    "Log `prompts` with the real logger and sync them (the logger's exit sync)."
    with activate(hub), UsageLogger(repo, folder, every=60) as logger:
        for p in prompts: assert logger.log(p, "an answer", source="test")

def hub_json(hub, repo, name, revision=None, repo_type=None):
    with activate(hub): return [json.loads(l) for l in open(hf_hub_download(repo, name, revision=revision, repo_type=repo_type)) if l.strip()]

def trained(hub, repo, n): return [r["prompt"] for r in hub_json(hub, repo, "prompts_train.jsonl", f"round-{n}")]

def main_round(hub, repo):
    "The round on main, from its flywheel.json (None: main holds no round)."
    with activate(hub):
        files = HfApi().list_repo_files(repo)
        return json.load(open(hf_hub_download(repo, "flywheel.json")))["round"] if "flywheel.json" in files else None

@pytest.fixture(scope="module")
def three_rounds(hub, tmp_path_factory):
    "Three `tao-hub flywheel --rounds 1` runs with usage rows logged before each; round 2 made worse on purpose."
    out, logs, repo = tmp_path_factory.mktemp("fly")/"out", tmp_path_factory.mktemp("logs"), "test-org/fly"
    batches, runs, heads = [hub.prompts[:12], hub.prompts[12:20], hub.prompts[20:28]], [], []
    extra = [["--init-adapter", hub.hello, *KEEP], DAMAGE, KEEP]       # round 1: a real gain; round 2: worse on purpose; round 3: no gain
    for batch, more in zip(batches, extra):
        log_rows(hub, "test-org/usage", logs, batch)
        with activate(hub): heads.append(HfApi().dataset_info("test-org/usage").sha)
        r = tao(hub, "flywheel", *hub.small, *more, "--dataset", "test-org/usage", "--push-to", repo, "--rounds", 1, "--out", out)
        assert r.returncode == 0, r.stderr[-4000:]
        runs.append(r)
    return out, repo, batches, runs, heads

def test_three_rounds(hub, three_rounds):
    out, repo, batches, runs, heads = three_rounds
    heldout = [r["prompt"] for r in hub_json(hub, repo + "-tao-data", "flywheel/heldout.jsonl", repo_type="dataset")]
    assert len(heldout) == 4 and set(heldout) <= set(batches[0])                   # a third of round 1's 12 prompts, fixed once
    for n in (1, 2, 3):
        # each round trains only on prompts that arrived since the previous round, never on held-out ones
        t = trained(hub, repo, n)
        assert set(t) <= set(batches[n - 1]) - set(heldout) and len(t) == len(set(batches[n - 1]) - set(heldout))
        # the same held-out set every round
        assert [json.loads(l)["prompt"] for l in (out/f"round-{n}"/"prompts_eval.jsonl").read_text().splitlines()] == heldout
        with activate(hub): rec = json.load(open(hf_hub_download(repo, "flywheel.json", revision=f"round-{n}")))
        assert [h["round"] for h in rec["history"]] == list(range(1, n + 1))
        assert rec["log_commit"] == heads[n - 1]                                    # the watermark: the log commit this round read
        with activate(hub):
            card = open(hf_hub_download(repo, "README.md", revision=f"round-{n}")).read()
            assert "plots/history.png" in HfApi().list_repo_files(repo, revision=f"round-{n}")
        assert "## Flywheel history" in card and "promote_rule: ci" in card
        assert all(f"| {k} | `{rec['history'][k - 1]['log_commit'][:8]}` |" in card for k in range(1, n + 1))
    h = rec["history"]
    # main moves only when the paired 95% CI against the champion (the base in round 1) lies above 0
    for row in h: assert row["promoted"] == (row["vs_champion"]["ci95"][0] > 0)
    assert h[0]["promoted"] and h[0]["champion_round"] is None and h[1]["champion_round"] == 1     # round 1 says hello: a significant gain
    m2 = json.loads((out/"round-2"/"metrics.json").read_text())
    assert "champion" in m2 and m2["tuned_minus_champion"]["n"] == 4
    assert m2["tuned"]["score"] < m2["champion"]["score"] and not h[1]["promoted"]          # the damaged round is worse: main stays
    last = max(r["round"] for r in h if r["promoted"])
    assert main_round(hub, repo) == last and h[2]["champion_round"] == last
    assert "round(s) this run" in runs[-1].stdout and "| 3 |" in runs[-1].stdout
    token = hub.token.encode()                                                       # the token is written nowhere
    assert not [p for p in out.rglob("*") if p.is_file() and token in p.read_bytes()]
    assert not [k for k, v in {**hub.state.blobs, **hub.state.lfs}.items() if token in v]
    print(open(out/"round-3"/"README.md").read().split("## Flywheel history")[1])

def test_nothing_to_do_is_not_an_error(hub, three_rounds):
    out, repo, *_ = three_rounds
    r = tao(hub, "flywheel", *hub.small, "--dataset", "test-org/usage", "--push-to", repo, "--out", out)
    assert r.returncode == 0 and "nothing to do: no new rows in test-org/usage since round 3" in r.stdout, r.stderr[-2000:]
    log_rows(hub, "test-org/usage", out.parent/"logs2", hub.prompts[:2])                      # rows that were all trained on or held out
    r = tao(hub, "flywheel", *hub.small, "--dataset", "test-org/usage", "--push-to", repo, "--out", out)
    assert r.returncode == 0 and "nothing to do: 0 new prompt(s)" in r.stdout, r.stderr[-2000:]
    with activate(hub): assert "round-4" not in {t.name for t in HfApi().list_repo_refs(repo).tags}

def test_killed_after_a_push_continues(hub, tmp_path):
    "SIGKILL once round 1's tag is on the Hub; the restart runs round 2 on the new prompts only, and main ends on a whole round."
    repo, log, out = "test-org/fly-kill", "test-org/usage-kill", tmp_path/"out"
    log_rows(hub, log, tmp_path/"logs", hub.prompts[:12])
    cmd = [TAO, "flywheel", *map(str, hub.small), "--promote-rule", "always", "--dataset", log, "--push-to", repo, "--every", "1h", "--out", str(out)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | hub.env() | {"HF_HOME": str(hub.home)})
    deadline = time.time() + 400
    while time.time() < deadline and "round-1" not in getattr(hub.state.repos.get(("model", repo)), "tags", {}): time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert "round-1" in hub.state.repos[("model", repo)].tags, "round 1 was never pushed"
    log_rows(hub, log, tmp_path/"logs", hub.prompts[12:20])
    r = tao(hub, "flywheel", *hub.small, "--promote-rule", "always", "--dataset", log, "--push-to", repo, "--rounds", 1, "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "▶ flywheel round 2" in r.stdout and "▶ flywheel round 3" not in r.stdout
    one, two = trained(hub, repo, 1), trained(hub, repo, 2)
    assert not set(one) & set(two) and set(two) <= set(hub.prompts[12:20])
    assert main_round(hub, repo) == 2

LOGGER = """import sys, time
from tao_hub.usage_log import UsageLogger
logger = UsageLogger("test-org/usage-crash", sys.argv[1], every=60)
time.sleep(3)                                            # the scheduler's first (empty) sync is over
for i in range(5): logger.log(f"question {i}", "answer")
print("acknowledged", flush=True)
time.sleep(600)"""

def test_logger_killed_between_syncs_loses_nothing(hub, tmp_path):
    env = os.environ | hub.env() | {"HF_HOME": str(hub.home)}
    p = subprocess.Popen([sys.executable, "-c", LOGGER, str(tmp_path/"log")], stdout=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "acknowledged"
    p.send_signal(signal.SIGKILL); p.wait()
    with activate(hub): assert not [f for f in HfApi().list_repo_files("test-org/usage-crash", repo_type="dataset") if f.endswith(".jsonl")]
    r = subprocess.run([sys.executable, "-c", "import sys; from tao_hub.usage_log import UsageLogger; UsageLogger('test-org/usage-crash', sys.argv[1]).close()",
                        str(tmp_path/"log")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    with activate(hub):
        ds = datasets.load_dataset("test-org/usage-crash", split="train")
    assert sorted(ds["prompt"]) == [f"question {i}" for i in range(5)]
    assert not [f for f in (tmp_path/"log").rglob("*") if f.is_file() and hub.token.encode() in f.read_bytes()]

@pytest.mark.parametrize("args,token,message", [
    (["--dataset", "test-org/no-such-log"], None, "dataset 'test-org/no-such-log' was not found on the Hub"),
    (["--dataset", "test-org/texts"], None, "has no column 'prompt' (columns: text); pass the right one with --prompt-column"),
    (["--dataset", "test-org/usage"], READER, "your token (user reader) cannot push to namespace 'test-org'"),
    (["--dataset", "test-org/usage", "--every", "soon"], None, "--every 'soon' is not a duration"),
])
def test_bad_input_is_one_line(hub, tmp_path, args, token, message):
    with activate(hub): datasets.Dataset.from_dict({"text": ["a", "b", "c"]}).push_to_hub("test-org/texts")
    r = tao(hub, "flywheel", *hub.small, *args, "--push-to", "test-org/fly-bad", "--out", tmp_path/"out", token=token)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and message in r.stderr, r.stderr[-2000:]

def test_killed_during_a_round_finishes_it_on_its_own_prompts(hub, tmp_path):
    "SIGKILL once round 1 has explored; the restart finishes round 1 on the prompts it had chosen, and main never showed half a round."
    repo, log, out = "test-org/fly-mid", "test-org/usage-mid", tmp_path/"out"
    log_rows(hub, log, tmp_path/"logs", hub.prompts[:12])
    p = subprocess.Popen([TAO, "flywheel", *map(str, hub.small), "--dataset", log, "--push-to", repo, "--rounds", "1", "--out", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | hub.env() | {"HF_HOME": str(hub.home)})
    deadline = time.time() + 300
    while time.time() < deadline and not (out/"round-1"/"candidates.jsonl").exists() and p.poll() is None: time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    planned = json.loads((out/"round-1"/"flywheel.json").read_text())
    assert planned["status"] == "started" and not (out/"round-1"/"metrics.json").exists()
    with activate(hub): assert not HfApi().repo_exists(repo) or "adapter_config.json" not in HfApi().list_repo_files(repo)
    log_rows(hub, log, tmp_path/"logs", hub.prompts[12:20])                 # rows arriving meanwhile wait for round 2
    r = tao(hub, "flywheel", *hub.small, "--dataset", log, "--push-to", repo, "--rounds", 1, "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "continuing the interrupted round 1" in r.stdout and "▶ flywheel round 2" not in r.stdout
    assert sorted(trained(hub, repo, 1)) == sorted(p if isinstance(p, str) else p["prompt"] for p in planned["train"])
    with activate(hub): assert json.load(open(hf_hub_download(repo, "flywheel.json", revision="round-1")))["log_commit"] == planned["log_commit"]

def test_private_log_stays_out_of_public_repos(hub, tmp_path):
    log_rows(hub, "test-org/usage-private", tmp_path/"logs", hub.prompts[:3])        # UsageLogger makes a private dataset
    r = tao(hub, "flywheel", *[a for a in hub.small if a != "--private"], "--dataset", "test-org/usage-private", "--push-to", "test-org/fly-pub",
            "--out", tmp_path/"out")
    assert r.returncode == 2 and "is private, but the rounds would publish its prompts in public repos: pass --private" in r.stderr, r.stderr
    with activate(hub): assert not HfApi().repo_exists("test-org/fly-pub")
