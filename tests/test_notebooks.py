"Every notebook in nbs/ runs through nbdev's own test runner, honouring tst_flags (notest slow gpu)."
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb   # aliased so pytest does not collect it

NBS = sorted((Path(__file__).resolve().parents[1]/"nbs").glob("*.ipynb"))

@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, request):
    force = request.config.getoption("--flags")
    skip = [f for f in get_config().tst_flags.split() if f not in force]
    ok, secs = run_nb(nb, skip_flags=skip, force_flags=force, showerr=True)
    assert ok, f"{nb.name} failed (see the cell traceback above)"
