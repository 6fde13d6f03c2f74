"""The flywheel end to end against the loopback Hub emulator: usage rows written by the real `UsageLogger` (its `CommitScheduler`
pushing to the emulator), rounds run by the `tao-hub flywheel` console script on a tiny random-init model (kills and bad input:
test_flywheel_faults.py). Nothing is mocked."""
import json, os, subprocess
from pathlib import Path
import pytest
from huggingface_hub import HfApi, hf_hub_download
from tao_hub.testing.hub import activate
from tao_hub.testing.tiny import tiny_model_dir
from tao_hub.usage_log import UsageLogger
from conftest import TAO

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
    target = tok("hello world", add_special_tokens=False).input_ids + [tok.eos_token_id]
    seqs = [tok(h, add_special_tokens=False).input_ids + target for h in heads]
    width, k = max(map(len, seqs)), len(target)
    ids = torch.tensor([[tok.pad_token_id] * (width - len(s)) + s for s in seqs])           # left padding: every target ends the row
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in seqs])
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(30):                                   # all prompts in one batch; logits only where they predict the target
        logits = model(input_ids=ids, attention_mask=mask, logits_to_keep=k + 1).logits[:, :-1]
        torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, -k:].flatten()).backward(); opt.step(); opt.zero_grad()
    answers = generate(model.eval(), tok, [[{"role": "user", "content": p}] for p in prompts], max_new_tokens=8)
    assert all(a["text"].startswith("hello") for a in answers), [a["text"] for a in answers]
    model.save_pretrained(dest)
    return dest

def tao(flywheel_hub, *args, token=None):
    return subprocess.run([TAO, *map(str, args)], capture_output=True, text=True,
                          env=os.environ | flywheel_hub.env(token) | {"HF_HOME": str(flywheel_hub.home)})

def log_rows(flywheel_hub, repo, folder, prompts):
    "Log `prompts` with the real logger and sync them (the logger's exit sync)."
    with activate(flywheel_hub), UsageLogger(repo, folder, every=60) as logger:
        for p in prompts: assert logger.log(p, "an answer", source="test")

def hub_json(flywheel_hub, repo, name, revision=None, repo_type=None):
    with activate(flywheel_hub): return [json.loads(l) for l in open(hf_hub_download(repo, name, revision=revision, repo_type=repo_type)) if l.strip()]

def trained(flywheel_hub, repo, n): return [r["prompt"] for r in hub_json(flywheel_hub, repo, "prompts_train.jsonl", f"round-{n}")]

def main_round(flywheel_hub, repo):
    "The round on main, from its flywheel.json (None: main holds no round)."
    with activate(flywheel_hub):
        files = HfApi().list_repo_files(repo)
        return json.load(open(hf_hub_download(repo, "flywheel.json")))["round"] if "flywheel.json" in files else None

@pytest.fixture(scope="module")
def three_rounds(flywheel_hub, tmp_path_factory):
    "Three `tao-flywheel_hub flywheel --rounds 1` runs with usage rows logged before each; round 2 made worse on purpose."
    out, logs, repo = tmp_path_factory.mktemp("fly")/"out", tmp_path_factory.mktemp("logs"), "test-org/fly"
    batches, runs, heads = [flywheel_hub.prompts[:12], flywheel_hub.prompts[12:20], flywheel_hub.prompts[20:28]], [], []
    hello = hello_adapter(flywheel_hub.prompts, tmp_path_factory.mktemp("hello")/"adapter")
    extra = [["--init-adapter", hello, *KEEP], DAMAGE, KEEP]       # round 1: a real gain; round 2: worse on purpose; round 3: no gain
    for batch, more in zip(batches, extra):
        log_rows(flywheel_hub, "test-org/usage", logs, batch)
        with activate(flywheel_hub): heads.append(HfApi().dataset_info("test-org/usage").sha)
        r = tao(flywheel_hub, "flywheel", *flywheel_hub.small, *more, "--dataset", "test-org/usage", "--push-to", repo, "--rounds", 1, "--out", out)
        assert r.returncode == 0, r.stderr[-4000:]
        runs.append(r)
    return out, repo, batches, runs, heads

def test_three_rounds(flywheel_hub, three_rounds):
    out, repo, batches, runs, heads = three_rounds
    heldout = [r["prompt"] for r in hub_json(flywheel_hub, repo + "-tao-data", "flywheel/heldout.jsonl", repo_type="dataset")]
    assert len(heldout) == 4 and set(heldout) <= set(batches[0])                   # a third of round 1's 12 prompts, fixed once
    for n in (1, 2, 3):
        # each round trains only on prompts that arrived since the previous round, never on held-out ones
        t = trained(flywheel_hub, repo, n)
        assert set(t) <= set(batches[n - 1]) - set(heldout) and len(t) == len(set(batches[n - 1]) - set(heldout))
        # the same held-out set every round
        assert [json.loads(l)["prompt"] for l in (out/f"round-{n}"/"prompts_eval.jsonl").read_text().splitlines()] == heldout
        with activate(flywheel_hub): rec = json.load(open(hf_hub_download(repo, "flywheel.json", revision=f"round-{n}")))
        assert [h["round"] for h in rec["history"]] == list(range(1, n + 1))
        assert rec["log_commit"] == heads[n - 1]                                    # the watermark: the log commit this round read
        with activate(flywheel_hub):
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
    assert main_round(flywheel_hub, repo) == last and h[2]["champion_round"] == last
    assert "round(s) this run" in runs[-1].stdout and "| 3 |" in runs[-1].stdout
    token = flywheel_hub.token.encode()                                                       # the token is written nowhere
    assert not [p for p in out.rglob("*") if p.is_file() and token in p.read_bytes()]
    assert not [k for k, v in {**flywheel_hub.state.blobs, **flywheel_hub.state.lfs}.items() if token in v]
    print(open(out/"round-3"/"README.md").read().split("## Flywheel history")[1])

def test_nothing_to_do_is_not_an_error(flywheel_hub, three_rounds):
    out, repo, *_ = three_rounds
    r = tao(flywheel_hub, "flywheel", *flywheel_hub.small, "--dataset", "test-org/usage", "--push-to", repo, "--out", out)
    assert r.returncode == 0 and "nothing to do: no new rows in test-org/usage since round 3" in r.stdout, r.stderr[-2000:]
    log_rows(flywheel_hub, "test-org/usage", out.parent/"logs2", flywheel_hub.prompts[:2])                      # rows that were all trained on or held out
    r = tao(flywheel_hub, "flywheel", *flywheel_hub.small, "--dataset", "test-org/usage", "--push-to", repo, "--out", out)
    assert r.returncode == 0 and "nothing to do: 0 new prompt(s)" in r.stdout, r.stderr[-2000:]
    with activate(flywheel_hub): assert "round-4" not in {t.name for t in HfApi().list_repo_refs(repo).tags}
