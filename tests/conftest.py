"""Shared test setup: hermetic IPython/matplotlib/HF dirs, no network but loopback, nbdev flags; and what several test files
use: the `tao-hub` console script as a user runs it, its one-line errors, and the flywheel's Hub emulator."""
import json, os, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest

_TMP = Path(tempfile.mkdtemp(prefix="tao-hub-tests-"))
os.environ.setdefault("IPYTHONDIR", str(_TMP/"ipython"))
os.environ.setdefault("MPLCONFIGDIR", str(_TMP/"mpl"))
os.environ["HF_HUB_OFFLINE"] = "1"          # nothing may reach a real Hub; Hub tests switch to the loopback emulator (tao_hub.testing.hub)
os.environ["HF_HOME"] = str(_TMP/"hf")      # a fresh HF cache per test session
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("OMP_NUM_THREADS", "1")   # two test workers (pytest.ini: -n 2) on two cores, each with its processes: one thread each

ROOT = Path(__file__).resolve().parents[1]

def pytest_addoption(parser):
    parser.addoption("--flags", nargs="*", default=[], help="nbdev tst_flags to run anyway in notebooks (e.g. --flags slow gpu)")

@pytest.fixture(scope="session")
def root(): return ROOT

@pytest.fixture(scope="session")
def tiny_model():
    "Folder of the tiny random-init Llama with SmolLM2's tokenizer (made once, cached)."
    from tao_hub.testing.tiny import tiny_model_dir
    return tiny_model_dir()

TAO = str(Path(sys.executable).parent/"tao-hub")

def tao(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    "Run the `tao-hub` console script with `args`, unbuffered, with `env` added to this process's environment."
    return subprocess.run([TAO, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {}))

def one_line_error(r, # a finished `tao-hub` process
                   *needles, # texts the error must contain
                   alone:bool=True): # the error is stderr's only line (False: its last, after progress lines)
    "Exit status 2, no traceback, and an error line that starts with `tao-hub: error: ` and names every needle."
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-3000:])
    lines = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr and lines and (len(lines) == 1 or not alone), r.stderr[-3000:]
    assert lines[-1].startswith("tao-hub: error: "), r.stderr[-3000:]
    for n in needles: assert n in lines[-1], lines[-1]

def all_fail(cases:dict, # name: (args, needles)
             env=None) -> dict:
    "Run each case's `tao-hub` command (two at a time: independent processes, mostly imports) and check its one-line error."
    with ThreadPoolExecutor(2) as pool: runs = dict(zip(cases, pool.map(lambda k: tao(*cases[k][0], env=env), cases)))
    for k, (_, needles) in cases.items(): one_line_error(runs[k], *needles)
    return runs

def tiny_flags(tiny_model, tmp_path) -> list:
    "A GRPO round on the tiny model (the tests of steps, checkpoints, resume and ranks are GRPO's; the default recipe is tested from a config file)."
    from tao_hub.testing.tiny import tiny_prompts
    return ["--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"prompts.jsonl"), "--recipe", "grpo", "--n-train", 10, "--n-eval", 6,
            "--steps", 2, "--num-generations", 2, "--per-device-train-batch-size", 4, "--max-new-tokens", 8, "--max-completion-length", 8,
            "--strategies", "plain@1.0,restate@1.0,think@1.0"]

def after_import(module:str, *lines:str) -> str:
    "Source of a sitecustomize.py that runs `lines` (with `module` bound) right after `module` is imported: a library or CPU quirk, simulated."
    body = "".join(f"            {l}\n" for l in lines)
    return f"""import importlib.abc, importlib.util, logging, sys, warnings
class AfterImport(importlib.abc.MetaPathFinder):
    busy = False
    def find_spec(self, name, path, target=None):
        if name != {module!r} or self.busy: return None
        self.busy = True                      # availability checks land here too: stay for the real import
        try: spec = importlib.util.find_spec(name)
        finally: self.busy = False
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
{body}        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, AfterImport())
"""

REWARD = '''def greeting(prompts, completions, **kw):
    "1 for an answer that says hello, plus a little credit per distinct word (so exploration of a random model finds winners)."
    texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
    return [("hello" in t.lower()) + min(len(set(t.split())), 8) / 80 for t in texts]
'''
READER = "hf_reader_token"

@pytest.fixture(scope="module")
def flywheel_hub(tmp_path_factory):
    "The flywheel tests' Hub emulator, with a tiny base model and a tiny reward model; a second user whose token cannot write to test-org."
    from huggingface_hub import HfApi
    from tao_hub.testing.hub import HubEmulator, activate
    from tao_hub.testing.tiny import tiny_model_dir, tiny_prompts, tiny_reward_model_dir
    with HubEmulator(tokens={"hf_emulator_token": ("tester", ["test-org"]), READER: ("reader", [])}) as hub, activate(hub):
        api = HfApi()
        for repo, folder in [("test-org/tiny-base", tiny_model_dir()), ("test-org/tiny-rm", tiny_reward_model_dir())]:
            api.create_repo(repo); api.upload_folder(folder_path=str(folder), repo_id=repo)
        hub.prompts = [json.loads(l)["prompt"] for l in tiny_prompts(tmp_path_factory.mktemp("p")/"p.jsonl", 32).read_text().splitlines()]
        hub.home = tmp_path_factory.mktemp("hf-home")
        (hub.home/"fw_reward.py").write_text(REWARD)
        hub.small = ["--model", "test-org/tiny-base", "--reward", f"py:{hub.home/'fw_reward.py'}:greeting", "--n-train", 8, "--n-eval", 6,
                     "--max-new-tokens", 8, "--strategies", "plain@1.0,restate@1.0", "--generation-batch", 16, "--private"]
        yield hub
    assert hub.unknown == [] and hub.crashes == [], (hub.unknown, hub.crashes)
