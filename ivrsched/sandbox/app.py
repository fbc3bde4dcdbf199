"""The sandbox's HTTP face: the platform's routes, its error shapes and its authentication,
over :class:`~ivrsched.sandbox.campaigns.Sandbox` (the engine part).

Every handler answers JSON; a fault in the request is the platform's 400 document, a missing
or wrong ``Authorization`` 401, an unknown bulk 404, an operation the lifecycle (S13) does not
allow 400 too (``BAD_REQUEST`` in the body, as the platform names it); nothing else escapes as a
stack trace: an unexpected error is a 500 with a generic text.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ivrsched.errors import IvrschedError, RequestError
from ivrsched.sandbox.campaigns import BulkNotFound, LifecycleRefused, Sandbox
from ivrsched.sandbox.clock import ClockError, SandboxClock
from ivrsched.sandbox.config import SandboxConfig
from ivrsched.sandbox.wire import bad_request, service_error, validation_error

__all__ = ["create_app"]

Handler = Callable[[HttpRequest], Awaitable[Response]]


class _BodyTooLarge(Exception):
    pass


class _BadBody(Exception):
    pass


def _error(status: int, document: dict[str, object]) -> JSONResponse:
    return JSONResponse(document, status_code=status)


async def _json_body(request: HttpRequest, limit: int) -> Any:
    """The request body as JSON, read in chunks so that an oversized body is refused before it
    is all in memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _BadBody("the body is not JSON text in UTF-8") from exc


def _guarded(config: SandboxConfig, handler: Handler) -> Handler:
    """Authentication first, then the handler, with every error mapped to the wire."""

    async def guarded(request: HttpRequest) -> Response:
        if not config.credentials.accepts(request.headers.get("authorization")):
            return _error(401, service_error("UNAUTHORIZED", "Invalid login details"))
        try:
            return await handler(request)
        except _BodyTooLarge:
            return _error(413, service_error(
                "BAD_REQUEST", f"the body is larger than {config.max_body_bytes} bytes"))
        except _BadBody as exc:
            return _error(400, bad_request(str(exc)))
        except RequestError as exc:
            return _error(400, validation_error(exc.errors))
        except BulkNotFound as exc:
            return _error(404, service_error("NOT_FOUND", str(exc)))
        except (LifecycleRefused, ClockError) as exc:
            return _error(400, service_error("BAD_REQUEST", str(exc)))
        except IvrschedError as exc:
            return _error(400, bad_request(str(exc)))
        except Exception:  # never a stack trace on the wire
            return _error(500, service_error("GENERAL_ERROR", "internal error"))

    return guarded


