"""Real HTTP against `ashiato serve`, each page as a share of what the framework can serve.

Starts `ashiato serve` on the database named by DATABASE_URL (seeded by bench/seed.py), or
uses the one at --url, logs in as a seeded member, then for each page measures:

    ceiling → page → ceiling

where the ceiling is a one-route Litestar app served by uvicorn the same way (one process,
the same uvicorn options as `ashiato serve`), started by this script. A page's ratio is its
req/s over the mean of the two ceilings around it, so the machine's load at that moment
cancels out (mostly: this is a 2-core machine, the load generator shares it).

The load generator is wrk when installed (a Lua script sends the session cookie and counts
answers other than 200), else a built-in closed-loop asyncio/httpx client; both keep
--connections requests in flight. --open-loop adds, per page, a run at half the measured
peak rate (requests sent on schedule, latency counted from the scheduled moment) for p99.

Pages: anonymous login page, a static CSS file, another member's profile (writes a
footprint), own footprints page, another member's diary with comments, a thread page of
50 replies, home. Prints a table and, as its last line, one JSON object.

    DATABASE_URL=sqlite:///var/bench.sqlite3 python bench/web.py [--duration 5]
        [--connections 32] [--open-loop] [--builtin] [--url http://127.0.0.1:8000]
        [--email member1@example.jp] [--password ashiato-bench] [--pages profile,home]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "ashiato-bench"  # bench/seed.py gives every member this one

# summary.errors.status counts answers of 400 and above (a page's login redirect would be
# a 303: check_page rules that out before each run).
WRK_SCRIPT = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
wrk.headers["Accept-Language"] = "ja"
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "bad": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

CEILING_APP = """
from litestar import Litestar, get


@get("/", sync_to_thread=False)
def ceiling() -> str:
    return "ok"


app = Litestar(route_handlers=[ceiling])
"""


@dataclass
class Run:
    """One measurement: closed loop (rps is the peak) or open loop (rps is the rate asked)."""

    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    bad: int = 0  # answers other than 200, and socket errors


@dataclass
class PageResult:
    name: str
    path: str
    page: Run
    ceilings: list[Run] = field(default_factory=list)
    open_loop: Run | None = None

    @property
    def ceiling_rps(self) -> float:
        return statistics.mean(run.rps for run in self.ceilings)

    @property
    def ratio(self) -> float:
        return self.page.rps / self.ceiling_rps if self.ceiling_rps else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                await client.get(url, timeout=2)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.3)
    raise SystemExit(f"nothing answered at {url} within {seconds:.0f} s")


class Servers:
    """The site (unless --url) and the ceiling app, as child processes logging to files."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []

    def start(self, arguments: list[str], env: dict[str, str], log_name: str) -> None:
        log = open(self.workdir / log_name, "w")  # noqa: SIM115 (closed with the process)
        self.processes.append(
            subprocess.Popen(
                arguments,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
            )
        )

    async def site(self, database_url: str) -> str:
        port, smtp, relay = free_port(), free_port(), free_port()
        env = {
            "DATABASE_URL": database_url,
            "ASHIATO_VAR_DIR": str(self.workdir / "var"),
            "ASHIATO_SMTP_RELAY": f"127.0.0.1:{relay}",  # nothing to send; no dev sink
            "PYTHONPATH": f"{ROOT / 'site'}{os.pathsep}{ROOT}",
        }
        arguments = [sys.executable, "-m", "ashiato", "serve", "--port", str(port)]
        self.start([*arguments, "--smtp-port", str(smtp)], env, "site.log")
        url = f"http://127.0.0.1:{port}"
        await wait_until_up(url + "/login")
        return url

    async def ceiling(self) -> str:
        """Served like `ashiato serve` serves the site: uvicorn, one process, lifespan on,
        log level info (an access log line per request), proxy headers off."""
        (self.workdir / "ceiling_app.py").write_text(CEILING_APP)
        port = free_port()
        arguments = [
            sys.executable, "-m", "uvicorn", "ceiling_app:app", "--host", "127.0.0.1",
            "--port", str(port), "--lifespan", "on", "--log-level", "info",
            "--no-proxy-headers", "--app-dir", str(self.workdir),
        ]  # fmt: skip
        self.start(arguments, {}, "ceiling.log")
        url = f"http://127.0.0.1:{port}/"
        await wait_until_up(url)
        return url

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


