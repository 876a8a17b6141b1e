"""`medvlseg serve` under load (reliability issue, item 5), from a second process on loopback.

Starts the service on RUN as a subprocess (with a bearer token and its own TMPDIR), takes one
reference answer, then keeps CLIENTS concurrent clients (threads of this process, one HTTP connection
each) posting the image for SECONDS. It checks and records:

- every answered request is correct: its mask and presence equal the reference answer's;
- requests over the bound (``--max-concurrent`` running + ``--max-queue`` waiting) are refused at
  once with 503 and Retry-After (their latency is recorded too), never queued without limit;
- p50 / p95 latency of answers and refusals, throughput;
- the server's resident memory (``/proc/PID/status`` VmRSS, sampled every 0.2 s): after warm-up,
  its peak under load, 5 s after the load stopped, and after a second, shorter round of the same
  load (a leak grows from round to round; memory the allocator keeps for its threads does not);
- refused as they should be: an upload over the size limit (413), a file that is not an image (422,
  naming it), no token and a wrong token (401); a client that disconnects mid-upload leaves nothing
  new in the server's TMPDIR (what was there after warm-up, such as torch's own cache folder, aside)
  and no open file.

    python benchmarks/load_service.py runs/medclipseg-lite-universal \\
        --image ../shared/datasets/fuseg/images/<id>.png --prompt "foot ulcer" \\
        --out benchmarks/results/load_service.json

Exits non-zero when a check fails. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

TOKEN = "load-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _post(client: httpx.Client, url: str, image: bytes, name: str, prompt: str, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"{url}/segment", files={"file": (name, image, "application/octet-stream")},
                       data={"prompt": prompt}, headers=headers, timeout=300)


def _raw_status(port: int, request: bytes) -> int | str:
    """Send ``request`` (headers only) on a new connection; the status code of the reply (or what
    went wrong, as text)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request)
            reply = sock.recv(256).decode("latin-1")
        return int(reply.split()[1])
    except (OSError, IndexError, ValueError) as exc:
        return f"no status ({type(exc).__name__}: {exc})"


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _answer(resp: httpx.Response) -> tuple:
    """What must not change from one answer to the next: mask and presence of every prompt."""
    return tuple((r["prompt"], r["mask_png"], r["present"]) for r in resp.json()["results"])