def create_app(config: SandboxConfig, clock: SandboxClock) -> Starlette:
    """The ASGI application of a sandbox with ``config``, whose time is ``clock``."""
    sandbox = Sandbox(config, clock)
    limit = config.max_body_bytes

    async def submit(request: HttpRequest, dialect: str, status: int = 200) -> Response:
        body = await _json_body(request, limit)
        return JSONResponse(await sandbox.submit(body, dialect), status_code=status)

    async def ivr_messages(request: HttpRequest) -> Response:
        return await submit(request, "ivr")

    async def tts_advanced(request: HttpRequest) -> Response:
        return await submit(request, "tts-advanced")

    async def calls_bulks(request: HttpRequest) -> Response:
        # The Calls API answers a created bulk with 201 (its published OpenAPI description).
        return await submit(request, "calls-bulk", 201)

    async def reports(request: HttpRequest) -> Response:
        query = request.query_params
        limit_text = query.get("limit")
        if limit_text is not None and not limit_text.isdigit():
            raise _BadBody("limit must be a whole number")
        results = await sandbox.pull_reports(query.get("bulkId"), query.get("messageId"),
                                             None if limit_text is None else int(limit_text))
        return JSONResponse({"results": results})

    def _bulk_id(request: HttpRequest) -> str:
        bulk_id = request.path_params.get("bulkId") or request.query_params.get("bulkId")
        if not bulk_id:
            raise _BadBody("bulkId is required")
        return str(bulk_id)

    async def tts_bulk(request: HttpRequest) -> Response:
        bulk_id = _bulk_id(request)
        if request.method == "GET":
            return JSONResponse(await sandbox.voice_bulk(bulk_id))
        body = await _json_body(request, limit)
        send_at = body.get("sendAt") if isinstance(body, dict) else None
        if not isinstance(send_at, str):
            raise _BadBody("sendAt is required, as an ISO 8601 instant")
        return JSONResponse(await sandbox.reschedule(bulk_id, send_at))

    async def tts_bulk_status(request: HttpRequest) -> Response:
        bulk_id = _bulk_id(request)
        if request.method == "GET":
            return JSONResponse(await sandbox.voice_bulk_status(bulk_id))
        body = await _json_body(request, limit)
        status = body.get("status") if isinstance(body, dict) else None
        if status not in ("PAUSED", "PROCESSING", "CANCELED"):
            raise _BadBody("status must be PAUSED, PROCESSING or CANCELED")
        return JSONResponse(await sandbox.set_voice_bulk_status(bulk_id, status))

    async def calls_bulk(request: HttpRequest) -> Response:
        return JSONResponse(await sandbox.calls_bulk_status(_bulk_id(request)))

    def calls_operation(operation: str) -> Handler:
        async def handle(request: HttpRequest) -> Response:
            bulk_id = _bulk_id(request)
            if operation == "reschedule":
                body = await _json_body(request, limit)
                start = body.get("startTime") if isinstance(body, dict) else None
                if not isinstance(start, str):
                    raise _BadBody("startTime is required, as an ISO 8601 instant")
                return JSONResponse(await sandbox.calls_reschedule(bulk_id, start))
            return JSONResponse(await sandbox.calls_operation(bulk_id, operation))

        return handle

    async def sandbox_clock(request: HttpRequest) -> Response:
        if request.method == "POST":
            body = await _json_body(request, limit)
            if not isinstance(body, dict) or len(body.keys() & {"advance", "to"}) != 1:
                raise _BadBody('give {"advance": "PT2H"} or {"to": "<instant>"}')
            await sandbox.move_clock(advance=body.get("advance"), to=body.get("to"))
        return JSONResponse(sandbox.clock_document())

    async def sandbox_calls(request: HttpRequest) -> Response:
        return JSONResponse({"calls": await sandbox.calls_log()})

    routes = [
        Route("/voice/ivr/1/messages", ivr_messages, methods=["POST"]),
        Route("/tts/3/advanced", tts_advanced, methods=["POST"]),
        Route("/calls/1/bulks", calls_bulks, methods=["POST"]),
        Route("/voice/1/reports", reports, methods=["GET"]),
        Route("/tts/3/bulks", tts_bulk, methods=["GET", "PUT"]),
        Route("/tts/3/bulks/status", tts_bulk_status, methods=["GET", "PUT"]),
        Route("/calls/1/bulks/{bulkId}", calls_bulk, methods=["GET"]),
        *(Route(f"/calls/1/bulks/{{bulkId}}/{operation}", calls_operation(operation),
                methods=["POST"]) for operation in ("pause", "resume", "cancel", "reschedule")),
        Route("/sandbox/clock", sandbox_clock, methods=["GET", "POST"]),
        Route("/sandbox/calls", sandbox_calls, methods=["GET"]),
    ]
    routes = [Route(r.path, _guarded(config, r.endpoint), methods=sorted(r.methods or []))
              for r in routes]

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    async def not_found(request: HttpRequest, exc: Exception) -> Response:
        return _error(404, service_error("NOT_FOUND", "no such resource"))

    async def not_allowed(request: HttpRequest, exc: Exception) -> Response:
        return _error(405, service_error("BAD_REQUEST", "method not allowed"))

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.sandbox = sandbox
    return app
