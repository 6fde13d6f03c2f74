"Shared test setup: hermetic IPython/matplotlib/HF dirs, no network but loopback, nbdev flags."
import os, tempfile
from pathlib import Path
import pytest

_TMP = Path(tempfile.mkdtemp(prefix="tao-hub-tests-"))
os.environ.setdefault("IPYTHONDIR", str(_TMP/"ipython"))
os.environ.setdefault("MPLCONFIGDIR", str(_TMP/"mpl"))
os.environ["HF_HUB_OFFLINE"] = "1"          # nothing may reach a real Hub; Hub tests switch to the loopback emulator (tao_hub.hub_emulator)
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
    from tao_hub.models import tiny_model_dir
    return tiny_model_dir()