async def log_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a logged-in member (session and CSRF cookies)."""
    async with httpx.AsyncClient(base_url=base) as client:
        await client.get("/login")
        token = client.cookies.get("csrftoken", "")
        answer = await client.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token}
        )
        if answer.status_code != 303:
            raise SystemExit(f"login as {email} failed: HTTP {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


VIEWER_SQL = "SELECT id FROM member WHERE pc_email = $1"
DIARY_SQL = (
    "SELECT d.id, d.author FROM diary d JOIN friendship f ON f.friend = d.author "
    "WHERE f.member = $1 AND d.visibility = 'everyone' "
    "ORDER BY d.comment_count DESC, d.id LIMIT 1"
)
TOPIC_SQL = "SELECT id, community FROM topic WHERE reply_count >= 50 ORDER BY id LIMIT 1"


async def targets(database_url: str, email: str) -> dict[str, int]:
    """Ids for the pages: the viewer, a maimiku's diary with the most comments (so the
    profile and the diary are another member's), and a thread of 50+ replies."""
    if urlparse(database_url).scheme in {"postgres", "postgresql"}:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            viewer = await connection.fetchrow(VIEWER_SQL, email)
            diary = viewer and await connection.fetchrow(DIARY_SQL, viewer[0])
            topic = await connection.fetchrow(TOPIC_SQL)
        finally:
            await connection.close()
    else:
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            viewer = connection.execute(VIEWER_SQL.replace("$1", "?"), (email,)).fetchone()
            diary = (
                viewer and connection.execute(DIARY_SQL.replace("$1", "?"), (viewer[0],)).fetchone()
            )
            topic = connection.execute(TOPIC_SQL).fetchone()
        finally:
            connection.close()
    if not viewer:
        raise SystemExit(f"no member {email}: seed the database with bench/seed.py first")
    if not diary or not topic:
        raise SystemExit("the database has no maimiku diary or no thread of 50 replies")
    return {
        "viewer": viewer[0],
        "diary": diary[0],
        "other": diary[1],
        "topic": topic[0],
        "community": topic[1],
    }


def pages_for(ids: dict[str, int]) -> list[tuple[str, str, bool]]:
    """(name, path, logged in)."""
    thread = f"/communities/{ids['community']}/topics/{ids['topic']}?page=1"  # replies 1–50
    return [
        ("login page (anonymous)", "/login", False),
        ("static CSS", "/static/site.css", False),
        ("profile view (footprint)", f"/members/{ids['other']}", True),
        ("own footprints", "/footprints/", True),
        ("diary with comments", f"/diaries/{ids['diary']}", True),
        ("thread page (50 replies)", thread, True),
        ("home", "/", True),
    ]


async def check_page(url: str, cookie: str) -> None:
    """The page answers 200 twice with the same cookie (so every request of a run is the
    page, not a redirect to the login)."""
    async with httpx.AsyncClient() as client:
        for _ in range(2):
            answer = await client.get(url, headers={"cookie": cookie})
            if answer.status_code != 200:
                raise SystemExit(f"{url} answered {answer.status_code}, not 200")


