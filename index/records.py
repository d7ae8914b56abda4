"""SQLite records kept beside the index: answer feedback, unanswered questions and an audit log of moderator actions."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    passage_id TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    user_id INTEGER NOT NULL,
    guild_id INTEGER,
    message_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_one_vote ON feedback (message_id, user_id) WHERE message_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    closest_passage_id TEXT,
    user_id INTEGER,
    guild_id INTEGER,
    index_version TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    guild_id INTEGER,
    created_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Feedback:
    """A 👍/👎 on one answer: the question, the passage that answered it, who voted and where."""

    question: str
    passage_id: str
    vote: Vote
    user_id: int
    guild_id: int | None = None
    message_id: int | None = None
    created_at: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Unanswered:
    """A question the documents did not cover, kept for moderators."""

    question: str
    reason: str = ""
    closest_passage_id: str | None = None
    user_id: int | None = None
    guild_id: int | None = None
    index_version: str = ""
    created_at: str = ""
    id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One moderator action: who did what to which target, when, and how it ended."""

    actor_id: int
    action: str
    target: str = ""
    result: str = ""
    guild_id: int | None = None
    created_at: str = ""
    id: int | None = None


class Records:
    """Thread-safe access to the records database; every method blocks, so call it off the event loop."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        with self._lock, self._conn:
            if str(path) != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_SCHEMA)
        log.debug("records at %s", self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple[object, ...]) -> int:
        with self._lock, self._conn:
            cursor = self._conn.execute(sql, params)
            return int(cursor.lastrowid or 0)

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- feedback ------------------------------------------------------------------------------

    def add_feedback(self, feedback: Feedback) -> int:
        """Store a vote; a second vote by the same user on the same message replaces the first."""
        return self._write(
            "INSERT INTO feedback (question, passage_id, vote, user_id, guild_id, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id, user_id) WHERE message_id IS NOT NULL DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
            (
                feedback.question,
                feedback.passage_id,
                feedback.vote,
                feedback.user_id,
                feedback.guild_id,
                feedback.message_id,
                feedback.created_at or _now(),
            ),
        )

    def feedback(self, limit: int = 100) -> list[Feedback]:
        """The latest votes, newest first."""
        rows = self._read("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,))
        return [Feedback(**dict(row)) for row in rows]

    def feedback_counts(self) -> dict[str, dict[str, int]]:
        """Votes per passage: {passage_id: {"up": n, "down": m}}."""
        counts: dict[str, dict[str, int]] = {}
        for row in self._read("SELECT passage_id, vote, COUNT(*) AS n FROM feedback GROUP BY passage_id, vote"):
            counts.setdefault(row["passage_id"], {"up": 0, "down": 0})[row["vote"]] = row["n"]
        return counts

    # -- unanswered ----------------------------------------------------------------------------

    def add_unanswered(self, record: Unanswered) -> int:
        return self._write(
            "INSERT INTO unanswered (question, reason, closest_passage_id, user_id, guild_id, index_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.question,
                record.reason,
                record.closest_passage_id,
                record.user_id,
                record.guild_id,
                record.index_version,
                record.created_at or _now(),
            ),
        )

    def unanswered(self, limit: int = 100) -> list[Unanswered]:
        """The latest unanswered questions, newest first."""
        rows = self._read("SELECT * FROM unanswered ORDER BY id DESC LIMIT ?", (limit,))
        return [Unanswered(**dict(row)) for row in rows]

    # -- audit ---------------------------------------------------------------------------------

    def add_audit(self, entry: AuditEntry) -> int:
        return self._write(
            "INSERT INTO audit (actor_id, action, target, result, guild_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (entry.actor_id, entry.action, entry.target, entry.result, entry.guild_id, entry.created_at or _now()),
        )

    def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest moderator actions, newest first."""
        rows = self._read("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(**dict(row)) for row in rows]
