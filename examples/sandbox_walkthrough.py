"""A campaign against `ivrsched serve` in virtual time, with the platform's own Python client.

Run it from the repository's root (it needs the server extra and infobip-api-python-client):

    python examples/sandbox_walkthrough.py

It starts a sandbox on 127.0.0.1 in virtual time, launches the bundled paced request through
the platform's client, moves the clock three hours, and prints every call placed and every
delivery report pulled. It stops the sandbox before it ends.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from infobip_api_client import ApiClient, Configuration
from infobip_api_client.api.voice_api import VoiceApi
from infobip_api_client.models.calls_launch_scenario_request import CallsLaunchScenarioRequest

HERE = Path(__file__).resolve().parent
API_KEY = "walkthrough"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [sys.executable, "-m", "ivrsched", "serve", "--data", data, "--port", str(port),
             "--clock", "virtual", "--start", "2030-01-07T09:00:00Z", "--api-key", API_KEY,
             "--seed", "1"])
        try:
            for _ in range(300):  # up to 30 s for the server to listen
                try:
                    httpx.get(f"{url}/sandbox/clock", timeout=1,
                              headers={"Authorization": f"App {API_KEY}"})
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            client = VoiceApi(ApiClient(Configuration(host=url, api_key=API_KEY)))
            request = json.loads((HERE / "sandbox-request.json").read_text(encoding="utf-8"))
            body = CallsLaunchScenarioRequest.from_dict(request)
            assert body is not None
            response = client.send_voice_messages_with_an_ivr_scenario(body)
            print(f"accepted bulk {response.bulk_id}: {len(response.messages or [])} calls")
            headers = {"Authorization": f"App {API_KEY}"}
            httpx.post(f"{url}/sandbox/clock", json={"advance": "PT3H"}, headers=headers,
                       timeout=60).raise_for_status()
            for call in httpx.get(f"{url}/sandbox/calls", headers=headers,
                                  timeout=60).json()["calls"]:
                print(f"{call['time']}  {call['to']}  attempt {call['attempt']}  "
                      f"{call['outcome']}")
            reports = client.get_voice_delivery_reports(bulk_id=response.bulk_id)
            for report in reports.results or []:
                status = report.status.name if report.status else None
                print(f"report {report.to}: {status}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
