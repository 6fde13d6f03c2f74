"""LLM judges served over HTTP (`judge:endpoint:URL@MODEL`): whole rounds against a real OpenAI-compatible server on 127.0.0.1
(`tao_hub.testing.chat_server`, real sockets and JSON, the real `InferenceClient`), with a scripted judge that prefers longer answers."""
import json, re
from conftest import all_fail, one_line_error, tao
from tao_hub.testing.chat_server import ChatServer
from tao_hub.testing.tiny import tiny_prompts

def by_length(messages, body):
    "A scripted judge: rates an answer by its word count; in a group, scores each answer by its word count."
    q = messages[-1]["content"]
    answers = re.findall(r"\[Response ?\d*\]\n(.*?)(?=\n\n\[Response|\n\nCompare|\n\nRate|\n\nScore)", q, re.S)
    if "Compare the" in q: return json.dumps(dict(scores=[min(10, len(a.split())) for a in answers]))
    return str(min(9, max(1, len(answers[0].split()) if answers else 5)))

def small(tiny_model, tmp_path) -> list:
    return ["--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"prompts.jsonl"), "--n-train", 8, "--n-eval", 4, "--max-new-tokens", 8,
            "--strategies", "plain@1.0,restate@1.0", "--generation-batch", 16]

def test_group_judge_scores_a_round_and_grpo_and_a_rerun_asks_nothing(tiny_model, tmp_path):
    rubric = tmp_path/"rubric.txt"
    rubric.write_text("Prefer the answer that greets the user.\nLonger is better.")
    env = dict(HF_TOKEN="hf_must_not_reach_the_judge", TAO_HUB_CACHE=str(tmp_path/"cache"))
    with ChatServer(by_length) as server:
        args = ["run", *small(tiny_model, tmp_path), "--reward", f"judge:endpoint:{server.url}@judge-model", "--judge-mode", "group",
                "--judge-rubric", rubric, "--recipe", "grpo", "--steps", 1, "--num-generations", 2, "--per-device-train-batch-size", 4,
                "--max-completion-length", 8, "--out", tmp_path/"r"]
        r = tao(*args, env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        asked = len(server.requests)
        assert all(q["body"].get("model") == "judge-model" for q in server.requests)
        assert not any("hf_must_not" in str(q["authorization"]) for q in server.requests)        # a user's HF token stays home
        groups = [q for q in server.requests if "Compare the" in q["body"]["messages"][-1]["content"]]
        assert groups and all("Prefer the answer that greets the user.\nLonger is better." in q["body"]["messages"][-1]["content"] for q in groups)
        expl = json.loads((tmp_path/"r"/"exploration.json").read_text())
        j = expl["judges"][0]
        assert j["mode"] == "group" and j["groups"] >= 1 and j["unreadable"] == 0, j
        assert j["order_agreement"] in (None, 1.0) and j["first_slot_bias"] in (None, 0.0), j     # a judge with no position bias
        log = json.loads((tmp_path/"r"/"train_log.json").read_text())
        assert any("rewards/judge" in k for step in log for k in step), log[:2]                # GRPO was rewarded by the judge
        card = (tmp_path/"r"/"README.md").read_text()
        assert "group mode" in card and "> Longer is better." in card and "from rubric.txt" in card and server.url in card
        assert "hf_must_not" not in card + (tmp_path/"r"/"tao-hub.log").read_text()
        r = tao(*args, "--overwrite", "--recipe", "sft", env=env)               # same seed, same candidates: every verdict is cached
        assert r.returncode == 0, r.stderr[-3000:]
        assert len(server.requests) == asked + 1, len(server.requests) - asked   # only the start-up check

def test_point_judge_and_a_judge_that_dies_mid_round(tiny_model, tmp_path):
    env, calls = dict(TAO_HUB_CACHE=str(tmp_path/"cache")), []
    def dying(messages, body):
        calls.append(1)
        if len(calls) > 6: raise ConnectionError("the judge died")             # the connection drops without an answer
        return by_length(messages, body)
    with ChatServer(dying) as server:
        args = ["run", *small(tiny_model, tmp_path), "--reward", f"judge:endpoint:{server.url}@judge-model", "--judge-concurrency", 2,
                "--out", tmp_path/"r"]
        r = tao(*args, env=env)
        one_line_error(r, "judge", "failed 5 times", "cached", alone=False)
        assert (tmp_path/"r"/"candidates.jsonl").exists()                         # exploration is kept
        cached = sum(1 for _ in (tmp_path/"cache"/"judge").glob("*.jsonl") for l in _.read_text().splitlines())
        assert cached >= 5, cached                                                # and the verdicts received before it died
    with ChatServer(by_length) as server:                                         # back up, on another port, same model
        r = tao(*[a if "judge:endpoint" not in str(a) else f"judge:endpoint:{server.url}@judge-model" for a in args], "--resume", env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        point = [q for q in server.requests if "Rate the response" in q["body"]["messages"][-1]["content"]]
        assert point and not any("Compare the" in q["body"]["messages"][-1]["content"] for q in server.requests)
        card = (tmp_path/"r"/"README.md").read_text()
        assert "point mode" in card and "(the default)" in card and "strict grader" in card

def test_bad_judge_settings_fail_before_any_work(tiny_model, tmp_path):
    base = small(tiny_model, tmp_path)
    gone = ChatServer(by_length); dead = gone.url; gone.close()
    all_fail({"not a url": (["run", *base, "--reward", "judge:endpoint:localhost:8000", "--out", tmp_path/"a"], ["not an http(s) URL"]),
              "no rubric": (["run", *base, "--reward", f"judge:endpoint:{dead}", "--judge-rubric", tmp_path/"none.txt", "--out", tmp_path/"b"],
                            ["judge_rubric", "is not a file"]),
              "bad mode": (["run", *base, "--reward", f"judge:endpoint:{dead}", "--judge-mode", "pairs", "--out", tmp_path/"c"], ["judge_mode"]),
              "local group": (["run", *base, "--reward", f"judge:{tiny_model}", "--judge-mode", "group", "--out", tmp_path/"d"],
                              ["needs a judge that writes", "judge:endpoint:URL"]),
              "key in url": (["run", *base, "--reward", "judge:endpoint:http://me:pw@127.0.0.1:9/v1", "--out", tmp_path/"f"], ["TAO_HUB_JUDGE_KEY"]),
              "split groups": (["run", *base, "--reward", f"judge:endpoint:{dead}", "--judge-mode", "group", "--recipe", "grpo",
                                "--num-processes", 2, "--out", tmp_path/"g"], ["GRPO in 2 processes splits them"])})
    r = tao("run", *base, "--reward", f"judge:endpoint:{dead}", "--out", tmp_path/"e", env=dict(TAO_HUB_CACHE=str(tmp_path/"cache")))
    one_line_error(r, "failed 5 times (unreachable", alone=False)
    assert not (tmp_path/"e"/"candidates.jsonl").exists()                        # it failed before exploring
