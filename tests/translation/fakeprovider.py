"""A fake translation provider on 127.0.0.1 (aiohttp, in its own thread): OpenAI chat-completions and LibreTranslate.

`mode` says how it answers the next requests: "good" (the hand-made translation of tests/translation/corpus.py, or
`translations[text]`), "drop_number" (the good one without its first year), "change_name" (the good one with a
name replaced), "hang" (no answer for 5 s), "error" (500), "ratelimit" (429 with Retry-After), "malformed" (a body
that is not JSON) and "obey" (what a model that followed an instruction inside the passage would say).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from index.translation import BEGIN_MARK, END_MARK
from tests.translation.corpus import translate_sentences

OBEYED = "OK."


class FakeProvider:
    def __init__(self) -> None:
        self.mode = "good"
        self.retry_after = 30
        self.translations: dict[tuple[str, str], str] = {}
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeProvider:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/translate", self._libre)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        assert self._release is not None and self._runner is not None
        self._release.set()  # let hanging handlers end
        await self._runner.cleanup()

    # -- behaviour ---------------------------------------------------------------------------------------------

    def good(self, text: str, target: str) -> str | None:
        return self.translations.get((text, target)) or translate_sentences(text, target)

    async def _answer(self, text: str, target: str, shape: str) -> web.Response:
        mode = self.mode
        if mode == "hang":
            assert self._release is not None
            try:
                await asyncio.wait_for(self._release.wait(), 5)
            except TimeoutError:
                pass
            mode = "good"
        if mode == "error":
            return web.json_response({"error": "internal error"}, status=500)
        if mode == "ratelimit":
            return web.json_response({"error": "slow down"}, status=429, headers={"Retry-After": str(self.retry_after)})
        if mode == "malformed":
            return web.Response(text='{"choices": [{"message": {"content": "tr', content_type="application/json")
        translation = OBEYED if mode == "obey" else self.good(text, target)
        if translation is None:
            return web.json_response({"error": f"no translation of {text[:30]!r} into {target}"}, status=400)
        if mode == "drop_number":
            translation = re.sub(r"\d{4}", "", translation, count=1)  # the year
        elif mode == "change_name":
            translation = translation.replace("Kim Jong-un", "Moon Jae-in").replace("김정은", "문재인").replace("Singapore", "Hanoi")
        if shape == "openai":
            return web.json_response(
                {
                    "id": "fake",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": translation}}],
                }
            )
        return web.json_response({"translatedText": translation})

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"shape": "openai", "headers": dict(request.headers), "body": body})
        user = body["messages"][-1]["content"]
        text = user.split(BEGIN_MARK, 1)[1].rsplit(END_MARK, 1)[0].strip("\n")
        target = "ko" if "into Korean" in body["messages"][0]["content"] else "en"
        return await self._answer(text, target, "openai")

    async def _libre(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"shape": "libretranslate", "headers": dict(request.headers), "body": body})
        return await self._answer(body["q"], body["target"], "libretranslate")


def request_json(request: dict[str, Any]) -> str:
    return json.dumps(request["body"], ensure_ascii=False)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    """A started fake provider, stopped after the test (a plugin of tests/conftest.py, so every test can ask for it)."""
    fake = FakeProvider().start()
    try:
        yield fake
    finally:
        fake.stop()
