#!/usr/bin/env python3
"""Locust in distributed mode, recorded by `loopscope serve --record` (issue #23).

One Locust master and two workers on loopback, headless, 100 users for 15 s, drive
contrib/locust/locustfile.py against `loopscope serve --record DIR`. Then:
  - the recording's request count equals Locust's total request count (its --csv stats). The
    exception would be requests in flight when the recording started or stopped ("boundary"
    requests, kept in the run but not counted): here the recording starts before Locust and stops
    after it, so there must be none, and the test says how many there were;
  - the recording's p50 latency agrees with Locust's within 10 %;
  - every request carries the worker's X-LoopScope-User, and both workers' users are there;
  - report.html renders (parsed; and drawn by chromium when it is installed).

    test_locust_record.py LOOPSCOPE_BINARY WORK_DIR
"""

import csv
import html.parser
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

USERS = 100
RUN_TIME_S = 15
API_KEY = "locust-record-test"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(process, prefix, timeout_s, log):
    """Reads process stdout until a line containing prefix; returns the line."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        log.write(line)
        if prefix in line:
            return line
    fail(f"no '{prefix}' from {process.args[0]} within {timeout_s} s (see {log.name})")


def locust_binary():
    for candidate in ("/usr/bin/locust", shutil.which("locust")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    fail("locust is not installed (Debian: apt-get install python3-locust; scripts/setup.sh does it)")


class ReportParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    loopscope, work = sys.argv[1], os.path.abspath(sys.argv[2])
    source = os.environ.get("LOOPSCOPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    locustfile = os.path.join(source, "contrib", "locust", "locustfile.py")
    locust = locust_binary()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out_dir = os.path.join(work, "recording")
    server_log = open(os.path.join(work, "serve.log"), "w")
    env = dict(os.environ, LOOPSCOPE_API_KEY=API_KEY, PYTHONUNBUFFERED="1")

    # The server: async, two loops, a 3 s model, so that the Python client's own time (tens of ms
    # on a busy 2-core machine, which Locust counts and the server cannot see) stays a small part
    # of each latency (and Locust's percentiles, rounded to 100 ms above 1 s, stay within a few
    # per cent). Port 0: the kernel picks a free one.
    serve = subprocess.Popen(
        [loopscope, "serve", "--port", "0", "--mode", "async", "--workers", "2", "--llm-latency", "3",
         "--db-read-latency", "0.02", "--db-write-latency", "0.01", "--db", os.path.join(work, "history.db"),
         "--api-key", API_KEY, "--record", out_dir],
        stdout=subprocess.PIPE, stderr=server_log, text=True, env=env)
    processes = [serve]
    try:
        line = wait_for_line(serve, "serving http://", 60, server_log)
        url = line.split("serving ", 1)[1].split("/v1/chat")[0].strip()
        wait_for_line(serve, "Recording into", 30, server_log)
        print(f"loopscope serving {url}, recording into {out_dir}")

        master_port = free_port()
        common = ["-f", locustfile, "--loopscope-think", "1", "--loglevel", "WARNING"]
        csv_prefix = os.path.join(work, "locust")
        master_log = open(os.path.join(work, "locust-master.log"), "w")
        master = subprocess.Popen(
            [locust, *common, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port",
             str(master_port), "--headless", "--expect-workers", "2", "--expect-workers-max-wait", "120",
             "--users", str(USERS), "--spawn-rate", "50", "--run-time", f"{RUN_TIME_S}s", "--stop-timeout", "30",
             "--host", url, "--csv", csv_prefix, "--loopscope-api-key", API_KEY],
            stdout=master_log, stderr=subprocess.STDOUT, env=env)
        processes.append(master)
        for i in range(2):
            log = open(os.path.join(work, f"locust-worker-{i}.log"), "w")
            processes.append(subprocess.Popen(
                [locust, *common, "--worker", "--master-host", "127.0.0.1", "--master-port", str(master_port)],
                stdout=log, stderr=subprocess.STDOUT, env=env))
        try:
            master.wait(timeout=RUN_TIME_S + 240)
        except subprocess.TimeoutExpired:
            fail("the Locust master did not finish in time (see locust-master.log)")
        # Locust exits 1 when any request failed; the stats say which.
        print(f"locust master exited with {master.returncode}")
        for worker in processes[2:]:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()

        # Ctrl+C: the recording stops and is written.
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=180)
        except subprocess.TimeoutExpired:
            fail("loopscope serve did not write the recording in time")
        rest = serve.stdout.read()
        server_log.write(rest)
        server_log.flush()
        if serve.returncode != 0:
            fail(f"loopscope serve exited with {serve.returncode} (see {server_log.name})")
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()

    # Locust's totals, from its --csv statistics.
    with open(csv_prefix + "_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    aggregated = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if aggregated is None:
        fail("no Aggregated row in locust_stats.csv")
    locust_requests = int(aggregated["Request Count"])
    locust_failures = int(aggregated["Failure Count"])
    locust_p50_ms = float(aggregated["50%"])
    print(f"locust: {locust_requests} requests, {locust_failures} failed, p50 {locust_p50_ms:.0f} ms")
    if locust_requests < USERS:
        fail(f"Locust sent only {locust_requests} requests")
    if locust_failures:
        fail(f"{locust_failures} of Locust's requests failed")

    for name in ("run.json", "requests.csv", "trace.json", "report.html", "report.pdf"):
        path = os.path.join(out_dir, name)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            fail(f"the recording has no {name}")
    leftovers = [n for n in os.listdir(out_dir) if n.startswith(".")]
    if leftovers:
        fail(f"temporary files left in the recording folder: {leftovers}")

    with open(os.path.join(out_dir, "run.json")) as f:
        run = json.load(f)
    variant = run["variants"][0]
    recorded = variant["server_records"]
    boundary = variant["other_server_records"]
    metrics = variant["metrics"]
    print(f"recording: {len(recorded)} requests counted, {len(boundary)} in flight at its start or stop "
          f"(not counted), p50 {metrics['latency_p50_s'] * 1000:.0f} ms")
    if variant["client_records"]:
        fail("a recording has no client records")
    if any(not r.get("boundary") for r in boundary):
        fail("a request outside the recording's figures is not flagged boundary")
    if boundary:
        fail(f"{len(boundary)} requests straddle the recording, which began before Locust and ended after it")
    if int(metrics["requests"]) != len(recorded):
        fail(f"metrics.requests {metrics['requests']} != {len(recorded)} records")
    if len(recorded) != locust_requests:
        fail(f"the recording counted {len(recorded)} requests, Locust {locust_requests}")
    p50_ms = metrics["latency_p50_s"] * 1000
    if abs(p50_ms - locust_p50_ms) > 0.10 * locust_p50_ms:
        fail(f"p50 differs by more than 10 %: recorded {p50_ms:.1f} ms, Locust {locust_p50_ms:.1f} ms")

    # Who sent what: every request names its Locust user; users from both workers.
    users = {r.get("loopscope_user", "") for r in recorded}
    if "" in users:
        fail("a recorded request has no X-LoopScope-User")
    workers = {u.split("-u")[0] for u in users}
    if len(users) != USERS or len(workers) != 2:
        fail(f"expected {USERS} users on 2 workers, got {len(users)} users on {sorted(workers)}")
    if not all(r.get("client_address") == "127.0.0.1" and r.get("client_port", 0) > 0 for r in recorded):
        fail("a recorded request lacks its client address and port")
    if not all(r.get("user_agent", "").startswith("python-requests/") for r in recorded):
        fail("a recorded request lacks Locust's User-Agent")
    with open(os.path.join(out_dir, "requests.csv"), newline="") as f:
        csv_rows = list(csv.DictReader(f))
    if len(csv_rows) != len(recorded) or {r["loopscope_user"] for r in csv_rows} != users:
        fail("requests.csv does not list the recorded requests with their users")

    # report.html: well formed enough to parse, with its plots and the figures.
    parser = ReportParser()
    with open(os.path.join(out_dir, "report.html"), encoding="utf-8") as f:
        parser.feed(f.read())
    text = " ".join(parser.text)
    if parser.tags.get("svg", 0) < 2 or parser.tags.get("table", 0) < 2:
        fail(f"report.html lacks its plots or tables: {parser.tags}")
    for expected in ("Recorded server traffic", "not measured (recorded server-side)", f"{len(recorded):,}"):
        if expected not in text:
            fail(f"report.html does not say '{expected}'")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        png = os.path.join(work, "report.png")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                        "--window-size=1400,2000", "file://" + os.path.join(out_dir, "report.html")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
        if not os.path.isfile(png) or os.path.getsize(png) < 20000:
            fail("chromium did not render report.html")
        print(f"report.html rendered by chromium: {png}")
    print("PASS")


if __name__ == "__main__":
    main()
