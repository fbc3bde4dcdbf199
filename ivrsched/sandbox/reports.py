"""Pushing delivery reports to ``notifyUrl`` (S10), with httpx.

A report goes only to a host named in :attr:`SandboxConfig.report_hosts` (loopback by
default): an arbitrary ``notifyUrl`` must not turn the sandbox into a way to reach other
machines. A report the receiver does not accept (no answer, or a status other than 2xx) is tried
again later, each wait twice the one before, :attr:`SandboxConfig.report_tries` times in all;
it stays available to ``GET /voice/1/reports`` either way.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from ivrsched.sandbox.config import SandboxConfig
from ivrsched.sandbox.store import ReportRecord, SandboxStore
from ivrsched.simulation.reports import render

__all__ = ["ReportSender"]

LOG = logging.getLogger("ivrsched.sandbox")

#: How long one push may take before it counts as failed.
PUSH_TIMEOUT_SECONDS = 10.0


class ReportSender:
    """Posts the reports that are due, in the order they became due."""

    def __init__(self, config: SandboxConfig, store: SandboxStore) -> None:
        self._config = config
        self._store = store
        self._client: object | None = None

    async def start(self) -> None:
        import httpx

        # No proxies from the environment, no redirects: a report goes where it says, or not.
        self._client = httpx.AsyncClient(timeout=PUSH_TIMEOUT_SECONDS, trust_env=False,
                                         follow_redirects=False)

    async def stop(self) -> None:
        import httpx

        if isinstance(self._client, httpx.AsyncClient):
            await self._client.aclose()
        self._client = None

    def allowed(self, url: str) -> bool:
        """Whether ``url`` is an http(s) URL whose host may receive reports."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.hostname in self._config.report_hosts

    async def push_due(self, now_us: int) -> None:
        """Post every report due at or before ``now_us`` that has not been accepted yet."""
        for report in list(self._store.pushes_due(now_us)):
            await self._push(report, now_us)

    async def _push(self, report: ReportRecord, now_us: int) -> None:
        import httpx

        assert report.notify_url is not None
        if not self.allowed(report.notify_url):
            LOG.warning("report for %s not pushed: %s is not an allowed report host",
                        report.message_id, urlsplit(report.notify_url).hostname)
            self._store.retry_push(report.id, now_us, give_up=True)
            return
        body = render({"results": [report.result]}, report.content_type)
        accepted = False
        if isinstance(self._client, httpx.AsyncClient):
            try:
                answer = await self._client.post(
                    report.notify_url, content=body,
                    headers={"Content-Type": report.content_type})
                accepted = 200 <= answer.status_code < 300
            except httpx.HTTPError as exc:
                LOG.info("report for %s: %s", report.message_id, exc)
        if accepted:
            self._store.mark_pushed(report.id)
            return
        tries = report.tries + 1
        wait = self._config.report_backoff_us * 2 ** (tries - 1)
        self._store.retry_push(report.id, now_us + wait,
                               give_up=tries >= self._config.report_tries)
