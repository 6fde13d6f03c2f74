"Bad input as a user meets it at the `tao-hub` console script, with or without library noise at import: one line on stderr, exit status 2, nothing left behind."
import os, subprocess, sys
from tao_hub.testing.tiny import tiny_prompts
from conftest import after_import, tao, tiny_flags, all_fail

def test_bad_input(tiny_model, tmp_path):
    "Each bad input gets one clear line and exit status 2, never a traceback."
    (tmp_path/"bad.yaml").write_text("steps: 2\nlearnin_rate: 0.1\n")
    nocol = tmp_path/"nocol.jsonl"
    nocol.write_text('{"text": "Write about rain. Use fewer than 9 words."}\n')
    empty = tmp_path/"empty.jsonl"
    empty.write_text('{"prompt": ""}\n{"prompt": "   "}\n')
    plain = tmp_path/"plain.jsonl"
    plain.write_text('{"prompt": "Tell me about rain."}\n{"prompt": "Tell me about owls."}\n')
    busy = tmp_path/"busy"
    busy.mkdir(); (busy/"keep.txt").write_text("precious")
    all_fail({
        "missing": (["run", tmp_path/"missing.yaml"], ["config file not found"]),
        "key": (["run", tmp_path/"bad.yaml"], ["unknown config key(s) 'learnin_rate'", "valid keys"]),
        "set": (["demo", "--set", "stepz=3"], ["unknown config key(s) 'stepz'"]),
        "zero": (["demo", "--steps", "0"], ["steps must be at least 1"]),
        "negative": (["run", "--steps", "-3"], ["steps must be at least 1"]),
        "o1": (["run", "--model", tiny_model, "--prompts", nocol, "--out", tmp_path/"o1"], ["has no column 'prompt' (columns: text)", "--prompt-column"]),
        "o2": (["run", "--model", tiny_model, "--prompts", empty, "--out", tmp_path/"o2"], ["no non-empty prompts"]),
        "o3": (["run", "--model", tiny_model, "--prompts", plain, "--out", tmp_path/"o3"],
               ["none of the 2 prompts read is usable: 2 without a constraint the verifier can check", "--reward rm:ORG/NAME"]),
        "o4": (["run", "--strategies", "plain@0.7,beam", "--out", tmp_path/"o4"], ["unknown strategy 'beam'"]),
        "o5": (["run", "--per-device-train-batch-size", "6", "--out", tmp_path/"o5"], ["multiple of num_generations"]),
        "busy": (["run", *tiny_flags(tiny_model, tmp_path), "--out", busy], ["exists and is not empty", "--overwrite"]),
    })
    for o in ["o1", "o2", "o3", "o4", "o5"]: assert not (tmp_path/o).exists(), f"a refused run must not leave {o} behind"
    assert (busy/"keep.txt").read_text() == "precious" and sorted(p.name for p in busy.iterdir()) == ["keep.txt"]

