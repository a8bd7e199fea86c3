"""How a route answers with a view's result: run it off the event loop, under the views' lock."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from fairgift.web.views import Views

NO_STORE = {"Cache-Control": "no-store"}  # every answer is about the chain now


async def answer(views: Views, fn, *args) -> JSONResponse:
    """`fn(*args)` as JSON; an `HttpError` (or the API's `FairGiftError`) it raises is answered
    by the app's error handlers in the one error shape."""
    return JSONResponse(await run_in_threadpool(views.run, fn, *args), headers=NO_STORE)
