"""Shared fixtures: settings pointing at temporary directories and one real index of the article per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.settings import BotSettings
from index.config import Settings
from index.service import Verbatim

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
ARTICLE = KNOWLEDGE / "korean-peninsula-denuclearization-2019.txt"
ARTICLE_META = KNOWLEDGE / "korean-peninsula-denuclearization-2019.meta.json"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"

# The fake translation provider's `provider` fixture, for the translation tests and the bot's.
pytest_plugins = ["tests.translation.fakeprovider"]


def make_settings(tmp: Path, **extra: object) -> Settings:
    """Core settings isolated in `tmp` (never the developer's .env or ./var)."""
    unknown = set(extra) - set(Settings.model_fields)
    assert not unknown, f"not core settings (use make_bot_settings): {sorted(unknown)}"  # they would be ignored silently
    values: dict[str, object] = {"knowledge_dir": tmp / "knowledge", "index_dir": tmp / "index", "data_dir": tmp / "data"}
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_bot_settings(tmp: Path, **extra: object) -> BotSettings:
    """The bot's settings (core and Discord sections) isolated in `tmp`; no token unless given."""
    unknown = set(extra) - set(BotSettings.model_fields)
    assert not unknown, f"not settings: {sorted(unknown)}"
    values: dict[str, object] = {
        "knowledge_dir": tmp / "knowledge",
        "index_dir": tmp / "index",
        "data_dir": tmp / "data",
        "discord_token": None,
    }
    values.update(extra)
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


def copy_article(knowledge_dir: Path) -> None:
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLE, knowledge_dir / ARTICLE.name)
    shutil.copy(ARTICLE_META, knowledge_dir / ARTICLE_META.name)


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    """Build Settings in this test's tmp_path; `with_article=True` copies the article in first."""

    def factory(with_article: bool = True, **extra: object) -> Settings:
        settings = make_settings(tmp_path, **extra)
        settings.knowledge_dir.mkdir(parents=True, exist_ok=True)
        if with_article:
            copy_article(settings.knowledge_dir)
        return settings

    return factory


BEES = """# Keeping bees

A honey bee colony has one queen, who lays up to two thousand eggs a day. \
Worker bees collect nectar and pollen from flowers within three kilometres of the hive. \
Beekeepers harvest honey in late summer and leave enough for the bees to survive the winter. \
Smoke calms the bees because it masks their alarm pheromones.
"""
TEA = """# 차 마시기

녹차는 섭씨 70도 정도의 물로 우려야 쓴맛이 덜하다. 찻잎은 봄에 처음 딴 것을 가장 귀하게 여긴다. \
다기는 사용한 뒤 뜨거운 물로 헹구고 그늘에서 말린다. 손님에게는 찻잔을 두 손으로 건넨다. \
차밭은 비가 많고 안개가 자주 끼는 산비탈에 만든다.
"""


@pytest.fixture(scope="session")
def english_and_korean_service(tmp_path_factory: pytest.TempPathFactory) -> Verbatim:
    """A real index of two short documents, one English (BEES) and one Korean (TEA), built once per test session; treat
    it as read-only (restore any parameters changed)."""
    settings = make_settings(tmp_path_factory.mktemp("english-and-korean"))
    settings.knowledge_dir.mkdir(parents=True)
    (settings.knowledge_dir / "bees.md").write_text(BEES, encoding="utf-8")
    (settings.knowledge_dir / "tea.md").write_text(TEA, encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    return service


@pytest.fixture(scope="session")
def article_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verbatim]:
    """A real index of the article (default backend), built once per test session; treat it as read-only."""
    tmp = tmp_path_factory.mktemp("article")
    settings = make_settings(tmp)
    copy_article(settings.knowledge_dir)
    service = Verbatim(settings)
    service.ensure_ready()
    yield service
