"""JSON nested absurdly deep, from a repository or an API, is refused like invalid JSON."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli.plan import plan_main
from bot.errors import ToolforgeUnavailable
from bot.jsontext import depth, parse_json
from bot.toolforge import ToolforgeClient

DEEP = "[" * 100_000 + "]" * 100_000
NESTED = '{"a":' * 500 + "1" + "}" * 500


def test_parse_json_refuses_what_nests_too_deep() -> None:
    assert parse_json('{"name": "tool", "deps": {"x": [1, 2]}}')["deps"]["x"] == [1, 2]
    assert depth(parse_json('{"a": {"b": [[]]}}')) == 4
    for document in (DEEP, NESTED):
        with pytest.raises(ValueError, match="nested more than 64 levels deep"):
            parse_json(document)


def test_the_planner_reads_a_repository_with_a_deep_package_json(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(DEEP, encoding="utf-8")
    (tmp_path / "server.js").write_text("require('http').createServer().listen(8000)\n")
    out, err = io.StringIO(), io.StringIO()
    assert plan_main(["--repo", str(tmp_path), "--tool", "deep"], out, err) == 0, err.getvalue()
    assert "package.json is not valid JSON" in out.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()


@pytest.fixture
async def deep_api() -> AsyncIterator[str]:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=NESTED, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_api_answer_nested_too_deep_is_unreadable(deep_api: str) -> None:
    async with ToolforgeClient(deep_api, timeout=5.0) as client:
        with pytest.raises(ToolforgeUnavailable, match="could not read"):
            await client.list_jobs("sample-web")
