"""The LibreTranslate API, as LibreTranslate 1.9.6's ``app.py`` defines it.

``POST /translate`` (form or JSON; ``q`` a string or a list; ``source`` a
code or ``auto``; ``format`` text|html; ``alternatives``; ``api_key`` in the
body or query), ``GET /translate`` (what OmegaT's plugin sends; 1.9.6 has
no GET), ``GET /languages`` (a form body on the GET is ignored, as
``libretranslatepy`` sends one), ``POST /detect``, ``GET /frontend/settings``,
``GET /health``.  Errors are ``{"error": ...}`` with its status codes and
messages.  Every answer to ``/translate`` also carries ``transkit``: the
term checks and memory use per text, which clients that do not know it
ignore.
"""

from __future__ import annotations

from typing import Any

from transkit.serve.errors import ApiError
from transkit.serve.params import Params, read_params

__all__ = ["routes"]


def _state(request: Any) -> Any:
    return request.app.state


def _access(request: Any, params: Params) -> Any:
    """LibreTranslate's access check: 403 for a wrong key, 400 for none."""
    keys = _state(request).keys
    if keys is None:
        return None
    key = params.get("api_key")
    entry = keys.find(key if isinstance(key, str) else None)
    if key and entry is None:
        raise ApiError(403, "Invalid API key")
    if entry is None:
        raise ApiError(400, "Please contact the server operator to get an API key")
    if not keys.allow_request(entry):
        raise ApiError(429, f"Slowdown: {entry.requests} per key", {"Retry-After": "1"})
    return entry


def _missing(name: str) -> ApiError:
    return ApiError(400, f"Invalid request: missing {name} parameter")


def _language(request: Any, code: str) -> str:
    names = _state(request).service.language_names()
    return names.get(code, code)


async def translate(request: Any) -> Any:
    from starlette.responses import JSONResponse

    params = await read_params(request, body=request.method == "POST")
    entry = _access(request, params)
    config = _state(request).config
    service = _state(request).service
    q = params.get("q")
    source = params.get("source")
    target = params.get("target")
    text_format = params.get("format")
    alternatives = params.get("alternatives", 0)
    if not q:
        raise _missing("q")
    if not source or not isinstance(source, str):
        raise _missing("source")
    if not target or not isinstance(target, str):
        raise _missing("target")
    try:
        alternatives = max(0, int(alternatives))
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid request: alternatives parameter is not a number") from None
    if config.alternatives_limit != -1 and alternatives > config.alternatives_limit:
        raise ApiError(
            400,
            f"Invalid request: alternatives parameter must be <= {config.alternatives_limit}",
        )
    batch = isinstance(q, list)
    if batch and not all(isinstance(t, str) for t in q):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    if not batch and not isinstance(q, str):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    if not params.is_json and isinstance(q, str):
        q = "\n".join(q.splitlines())
    texts: list[str] = q if batch else [q]
    if batch and config.batch_limit != -1 and len(texts) > config.batch_limit:
        raise ApiError(
            400,
            f"Invalid request: request ({len(texts)}) exceeds text limit ({config.batch_limit})",
        )
    for text in texts:
        if config.char_limit != -1 and len(text) > config.char_limit:
            raise ApiError(
                400,
                f"Invalid request: request ({len(text)}) exceeds text limit ({config.char_limit})",
            )
    source, target = source.lower(), target.lower()
    names = service.language_names()
    if source == "auto":
        from transkit.serve.detect import detect_languages

        # detected among the languages that translate into the target
        sources = {s for s, t in service.pairs if t == target} or {s for s, _ in service.pairs}
        detected = detect_languages(texts, sources)[0]
        if detected["language"] not in sources:
            detected = {"confidence": detected["confidence"], "language": sorted(sources)[0]}
    else:
        detected = {"confidence": 100.0, "language": source}
    src = detected["language"]
    if src not in names:
        raise ApiError(400, f"{source} is not supported")
    if target not in names:
        raise ApiError(400, f"{target} is not supported")
    text_format = text_format or "text"
    if text_format not in ("text", "html"):
        raise ApiError(400, f"{text_format} format is not supported")
    if (src, target) not in service.packages:
        raise ApiError(
            400,
            f"{_language(request, target)} ({target}) is not available as a target language "
            f"from {_language(request, src)} ({src})",
        )
    if entry is not None and not _state(request).keys.allow_characters(
        entry, sum(len(t) for t in texts)
    ):
        raise ApiError(429, f"Slowdown: {entry.characters} per key", {"Retry-After": "60"})
    results = await service.translate(
        (src, target),
        texts,
        markup="html" if text_format == "html" else None,
        alternatives=alternatives,
    )
    if batch:
        body: dict[str, Any] = {"translatedText": [r.text for r in results]}
        if source == "auto":
            body["detectedLanguage"] = [detected] * len(texts)
        if alternatives > 0:
            body["alternatives"] = [r.alternatives for r in results]
        body["transkit"] = [r.report() for r in results]
    else:
        body = {"translatedText": results[0].text}
        if source == "auto":
            body["detectedLanguage"] = detected
        if alternatives > 0:
            body["alternatives"] = results[0].alternatives
        body["transkit"] = results[0].report()
    return JSONResponse(body)


async def languages(request: Any) -> Any:
    from starlette.responses import JSONResponse

    service = _state(request).service
    names = service.language_names()
    targets: dict[str, list[str]] = {}
    for src, tgt in service.pairs:
        targets.setdefault(src, []).append(tgt)
    return JSONResponse(
        [
            {"code": code, "name": name, "targets": sorted(targets.get(code, []))}
            for code, name in names.items()
        ]
    )


async def detect(request: Any) -> Any:
    from starlette.responses import JSONResponse

    from transkit.serve.detect import detect_languages

    params = await read_params(request)
    _access(request, params)
    q = params.get("q")
    if not q:
        raise _missing("q")
    texts = q if isinstance(q, list) else [q]
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    limit = _state(request).config.char_limit
    if limit != -1 and any(len(t) > limit for t in texts):
        raise ApiError(400, f"Invalid request: request exceeds text limit ({limit})")
    return JSONResponse(detect_languages(texts, _state(request).service.language_names()))


async def frontend_settings(request: Any) -> Any:
    from starlette.responses import JSONResponse

    state = _state(request)
    names = state.service.language_names()
    pairs = state.service.pairs
    target = pairs[0][1] if pairs else "en"
    return JSONResponse(
        {
            "charLimit": state.config.char_limit,
            "frontendTimeout": state.config.frontend_timeout,
            "apiKeys": state.keys is not None,
            "keyRequired": state.keys is not None,
            "suggestions": False,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {
                "source": {"code": "auto", "name": "Auto Detect"},
                "target": {"code": target, "name": names.get(target, target)},
            },
        }
    )


async def health(request: Any) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse({"status": "ok"})


async def suggest(request: Any) -> Any:
    raise ApiError(403, "Suggestions are disabled on this server.")


async def translate_file(request: Any) -> Any:
    raise ApiError(403, "Files translation are disabled on this server.")


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/translate", translate, methods=["GET", "POST"]),
        Route("/languages", languages, methods=["GET"]),
        Route("/detect", detect, methods=["POST"]),
        Route("/frontend/settings", frontend_settings, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/suggest", suggest, methods=["POST"]),
        Route("/translate_file", translate_file, methods=["POST"]),
    ]
