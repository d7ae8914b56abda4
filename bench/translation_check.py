"""Cost of the translation check and of a cached translation, on the article's index: prints milliseconds per call.

    python -m bench.translation_check

The check runs once per provider reply (cached outcomes are not checked again); the cache lookup runs for every
answer shown to a reader of another language.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.faithfulness import CheckResult, FaithfulnessCheck
from index.service import Verbatim
from index.translation import Translation, TranslationCache, quote_span
from tests.bot.helpers import QUESTIONS
from tests.conftest import copy_article, make_settings
from tests.translation.corpus import translate_sentences

REPEATS = 200


def _ms(func: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp))
        copy_article(settings.knowledge_dir)
        service = Verbatim(settings)
        service.ensure_ready()
        check = FaithfulnessCheck(service.glossary)
        cache = TranslationCache(Path(tmp) / "translations.sqlite3")
        print(f"{'quote':<16} {'target':<6} {'chars':>5} {'check p50 ms':>13} {'p95 ms':>7} {'cache hit p50 ms':>17}")
        for language in ("en", "ko"):
            quote = service.ask(QUESTIONS[language][1]).quote
            assert quote is not None
            text = translate_sentences(quote.text, language)
            assert text is not None
            result = check.check(quote.text, text, language)
            span = quote_span(quote)
            cache.put(
                Translation(quote.passage.id, span, "zh-Hant", language, text, "m", CheckResult(result.passed, result.checked)), quote.text
            )
            # the lambdas run inside this iteration, so late binding of the loop variables is harmless
            p50, p95 = _ms(lambda: check.check(quote.text, text, language))  # noqa: B023
            hit, _ = _ms(lambda: cache.get(quote.passage.id, span, language, "m", quote.text))  # noqa: B023
            print(f"{quote.passage.id:<16} {language:<6} {len(quote.text):>5} {p50:>13.2f} {p95:>7.2f} {hit:>17.3f}")
        cache.close()


if __name__ == "__main__":
    main()