def test_every_error_is_one_line(tiny_model, tmp_path):
    "Argument parsing, odd files, values of the wrong type and errors while reading prompts: `tao-hub: error: <one line>`, exit 2."
    (tmp_path/"latin1.yaml").write_bytes("model: caf\xe9\n".encode("latin-1"))
    (tmp_path/"null.yaml").write_text("steps:\n")
    (tmp_path/"list.yaml").write_text("- steps\n- 2\n")
    (tmp_path/"tabs.yaml").write_text("steps: [1\n")
    (tmp_path/"folder.yaml").mkdir()
    (tmp_path/"broken.jsonl").write_text('{"prompt": "Write about rain. Use fewer than 9 words."}\n{"prompt": \n')
    (tmp_path/"binary.txt").write_bytes(b"\xff\xfe\x00garbage\x81")
    (tmp_path/"empty.csv").write_text("")
    (tmp_path/"ps").mkdir()
    prompts = ["--model", tiny_model, "--out"]
    all_fail({
        "nocommand": ([], ["the following arguments are required: COMMAND"]),
        "badcommand": (["trian"], ["invalid choice: 'trian'"]),
        "badflag": (["run", "--stepz", 3], ["unrecognized arguments: --stepz"]),
        "type": (["run", "--steps", "many"], ["argument --steps: config key 'steps' expects int, got 'many'"]),
        "float": (["run", "--learning-rate", "fast"], ["expects float, got 'fast'"]),
        "bool": (["run", "--load-in-4bit", "perhaps"], ["expects true, false or auto, got 'perhaps'"]),
        "temperature": (["run", "--temperature", "-1"], ["temperature must be positive"]),
        "latin1": (["run", tmp_path/"latin1.yaml"], ["could not read config file", "not UTF-8"]),
        "null": (["run", tmp_path/"null.yaml"], ["config key 'steps' expects int, got nothing (null)"]),
        "list": (["run", tmp_path/"list.yaml"], ["must be a mapping of key: value"]),
        "yaml": (["run", tmp_path/"tabs.yaml"], ["is not valid YAML"]),
        "folder": (["run", tmp_path/"folder.yaml"], ["is a folder"]),
        "dataset": (["run", "--dataset", "./prompts.jsonl"], ["an existing local file or folder", "--prompts"]),
        "broken": (["run", "--prompts", tmp_path/"broken.jsonl", *prompts, tmp_path/"o1"],
                   ["could not read prompt file", "line 2 is not valid JSON", "fix or remove that line"]),
        "binary": (["run", "--prompts", tmp_path/"binary.txt", *prompts, tmp_path/"o2"], ["could not read prompt file"]),
        "emptycsv": (["run", "--prompts", tmp_path/"empty.csv", *prompts, tmp_path/"o3"], ["could not read prompt file"]),
        "promptdir": (["run", "--prompts", tmp_path/"ps", *prompts, tmp_path/"o4"], ["is a folder"]),
        "outfile": (["run", "--out", tmp_path/"latin1.yaml"], ["exists and is not a folder"]),
    })
    for o in ["o1", "o2", "o3", "o4"]: assert not (tmp_path/o).exists()

NOISY = after_import("bitsandbytes",       # bitsandbytes 0.50 prints at import on some CPUs, in the three ways libraries do
                     'logging.getLogger("bitsandbytes.cextension").warning("SIMULATED bitsandbytes was compiled without GPU support")',
                     'warnings.warn("SIMULATED import-time warning", UserWarning)', 'print("SIMULATED import-time print", file=sys.stderr)')

def test_library_noise_stays_off_the_error_path(tiny_model, tmp_path):
    "On a machine whose libraries print at import (simulated with a sitecustomize hook), errors are still one line and the noise goes to OUT/tao-hub.log."
    (tmp_path/"hook").mkdir(); (tmp_path/"hook"/"sitecustomize.py").write_text(NOISY)
    env = {"PYTHONPATH": str(tmp_path/"hook")}
    probe = subprocess.run([sys.executable, "-c", "import bitsandbytes"], capture_output=True, text=True, env=os.environ | env)
    for said in ["SIMULATED bitsandbytes was compiled", "SIMULATED import-time warning", "SIMULATED import-time print"]:
        assert said in probe.stderr, probe.stderr                     # the simulation is live: without tao-hub's care these reach stderr
    nocol = tmp_path/"nocol.jsonl"
    nocol.write_text('{"text": "Write about rain. Use fewer than 9 words."}\n')
    all_fail({"config": (["run", tmp_path/"missing.yaml"], ["config file not found"]),
               "prompts": (["run", "--model", tiny_model, "--prompts", nocol, "--out", tmp_path/"o1"], ["has no column 'prompt'"]),
               "strategy": (["explore", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--strategies", "beam",
                             "--out", tmp_path/"o2"], ["unknown strategy 'beam'"])},
             env)
    out = tmp_path/"r"
    r = tao("explore", *tiny_flags(tiny_model, tmp_path), "--out", out, env=env)
    assert r.returncode == 0 and "SIMULATED" not in r.stderr + r.stdout, r.stderr[-2000:]
    log = (out/"tao-hub.log").read_text()
    assert "SIMULATED bitsandbytes was compiled without GPU support" in log and "SIMULATED import-time print" in log, log[-2000:]
    r = tao("score", "--out", out, "--verbose", env=env)              # --verbose shows them again
    assert r.returncode == 0 and "SIMULATED" in r.stderr

