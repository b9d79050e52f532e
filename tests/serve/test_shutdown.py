"""SIGTERM: stop accepting, finish what is in flight, exit 0 within 10 s; a full queue: 503."""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.error
import urllib.request

from serving import start_server


def _post(url: str, body: dict, out: list) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            out.append((response.status, json.loads(response.read()), {}))
    except urllib.error.HTTPError as err:
        out.append(
            (err.code, json.loads(err.read()), {k.lower(): v for k, v in err.headers.items()})
        )
    except OSError as err:
        out.append((0, str(err), {}))


def test_sigterm_finishes_in_flight_and_exits_zero(tmp_path) -> None:
    server = start_server(tmp_path, "--batch-window", "1000")
    results: list = []
    texts = [f"Die Regierung in Peking hat {n} neue Regeln für den Export." for n in range(6)]
    threads = [
        threading.Thread(
            target=_post,
            args=(server.url + "translate", {"q": t, "source": "de", "target": "en"}, results),
        )
        for t in texts
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.6)  # all connected; the requests wait in the batching window
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(timeout=15)
    elapsed = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=15)
    assert code == 0 and elapsed < 10
    assert len(results) == 6 and all(status == 200 for status, _, _ in results), results
    assert all("Beijing" in body["translatedText"] for _, body, _ in results)


def test_full_queue_answers_503_with_retry_after(tmp_path) -> None:
    server = start_server(tmp_path, "--queue-size", "1", "--batch-window", "400")
    results: list = []
    try:
        threads = [
            threading.Thread(
                target=_post,
                args=(
                    server.url + ("translate" if n % 2 else "v2/translate"),
                    {"q": f"Satz {n}.", "source": "de", "target": "en"}
                    if n % 2
                    else {"text": [f"Satz {n}."], "target_lang": "EN-US"},
                    results,
                ),
            )
            for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        refused = [r for r in results if r[0] == 503]
        assert refused and all(r[2].get("retry-after") for r in refused)
        assert all(("error" in r[1]) != ("message" in r[1]) for r in refused)  # each API's shape
        assert any(r[0] == 200 for r in results)
        status, body = server.get("health")
        assert status == 200  # still serving
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)


def test_clients_that_hang_up_do_not_stop_the_server(tmp_path) -> None:
    import socket

    server = start_server(tmp_path, "--batch-window", "200")
    try:
        port = int(server.url.rsplit(":", 1)[1].strip("/"))
        body = json.dumps({"q": "Die Regierung hat neue Regeln.", "source": "de", "target": "en"})
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(
                (
                    "POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
                ).encode()
            )
            sock.close()  # gone before the answer
        time.sleep(0.5)
        results: list = []
        _post(server.url + "translate", {"q": "Hallo.", "source": "de", "target": "en"}, results)
        assert results[0][0] == 200
        log = server.log.read_text()
        assert "client went away" in log and "Traceback" not in log
    finally:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0
