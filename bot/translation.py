"""A checked machine translation under an answer's quote, added by editing the answer after it has been sent.

The answer never waits for the provider: `follow_with_translation` starts a task and returns. If the provider is
slow, failing or rate limited the edit simply never comes; if its translation fails the check, the edit says a
translation was not available. The quote, its highlight and the citation are rebuilt exactly as first sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import escape_markdown

from bot.embeds import FIELD_VALUE_LIMIT, NO_PINGS, answer_embed, fit_embed
from bot.i18n import Lang, add_strings, t
from index.models import Answer, Passage
from index.translation import Translation, Translator, detect_language, language_of_locale, needs_translation, quote_language

if TYPE_CHECKING:
    from index.service import Verbatim

log = logging.getLogger(__name__)

# The reader's language, named in itself.
ENDONYMS = {"en": "English", "ko": "한국어", "ja": "日本語", "fr": "Français", "de": "Deutsch", "es": "Español"}
MAX_TRANSLATION_FIELDS = 3

STRINGS: dict[str, dict[Lang, str]] = {
    "translation.label": {
        "en": "🌐 Machine translation ({language}, {model}) · the quote above is the original",
        "zh-TW": "🌐 機器翻譯（{language}，{model}）· 上方引文為原文",
        "zh-CN": "🌐 机器翻译（{language}，{model}）· 上方引文为原文",
        "ko": "🌐 기계 번역 ({language}, {model}) · 위 인용문이 원문입니다",
    },
    "translation.continued": {"en": "🌐 (continued)", "zh-TW": "🌐（續）", "zh-CN": "🌐（续）", "ko": "🌐 (계속)"},
    "translation.unavailable_label": {
        "en": "🌐 Machine translation",
        "zh-TW": "🌐 機器翻譯",
        "zh-CN": "🌐 机器翻译",
        "ko": "🌐 기계 번역",
    },
    "translation.unavailable": {
        "en": "A translation was not available: the machine translation did not keep the quote's numbers, dates or names, so it is not shown.",
        "zh-TW": "無法提供翻譯：機器翻譯未能保留引文中的數字、日期或名稱，因此不予顯示。",
        "zh-CN": "无法提供翻译：机器翻译未能保留引文中的数字、日期或名称，因此不予显示。",
        "ko": "번역을 제공할 수 없습니다: 기계 번역이 인용문의 숫자, 날짜 또는 이름을 그대로 옮기지 못해 표시하지 않습니다.",
    },
    "translation.context_label": {
        "en": "🌐 Machine translation of the quoted part ({language}, {model})",
        "zh-TW": "🌐 引文部分的機器翻譯（{language}，{model}）",
        "zh-CN": "🌐 引文部分的机器翻译（{language}，{model}）",
        "ko": "🌐 인용 부분의 기계 번역 ({language}, {model})",
    },
}


def register_strings() -> None:
    """Register the translation strings (the bot's setup_hook calls it: the answer views and /ask show them)."""
    add_strings(STRINGS)


def _locale_value(locale: discord.Locale | str | None) -> str:
    return locale.value if isinstance(locale, discord.Locale) else (locale or "en-US")


def _translator(client: Any) -> Translator | None:
    return getattr(client, "translator", None)


def _pending(client: Any) -> set[asyncio.Task[None]]:
    tasks: set[asyncio.Task[None]] | None = getattr(client, "_translation_tasks", None)
    if tasks is None:
        tasks = set()
        client._translation_tasks = tasks
    return tasks


def follow_with_translation(
    client: Any, interaction: discord.Interaction[Any], answer: Answer, message: discord.WebhookMessage | None, service: Verbatim
) -> None:
    """If the asker reads another language than the quote's, translate it in the background and edit `message`."""
    translator = _translator(client)
    if translator is None or message is None or answer.quote is None:
        return
    locale = interaction.locale
    target = language_of_locale(_locale_value(locale))
    if not needs_translation(quote_language(answer.quote), target):
        return
    scope = f"guild:{interaction.guild_id}" if interaction.guild_id else f"user:{interaction.user.id}"
    task = asyncio.create_task(_translate_and_edit(translator, service, answer, message, locale, target, scope))
    tasks = _pending(client)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def _translate_and_edit(
    translator: Translator,
    service: Verbatim,
    answer: Answer,
    message: discord.WebhookMessage,
    locale: discord.Locale,
    target: str,
    scope: str,
) -> None:
    quote = answer.quote
    assert quote is not None
    try:
        translation = await asyncio.to_thread(translator.translate_quote, quote, target, service.glossary, scope=scope)
        if translation is None:
            return  # logged by the translator; the answer stays as it was
        embed = with_translation(answer_embed(answer, locale), translation, locale)
        await message.edit(embed=embed, allowed_mentions=NO_PINGS)
        log.info("answer %s edited with a %s translation of %s (shown=%s)", message.id, target, quote.passage.id, translation.shown)
    except Exception:
        log.exception("could not add a %s translation to answer %s; the answer stays as it was", target, message.id)


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def _chunks(text: str, limit: int) -> list[str]:
    """`text` escaped for Markdown, cut between sentences (or, for a very long one, at spaces) into pieces of at most
    `limit` characters."""
    pieces: list[str] = []
    current = ""
    units = [
        u
        for sentence in _SENTENCE_END.split(text)
        for u in ([sentence] if len(escape_markdown(sentence)) <= limit else sentence.split(" "))
    ]
    for word in units:
        candidate = f"{current} {word}" if current else word
        if len(escape_markdown(candidate)) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(escape_markdown(current))
        current = word
    if current:
        pieces.append(escape_markdown(current))
    return [p if len(p) <= limit else p[: limit - 1] + "…" for p in pieces]


def with_translation(embed: discord.Embed, translation: Translation, locale: discord.Locale | str | None) -> discord.Embed:
    """The answer embed with the translation (or the note that none is available) right below the quote."""
    if not translation.shown:
        embed.insert_field_at(0, name=t(locale, "translation.unavailable_label"), value=t(locale, "translation.unavailable"), inline=False)
        return fit_embed(embed)
    language = ENDONYMS.get(translation.target, translation.target)
    pieces = _chunks(translation.text, FIELD_VALUE_LIMIT)[:MAX_TRANSLATION_FIELDS]
    for number, piece in enumerate(pieces):
        name = (
            t(locale, "translation.label", language=language, model=translation.model)
            if number == 0
            else t(locale, "translation.continued")
        )
        embed.insert_field_at(number, name=name, value=piece, inline=False)
    return fit_embed(embed)


async def with_cached_translation(
    client: Any, embed: discord.Embed, passage: Passage, language: str, locale: discord.Locale | str | None
) -> discord.Embed:
    """The Context embed with the cached translation of the quoted part of `passage`, if there is one (never a new call)."""
    translator = _translator(client)
    target = language_of_locale(_locale_value(locale))
    if translator is None or not needs_translation(language or detect_language(passage.text), target):
        return embed
    try:
        cached = await asyncio.to_thread(translator.cached_for_passage, passage.id, target)
    except Exception:
        log.exception("could not read the translation cache for %s", passage.id)
        return embed
    if cached is None:
        return embed
    language_name = ENDONYMS.get(target, target)
    for number, piece in enumerate(_chunks(cached.text, FIELD_VALUE_LIMIT)[:MAX_TRANSLATION_FIELDS]):
        name = (
            t(locale, "translation.context_label", language=language_name, model=cached.model)
            if number == 0
            else t(locale, "translation.continued")
        )
        embed.add_field(name=name, value=piece, inline=False)
    return fit_embed(embed)


async def settle(client: Any) -> None:
    """Wait for the translations still being made (tests, and a clean shutdown)."""
    tasks = list(_pending(client))
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
