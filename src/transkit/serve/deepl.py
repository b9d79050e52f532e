"""The DeepL API v2, as the official ``deepl`` Python client (1.32) calls it.

``POST /v2/translate`` (JSON, as the client sends it, or a form with
repeated ``text``), ``GET|POST /v2/languages`` (``type`` from the query or
the body; the client sends it as a form body on a GET), ``/v2/usage``,
``/v2/glossary-language-pairs`` and ``/v2/glossaries`` (create from TSV or
CSV, list, get, delete, ``/entries`` as TSV).  Auth is
``Authorization: DeepL-Auth-Key KEY`` (or the legacy ``auth_key``
parameter).  Errors are ``{"message": ...}`` with the statuses the client
maps: 403 auth, 456 quota, 429 too many requests, 400 bad request, 404 not
found.  Every translation carries ``billed_characters`` (the client fails
without it) and ``transkit`` (term checks; the client ignores it).
"""

from __future__ import annotations

from typing import Any

from transkit.serve.errors import ApiError
from transkit.serve.params import Params, read_params

__all__ = ["routes"]

_NAMES = {
    "EN-GB": "English (British)",
    "EN-US": "English (American)",
    "PT-PT": "Portuguese (European)",
    "PT-BR": "Portuguese (Brazilian)",
}
_REGIONAL = {"en": ("EN-GB", "EN-US"), "pt": ("PT-PT", "PT-BR")}


def _state(request: Any) -> Any:
    return request.app.state


def _key_of(request: Any, params: Params | None) -> str | None:
    header = request.headers.get("authorization", "")
    if header.startswith("DeepL-Auth-Key "):
        return header[len("DeepL-Auth-Key ") :].strip()
    if params is not None:
        value = params.get("auth_key")
        return value if isinstance(value, str) else None
    return None


def _access(request: Any, params: Params | None) -> Any:
    keys = _state(request).keys
    if keys is None:
        return None
    entry = keys.find(_key_of(request, params))
    if entry is None:
        raise ApiError(403, "Wrong or missing authentication key")
    if not keys.allow_request(entry):
        raise ApiError(429, "Too many requests", {"Retry-After": "1"})
    return entry


def _base(code: Any, what: str) -> str:
    if not isinstance(code, str) or not code.strip():
        raise ApiError(400, f"Value for '{what}' not supported.")
    return code.strip().split("-")[0].lower()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _tags(params: Params, name: str) -> list[str]:
    out: list[str] = []
    for value in params.values(name):
        if isinstance(value, str):
            out.extend(t.strip() for t in value.split(",") if t.strip())
    return out


async def translate(request: Any) -> Any:
    from starlette.responses import JSONResponse

    params = await read_params(request)
    entry = _access(request, params)
    state = _state(request)
    config, service = state.config, state.service
    texts = params.values("text")
    if not texts:
        raise ApiError(400, "Parameter 'text' not specified.")
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Parameter 'text' must be a string or a list of strings.")
    if config.batch_limit != -1 and len(texts) > config.batch_limit:
        raise ApiError(400, f"Too many texts: {len(texts)} (the limit is {config.batch_limit}).")
    if config.char_limit != -1 and any(len(t) > config.char_limit for t in texts):
        raise ApiError(400, f"Text too long: the limit is {config.char_limit} characters.")
    if params.get("target_lang") is None:
        raise ApiError(400, "Parameter 'target_lang' not specified.")
    target = _base(params.get("target_lang"), "target_lang")
    source_param = params.get("source_lang")
    glossary_id = params.get("glossary_id")
    if glossary_id is not None and not isinstance(glossary_id, str):
        raise ApiError(400, "Value for 'glossary_id' not supported.")
    if glossary_id and not source_param:
        raise ApiError(400, "Use of a glossary requires the source_lang parameter to be set.")
    sources = sorted({s for s, _ in service.pairs})
    if source_param:
        source = _base(source_param, "source_lang")
    else:  # detected among the languages that translate into the target
        from transkit.serve.detect import detect_languages

        into = sorted({s for s, t in service.pairs if t == target}) or sources
        source = detect_languages(texts, into)[0]["language"]
        if source not in into:
            source = into[0]
    if (source, target) not in service.packages:
        if source not in sources:
            raise ApiError(400, "Value for 'source_lang' not supported.")
        raise ApiError(400, "Value for 'target_lang' not supported.")
    tag_handling = params.get("tag_handling")
    if tag_handling not in (None, "", "xml", "html"):
        raise ApiError(400, "Value for 'tag_handling' not supported.")
    formality = params.get("formality")
    if formality not in (None, "", "default", "prefer_more", "prefer_less"):
        raise ApiError(400, "'formality' is not supported for given 'target_lang'.")
    split = params.get("split_sentences", "1")
    if str(split) not in ("0", "1", "nonewlines"):
        raise ApiError(400, "Value for 'split_sentences' not supported.")
    if glossary_id:
        try:
            info = service.store.info(glossary_id)
        except ApiError:
            raise ApiError(400, "Invalid glossary_id.") from None
        if (info["source_lang"], info["target_lang"]) != (source, target):
            raise ApiError(
                400, "The glossary's languages do not match source_lang and target_lang."
            )
    chars = sum(len(t) for t in texts)
    if entry is not None and not state.keys.allow_characters(entry, chars):
        raise ApiError(456, "Quota exceeded")
    results = await service.translate(
        (source, target),
        texts,
        markup=tag_handling or None,
        glossary_id=glossary_id or None,
        split_sentences=str(split) != "0",
        splitting_tags=_tags(params, "splitting_tags"),
        ignore_tags=_tags(params, "ignore_tags"),
    )
    state.usage[entry.name if entry else ""] = (
        state.usage.get(entry.name if entry else "", 0) + chars
    )
    return JSONResponse(
        {
            "translations": [
                {
                    "detected_source_language": source.upper(),
                    "text": r.text,
                    "billed_characters": len(t),
                    "transkit": r.report(),
                }
                for t, r in zip(texts, results, strict=True)
            ]
        }
    )