def run(args: argparse.Namespace) -> dict:
    image = Path(args.image).read_bytes()
    name = Path(args.image).name
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_tmp = Path(tempfile.mkdtemp(prefix="medvlseg-load-tmp-"))
    log = open(server_tmp.parent / f"{server_tmp.name}.log", "w")  # noqa: SIM115 - closed at the end
    cmd = [sys.executable, "-m", "medvlseg", "serve", str(args.run), "--port", str(port), "--token", TOKEN,
           "--max-concurrent", str(args.max_concurrent), "--max-queue", str(args.max_queue), "--device", "cpu"]
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(server_tmp)})
    failures: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}; see {log.name}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not come up in 300 s")
            time.sleep(0.3)

        with httpx.Client() as c:
            ref = _post(c, url, image, name, args.prompt)
            if ref.status_code != 200:
                raise SystemExit(f"reference request: {ref.status_code} {ref.text[:300]}")
            reference = _answer(ref)
            for _ in range(4):  # warm-up
                _post(c, url, image, name, args.prompt)
        rss_start, fds_start = rss_mb(server.pid), open_fds(server.pid)
        tmp_start = {p.name for p in server_tmp.iterdir()}

        samples: list[float] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    samples.append(rss_mb(server.pid))
                except (OSError, RuntimeError):  # the server is gone: the clients will say so
                    return
                time.sleep(0.2)

        answered: list[float] = []
        refused: list[float] = []
        wrong: list[str] = []
        other: list[str] = []
        lock = threading.Lock()
        t_end = 0.0

        def client() -> None:
            with httpx.Client() as c:
                while time.monotonic() < t_end:
                    t0 = time.monotonic()
                    try:
                        r = _post(c, url, image, name, args.prompt)
                    except httpx.HTTPError as exc:  # counted, not lost with its thread
                        with lock:
                            other.append(f"{type(exc).__name__}: {exc}")
                        continue
                    dt = time.monotonic() - t0
                    with lock:
                        if r.status_code == 200:
                            answered.append(dt)
                            if _answer(r) != reference:
                                wrong.append(f"answer differs from the reference after {dt:.2f} s")
                        elif r.status_code == 503:
                            refused.append(dt)
                            if r.headers.get("retry-after") != "1":
                                other.append("503 without Retry-After")
                        else:
                            other.append(f"{r.status_code}: {r.text[:200]}")
                    if r.status_code == 503:
                        time.sleep(args.retry_s)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        def load(seconds: float) -> float:
            nonlocal t_end
            t0 = time.monotonic()
            t_end = t0 + seconds
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.monotonic() - t0

        load_s = load(args.seconds)
        time.sleep(5)
        rss_after = rss_mb(server.pid)
        n_first = len(answered)
        load(args.seconds / 3)  # the second round
        stop.set()
        sampler.join()
        time.sleep(5)
        rss_after_second = rss_mb(server.pid)
        if rss_after_second > rss_after * 1.05 + 20:
            failures.append(f"memory grew from round to round: {rss_after:.0f} MB after the first, {rss_after_second:.0f} MB after the second")

        # what must be refused, and how
        checks: dict[str, object] = {}
        # 26 MB announced, over the 25 MB limit: refused from the header, before the body is sent
        checks["oversized_upload"] = _raw_status(port, (
            f"POST /segment HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {26 * 2**20}\r\n\r\n").encode())
        with httpx.Client() as c:
            r = _post(c, url, b"this is not an image", "notes.png", args.prompt)
            checks["not_an_image"] = r.status_code
            checks["not_an_image_names_the_file"] = "notes.png" in r.text
            checks["no_token"] = _post(c, url, image, name, args.prompt, token=None).status_code
            checks["wrong_token"] = _post(c, url, image, name, args.prompt, token="guess").status_code
        head = (f"POST /segment HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len(image) + 200}\r\n\r\n"
                '--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
                f'--b\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n').encode()
        for _ in range(10):  # ten clients gone mid-upload
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(head + image[: len(image) // 2])
        time.sleep(2)
        left = sorted(p.name for p in server_tmp.iterdir() if p.name not in tmp_start)
        checks["left_in_server_tmpdir"] = left
        # Starlette spools an upload into an unnamed temporary file: one left behind would be an open
        # file of the server's, not a name in its TMPDIR
        fds_end = open_fds(server.pid)
        checks["open_files_after_minus_before"] = fds_end - fds_start
        expected = {"oversized_upload": 413, "not_an_image": 422, "not_an_image_names_the_file": True,
                    "no_token": 401, "wrong_token": 401, "left_in_server_tmpdir": []}
        if fds_end > fds_start + 2:
            failures.append(f"the server holds {fds_end - fds_start} more open files than before the load")
        failures += [f"{k}: got {checks[k]!r}, expected {v!r}" for k, v in expected.items() if checks[k] != v]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(server_tmp, ignore_errors=True)

    n = n_first
    failures += wrong[:5] + other[:5]
    if n == 0:
        failures.append("no request was answered")
    slow_refusals = [dt for dt in refused if dt > args.max_refusal_s]
    if slow_refusals:
        failures.append(f"{len(slow_refusals)} refusals took longer than {args.max_refusal_s} s")
    result = {
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "clients": args.clients, "seconds": round(load_s, 1), "max_concurrent": args.max_concurrent, "max_queue": args.max_queue,
        "answered": n, "answered_per_s": round(n / load_s, 2), "wrong_answers": len(wrong), "other_statuses": len(other),
        "refused_503": len(refused),
        "answer_latency_s": {"p50": _pct(answered, 0.5), "p95": _pct(answered, 0.95), "max": max(answered, default=None)},
        "answered_in_both_rounds": len(answered),
        "refusal_latency_s": {"p50": _pct(refused, 0.5), "p95": _pct(refused, 0.95), "max": max(refused, default=None)},
        "server_rss_mb": {"after_warmup": round(rss_start, 1), "peak_under_load": round(max(samples, default=rss_start), 1),
                          "5_s_after_load": round(rss_after, 1), "5_s_after_a_second_round": round(rss_after_second, 1)},
        "checks": checks, "failures": failures,
    }
    for key in ("answer_latency_s", "refusal_latency_s"):
        result[key] = {k: (None if v is None else round(v, 4)) for k, v in result[key].items()}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run directory or .safetensors file to serve")
    ap.add_argument("--image", required=True)
    ap.add_argument("--prompt", default="target")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-concurrent", type=int, default=1)
    ap.add_argument("--max-queue", type=int, default=8)
    ap.add_argument("--retry-s", type=float, default=0.05, help="a refused client waits this long before its next request")
    ap.add_argument("--max-refusal-s", type=float, default=1.0, help="a refusal slower than this fails the run")
    ap.add_argument("--out", help="write the result as JSON here")
    args = ap.parse_args(argv)
    result = run(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        from medvlseg.utils import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
