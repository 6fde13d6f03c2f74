"The project's generated files are in sync with their sources (what nbdev's CI checks), in a scratch copy so the tree is never touched."
import filecmp, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture
def copy(tmp_path):
    "A scratch copy of the parts nbdev reads and writes."
    for name in ["nbs", "tao_hub", "settings.ini", "pyproject.toml", "scripts", "README.md"]:
        src = ROOT/name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path/name, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    return tmp_path

def _changed(a:Path, b:Path, pattern:str) -> list:
    "Files matching `pattern` anywhere below `a` that differ in `b`, or exist only in `b` (subpackages included)."
    rel = lambda d: {str(p.relative_to(d)) for p in d.rglob(pattern) if "__pycache__" not in p.parts}
    return (sorted(n for n in rel(a) if not (b/n).exists() or not filecmp.cmp(a/n, b/n, shallow=False))
            + sorted(rel(b) - rel(a)))

def test_package_is_exported_from_notebooks(copy):
    subprocess.run([BIN/"nbdev-export"], cwd=copy, check=True, capture_output=True)
    assert _changed(ROOT/"tao_hub", copy/"tao_hub", "*.py") == [], "tao_hub/ differs from the notebooks: run nbdev-export and commit"

def test_notebooks_are_clean(copy):
    subprocess.run([BIN/"nbdev-clean"], cwd=copy, check=True, capture_output=True)
    assert _changed(ROOT/"nbs", copy/"nbs", "*.ipynb") == [], "notebooks are not clean: run nbdev-clean and commit"

def test_pyproject_matches_settings_ini(copy):
    subprocess.run([sys.executable, "scripts/sync_pyproject.py"], cwd=copy, check=True, capture_output=True)
    assert (copy/"pyproject.toml").read_text() == (ROOT/"pyproject.toml").read_text(), \
        "pyproject.toml differs from settings.ini: run python scripts/sync_pyproject.py and commit"

def test_readme_is_rendered_from_index(copy):
    r = subprocess.run([sys.executable, "scripts/render_readme.py", "--check"], cwd=copy, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_readme_states_the_two_commands_and_ci_runs_the_test_one():
    readme, ci = (ROOT/"README.md").read_text(), (ROOT/".ci"/"run").read_text()
    assert "make demo" in readme and "make test" in readme
    commands = [l for l in ci.strip().splitlines() if l and not l.startswith(("#", "set ", "cd "))]
    assert commands[0] == "make test" and "make wheel" in commands and "make tutorials" in commands

def test_lock_pins_every_requirement_within_its_range():
    "requirements/lock.txt, which make install and CI install from, pins every dependency (and dev tool) at a version its range allows."
    import tomllib
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    rows = [l.split("==") for l in (ROOT/"requirements"/"lock.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    lock = {canonicalize_name(name): version for name, version in rows}
    project = tomllib.loads((ROOT/"pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        r = Requirement(spec)
        pinned = lock.get(canonicalize_name(r.name))
        assert pinned, f"{r.name} is not pinned in requirements/lock.txt: run make test-latest, then make lock"
        assert r.specifier.contains(pinned, prereleases=True), f"the lock pins {r.name}=={pinned}, outside {spec}"

def test_ruff_finds_nothing():
    "The linter `make check` runs (ruff.toml: pyflakes, pycodestyle and bugbear; lines over 160 characters), so `make test` catches it too."
    r = subprocess.run([BIN/"ruff", "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]

def test_notebooks_show_their_outputs():
    "Every notebook keeps its examples' outputs, and none that changes from run to run (`make outputs` makes them)."
    r = subprocess.run([sys.executable, "scripts/notebook_outputs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]

def test_release_workflow_publishes_with_trusted_publishing():
    "The release workflow (it cannot run here): on a version tag, tests and the wheel check before a tokenless PyPI upload."
    import yaml
    wf = yaml.safe_load((ROOT/".github"/"workflows"/"release.yaml").read_text())
    on = wf[True] if True in wf else wf["on"]                 # YAML reads the key `on` as True
    assert on["push"]["tags"] == ["v*"]
    build, publish = wf["jobs"]["build"], wf["jobs"]["publish"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert any(r == "make test" for r in runs) and any(r.startswith("make wheel") for r in runs)
    assert any("python -m build" in r and "twine check" in r for r in runs)
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"} and publish["environment"] == "pypi"
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"          # a manual run on a branch builds, never uploads
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert not any("password" in str(s) or "TOKEN" in str(s) for s in publish["steps"])     # trusted publishing: no secret

def test_tutorials_open_in_colab_and_kaggle_and_run_in_ci():
    "Each tutorial: both badges, a guarded install cell with the lock, a parameters cell with the CI switch; saved CPU outputs."
    import json
    tutorials = sorted((ROOT/"nbs"/"tutorials").glob("*.ipynb"))
    assert len(tutorials) >= 3
    for p in tutorials:
        cells = json.loads(p.read_text())["cells"]
        text = ["".join(c["source"]) for c in cells]
        assert f"colab.research.google.com/github/tao-hub/tao-hub/blob/main/nbs/tutorials/{p.name}" in text[0], p.name
        assert f"kaggle.com/kernels/welcome?src=https://github.com/tao-hub/tao-hub/blob/main/nbs/tutorials/{p.name}" in text[0]
        install = [t for t in text if "!pip install" in t]
        assert len(install) == 1 and 'if os.environ.get("TAO_TUTORIAL_CI") != "1":' in install[0], p.name   # CI tests the checkout
        assert "-c /tmp/tao-hub-lock.txt" in install[0] and "torch=={torch.__version__}" in install[0], p.name
        assert any('os.environ.get("TAO_TUTORIAL_CI") == "1"' in t for t in text), p.name
        assert sum(len(c.get("outputs", [])) for c in cells if c["cell_type"] == "code") > 0, f"{p.name}: run make tutorials SAVE=1"
