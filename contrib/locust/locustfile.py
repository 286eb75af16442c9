"""A Locust user that behaves like LoopScope's simulated user (docs/LOAD_CLIENT.md).

Closed model: each user sends one chat request, waits for the whole answer, thinks, and sends
the next. Every request carries the user's user_id and session_id, the API key (X-API-Key) and an
X-LoopScope-User header naming the Locust worker and user, so a recording made with
`loopscope serve --record DIR` shows which worker and which user sent each request.

    locust -f contrib/locust/locustfile.py --host http://127.0.0.1:8000 \\
        --headless --users 100 --spawn-rate 50 --run-time 60s --stop-timeout 30 \\
        --loopscope-api-key "$KEY"

Distributed (one master, N workers) and recorded: see docs/LOAD_CLIENT.md, "Locust".

Options (command line, or the environment variable in brackets; the master passes them to its
workers):
  --loopscope-api-key K      X-API-Key (LOOPSCOPE_API_KEY)
  --loopscope-think S        think time between a user's requests, seconds (LOOPSCOPE_THINK, 1)
  --loopscope-think-distribution fixed|uniform|exponential (LOOPSCOPE_THINK_DISTRIBUTION, fixed)
  --loopscope-think-spread S uniform: half-width, seconds (LOOPSCOPE_THINK_SPREAD, 0)
  --loopscope-stream         POST /v1/chat/stream and read the server-sent events to the end
                             (LOOPSCOPE_STREAM=1)
  --loopscope-message TEXT   the message (LOOPSCOPE_MESSAGE)
"""

import itertools
import json
import os
import random
import time
import uuid

import gevent
import locust.runners
import locust.stats
from locust import HttpUser, events, task

# Debian bookworm's python3-locust (2.12.1-1) ships an empty version string (locust/_version.py:
# version = ''). A worker announces itself with that version and the master refuses an empty one
# ("An old (pre 2.0) worker tried to connect"), so distributed mode never starts. Master and
# workers all load this file: giving them the same non-empty version lets them talk.
if not locust.runners.__version__:
    locust.runners.__version__ = "2.12.1+debian"


def _quit_after_final_reports(self):
    """MasterRunner.quit, but waiting for every worker's last report.

    At --run-time a headless master quits at once: it tells the workers to quit and waits only half
    a second for their last statistics. The workers first let their users finish the request they
    are in (--stop-timeout), and those requests, answered by the server, were missing from Locust's
    totals (and from --csv). Here the master waits until each worker has reported with no user
    left (at most --stop-timeout + 10 s), and for --csv to be written once more, so Locust's request
    count is every request its users completed.
    """
    self.stop(send_stop_to_client=False)
    waiting = {client.id for client in self.clients.all}

    def on_report(client_id, data, **_kwargs):
        if data.get("user_count") == 0:
            waiting.discard(client_id)

    self.environment.events.worker_report.add_listener(on_report)
    for client in self.clients.all:
        self.server.send_to_client(locust.runners.Message("quit", None, client.id))
    deadline = time.monotonic() + (self.environment.stop_timeout or 0) + 10
    while waiting and time.monotonic() < deadline:
        gevent.sleep(0.1)
    # --csv is rewritten every CSV_STATS_INTERVAL_SEC by a greenlet of its own: let it write the
    # complete statistics once more.
    gevent.sleep(locust.stats.CSV_STATS_INTERVAL_SEC + 0.5)
    self.greenlet.kill(block=True)


locust.runners.MasterRunner.quit = _quit_after_final_reports

_user_numbers = itertools.count()


@events.init_command_line_parser.add_listener
def _add_arguments(parser):
    env = os.environ.get
    parser.add_argument("--loopscope-api-key", default=env("LOOPSCOPE_API_KEY", ""),
                        help="LoopScope API key (X-API-Key)")
    parser.add_argument("--loopscope-think", type=float, default=float(env("LOOPSCOPE_THINK", "1")),
                        help="think time between a user's requests, seconds")
    parser.add_argument("--loopscope-think-distribution", default=env("LOOPSCOPE_THINK_DISTRIBUTION", "fixed"),
                        choices=["fixed", "uniform", "exponential"], help="how think times vary")
    parser.add_argument("--loopscope-think-spread", type=float, default=float(env("LOOPSCOPE_THINK_SPREAD", "0")),
                        help="uniform think time: half-width, seconds")
    parser.add_argument("--loopscope-stream", action="store_true", default=env("LOOPSCOPE_STREAM", "") == "1",
                        help="use /v1/chat/stream and read the whole event stream")
    parser.add_argument("--loopscope-message", default=env("LOOPSCOPE_MESSAGE", "Hello, how are you?"),
                        help="the chat message each request sends")


class LoopScopeUser(HttpUser):
    """One simulated user: user_id and session_id stay the same across its requests."""

    def wait_time(self):
        o = self.environment.parsed_options
        think = max(0.0, o.loopscope_think)
        if o.loopscope_think_distribution == "uniform":
            spread = max(0.0, o.loopscope_think_spread)
            return max(0.0, random.uniform(think - spread, think + spread))
        if o.loopscope_think_distribution == "exponential":
            return random.expovariate(1.0 / think) if think > 0 else 0.0
        return think

    def on_start(self):
        runner = self.environment.runner
        worker = getattr(runner, "worker_index", 0) if runner is not None else 0
        number = next(_user_numbers)
        self.user_id = f"locust-w{worker}-u{number}"
        self.session_id = str(uuid.uuid4())
        o = self.environment.parsed_options
        self.client.headers.update({
            "X-API-Key": o.loopscope_api_key,
            "X-LoopScope-User": self.user_id,
            "Content-Type": "application/json",
        })
        self.body = json.dumps({"user_id": self.user_id, "session_id": self.session_id,
                                "message": o.loopscope_message})

    @task
    def chat(self):
        if self.environment.parsed_options.loopscope_stream:
            self._chat_stream()
            return
        with self.client.post("/v1/chat", data=self.body, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    def _chat_stream(self):
        # With stream=True Locust times the response headers only; the answer is the whole stream,
        # so its time is taken when the last event has been read (as LoopScope's client does).
        started = time.perf_counter()
        with self.client.post("/v1/chat/stream", data=self.body, stream=True,
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            first_token = None
            length = 0
            for line in response.iter_lines():
                length += len(line) + 1
                if first_token is None and line.startswith(b"event: token"):
                    first_token = time.perf_counter()
            response.request_meta["response_time"] = (time.perf_counter() - started) * 1000
            response.request_meta["response_length"] = length
            if first_token is None:
                response.failure("the stream ended without a token")


@events.test_stop.add_listener
def _report_last_requests(environment, **_kwargs):
    # A worker sends its statistics every 3 s, and once more when it is told to quit; the master
    # waits only half a second for that last report before writing --csv. On a busy machine the
    # requests answered while the users stopped could miss it. Sent here, right after the users
    # stopped, the report reaches the master before the worker says it has stopped.
    runner = environment.runner
    if runner is not None and type(runner).__name__ == "WorkerRunner":
        runner._send_stats()
