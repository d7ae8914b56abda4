"""SQLite records kept beside the index: answer feedback, unanswered questions and an audit log of moderator actions."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
CREATE TABLE IF NOT EXISTS asked (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
    user_id INTEGER,
    guild_id INTEGER,
    index_version TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS asked_created ON asked (created_at);
CREATE INDEX IF NOT EXISTS asked_guild ON asked (guild_id, created_at);
CREATE INDEX IF NOT EXISTS unanswered_guild ON unanswered (guild_id, id);
CREATE INDEX IF NOT EXISTS feedback_guild ON feedback (guild_id, id);
CREATE INDEX IF NOT EXISTS audit_guild ON audit (guild_id, id);
"""

# Columns added after the first release; added to existing databases on open.
_MIGRATIONS = {"audit": {"actor": "TEXT NOT NULL DEFAULT ''"}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _AllGuilds:
    """The scope of the command line: every guild's records (the bot always passes one guild id)."""

    def __repr__(self) -> str:
        return "ALL_GUILDS"


ALL_GUILDS = _AllGuilds()
# An int: that guild's records only; None: records made outside any guild (DMs, user-installed contexts).
GuildScope = int | None | _AllGuilds


def _scope(guild_id: GuildScope, column: str = "guild_id") -> tuple[str, tuple[object, ...]]:
    """A WHERE condition (starting with AND) limiting a query to one guild's rows."""
    if isinstance(guild_id, _AllGuilds):
        return "", ()
    if guild_id is None:
        return f" AND {column} IS NULL", ()
    return f" AND {column} = ?", (int(guild_id),)


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
    actor: str = ""  # a readable name ("cli" for the command line; actor_id is then 0)


@dataclass(frozen=True)
class Asked:
    """One question asked (answered or not), for the questions-per-day statistics."""

    question: str
    answered: bool
    user_id: int | None = None
    guild_id: int | None = None
    index_version: str = ""
    created_at: str = ""
    id: int | None = None


@dataclass(frozen=True)
class DayActivity:
    """What happened on one UTC day: questions asked, answered, not covered, and votes."""

    day: str  # YYYY-MM-DD
    asked: int = 0
    answered: int = 0
    not_covered: int = 0
    up: int = 0
    down: int = 0


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
            for table, columns in _MIGRATIONS.items():
                present = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
                for column, spec in columns.items():
                    if column not in present:
                        self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {spec}")
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

    def feedback(self, limit: int = 100, *, guild_id: GuildScope = ALL_GUILDS) -> list[Feedback]:
        """The latest votes, newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM feedback WHERE 1{where} ORDER BY id DESC LIMIT ?", (*params, limit))
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

    def unanswered(self, limit: int = 100, *, guild_id: GuildScope = ALL_GUILDS) -> list[Unanswered]:
        """The latest unanswered questions, newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM unanswered WHERE 1{where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [Unanswered(**dict(row)) for row in rows]

    # -- audit ---------------------------------------------------------------------------------

    def add_audit(self, entry: AuditEntry) -> int:
        return self._write(
            "INSERT INTO audit (actor_id, action, target, result, guild_id, created_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (entry.actor_id, entry.action, entry.target, entry.result, entry.guild_id, entry.created_at or _now(), entry.actor),
        )

    def audit(self, limit: int = 100, *, guild_id: GuildScope = ALL_GUILDS) -> list[AuditEntry]:
        """The latest moderator actions, newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM audit WHERE 1{where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(**dict(row)) for row in rows]

    # -- questions asked and statistics --------------------------------------------------------

    def add_asked(self, record: Asked) -> int:
        return self._write(
            "INSERT INTO asked (question, answered, user_id, guild_id, index_version, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.question,
                int(bool(record.answered)),
                record.user_id,
                record.guild_id,
                record.index_version,
                record.created_at or _now(),
            ),
        )

    def asked(self, limit: int = 100, *, guild_id: GuildScope = ALL_GUILDS) -> list[Asked]:
        """The latest questions asked, newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM asked WHERE 1{where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [Asked(**{**dict(row), "answered": bool(row["answered"])}) for row in rows]

    def downvotes(self, limit: int = 10, *, guild_id: GuildScope = ALL_GUILDS) -> list[Feedback]:
        """The latest 👎 votes, newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM feedback WHERE vote = 'down'{where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [Feedback(**dict(row)) for row in rows]

    def daily_activity(self, days: int = 30, today: date | None = None, *, guild_id: GuildScope = ALL_GUILDS) -> list[DayActivity]:
        """One entry per UTC day for the last `days` days (oldest first, today last), zeros included."""
        end = today or datetime.now(UTC).date()
        first = (end - timedelta(days=days - 1)).isoformat()
        where, params = _scope(guild_id)
        counts: dict[str, dict[str, int]] = {}
        for row in self._read(
            f"SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n, SUM(answered) AS yes FROM asked WHERE substr(created_at, 1, 10) >= ?{where} GROUP BY day",
            (first, *params),
        ):
            counts.setdefault(row["day"], {}).update(asked=row["n"], answered=row["yes"] or 0, not_covered=row["n"] - (row["yes"] or 0))
        for row in self._read(
            f"SELECT substr(created_at, 1, 10) AS day, vote, COUNT(*) AS n FROM feedback WHERE substr(created_at, 1, 10) >= ?{where} GROUP BY day, vote",
            (first, *params),
        ):
            counts.setdefault(row["day"], {})[row["vote"]] = row["n"]
        out = []
        for offset in range(days - 1, -1, -1):
            day = (end - timedelta(days=offset)).isoformat()
            out.append(DayActivity(day, **counts.get(day, {})))
        return out

    def top_unanswered(self, days: int = 30, limit: int = 5, *, guild_id: GuildScope = ALL_GUILDS) -> list[tuple[str, int]]:
        """The questions most often not covered in the last `days` days, with how often they were asked."""
        first = (datetime.now(UTC).date() - timedelta(days=days - 1)).isoformat()
        where, params = _scope(guild_id)
        rows = self._read(
            f"SELECT question, COUNT(*) AS n, MAX(id) AS latest FROM unanswered WHERE substr(created_at, 1, 10) >= ?{where} "
            "GROUP BY lower(trim(question)) ORDER BY n DESC, latest DESC LIMIT ?",
            (first, *params, limit),
        )
        return [(row["question"].strip(), row["n"]) for row in rows]

    def failed_actions(self, limit: int = 5, *, guild_id: GuildScope = ALL_GUILDS) -> list[AuditEntry]:
        """The latest moderator actions that failed (result starting with "failed"), newest first."""
        where, params = _scope(guild_id)
        rows = self._read(f"SELECT * FROM audit WHERE result LIKE 'failed%'{where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(**dict(row)) for row in rows]

    def builds_since(self, guild_id: int, since: datetime) -> int:
        """How many knowledge-changing builds a guild's moderators ran since `since` (for the builds-per-hour quota)."""
        rows = self._read(
            "SELECT COUNT(*) AS n FROM audit WHERE guild_id = ? AND action IN ('reindex', 'add', 'remove') AND result LIKE 'ok%' AND created_at >= ?",
            (int(guild_id), since.astimezone(UTC).isoformat(timespec="seconds")),
        )
        return int(rows[0]["n"]) if rows else 0

    # -- privacy -------------------------------------------------------------------------------

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Erase a guild's questions, unanswered questions and votes; the audit log of moderator actions stays."""
        deleted: dict[str, int] = {}
        with self._lock, self._conn:
            for table in ("asked", "unanswered", "feedback"):
                deleted[table] = self._conn.execute(f"DELETE FROM {table} WHERE guild_id = ?", (int(guild_id),)).rowcount
        return deleted

    def purge_older_than(self, days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete question texts (asked, unanswered, feedback) older than `days` days; returns rows deleted per table."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).astimezone(UTC).isoformat(timespec="seconds")
        deleted: dict[str, int] = {}
        with self._lock, self._conn:
            for table in ("asked", "unanswered", "feedback"):
                deleted[table] = self._conn.execute(f"DELETE FROM {table} WHERE created_at < ?", (cutoff,)).rowcount
        if any(deleted.values()):
            log.info("retention: deleted question records older than %d days: %s", days, deleted)
        return deleted
