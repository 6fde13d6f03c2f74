"""The flywheel under faults, against the loopback Hub emulator: SIGKILL after a push and during a round, a usage logger killed
between syncs, and bad input. The helpers and the emulator fixture are test_flywheel's. Nothing is mocked."""
import json, os, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
import datasets
from huggingface_hub import HfApi, hf_hub_download
from tao_hub.testing.hub import activate
from conftest import READER, TAO
from test_flywheel import log_rows, main_round, tao, trained

def test_killed_after_a_push_continues(flywheel_hub, tmp_path):
    "SIGKILL once round 1's tag is on the Hub; the restart runs round 2 on the new prompts only, and main ends on a whole round."
    repo, log, out = "test-org/fly-kill", "test-org/usage-kill", tmp_path/"out"
    log_rows(flywheel_hub, log, tmp_path/"logs", flywheel_hub.prompts[:12])
    cmd = [TAO, "flywheel", *map(str, flywheel_hub.small), "--promote-rule", "always", "--dataset", log, "--push-to", repo, "--every", "1h", "--out", str(out)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | flywheel_hub.env() | {"HF_HOME": str(flywheel_hub.home)})
    deadline = time.time() + 400
    while time.time() < deadline and "round-1" not in getattr(flywheel_hub.state.repos.get(("model", repo)), "tags", {}): time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert "round-1" in flywheel_hub.state.repos[("model", repo)].tags, "round 1 was never pushed"
    log_rows(flywheel_hub, log, tmp_path/"logs", flywheel_hub.prompts[12:20])
    r = tao(flywheel_hub, "flywheel", *flywheel_hub.small, "--promote-rule", "always", "--dataset", log, "--push-to", repo, "--rounds", 1, "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "▶ flywheel round 2" in r.stdout and "▶ flywheel round 3" not in r.stdout
    one, two = trained(flywheel_hub, repo, 1), trained(flywheel_hub, repo, 2)
    assert not set(one) & set(two) and set(two) <= set(flywheel_hub.prompts[12:20])
    assert main_round(flywheel_hub, repo) == 2

LOGGER = """import sys, time
from tao_hub.usage_log import UsageLogger
logger = UsageLogger("test-org/usage-crash", sys.argv[1], every=60)
time.sleep(3)                                            # the scheduler's first (empty) sync is over
for i in range(5): logger.log(f"question {i}", "answer")
print("acknowledged", flush=True)
time.sleep(600)"""

def test_logger_killed_between_syncs_loses_nothing(flywheel_hub, tmp_path):
    env = os.environ | flywheel_hub.env() | {"HF_HOME": str(flywheel_hub.home)}
    p = subprocess.Popen([sys.executable, "-c", LOGGER, str(tmp_path/"log")], stdout=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "acknowledged"
    p.send_signal(signal.SIGKILL); p.wait()
    with activate(flywheel_hub): assert not [f for f in HfApi().list_repo_files("test-org/usage-crash", repo_type="dataset") if f.endswith(".jsonl")]
    r = subprocess.run([sys.executable, "-c", "import sys; from tao_hub.usage_log import UsageLogger; UsageLogger('test-org/usage-crash', sys.argv[1]).close()",
                        str(tmp_path/"log")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    with activate(flywheel_hub):
        ds = datasets.load_dataset("test-org/usage-crash", split="train")
    assert sorted(ds["prompt"]) == [f"question {i}" for i in range(5)]
    assert not [f for f in (tmp_path/"log").rglob("*") if f.is_file() and flywheel_hub.token.encode() in f.read_bytes()]

BAD = {"no log": (["--dataset", "test-org/no-such-log"], None, "dataset 'test-org/no-such-log' was not found on the Hub"),
       "column": (["--dataset", "test-org/texts"], None, "has no column 'prompt' (columns: text); pass the right one with --prompt-column"),
       "reader": (["--dataset", "test-org/usage"], READER, "your token (user reader) cannot push to namespace 'test-org'"),
       "every": (["--dataset", "test-org/usage", "--every", "soon"], None, "--every 'soon' is not a duration")}

def test_bad_input_is_one_line(flywheel_hub, tmp_path):
    with activate(flywheel_hub): datasets.Dataset.from_dict({"text": ["a", "b", "c"]}).push_to_hub("test-org/texts")
    def run(k): return tao(flywheel_hub, "flywheel", *flywheel_hub.small, *BAD[k][0], "--push-to", "test-org/fly-bad", "--out", tmp_path/k, token=BAD[k][1])
    with ThreadPoolExecutor(2) as pool: runs = dict(zip(BAD, pool.map(run, BAD)))      # independent processes, two at a time
    for k, (_, _, message) in BAD.items():
        r = runs[k]
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and message in r.stderr, (k, r.stderr[-2000:])

def test_killed_during_a_round_finishes_it_on_its_own_prompts(flywheel_hub, tmp_path):
    "SIGKILL once round 1 has explored; the restart finishes round 1 on the prompts it had chosen, and main never showed half a round."
    repo, log, out = "test-org/fly-mid", "test-org/usage-mid", tmp_path/"out"
    log_rows(flywheel_hub, log, tmp_path/"logs", flywheel_hub.prompts[:12])
    p = subprocess.Popen([TAO, "flywheel", *map(str, flywheel_hub.small), "--dataset", log, "--push-to", repo, "--rounds", "1", "--out", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | flywheel_hub.env() | {"HF_HOME": str(flywheel_hub.home)})
    deadline = time.time() + 300
    while time.time() < deadline and not (out/"round-1"/"candidates.jsonl").exists() and p.poll() is None: time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    planned = json.loads((out/"round-1"/"flywheel.json").read_text())
    assert planned["status"] == "started" and not (out/"round-1"/"metrics.json").exists()
    with activate(flywheel_hub): assert not HfApi().repo_exists(repo) or "adapter_config.json" not in HfApi().list_repo_files(repo)
    log_rows(flywheel_hub, log, tmp_path/"logs", flywheel_hub.prompts[12:20])                 # rows arriving meanwhile wait for round 2
    r = tao(flywheel_hub, "flywheel", *flywheel_hub.small, "--dataset", log, "--push-to", repo, "--rounds", 1, "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "continuing the interrupted round 1" in r.stdout and "▶ flywheel round 2" not in r.stdout
    assert sorted(trained(flywheel_hub, repo, 1)) == sorted(p if isinstance(p, str) else p["prompt"] for p in planned["train"])
    with activate(flywheel_hub): assert json.load(open(hf_hub_download(repo, "flywheel.json", revision="round-1")))["log_commit"] == planned["log_commit"]

def test_private_log_stays_out_of_public_repos(flywheel_hub, tmp_path):
    log_rows(flywheel_hub, "test-org/usage-private", tmp_path/"logs", flywheel_hub.prompts[:3])        # UsageLogger makes a private dataset
    r = tao(flywheel_hub, "flywheel", *[a for a in flywheel_hub.small if a != "--private"],
            "--dataset", "test-org/usage-private", "--push-to", "test-org/fly-pub", "--out", tmp_path/"out")
    assert r.returncode == 2 and "is private, but the rounds would publish its prompts in public repos: pass --private" in r.stderr, r.stderr
    with activate(flywheel_hub): assert not HfApi().repo_exists("test-org/fly-pub")
