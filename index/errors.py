"""Known errors, each with a message fit to show a user.

VerbatimError
├── ConfigError            settings missing or invalid (e.g. no DISCORD_TOKEN for `run`)
├── DocumentError          one document could not be loaded (empty, binary, undecodable, no text)
├── IndexError_            the index directory is missing, corrupt or incompatible
│   ├── IndexMissing
│   └── IndexCorrupt
├── EmbeddingUnavailable   no embedding backend could be loaded
├── BuildInProgress        a build is already running
└── QuestionRejected       the question is empty, too long or has nothing to search for
"""

from __future__ import annotations


class VerbatimError(Exception):
    """Base of every error Verbatim expects; its message is safe to show to users."""

    user_message: str = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.user_message)

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(VerbatimError):
    user_message = "The configuration is invalid."


class DocumentError(VerbatimError):
    user_message = "The document could not be loaded."


class IndexError_(VerbatimError):  # noqa: N801 - avoid shadowing the builtin IndexError
    user_message = "The index cannot be used."


class IndexMissing(IndexError_):
    user_message = "There is no index yet: run `verbatim build`."


class IndexCorrupt(IndexError_):
    user_message = "The index is damaged: rebuild it with `verbatim build` or roll back."


class EmbeddingUnavailable(VerbatimError):
    user_message = "No embedding model could be loaded."


class BuildInProgress(VerbatimError):
    user_message = "A build is already running."


class QuestionRejected(VerbatimError):
    user_message = "That question cannot be searched."
