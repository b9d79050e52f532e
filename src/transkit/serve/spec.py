"""The OpenAPI description of both APIs, served at ``/spec`` and ``/openapi.json``.

LibreTranslate serves a Swagger 2.0 document at ``/spec``; this is OpenAPI
3.0 (what current tools, schemathesis among them, read best) with the same
paths, parameters and answers, plus DeepL's.
"""

from __future__ import annotations

from typing import Any

__all__ = ["openapi", "spec_routes"]

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_MESSAGE = {"type": "object", "properties": {"message": {"type": "string"}}}


def _lt_errors() -> dict[str, Any]:
    return {
        code: {
            "description": text,
            "content": {"application/json": {"schema": _ERROR}},
        }
        for code, text in (
            ("400", "Invalid request"),
            ("403", "Banned or wrong key"),
            ("413", "Body too large"),
            ("429", "Slow down"),
            ("503", "Queue full"),
        )
    }


def _deepl_errors() -> dict[str, Any]:
    return {
        code: {"description": text, "content": {"application/json": {"schema": _MESSAGE}}}
        for code, text in (
            ("400", "Bad request"),
            ("403", "Authorization failed"),
            ("404", "Not found"),
            ("413", "Body too large"),
            ("429", "Too many requests"),
            ("456", "Quota exceeded"),
            ("503", "Queue full"),
        )
    }


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        }
    }


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi() -> dict[str, Any]:
    from transkit import __version__

    q = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    detected = {
        "type": "object",
        "properties": {"confidence": {"type": "number"}, "language": {"type": "string"}},
    }
    translate_props = {
        "q": q,
        "source": {"type": "string", "example": "de"},
        "target": {"type": "string", "example": "en"},
        "format": {"type": "string", "enum": ["text", "html"]},
        "alternatives": {"type": "integer"},
        "api_key": {"type": "string"},
    }
    translated = {
        "type": "object",
        "properties": {
            "translatedText": q,
            "alternatives": {"type": "array"},
            "detectedLanguage": {"oneOf": [detected, {"type": "array", "items": detected}]},
            "transkit": {"description": "term checks and memory use per text"},
        },
    }
    languages = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "targets": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
    texts = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    deepl_translate = {
        "text": texts,
        "source_lang": {"type": "string", "example": "DE"},
        "target_lang": {"type": "string", "example": "EN-US"},
        "glossary_id": {"type": "string"},
        "tag_handling": {"type": "string", "enum": ["xml", "html"]},
        "split_sentences": {"type": "string", "enum": ["0", "1", "nonewlines"]},
        "preserve_formatting": {"type": "boolean"},
        "formality": {"type": "string"},
        "splitting_tags": texts,
        "ignore_tags": texts,
    }
    gid = {"name": "glossary_id", "in": "path", "required": True, "schema": {"type": "string"}}
    glossary_info = {
        "type": "object",
        "properties": {
            "glossary_id": {"type": "string"},
            "name": {"type": "string"},
            "ready": {"type": "boolean"},
            "source_lang": {"type": "string"},
            "target_lang": {"type": "string"},
            "creation_time": {"type": "string"},
            "entry_count": {"type": "integer"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "transkit serve (LibreTranslate and DeepL API v2)",
            "version": __version__,
            "description": "Offline machine translation with an enforced glossary.",
        },
        "paths": {
            "/translate": {
                "post": {
                    "summary": "Translate Text",
                    "requestBody": _body(translate_props, ["q", "source", "target"]),
                    "responses": {"200": _ok(translated), **_lt_errors()},
                },
                "get": {
                    "summary": "Translate Text (query string, as OmegaT's plugin sends it)",
                    "parameters": [
                        {
                            "name": n,
                            "in": "query",
                            "required": n in ("q", "source", "target"),
                            "schema": {"type": "string"},
                        }
                        for n in ("q", "source", "target", "format", "api_key")
                    ],
                    "responses": {"200": _ok(translated), **_lt_errors()},
                },
            },
            "/languages": {
                "get": {"summary": "Get Supported Languages", "responses": {"200": _ok(languages)}}
            },
            "/detect": {
                "post": {
                    "summary": "Detect Language of Text",
                    "requestBody": _body({"q": q, "api_key": {"type": "string"}}, ["q"]),
                    "responses": {
                        "200": _ok({"type": "array", "items": detected}),
                        **_lt_errors(),
                    },
                }
            },
            "/frontend/settings": {
                "get": {
                    "summary": "Retrieve Frontend Settings",
                    "responses": {"200": _ok({"type": "object"})},
                }
            },
            "/health": {
                "get": {"summary": "Health Check", "responses": {"200": _ok({"type": "object"})}}
            },
            "/v2/translate": {
                "post": {
                    "summary": "DeepL: translate text",
                    "requestBody": _body(deepl_translate, ["text", "target_lang"]),
                    "responses": {"200": _ok({"type": "object"}), **_deepl_errors()},
                }
            },
            "/v2/languages": {
                "get": {
                    "summary": "DeepL: supported languages",
                    "parameters": [
                        {
                            "name": "type",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["source", "target"]},
                        }
                    ],
                    "responses": {"200": _ok({"type": "array"}), **_deepl_errors()},
                }
            },
            "/v2/usage": {
                "get": {"summary": "DeepL: usage", "responses": {"200": _ok({"type": "object"})}}
            },
            "/v2/glossary-language-pairs": {
                "get": {
                    "summary": "DeepL: glossary language pairs",
                    "responses": {"200": _ok({"type": "object"})},
                }
            },
            "/v2/glossaries": {
                "get": {
                    "summary": "DeepL: list glossaries",
                    "responses": {"200": _ok({"type": "object"})},
                },
                "post": {
                    "summary": "DeepL: create a glossary",
                    "requestBody": _body(
                        {
                            "name": {"type": "string"},
                            "source_lang": {"type": "string", "example": "de"},
                            "target_lang": {"type": "string", "example": "en"},
                            "entries": {"type": "string", "example": "Peking\tBeijing"},
                            "entries_format": {"type": "string", "enum": ["tsv", "csv"]},
                        },
                        ["name", "source_lang", "target_lang", "entries"],
                    ),
                    "responses": {"201": _ok(glossary_info, "Created"), **_deepl_errors()},
                },
            },
            "/v2/glossaries/{glossary_id}": {
                "get": {
                    "summary": "DeepL: a glossary",
                    "parameters": [gid],
                    "responses": {"200": _ok(glossary_info), **_deepl_errors()},
                },
                "delete": {
                    "summary": "DeepL: delete a glossary",
                    "parameters": [gid],
                    "responses": {"204": {"description": "Deleted"}, **_deepl_errors()},
                },
            },
            "/v2/glossaries/{glossary_id}/entries": {
                "get": {
                    "summary": "DeepL: a glossary's entries as TSV",
                    "parameters": [gid],
                    "responses": {
                        "200": {
                            "description": "TSV",
                            "content": {
                                "text/tab-separated-values": {"schema": {"type": "string"}}
                            },
                        },
                        **_deepl_errors(),
                    },
                }
            },
        },
    }


async def _spec(request: Any) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(openapi())


def spec_routes() -> list[Any]:
    from starlette.routing import Route

    return [Route("/spec", _spec, methods=["GET"]), Route("/openapi.json", _spec, methods=["GET"])]
