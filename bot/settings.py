"""The bot's settings: the core settings plus the Discord section (token, endpoints, shards, moderators, cooldown)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from index.config import Settings, log_settings, read_settings, split_ids
from index.errors import ConfigError

log = logging.getLogger(__name__)


class BotSettings(Settings):
    """What `verbatim run`/`sync` read once: every core setting, and Discord's; environment variable names are the aliases."""

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    discord_api_base_url: str | None = Field(default=None, alias="DISCORD_API_BASE_URL")
    discord_gateway_url: str | None = Field(default=None, alias="DISCORD_GATEWAY_URL")
    test_guild_id: int | None = Field(default=None, alias="DISCORD_TEST_GUILD_ID")
    shard_count: int | None = Field(default=None, alias="DISCORD_SHARD_COUNT", ge=1)
    # The shards this process runs (e.g. "0,1" here and "2,3" in another process), with the same shard count everywhere.
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="DISCORD_SHARD_IDS")
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="VERBATIM_MODERATOR_ROLE_IDS")
    mod_log_channel_id: int | None = Field(default=None, alias="VERBATIM_MOD_LOG_CHANNEL_ID")
    cooldown_rate: int = Field(default=5, alias="VERBATIM_COOLDOWN_RATE", ge=1)
    cooldown_seconds: float = Field(default=60.0, alias="VERBATIM_COOLDOWN_SECONDS", gt=0)
    # Threads answering questions (and other blocking work); None: one per core the process may use, at least two.
    # Set it where a container's CPU quota is below the cores it can see.
    worker_threads: int | None = Field(default=None, alias="VERBATIM_WORKER_THREADS", ge=1)

    @field_validator("moderator_role_ids", "shard_ids", mode="before")
    @classmethod
    def _split_bot_ids(cls, value: object) -> object:
        return split_ids(value)

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> BotSettings:
        if self.shard_ids and (self.shard_count is None or max(self.shard_ids) >= self.shard_count):
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT, and every id must be below it")
        return self

    def require_token(self) -> str:
        """The Discord token, or a clear ConfigError that never echoes any secret."""
        if self.discord_token is None:
            raise ConfigError(
                "DISCORD_TOKEN is not set. Put it in the environment or in .env (see .env.example), then run `verbatim run` again."
            )
        token = self.discord_token.get_secret_value().strip()
        if len(token) < 20 or any(ch.isspace() for ch in token):
            raise ConfigError("DISCORD_TOKEN does not look like a Discord bot token (check for spaces or a truncated value).")
        return token


def load_bot_settings(**overrides: Any) -> BotSettings:
    """Read the bot's settings once; invalid values become a ConfigError naming the variable, never its secret value."""
    settings = read_settings(BotSettings, **overrides)
    log_settings(settings)
    log.debug("discord: token %s, shards %s", "set" if settings.discord_token else "unset", settings.shard_count or "auto")
    return settings
