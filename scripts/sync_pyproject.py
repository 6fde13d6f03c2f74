"""Regenerate pyproject.toml from settings.ini: `nbdev-migrate-config`, then the optional extras and the subpackages it does not know.

settings.ini key `extras` holds one `name: requirement requirement...` per line (e.g. `vllm: vllm>=0.8`);
they become `[project.optional-dependencies]` entries next to nbdev's `dev`. Run from the project root."""
import configparser, subprocess, sys
from pathlib import Path

def extras(ini:Path) -> dict:
    cfg = configparser.ConfigParser(); cfg.read(ini)
    lines = [l.strip() for l in cfg["DEFAULT"].get("extras", "").splitlines() if l.strip()]
    return {n.strip(): r.split() for n, _, r in (l.partition(":") for l in lines)}

def main():
    subprocess.run([Path(sys.executable).parent/"nbdev-migrate-config"], check=True, capture_output=True)
    p = Path("pyproject.toml"); txt = p.read_text()
    block = "".join(f"{n} = {reqs}\n" for n, reqs in extras(Path("settings.ini")).items())
    anchor = "[project.optional-dependencies]\n"
    if block and anchor not in txt: txt = txt.replace("[tool.setuptools", anchor + "\n[tool.setuptools", 1)
    if block:
        i = txt.index(anchor) + len(anchor)
        j = txt.find("\n\n", i)
        j = len(txt) - 1 if j < 0 else j
        txt = txt[:j + 1] + block + txt[j + 1:]
    lib = 'include = ["tao_hub"]'       # nbdev's template finds the top package only: tao_hub.testing would miss the wheel
    p.write_text(txt.replace(lib, 'include = ["tao_hub", "tao_hub.*"]'))

if __name__ == "__main__": main()
