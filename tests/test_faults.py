"""Faults users hit, each found outside the project: every prompt over the token budget, a damaged adapter, a push with nothing
to push, and a re-run after a run that failed before computing anything. Each ends in one line and loses nothing computed."""
import json
from tao_hub.testing.tiny import tiny_prompts
from conftest import tao, all_fail, one_line_error

def test_faults_users_hit_end_in_one_line(tiny_model, tmp_path):
    "Every prompt over the token budget (with a reward model given), a damaged --init-adapter, a push with no adapter: one line each, before any work."
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from tao_hub.testing.tiny import tiny_reward_model_dir
    long = tmp_path/"long.jsonl"
    long.write_text('{"prompt": "Write about rain. Use fewer than 9 words."}\n{"prompt": "Write about owls. Use fewer than 9 words."}\n')
    cut = tmp_path/"cut"
    get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model), LoraConfig(r=2, target_modules="all-linear")).save_pretrained(cut)
    weights = cut/"adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:len(weights.read_bytes()) // 2])      # a copy cut short
    unfinished = tmp_path/"unfinished"
    unfinished.mkdir(); (unfinished/"metrics.json").write_text("{}"); (unfinished/"README.md").write_text("# card")
    runs = all_fail({
        "budget": (["run", "--model", tiny_model, "--prompts", long, "--max-prompt-tokens", 4, "--reward-model", tiny_reward_model_dir(),
                    "--out", tmp_path/"o1"], ["none of the 2 prompts read is usable: 2 over the token budget (max_prompt_tokens=4)",
                                              "raise --max-prompt-tokens, or pass --prompt-overflow truncate"]),
        "adapter": (["run", "--model", tiny_model, "--init-adapter", cut, "--out", tmp_path/"o2"],
                    [f"--init-adapter {cut} has a damaged adapter_model.safetensors", "a copy cut short?"]),
        "push": (["push", unfinished, "--to", "test-org/x"],
                 [f"{unfinished}/adapter holds no adapter (adapter_config.json): nothing to push", "pass the --out folder of a finished round"]),
    })
    assert not (tmp_path/"o1").exists() and not (tmp_path/"o2").exists()
    said = runs["budget"].stdout                                        # the scorers line came before the error
    assert "verifier:constraints + rm:" in said and "--reward-model adds its model to --reward" in said, said

def test_failed_model_load_does_not_block_its_rerun(tiny_model, tmp_path):
    "A run that failed while loading its model computed nothing: the same command with the model fixed runs in the same folder."
    out, wrong = tmp_path/"r", tmp_path/"not-a-model"
    wrong.mkdir()
    flags = ["--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--n-train", 4, "--n-eval", 2, "--max-new-tokens", 4, "--strategies", "plain@1.0", "--out", out]
    one_line_error(tao("explore", "--model", wrong, *flags), "could not load model")
    assert (out/"config.json").exists()                                 # the failed run had prepared its folder
    r = tao("explore", "--model", tiny_model, *flags)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len((out/"candidates.jsonl").read_text().splitlines()) == 4
    assert json.loads((out/"config.json").read_text())["model"] == str(tiny_model)