def wrk_run(url: str, cookie: str, seconds: float, connections: int, script: Path) -> Run:
    threads = min(2, connections)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "30s", "--latency", "-s", str(script), url,
    ]  # fmt: skip
    done = subprocess.run(
        command, env={**os.environ, "BENCH_COOKIE": cookie}, capture_output=True, text=True
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith('{"requests"')]
    if not lines:
        raise SystemExit(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(lines[-1])
    return Run(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        bad=figures["errors"] + figures["bad"],
    )


class Recorder:
    """Latencies and failed answers of the built-in client's requests."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.bad = 0

    async def get(self, client: httpx.AsyncClient, url: str, since: float) -> None:
        try:
            answer = await client.get(url)
            self.bad += answer.status_code != 200
        except httpx.HTTPError:
            self.bad += 1
        self.latencies.append(time.perf_counter() - since)

    def run(self, rps: float) -> Run:
        return Run(
            rps=rps,
            p50_ms=percentile(self.latencies, 0.50) * 1000,
            p95_ms=percentile(self.latencies, 0.95) * 1000,
            p99_ms=percentile(self.latencies, 0.99) * 1000,
            requests=len(self.latencies),
            bad=self.bad,
        )


def client_for(cookie: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"cookie": cookie, "accept-language": "ja"}
    return httpx.AsyncClient(limits=limits, headers=headers, timeout=30)


async def builtin_run(url: str, cookie: str, seconds: float, connections: int) -> Run:
    """Closed loop: `connections` clients, each sending its next request when one returns."""
    recorder = Recorder()
    async with client_for(cookie, connections) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await recorder.get(client, url, time.perf_counter())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        took = time.perf_counter() - started
    return recorder.run(len(recorder.latencies) / took)


async def open_loop_run(url: str, cookie: str, seconds: float, rate: float) -> Run:
    """Requests sent on a fixed schedule whatever the answers do; each latency is counted
    from the moment its request was due, so a stall is not hidden (no coordinated omission)."""
    recorder = Recorder()
    async with client_for(cookie, 512) as client:
        started = time.perf_counter()
        tasks = []
        for index in range(int(seconds * rate)):
            due = started + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(recorder.get(client, url, due)))
        await asyncio.gather(*tasks)
    return recorder.run(rate)


async def measure(args: argparse.Namespace) -> dict:
    database_url = os.environ.get("DATABASE_URL", "sqlite:///var/bench.sqlite3")
    ids = await targets(database_url, args.email)
    use_wrk = shutil.which("wrk") is not None and not args.builtin
    workdir = Path(tempfile.mkdtemp(prefix="ashiato-bench-web-"))
    script = workdir / "session.lua"
    script.write_text(WRK_SCRIPT)
    servers = Servers(workdir)
    results: list[PageResult] = []
    try:
        base = args.url.rstrip("/") if args.url else await servers.site(database_url)
        ceiling = await servers.ceiling()
        cookie = await log_in(base, args.email, args.password)

        async def closed(url: str, with_cookie: str) -> Run:
            if use_wrk:
                return await asyncio.to_thread(
                    wrk_run, url, with_cookie, args.duration, args.connections, script
                )
            return await builtin_run(url, with_cookie, args.duration, args.connections)

        chosen = set(args.pages.split(",")) if args.pages else None
        for name, path, logged_in in pages_for(ids):
            if chosen and not any(word in name for word in chosen):
                continue
            url, page_cookie = base + path, cookie if logged_in else ""
            await check_page(url, page_cookie)
            print(f"  {name} …", file=sys.stderr, flush=True)
            result = PageResult(name, path, page=Run(0, 0, 0, 0, 0))
            result.ceilings.append(await closed(ceiling, ""))
            result.page = await closed(url, page_cookie)
            result.ceilings.append(await closed(ceiling, ""))
            if args.open_loop:
                rate = min(args.open_loop_max_rate, max(1.0, result.page.rps / 2))
                result.open_loop = await open_loop_run(url, page_cookie, args.duration, rate)
            results.append(result)
    finally:
        servers.stop()

    print()
    print(
        f"{'page':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'ceiling':>10}{'ratio':>8}{'bad':>6}"
        + (f"{'½ rate':>9}{'p99 ms':>9}" if args.open_loop else "")
    )
    for result in results:
        run = result.page
        line = (
            f"{result.name:<28}{run.rps:>9.1f}{run.p50_ms:>9.1f}{run.p95_ms:>9.1f}"
            f"{run.p99_ms:>9.1f}{result.ceiling_rps:>10.0f}{result.ratio:>8.1%}{run.bad:>6}"
        )
        if result.open_loop:
            line += f"{result.open_loop.rps:>9.1f}{result.open_loop.p99_ms:>9.1f}"
        print(line)
    if any(result.page.requests < args.connections for result in results):
        print("\nsome pages finished fewer requests than --connections: raise --duration")
    print(
        f"\n{'wrk' if use_wrk else 'built-in client'}, {args.connections} connections, "
        f"{args.duration:g} s a run; load average {os.getloadavg()[0]:.2f}; "
        f"{urlparse(database_url).scheme} database"
    )
    return {
        "bench": "web",
        "database": urlparse(database_url).scheme,
        "tool": "wrk" if use_wrk else "builtin",
        "connections": args.connections,
        "duration_s": args.duration,
        "load_average": round(os.getloadavg()[0], 2),
        "pages": {
            result.path: {
                "name": result.name,
                "rps": round(result.page.rps, 1),
                "p50_ms": round(result.page.p50_ms, 2),
                "p95_ms": round(result.page.p95_ms, 2),
                "p99_ms": round(result.page.p99_ms, 2),
                "bad": result.page.bad,
                "ceiling_rps": round(result.ceiling_rps, 1),
                "ratio": round(result.ratio, 4),
                **(
                    {
                        "open_loop_rps": round(result.open_loop.rps, 1),
                        "open_loop_p99_ms": round(result.open_loop.p99_ms, 2),
                    }
                    if result.open_loop
                    else {}
                ),
            }
            for result in results
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="", help="a running site (default: start one)")
    parser.add_argument("--email", default="member1@example.jp", help="a seeded member")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each run")
    parser.add_argument("--connections", type=int, default=32, help="requests in flight")
    parser.add_argument("--builtin", action="store_true", help="the built-in client, not wrk")
    parser.add_argument("--open-loop", action="store_true", help="also p99 at half peak rate")
    parser.add_argument(
        "--open-loop-max-rate", type=float, default=100, help="req/s cap of the built-in sender"
    )
    parser.add_argument("--pages", default="", help="comma-separated words of page names")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args))))


if __name__ == "__main__":
    main()
