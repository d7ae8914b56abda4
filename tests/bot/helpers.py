"""Small helpers for the bot tests: option builders, message text, and service stand-ins."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from index.models import Answer
from index.service import Verbatim
from tests.fakediscord import EPHEMERAL, FakeDiscord

QUESTIONS = {
    # (Discord locale, question) per language; all answered by the article index.
    "zh-Hant": ("zh-TW", "平壤宣言承諾了什麼？"),
    "zh-Hans": ("zh-CN", "平壤宣言承诺了什么？"),
    "en": ("en-US", "Why did the US and North Korea become willing to talk about denuclearization?"),
    "ko": ("ko", "평양 선언은 무엇을 약속했습니까?"),
}
NOT_COVERED = "What is the population of Tokyo?"


def ask_options(question: str, public: bool | None = None) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = [{"name": "question", "type": 3, "value": question}]
    if public is not None:
        options.append({"name": "public", "type": 5, "value": public})
    return options


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool((message.get("flags") or 0) & EPHEMERAL)


def text_of(message: dict[str, Any]) -> str:
    """Everything a user can read in a message: content and every embed part."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "", (embed.get("author") or {}).get("name") or ""]
        parts += [(embed.get("footer") or {}).get("text") or ""]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
    return "\n".join(parts)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row.get("components") or [] if c.get("custom_id")]


def button_id(message: dict[str, Any], prefix: str) -> str:
    return next(cid for cid in custom_ids(message) if cid.startswith(prefix))


class StubService:
    """The real article service with some methods replaced (`ask`: slow, failing, or a hand-made answer)."""

    def __init__(self, real: Verbatim, ask: Callable[[str, int], Answer] | None = None, **overrides: Callable[..., Any]) -> None:
        self._real = real
        self._ask = ask or (lambda question, k: real.ask(question, k=k))
        self._overrides = overrides

    def ask(self, question: str, k: int = 3) -> Answer:
        return self._ask(question, k)

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._real, name)


def slow(real: Verbatim, seconds: float) -> StubService:
    """Searches that block their thread for `seconds` (as a slow model would)."""

    def ask(question: str, k: int = 3) -> Answer:
        time.sleep(seconds)
        return real.ask(question, k=k)

    return StubService(real, ask)


def assert_discord_rules_kept(fake: FakeDiscord) -> None:
    """What every bot test ends by checking: no API rule broken, nobody pinged, every interaction answered."""
    assert fake.violations == [], fake.violations
    assert fake.pinging_messages() == []
    assert fake.unanswered_interactions() == []
