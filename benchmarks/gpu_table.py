"""The one table of `gpu_check.sh`, from the folder its steps wrote (STEP.rc: exit status and seconds; STEP.log; STEP.json).

    python benchmarks/gpu_table.py RESULTS_FOLDER
"""
import json, re, sys
from pathlib import Path

def status(res:Path, name:str) -> tuple:
    "(exit status or 'skip', seconds, last log line) of a step."
    rc, secs = (res/f"{name}.rc").read_text().split() if (res/f"{name}.rc").exists() else ("not run", "0")
    log = (res/f"{name}.log").read_text().strip().splitlines() if (res/f"{name}.log").exists() else []
    return rc, int(secs), (log[-1][:200] if log else "")

def failed(rc:str, last:str) -> str:
    return "timed out" if rc == "124" else f"failed (exit {rc}): {last}"

def pytest_row(res:Path) -> list:
    rc, secs, last = status(res, "pytest_gpu")
    summary = next((l.strip("= ") for l in reversed((res/"pytest_gpu.log").read_text().splitlines())
                    if re.search(r"passed|failed|error|collected|selected", l)), last) \
              if (res/"pytest_gpu.log").exists() else last
    return [("pytest -m gpu", summary if rc == "0" else failed(rc, summary), secs)]

def train_rows(res:Path, recipe:str) -> list:
    rc, secs, last = status(res, recipe)
    path = res/f"{recipe}.json"
    if not path.exists(): return [(f"{recipe} step time", failed(rc, last), secs)]
    rows, out = json.loads(path.read_text()), []
    cell = lambda r: r.get("error") or f"{r['s_per_step']:.2f} s/step, {r['peak_mib']} MiB"
    for precision in dict.fromkeys(r["precision"] for r in rows):
        by = {r["path"]: r for r in rows if r["precision"] == precision}
        t, m = by.get("trl", {"error": "not run"}), by.get("tao", {"error": "not run"})
        over = f"; tao-hub overhead {(m['s_per_step'] / t['s_per_step'] - 1) * 100:+.1f}%" if "error" not in t and "error" not in m else ""
        ul = by.get("tao+ul")
        ul = f"; tao-hub with unlikelihood (its default) {'failed: ' if 'error' in ul else ''}{cell(ul)}" if ul else ""
        out.append((f"{recipe} {'4-bit QLoRA' if precision == '4bit' else 'LoRA'}", f"TRL {cell(t)}; tao-hub {cell(m)}{over}{ul}", secs))
    return out

def engine_rows(res:Path) -> list:
    out, speed = [], {}
    for engine in ["transformers", "vllm"]:
        rc, secs, last = status(res, engine)
        path = res/f"{engine}.json"
        if rc == "skip": out.append((f"explore tokens/s, {engine}", f"skipped: {last}", 0)); continue
        try: r = json.loads(path.read_text().strip().splitlines()[-1])
        except (OSError, IndexError, ValueError): out.append((f"explore tokens/s, {engine}", failed(rc, last), secs)); continue
        speed[engine] = r["tokens_per_s"]
        out.append((f"explore tokens/s, {engine}", f"{r['tokens_per_s']:.0f} tokens/s ({r['tokens']} tokens, {r['prompts']} prompts), peak {r['peak']}", secs))
    if len(speed) == 2: out.append(("vLLM / transformers", f"{speed['vllm'] / speed['transformers']:.1f}x", 0))
    return out

def table(res:Path) -> str:
    rows = pytest_row(res) + train_rows(res, "grpo") + train_rows(res, "sft") + engine_rows(res)
    return "\n".join(["| check | result | seconds |", "|---|---|---|"] + [f"| {a} | {b} | {s} |" for a, b, s in rows])

if __name__ == "__main__":
    print(table(Path(sys.argv[1])))