async def languages(request: Any) -> Any:
    from starlette.responses import JSONResponse

    params = await read_params(request)
    _access(request, params)
    kind = params.get("type", "source") or "source"
    if kind not in ("source", "target"):
        raise ApiError(400, "Value for 'type' not supported.")
    service = _state(request).service
    names = service.language_names()
    out: list[dict[str, Any]] = []
    if kind == "source":
        for code in sorted({s for s, _ in service.pairs}):
            out.append({"language": code.upper(), "name": names.get(code, code)})
    else:
        for code in sorted({t for _, t in service.pairs}):
            for variant in _REGIONAL.get(code, (code.upper(),)):
                name = _NAMES.get(variant, names.get(code, code))
                out.append({"language": variant, "name": name, "supports_formality": False})
    return JSONResponse(out)


async def usage(request: Any) -> Any:
    from starlette.responses import JSONResponse

    entry = _access(request, await read_params(request))
    state = _state(request)
    used = state.usage.get(entry.name if entry else "", 0)
    limit = int(entry.characters.amount) if entry is not None else 1_000_000_000_000
    return JSONResponse({"character_count": used, "character_limit": limit})


async def glossary_pairs(request: Any) -> Any:
    from starlette.responses import JSONResponse

    _access(request, await read_params(request))
    pairs = _state(request).service.glossary_pairs()
    return JSONResponse(
        {"supported_languages": [{"source_lang": s, "target_lang": t} for s, t in pairs]}
    )


async def glossaries(request: Any) -> Any:
    from starlette.responses import JSONResponse

    params = await read_params(request)
    _access(request, params)
    service = _state(request).service
    if request.method == "GET":
        return JSONResponse({"glossaries": service.store.all()})
    from transkit.serve.glossaries import parse_entries

    name = params.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Parameter 'name' not specified.")
    source = _base(params.get("source_lang"), "source_lang")
    target = _base(params.get("target_lang"), "target_lang")
    if (source, target) not in service.glossary_pairs():
        raise ApiError(400, "Unsupported glossary source and target language pair.")
    entries = params.get("entries")
    if isinstance(entries, bytes):
        entries = entries.decode("utf-8", "replace")
    if not isinstance(entries, str) or not entries.strip():
        raise ApiError(400, "Parameter 'entries' not specified.")
    entries_format = params.get("entries_format", "tsv")
    pairs = parse_entries(entries, str(entries_format))
    info = service.store.create(name.strip(), source, target, pairs)
    return JSONResponse(info, status_code=201)


async def glossary(request: Any) -> Any:
    from starlette.responses import JSONResponse, Response

    _access(request, await read_params(request))
    service = _state(request).service
    glossary_id = request.path_params["glossary_id"]
    if request.method == "DELETE":
        service.store.delete(glossary_id)
        service.forget_glossary(glossary_id)
        return Response(status_code=204)
    return JSONResponse(service.store.info(glossary_id))


async def glossary_entries(request: Any) -> Any:
    from starlette.responses import Response

    _access(request, await read_params(request))
    entries = _state(request).service.store.entries(request.path_params["glossary_id"])
    body = "".join(f"{s}\t{t}\n" for s, t in entries)
    return Response(body, media_type="text/tab-separated-values; charset=utf-8")


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/v2/translate", translate, methods=["GET", "POST"]),
        Route("/v2/languages", languages, methods=["GET", "POST"]),
        Route("/v2/usage", usage, methods=["GET", "POST"]),
        Route("/v2/glossary-language-pairs", glossary_pairs, methods=["GET"]),
        Route("/v2/glossaries", glossaries, methods=["GET", "POST"]),
        Route("/v2/glossaries/{glossary_id}", glossary, methods=["GET", "DELETE"]),
        Route("/v2/glossaries/{glossary_id}/entries", glossary_entries, methods=["GET"]),
    ]
