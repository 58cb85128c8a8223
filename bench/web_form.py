"""`web_form`: the public form pages under 50 concurrent visitors, against the real server
(SQLite, 2 uvicorn workers, as `bippop-central serve --workers 2` runs it).

Each visitor (a thread with its own httpx client: its own cookie and form token) loops:
opens "J'ai besoin d'aide" (the form page: commune, catalogue, token), sends a right
form (Origin check, rate limits in the database, token, every field checked, the
records written in one transaction; answered 303), and fetches the stylesheet, with a
think time of THINK_S between requests (people read and type; 50 visitors at once then
offer ~100 requests/s, several times a busy commune's real traffic). Visitors start
staggered. The floor is that stylesheet: a bare route through the same server and
middleware, in the same run. Limits and quota are set wide: the bench measures the
path, not the refusals.
Printed: p50/p95 of each; the value is the worse p95 of the page and the submission.

Target: p95 <= 100 ms for the form page and for a submission.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import percentile, report

TARGET_MS = 100.0
USERS = 50
ROUNDS = 6 if os.environ.get("BIPPOP_BENCH_SMALL") == "1" else 20
THINK_S = 0.15
FORM = {
    "for_whom": "moi", "first_name": "Odette", "last_name": "Lemoine",
    "phone": "03 44 12 34 56", "address_line": "3 rue Solférino", "postal_code": "60200",
    "city": "Compiègne", "mission_type": "visite", "consent": "oui",
}  # fmt: skip


def _catalogue(server: object, insee: str) -> None:
    from tests.servers import batch, client, mutation

    _device, token = server.enroll(insee)  # type: ignore[attr-defined]
    with client(server, token) as desk:  # type: ignore[arg-type]
        answer = desk.post("/api/v1/push", json=batch(
            mutation("mission_type", code="visite", label="Visite de convivialité",
                     family="mobilite_inversee", active=True, sort_order=1),
            mutation("mission_type", code="courses", label="Livraison de courses",
                     family="mobilite_inversee", active=True, sort_order=2),
        ))  # fmt: skip
        answer.raise_for_status()


def run() -> dict[str, object]:
    from tests.servers import start_central

    folder = Path(tempfile.mkdtemp(prefix="bippop-bench-web-"))
    env = {"BIPPOP_WEB_LIMITS": "ip=1000000/60,commune=1000000/60",
           "BIPPOP_WEB_DAILY_QUOTA": "1000000", "BIPPOP_WEB_MIN_FILL_S": "0"}  # fmt: skip
    server = start_central(f"sqlite:///{folder / 'central.sqlite3'}", workers=2, env=env)
    timings: dict[str, list[float]] = {"page": [], "submit": [], "bare": []}
    lock = threading.Lock()
    failures: list[str] = []
    try:
        server.add_commune("60159", "Compiègne", "60")
        _catalogue(server, "60159")
        url = "/communes/60159/besoin-d-aide"
        start = threading.Barrier(USERS)

        def visitor(n: int) -> None:
            mine: dict[str, list[float]] = {"page": [], "submit": [], "bare": []}
            with httpx.Client(base_url=server.url, headers={"Origin": server.url},
                              timeout=30) as http:  # fmt: skip
                http.get(url)  # the cookie
                start.wait()
                time.sleep(n * 3 * THINK_S / USERS)  # staggered, as people arrive
                for round_ in range(ROUNDS):
                    began = time.perf_counter()
                    page = http.get(url)
                    mine["page"].append(time.perf_counter() - began)
                    time.sleep(THINK_S)
                    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
                    name = "Lemoine-" + "".join("abcdefghij"[int(d)] for d in f"{n}{round_}")
                    form = {**FORM, "last_name": name, "csrf": found.group(1) if found else ""}
                    began = time.perf_counter()
                    sent = http.post(url, data=form)
                    mine["submit"].append(time.perf_counter() - began)
                    time.sleep(THINK_S)
                    began = time.perf_counter()
                    http.get("/static/site.css")
                    mine["bare"].append(time.perf_counter() - began)
                    time.sleep(THINK_S)
                    if page.status_code != 200 or sent.status_code != 303:
                        with lock:
                            failures.append(f"{page.status_code}/{sent.status_code}")
            with lock:
                for key, values in mine.items():
                    timings[key] += values

        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(USERS)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.stop()
    p95 = {key: percentile(values, 0.95) * 1000 for key, values in timings.items()}
    p50 = {key: percentile(values, 0.5) * 1000 for key, values in timings.items()}
    value = max(p95["page"], p95["submit"])
    requests = sum(len(v) for v in timings.values())
    return report(
        "web_form",
        value,
        "ms",
        TARGET_MS,
        p95["bare"],
        value <= TARGET_MS and not failures,
        users=f"{USERS} concurrent visitors x {ROUNDS} rounds (page, submission, stylesheet, "
        f"{THINK_S * 1000:.0f} ms between requests); SQLite, 2 uvicorn workers",
        page_ms=f"p50 {p50['page']:.0f}, p95 {p95['page']:.0f}",
        submit_ms=f"p50 {p50['submit']:.0f}, p95 {p95['submit']:.0f}",
        bare_ms=f"p50 {p50['bare']:.0f}, p95 {p95['bare']:.0f} (the floor: a static file)",
        throughput=f"{requests:,} requests in {elapsed:.1f} s ({requests / elapsed:.0f}/s)",
        failures=f"{len(failures)} {failures[:3]}",
    )
