"""bench.second_encoder: the net moves it counts per language pair."""

from collections import Counter
from types import SimpleNamespace

from bench.second_encoder import pair_moves


def test_pair_moves_counts_net_gains_per_language_pair() -> None:
    def report(ranks: dict[str, int | None]) -> SimpleNamespace:
        return SimpleNamespace(
            results=[
                SimpleNamespace(item=SimpleNamespace(id=i, lang="ko", answerable=True), doc_lang="en", rank=r, quote_hit=r == 1)
                for i, r in ranks.items()
            ]
        )

    moved = Counter[str]()
    pair_moves(report({"a": 2, "b": None, "c": 1}), report({"a": 1, "b": 3, "c": 1}), moved)  # type: ignore[arg-type]
    assert (moved["ko->en R@1"], moved["ko->en R@3"], moved["ko->en QH"]) == (1, 1, 1)
    pair_moves(report({"a": 1, "b": 2}), report({"a": 5, "b": 3}), moved)  # type: ignore[arg-type]
    assert (moved["ko->en R@1"], moved["ko->en R@3"], moved["ko->en QH"]) == (0, 0, 0)
