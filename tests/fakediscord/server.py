"""The fake Discord server: REST + websocket gateway on 127.0.0.1 (see package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as _dt
import json
import logging
import re
import secrets
import time
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import validation as V

_log = logging.getLogger("tests.fakediscord")

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"

# Permission bits.
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

DEFAULT_MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES
MODERATOR_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD | MANAGE_MESSAGES | KICK_MEMBERS

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
LOADING = 1 << 7

DEFAULT_GUILD_ID = 1100000000000000001
DEFAULT_APPLICATION_ID = 1100000000000000002


def _now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat()


class _Snowflakes:
    """Monotonic snowflakes whose timestamps are 'now' (so created_at is sensible)."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


_user_ids = _Snowflakes()


@dataclass
class Member:
    """A guild member as the fake presents it in interactions and GUILD_CREATE.

    ``permissions`` is the member's resolved permission integer in the channel (as a string,
    like Discord sends it); a moderator has MANAGE_GUILD (``1 << 5``).
    """

    id: int
    name: str
    permissions: str = str(DEFAULT_MEMBER_PERMISSIONS)
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    global_name: str | None = None
    bot: bool = False
    joined_at: str = field(default_factory=_now_iso)
    locale: str = "en-US"

    def __post_init__(self) -> None:
        self.id = int(self.id)
        self.permissions = str(int(self.permissions))
        self.roles = [int(r) for r in self.roles]

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def is_moderator(self) -> bool:
        return bool(int(self.permissions) & (MANAGE_GUILD | ADMINISTRATOR))

    def user_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def payload(self, *, with_permissions: bool = True, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload()
        if with_permissions:
            data["permissions"] = self.permissions
        return data


class InteractionRecord:
    """What the fake knows about one dispatched interaction (returned by ``send_*``)."""

    def __init__(self, fake: FakeDiscord, payload: dict[str, Any], label: str) -> None:
        self.fake = fake
        self.payload = payload
        self.id: int = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.label = label  # "/ask", "button:custom_id", ...
        self.dispatched_at: float | None = None  # loop.time() when the frame was written
        self.callbacks: list[dict[str, Any]] = []  # accepted callback bodies, each + "at", "latency"
        self.rejected: list[dict[str, Any]] = []  # refused requests: method, route, body, status, error
        self.messages: list[dict[str, Any]] = []  # accepted message bodies (callback data / edits / followups)
        self.deleted: list[int] = []
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.expired = False
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<InteractionRecord {self.label} id={self.id} type={self.type} acked={self.acked}>"

    # -- state -------------------------------------------------------------------------
    def _notify(self) -> None:
        ev, self._changed = self._changed, asyncio.Event()
        ev.set()

    @property
    def acked(self) -> bool:
        return bool(self.callbacks)

    @property
    def ack(self) -> dict[str, Any] | None:
        return self.callbacks[0] if self.callbacks else None

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def ack_latency(self) -> float | None:
        """Seconds from dispatch to the first accepted callback (None while unacknowledged)."""
        return self.callbacks[0]["latency"] if self.callbacks else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices of the type-8 callback, if any."""
        for cb in self.callbacks:
            if cb.get("type") == 8:
                return (cb.get("data") or {}).get("choices")
        return None

    @property
    def modal(self) -> dict[str, Any] | None:
        """The type-9 (modal) callback data, if the bot answered with a modal."""
        for cb in self.callbacks:
            if cb.get("type") == 9:
                return cb.get("data")
        return None

    @property
    def original_message(self) -> dict[str, Any] | None:
        """Current stored state of the original response message (Discord message object)."""
        if self.original_message_id is None:
            return None
        return self.fake.messages.get(self.original_message_id)

    # -- waiting ----------------------------------------------------------------------
    async def _wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.label}: {what} not seen within {timeout}s "
                    f"(callbacks={[c['type'] for c in self.callbacks]}, "
                    f"rejected={[(r['status'], r.get('error', {}).get('code')) for r in self.rejected]})"
                )
            ev = self._changed
            try:
                await asyncio.wait_for(ev.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_ack(self, timeout: float = 3.0) -> dict[str, Any]:
        """The first accepted callback body (``{"type": 4|5|6|7|8|9, "data": ...}``)."""
        return await self._wait(lambda: self.ack, timeout, "acknowledgement")

    async def wait_response(self, timeout: float = 30.0) -> dict[str, Any]:
        """The first visible message: type-4/7 callback data, or after a defer the first
        PATCH @original or followup.  For autocomplete (8) / modal (9) the callback data."""

        def pick() -> dict[str, Any] | None:
            if self.messages:
                return self.messages[0]
            for cb in self.callbacks:
                if cb["type"] in (8, 9):
                    rec = dict(cb.get("data") or {})
                    rec.update(kind="callback", callback_type=cb["type"], at=cb["at"], elapsed=cb["latency"])
                    return rec
            return None

        return await self._wait(pick, timeout, "response message")

    async def wait_messages(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` message bodies were recorded; returns them all."""
        return await self._wait(lambda: self.messages if len(self.messages) >= count else None, timeout, f"{count} message(s)")

    async def wait_rejected(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the first request of this interaction that the fake refused."""
        return await self._wait(lambda: self.rejected[0] if self.rejected else None, timeout, "a rejected request")


Interaction = InteractionRecord


@dataclass
class _Injection:
    status: int
    remaining: int
    path_contains: str
    method: str | None
    retry_after: float
    is_global: bool


class _GatewayConn:
    def __init__(self, fake: FakeDiscord, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.fake = fake
        self.ws = ws
        self.request = request
        self.compress = compress
        self.compressor = zlib.compressobj() if compress else None
        self.lock = asyncio.Lock()
        self.ready = False  # identified or resumed
        self.session_id: str | None = None

    async def send(self, obj: dict[str, Any]) -> None:
        text = json.dumps(obj, separators=(",", ":"))
        async with self.lock:
            if self.ws.closed:
                raise ConnectionResetError("gateway connection closed")
            if self.compressor is not None:
                data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)
        self.fake.gateway_sent.append(obj)


class _Req:
    """A parsed request handed to route handlers."""

    def __init__(self, request: web.Request, rec: dict[str, Any]) -> None:
        self.request = request
        self.rec = rec
        self.method: str = rec["method"]
        self.route: str = rec["route"]
        self.query = request.query
        self.json = rec["json"]
        self.files: list[dict[str, Any]] = rec["files"]
        self.at: float = rec["at"]

    @property
    def body(self) -> Any:
        return self.json


def _json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py compares the header literally.
    hdrs = {"Content-Type": "application/json"}
    if headers:
        hdrs.update(headers)
    return web.Response(status=status, body=json.dumps(data).encode(), headers=hdrs)


def _error(status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json_response(status, body)


def _no_content() -> web.Response:
    return web.Response(status=204)


class FakeDiscord:
    """A fake Discord (REST + gateway) on 127.0.0.1 that real discord.py logs into."""

    def __init__(
        self,
        guild_id: int = DEFAULT_GUILD_ID,
        application_id: int = DEFAULT_APPLICATION_ID,
        bot_user_id: int | None = None,
        *,
        bot_name: str = "Verbatim",
        guild_name: str = "Verbatim Test Guild",
        token: str | None = None,
        token_ttl: float = 15 * 60.0,
        ack_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
        compress: bool = True,
        app_permissions: int | str = DEFAULT_BOT_PERMISSIONS,
        attachment_size_limit: int = 10 * 1024 * 1024,
        guild_locale: str = "en-US",
        require_synced_commands: bool = False,
    ) -> None:
        self.guild_id = int(guild_id)
        self.application_id = int(application_id)
        self.bot_user_id = int(bot_user_id if bot_user_id is not None else application_id)
        self.bot_name = bot_name
        self.guild_name = guild_name
        self.token = token
        self.token_ttl = float(token_ttl)
        self.ack_deadline = float(ack_deadline)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.compress = compress
        self.app_permissions = str(int(app_permissions))
        self.attachment_size_limit = int(attachment_size_limit)
        self.guild_locale = guild_locale
        self.require_synced_commands = require_synced_commands

        self.snowflake = _Snowflakes()
        self.port: int | None = None
        self.host = "127.0.0.1"

        # Public records.
        self.requests: list[dict[str, Any]] = []
        self.unhandled: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.synced_commands: dict[str | int, list[dict[str, Any]]] = {}
        self.registered_commands: dict[str | int, list[dict[str, Any]]] = {}
        self.channel_messages: list[dict[str, Any]] = []
        self.channel_edits: list[dict[str, Any]] = []
        self.deleted_messages: list[int] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.interactions: list[InteractionRecord] = []
        self.user_messages: list[dict[str, Any]] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.gateway_connections: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.gateway_sent: list[dict[str, Any]] = []
        self.presence_updates: list[dict[str, Any]] = []
        self.heartbeats = 0

        # Guild model (the main guild; more with add_guild()).
        self.extra_guilds: dict[int, dict[str, Any]] = {}
        self.member_guilds: dict[int, int] = {}  # member id -> the guild they belong to
        self.roles: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.members: dict[int, Member] = {}
        self._add_role_payload(self.guild_id, "@everyone", DEFAULT_MEMBER_PERMISSIONS, position=0)
        self.moderator_role_id = self.add_role("Moderator", MODERATOR_PERMISSIONS)
        self.channel_id = self.add_channel("general")
        self.mod_log_channel_id = self.add_channel("mod-log")
        self.bot_member = Member(id=self.bot_user_id, name=self.bot_name, bot=True, permissions=self.app_permissions)
        self.members[self.bot_user_id] = self.bot_member
        self.default_member = self.member(name="tester")

        # Internals.
        self._app: web.Application | None = None
        self._runner: web.AppRunner | None = None
        self._conn: _GatewayConn | None = None
        self._conns: list[_GatewayConn] = []
        self._connected = asyncio.Event()
        self._identified = asyncio.Event()
        self._session_id: str | None = None
        self._seq = 0
        self._events: list[tuple[dict[str, Any], Callable[[float], None] | None]] = []
        self._send_lock = asyncio.Lock()
        self._invalidate_next_resume = False
        self._identify_count = 0
        self._resume_count = 0
        self._intents: int | None = None
        self._injections: list[_Injection] = []
        self._ix_by_id: dict[int, InteractionRecord] = {}
        self._ix_by_token: dict[str, InteractionRecord] = {}
        self._attachments: dict[int, tuple[str, str, bytes]] = {}
        self._command_ids: dict[tuple[str | int, str, int], int] = {}
        self._changed = asyncio.Event()
        self._patch_undo: Callable[[], None] | None = None
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle
    @property
    def http_base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE`` / settings DISCORD_API_BASE_URL."""
        return f"{self.http_base}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` / settings DISCORD_GATEWAY_URL."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway-resume"

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._app = app
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        _log.info("fake discord listening on %s", self.http_base)
        return self

    async def stop(self) -> None:
        self.unpatch_discord()
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
        self._conn = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    def patch_discord(self) -> Callable[[], None]:
        """Point discord.py's globals at this fake (Route.BASE, DEFAULT_GATEWAY).  Undone by
        ``unpatch_discord()`` / ``stop()``.  The bot's own settings-based switch does the same."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def undo() -> None:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw

        if self._patch_undo is None:
            self._patch_undo = undo
        return undo

    def unpatch_discord(self) -> None:
        if self._patch_undo is not None:
            self._patch_undo()
            self._patch_undo = None

    @contextlib.asynccontextmanager
    async def run_bot(
        self, bot: Any, token: str = "fake-bot-token", *, timeout: float = 10.0, wait_ready: bool = True
    ) -> AsyncIterator[Any]:
        """Patch discord.py, ``bot.start(token)`` in a task, wait for IDENTIFY (and on_ready),
        yield the bot; on exit ``bot.close()``.  Raises if the bot task dies during startup."""
        self.patch_discord()
        task = asyncio.create_task(bot.start(token), name="fakediscord-bot")
        try:
            waiter = asyncio.ensure_future(self.wait_for_identify(timeout))
            done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                waiter.cancel()
                task.result()  # raises the startup error
                raise RuntimeError("bot stopped during startup")
            if waiter not in done:
                waiter.cancel()
                raise TimeoutError(f"bot did not IDENTIFY within {timeout}s")
            waiter.result()
            if wait_ready:
                await asyncio.wait_for(bot.wait_until_ready(), timeout)
            yield bot
        finally:
            with contextlib.suppress(Exception):
                await bot.close()
            if not task.done():
                task.cancel()
            with contextlib.suppress(BaseException):
                await task

    # ------------------------------------------------------------------ model helpers
    def _add_role_payload(self, role_id: int, name: str, permissions: int, position: int) -> None:
        self.roles[role_id] = {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(int(permissions)),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def add_role(self, name: str, permissions: int | str = 0, role_id: int | None = None) -> int:
        rid = int(role_id) if role_id is not None else self.snowflake()
        self._add_role_payload(rid, name, int(permissions), position=len(self.roles))
        return rid

    def add_guild(self, name: str = "Second Guild", guild_id: int | None = None, *, locale: str = "en-US") -> int:
        """Another guild the bot is in (sent in READY and GUILD_CREATE when the bot connects), with its
        own "general" channel and @everyone role; members join it with ``member(..., guild_id=gid)``.
        Interactions of its members carry its guild id (and no command guild id: commands are global)."""
        gid = int(guild_id) if guild_id is not None else self.snowflake()
        everyone = {
            "id": str(gid),
            "name": "@everyone",
            "color": 0,
            "colors": {"primary_color": 0},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        moderator_role = dict(everyone, id=str(self.snowflake()), name="Moderator", position=1, permissions=str(MODERATOR_PERMISSIONS))
        self.extra_guilds[gid] = {
            "name": name,
            "locale": locale,
            "moderator_role_id": int(moderator_role["id"]),
            "roles": {gid: everyone, int(moderator_role["id"]): moderator_role},
        }
        self.extra_guilds[gid]["channel_id"] = self.add_channel("general", guild_id=gid)
        self.member_guilds[self.bot_user_id] = self.guild_id
        return gid

    def guild_of_channel(self, channel_id: int) -> int:
        return int(self.channels[int(channel_id)]["guild_id"])

    def add_channel(
        self, name: str, type: int = 0, channel_id: int | None = None, bot_can_send: bool = True, *, guild_id: int | None = None
    ) -> int:
        cid = int(channel_id) if channel_id is not None else self.snowflake()
        self.channels[cid] = {
            "id": str(cid),
            "type": type,
            "guild_id": str(guild_id or self.guild_id),
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "parent_id": None,
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "_bot_can_send": bot_can_send,
        }
        return cid

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        ch = self.channels[int(channel_id)]
        return {k: v for k, v in ch.items() if not k.startswith("_")}

    def member(
        self,
        user_id: int | None = None,
        name: str = "alice",
        permissions: int | str | None = None,
        roles: Sequence[int] = (),
        *,
        moderator: bool = False,
        nick: str | None = None,
        bot: bool = False,
        locale: str = "en-US",
        guild_id: int | None = None,
    ) -> Member:
        """Build (and register in the guild) a member.  ``permissions`` is the resolved
        permission integer (int or str); default: an ordinary member.  ``moderator=True``
        (or permissions including MANAGE_GUILD = 1<<5) makes a moderator."""
        if permissions is None:
            permissions = MODERATOR_PERMISSIONS if moderator else DEFAULT_MEMBER_PERMISSIONS
        roles = list(roles)
        gid = int(guild_id) if guild_id is not None else self.guild_id
        if moderator and gid == self.guild_id and self.moderator_role_id not in roles:
            roles.append(self.moderator_role_id)
        elif moderator and gid in self.extra_guilds:
            roles.append(self.extra_guilds[gid]["moderator_role_id"])  # guild_permissions come from roles
        for rid in roles:
            if int(rid) not in self.roles and (gid not in self.extra_guilds or int(rid) not in self.extra_guilds[gid]["roles"]):
                self._add_role_payload(int(rid), f"role-{rid}", 0, position=len(self.roles))
        m = Member(
            id=int(user_id) if user_id is not None else _user_ids(),
            name=name,
            permissions=str(int(permissions)),
            roles=[int(r) for r in roles],
            nick=nick,
            bot=bot,
            locale=locale,
        )
        self.members[m.id] = m
        self.member_guilds[m.id] = gid
        return m

    def moderator(self, user_id: int | None = None, name: str = "mod", *, guild_id: int | None = None) -> Member:
        return self.member(user_id=user_id, name=name, moderator=True, guild_id=guild_id)

    def bot_user_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.bot_user_id),
            "username": self.bot_name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "public_flags": 0,
            "email": None,
            "locale": "en-US",
        }

    def app_info_payload(self) -> dict[str, Any]:
        owner = {
            "id": "1000000000000000001",
            "username": "owner",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "public_flags": 0,
        }
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "description": "Verbatim test app",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
            "rpc_origins": [],
            "bot": self.bot_user_payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "custom_install_url": None,
        }

    def guild_payload(self, *, with_members: bool = True, guild_id: int | None = None) -> dict[str, Any]:
        gid = int(guild_id) if guild_id is not None else self.guild_id
        extra = self.extra_guilds.get(gid)
        roles = list(extra["roles"].values()) if extra else list(self.roles.values())
        members = [m for m in self.members.values() if self.member_guilds.get(m.id, self.guild_id) == gid or m.id == self.bot_user_id]
        channels = [c for c, ch in self.channels.items() if int(ch["guild_id"]) == gid]
        data: dict[str, Any] = {
            "id": str(gid),
            "name": extra["name"] if extra else self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": "1000000000000000001",
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(extra["channel_id"] if extra else self.channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": extra["locale"] if extra else self.guild_locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
        }
        if with_members:
            data.update(
                {
                    "joined_at": _now_iso(),
                    "large": False,
                    "unavailable": False,
                    "member_count": len(members),
                    "members": [m.payload(with_permissions=False) for m in members],
                    "channels": [{k: v for k, v in self.channel_payload(c).items() if k != "guild_id"} for c in channels],
                    "threads": [],
                    "presences": [],
                    "voice_states": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                    "lazy": True,
                }
            )
        return data

    # ------------------------------------------------------------------ recording helpers
    def _violation(self, text: str) -> None:
        self.violations.append(text)
        _log.warning("fake discord violation: %s", text)

    def _touch(self) -> None:
        ev, self._changed = self._changed, asyncio.Event()
        ev.set()

    async def _wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake discord: {what} not seen within {timeout}s")
            ev = self._changed
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    def pinging_messages(self) -> list[dict[str, Any]]:
        """Recorded outgoing messages (interaction messages, channel posts and edits) whose
        text contains @everyone/@here/<@id>/<@&id> while allowed_mentions lets it ping.
        Each returned record carries ``ping_reasons``."""
        out = []
        candidates: list[dict[str, Any]] = []
        for ix in self.interactions:
            candidates.extend(ix.messages)
        candidates.extend(self.channel_messages)
        candidates.extend(self.channel_edits)
        for rec in candidates:
            reasons = V.ping_reasons(rec)
            if reasons:
                r = dict(rec)
                r["ping_reasons"] = reasons
                out.append(r)
        return out

    def unanswered_interactions(self) -> list[InteractionRecord]:
        """Dispatched interactions with no accepted callback whose ack deadline has passed
        (the user saw "The application did not respond")."""
        now = asyncio.get_running_loop().time()
        return [
            ix for ix in self.interactions if not ix.acked and ix.dispatched_at is not None and now - ix.dispatched_at > self.ack_deadline
        ]

    def requests_to(self, path_contains: str, method: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.requests if path_contains in r["path"] and (method is None or r["method"] == method)]

    def get_message(self, message_id: int) -> dict[str, Any] | None:
        return self.messages.get(int(message_id))

    # ------------------------------------------------------------------ test controls
    def inject_rest_errors(
        self,
        status: int = 429,
        count: int = 1,
        path_contains: str = "",
        *,
        method: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """The next ``count`` requests whose path contains ``path_contains`` (and method, if
        given) fail with ``status``.  429s carry ``Via`` + ``retry_after`` like Discord's."""
        self._injections.append(_Injection(status, count, path_contains, method, retry_after, is_global))

    def expire_token(self, ix: InteractionRecord) -> None:
        """Invalidate an interaction token: later webhook calls get 401 / 50027."""
        ix.expired = True

    async def drop_gateway(
        self, *, mode: str = "abort", code: int = 4000, invalidate: bool = False, wait: bool = False, timeout: float = 10.0
    ) -> None:
        """Break the gateway connection so the client must reconnect.

        mode="abort": TCP-level drop without a close frame (client sees 1006); mode="close":
        close frame with ``code`` (4000 = unknown error, resumable).  ``invalidate=True`` answers
        the next RESUME with op 9 (d=false) so the client must IDENTIFY anew.  ``wait=True``
        waits for the RESUMED / new READY."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("no gateway connection to drop")
        before = self._resume_count + self._identify_count
        self._conn = None
        self._connected.clear()
        conn.ready = False
        if invalidate:
            self._invalidate_next_resume = True
        if mode == "abort":
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
            else:
                await conn.ws.close(code=code)
        else:
            await conn.ws.close(code=code)
        if wait:
            await self._wait_until(lambda: self._resume_count + self._identify_count > before, timeout, "gateway reconnect")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and RESUMEs."""
        if self._conn is None:
            raise RuntimeError("no gateway connection")
        conn = self._conn
        self._conn = None
        self._connected.clear()
        await conn.send({"op": 7, "d": None, "s": None, "t": None})

    @property
    def resume_count(self) -> int:
        return self._resume_count

    @property
    def identify_count(self) -> int:
        return self._identify_count

    @property
    def intents(self) -> int | None:
        return self._intents

    async def wait_for_identify(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until the client IDENTIFYed and got READY + GUILD_CREATE; returns IDENTIFY's d."""
        await asyncio.wait_for(self._identified.wait(), timeout)
        return self.identify_payloads[-1]

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:
        await self._wait_until(lambda: self._resume_count >= count, timeout, f"{count} RESUME(s)")

    async def wait_for_sync(self, scope: str | int | None = None, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait for a successful command PUT. scope: "global", a guild id, or None (either)."""

        def got() -> Any:
            if scope is None:
                return self.synced_commands.get("global") or self.synced_commands.get(self.guild_id)
            return self.synced_commands.get(scope if scope == "global" else int(scope))

        return await self._wait_until(got, timeout, f"command sync ({scope or 'any'})")

    async def wait_for_channel_message(
        self, predicate: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 10.0, channel_id: int | None = None
    ) -> dict[str, Any]:
        def find() -> Any:
            for m in self.channel_messages:
                if channel_id is not None and m["channel_id"] != int(channel_id):
                    continue
                if predicate is None or predicate(m):
                    return m
            return None

        return await self._wait_until(find, timeout, "channel message")

    # ------------------------------------------------------------------ gateway dispatch
    async def _wait_connected(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
        except TimeoutError:
            raise TimeoutError("fake discord: no identified gateway connection") from None

    async def dispatch(self, event: str, data: dict[str, Any], on_sent: Callable[[float], None] | None = None) -> int:
        """Send a DISPATCH (op 0) event with the next sequence number.  If no connection is
        up it is buffered and replayed on RESUME (as Discord does).  Returns its seq."""
        async with self._send_lock:
            self._seq += 1
            frame = {"op": 0, "t": event, "s": self._seq, "d": data}
            self._events.append((frame, on_sent))
            conn = self._conn
            if conn is not None and conn.ready:
                if on_sent:
                    on_sent(asyncio.get_running_loop().time())
                try:
                    await conn.send(frame)
                except (ConnectionResetError, RuntimeError) as exc:
                    # Stays buffered; a RESUME replays it (and calls on_sent again).
                    _log.info("dispatch %s buffered: %s", event, exc)
            return frame["s"]

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        compress = self.compress and request.query.get("compress") == "zlib-stream"
        conn = _GatewayConn(self, ws, request, compress)
        self._conns.append(conn)
        self.gateway_connections.append(
            {"path": request.path, "query": dict(request.query), "compressed": compress, "at": time.monotonic()}
        )
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Error while decoding payload.")
            return ws
        try:
            await conn.send(
                {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]}, "s": None, "t": None}
            )
            async for msg in ws:
                if msg.type.name not in ("TEXT", "BINARY"):
                    break
                raw = msg.data if isinstance(msg.data, str) else msg.data.decode()
                try:
                    payload = json.loads(raw)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                self.gateway_received.append(payload)
                op = payload.get("op")
                d = payload.get("d")
                if op == 1:
                    self.heartbeats += 1
                    await conn.send({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    await self._on_identify(conn, d or {})
                elif op == 6:
                    await self._on_resume(conn, d or {})
                elif op == 8:
                    await self._on_request_members(conn, d or {})
                elif op == 3:
                    self.presence_updates.append(d)
                elif op == 4:
                    pass
                else:
                    _log.info("fake gateway: unknown op %s", op)
        except (ConnectionResetError, RuntimeError) as exc:
            _log.info("fake gateway connection ended: %s", exc)
        finally:
            conn.ready = False
            if self._conn is conn:
                self._conn = None
                self._connected.clear()
            with contextlib.suppress(ValueError):
                self._conns.remove(conn)
            self._touch()
        return ws

    def _token_ok(self, token: str | None) -> bool:
        if not token:
            return False
        if self.token is None:
            return True
        return token in (self.token, f"Bot {self.token}")

    async def _on_identify(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        self.identify_payloads.append(d)
        if conn.ready:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if not self._token_ok(d.get("token")):
            self._violation("IDENTIFY with an invalid token")
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self._intents = d.get("intents")
        async with self._send_lock:
            self._session_id = secrets.token_hex(16)
            self._seq = 0
            self._events = []
            self._identify_count += 1
            conn.session_id = self._session_id
            ready: dict[str, Any] = {
                "v": 10,
                "user": self.bot_user_payload(),
                "guilds": [{"id": str(g), "unavailable": True} for g in [self.guild_id, *self.extra_guilds]],
                "session_id": self._session_id,
                "session_type": "normal",
                "resume_gateway_url": self.resume_gateway_url,
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
                "_trace": ["fake-gateway"],
            }
            if d.get("shard"):
                ready["shard"] = d["shard"]
            creates = [("GUILD_CREATE", self.guild_payload(guild_id=g)) for g in [self.guild_id, *self.extra_guilds]]
            for event, data in (("READY", ready), *creates):
                self._seq += 1
                frame = {"op": 0, "t": event, "s": self._seq, "d": data}
                self._events.append((frame, None))
                await conn.send(frame)
            conn.ready = True
            self._conn = conn
            self._connected.set()
            self._identified.set()
        self._touch()

    async def _on_resume(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        self.resume_payloads.append(d)
        if self._invalidate_next_resume or d.get("session_id") != self._session_id or not self._token_ok(d.get("token")):
            self._invalidate_next_resume = False
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        client_seq = d.get("seq") or 0
        loop = asyncio.get_running_loop()
        async with self._send_lock:
            for frame, on_sent in self._events:
                if frame["s"] > client_seq:
                    if on_sent:
                        on_sent(loop.time())
                    await conn.send(frame)
            self._seq += 1
            frame = {"op": 0, "t": "RESUMED", "s": self._seq, "d": {"_trace": ["fake-gateway"]}}
            self._events.append((frame, None))
            await conn.send(frame)
            conn.session_id = self._session_id
            conn.ready = True
            self._conn = conn
            self._connected.set()
            self._resume_count += 1
        self._touch()

    async def _on_request_members(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        members = [m.payload(with_permissions=False) for m in self.members.values()]
        user_ids = d.get("user_ids")
        if user_ids:
            wanted = {str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m["user"]["id"] in wanted]
        query = d.get("query")
        if query:
            members = [m for m in members if m["user"]["username"].startswith(query)]
        await self.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(self.guild_id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "nonce": d.get("nonce"),
                "not_found": [],
            },
        )

    # ------------------------------------------------------------------ interactions
    def _member_or_default(self, member: Member | dict[str, Any] | None) -> Member | dict[str, Any]:
        return self.default_member if member is None else member

    def _base_interaction(
        self,
        itype: int,
        data: dict[str, Any] | None,
        *,
        member: Member | dict[str, Any] | None,
        locale: str | None,
        guild_locale: str | None,
        channel_id: int | None,
        message: dict[str, Any] | None = None,
        dm: bool = False,
    ) -> dict[str, Any]:
        m = self._member_or_default(member)
        mem_payload = m.payload() if isinstance(m, Member) else copy.deepcopy(m)
        user = mem_payload.get("user") or {}
        ix_id = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(ix_id),
            "application_id": str(self.application_id),
            "type": itype,
            "token": "fakeix_" + secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": self.app_permissions,
            "attachment_size_limit": self.attachment_size_limit,
            "locale": locale or (m.locale if isinstance(m, Member) else "en-US"),
            "entitlements": [],
            "entitlement_sku_ids": [],
        }
        if data is not None:
            payload["data"] = data
        if dm:
            dm_channel_id = channel_id or int(user.get("id", 0)) + 7
            payload.update(
                user=user,
                channel_id=str(dm_channel_id),
                context=1,
                channel={"id": str(dm_channel_id), "type": 1, "flags": 0, "last_message_id": None, "recipients": [user]},
                authorizing_integration_owners={"0": str(self.application_id)},
            )
        else:
            # A member of another guild (add_guild) interacts there, in its "general" channel by default.
            home = self.member_guilds.get(m.id, self.guild_id) if isinstance(m, Member) else self.guild_id
            default_channel = self.extra_guilds[home]["channel_id"] if home in self.extra_guilds else self.channel_id
            cid = int(channel_id or default_channel)
            if cid not in self.channels:
                raise KeyError(f"unknown channel {cid}; add it with fake.add_channel()")
            gid = self.guild_of_channel(cid)
            locale_default = self.extra_guilds[gid]["locale"] if gid in self.extra_guilds else self.guild_locale
            payload.update(
                guild_id=str(gid),
                channel_id=str(cid),
                context=0,
                guild={"id": str(gid), "locale": guild_locale or locale_default, "features": []},
                guild_locale=guild_locale or locale_default,
                channel=self.channel_payload(cid),
                member=mem_payload,
                authorizing_integration_owners={"0": str(gid)},
            )
        if message is not None:
            payload["message"] = message
        return payload

    async def _send_interaction(
        self, payload: dict[str, Any], label: str, timeout: float, original_message_id: int | None = None
    ) -> InteractionRecord:
        await self._wait_connected(timeout)
        ix = InteractionRecord(self, payload, label)
        ix.original_message_id = original_message_id
        self.interactions.append(ix)
        self._ix_by_id[ix.id] = ix
        self._ix_by_token[ix.token] = ix

        def sent(t: float) -> None:
            ix.dispatched_at = t  # (re)set when the frame is written, also on RESUME replay

        await self.dispatch("INTERACTION_CREATE", payload, on_sent=sent)
        return ix

    def _find_command(self, name: str, ctype: int) -> tuple[int | None, int | None, dict[str, Any] | None]:
        """-> (command id, guild id if guild command, command payload)"""
        for scope in (self.guild_id, "global"):
            for cmd in self.registered_commands.get(scope, []):
                if cmd.get("name") == name and cmd.get("type", 1) == ctype:
                    return int(cmd["id"]), (self.guild_id if scope != "global" else None), cmd
        return None, None, None

    def _resolve_options(self, options: list[dict[str, Any]], resolved: dict[str, Any]) -> None:
        for opt in options:
            otype = opt.get("type")
            if otype in (1, 2):
                self._resolve_options(opt.get("options") or [], resolved)
                continue
            value = opt.get("value")
            if value is None or otype not in (6, 7, 8, 9):
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
            if otype in (6, 9) and int(value) in self.members:
                m = self.members[int(value)]
                resolved.setdefault("users", {})[str(m.id)] = m.user_payload()
                resolved.setdefault("members", {})[str(m.id)] = m.payload(with_user=False)
            if otype in (8, 9) and int(value) in self.roles:
                resolved.setdefault("roles", {})[str(value)] = self.roles[int(value)]
            if otype == 7 and int(value) in self.channels:
                ch = self.channel_payload(int(value))
                resolved.setdefault("channels", {})[str(value)] = {
                    "id": ch["id"],
                    "name": ch["name"],
                    "type": ch["type"],
                    "permissions": self.app_permissions,
                    "parent_id": ch.get("parent_id"),
                }

    def _attachment_payload(
        self, att_id: int, filename: str, data: bytes, content_type: str, channel_id: int, description: str | None = None
    ) -> dict[str, Any]:
        self._attachments[att_id] = (filename, content_type, data)
        url = f"{self.http_base}/attachments/{channel_id}/{att_id}/{filename}"
        payload = {"id": str(att_id), "filename": filename, "size": len(data), "url": url, "proxy_url": url, "content_type": content_type}
        if description is not None:
            payload["description"] = description
        return payload

    def add_attachment(
        self, filename: str, data: bytes, content_type: str = "application/octet-stream", channel_id: int | None = None
    ) -> dict[str, Any]:
        """Store bytes the fake serves under /attachments/...; returns an attachment payload."""
        return self._attachment_payload(self.snowflake(), filename, data, content_type, int(channel_id or self.channel_id))

    @staticmethod
    def _leaf_options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The option list that holds arguments (inside subcommand / group if present)."""
        current = options
        while True:
            sub = next((o for o in current if o.get("type") in (1, 2)), None)
            if sub is None:
                return current
            sub.setdefault("options", [])
            current = sub["options"]

    async def send_command(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        member: Member | dict[str, Any] | None = None,
        locale: str | None = None,
        guild_locale: str | None = None,
        channel_id: int | None = None,
        attachments: Sequence[tuple[str, bytes, str]] | dict[str, tuple[str, bytes, str]] | None = None,
        command_guild_id: int | None = None,
        dm: bool = False,
        timeout: float = 10.0,
        _itype: int = 2,
    ) -> InteractionRecord:
        """Dispatch a chat-input command (INTERACTION_CREATE type 2, data.type 1).

        ``options`` is Discord's option list; subcommands/groups are options of type 1/2 with
        nested ``options``.  ``attachments`` is a list of (filename, bytes, content_type) filling,
        in order, the type-11 options that have no ``value`` (else the synced schema's type-11
        options, else options named "file", "file2", ...), or a dict {option_name: tuple}."""
        options = copy.deepcopy(options or [])
        cmd_id, cmd_guild, schema = self._find_command(name, 1)
        if cmd_id is None:
            if self.require_synced_commands:
                self._violation(f"/{name} dispatched but it was never synced")
            cmd_id = self._command_ids.setdefault(("unsynced", name, 1), self.snowflake())
        if command_guild_id is not None:
            cmd_guild = int(command_guild_id)
        resolved: dict[str, Any] = {}
        cid = int(channel_id or self.channel_id)
        if attachments:
            leaf = self._leaf_options(options)
            if isinstance(attachments, dict):
                items = list(attachments.items())
            else:
                holes = [o for o in leaf if o.get("type") == 11 and "value" not in o]
                names = [o["name"] for o in holes]
                if not names and schema is not None:
                    schema_leaf = self._schema_leaf(schema, options)
                    names = [o["name"] for o in schema_leaf if o.get("type") == 11]
                names += [("file" if i == 0 else f"file{i + 1}") for i in range(len(names), len(attachments))]
                items = list(zip(names, attachments))
            for opt_name, (filename, data, ctype) in items:
                att = self._attachment_payload(self.snowflake(), filename, data, ctype, cid)
                resolved.setdefault("attachments", {})[att["id"]] = att
                hole = next((o for o in leaf if o.get("name") == opt_name and o.get("type") == 11), None)
                if hole is None:
                    hole = {"name": opt_name, "type": 11}
                    leaf.append(hole)
                hole["value"] = att["id"]
        self._resolve_options(options, resolved)
        if _itype == 4 and not any(o.get("focused") for o in self._leaf_options(options)):
            raise ValueError("autocomplete needs one option with focused=True")
        data: dict[str, Any] = {"id": str(cmd_id), "name": name, "type": 1, "options": options}
        if cmd_guild is not None:
            data["guild_id"] = str(cmd_guild)
        if resolved:
            data["resolved"] = resolved
        payload = self._base_interaction(
            _itype, data, member=member, locale=locale, guild_locale=guild_locale, channel_id=channel_id, dm=dm
        )
        if command_guild_id is None and data.get("guild_id") is not None and payload.get("guild_id") != data["guild_id"]:
            del data["guild_id"]  # in another guild the main guild's command does not exist: it runs as global
        label = ("autocomplete /" if _itype == 4 else "/") + " ".join([name] + self._sub_path(options))
        return await self._send_interaction(payload, label, timeout)

    @staticmethod
    def _sub_path(options: list[dict[str, Any]]) -> list[str]:
        path: list[str] = []
        current = options
        while True:
            sub = next((o for o in current if o.get("type") in (1, 2)), None)
            if sub is None:
                return path
            path.append(sub["name"])
            current = sub.get("options") or []

    @staticmethod
    def _schema_leaf(schema: dict[str, Any], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        current_schema = schema.get("options") or []
        current = options
        while True:
            sub = next((o for o in current if o.get("type") in (1, 2)), None)
            if sub is None:
                return current_schema
            nxt = next((o for o in current_schema if o.get("name") == sub["name"]), None)
            if nxt is None:
                return []
            current_schema = nxt.get("options") or []
            current = sub.get("options") or []

    async def send_subcommand(self, name: str, *path_and_options: Any, **kwargs: Any) -> InteractionRecord:
        """``send_subcommand("kb", "reindex", options=[...])`` or ``("kb", "admin", "reindex")``:
        builds the nested type 2/1 options and calls :meth:`send_command`."""
        leaf_opts = kwargs.pop("options", None) or []
        path = [p for p in path_and_options if isinstance(p, str)]
        if not path:
            return await self.send_command(name, leaf_opts, **kwargs)
        node: dict[str, Any] = {"type": 1, "name": path[-1], "options": leaf_opts}
        for group in reversed(path[:-1]):
            node = {"type": 2, "name": group, "options": [node]}
        return await self.send_command(name, [node], **kwargs)

    async def send_autocomplete(self, name: str, options: list[dict[str, Any]] | None = None, **kwargs: Any) -> InteractionRecord:
        """Dispatch an autocomplete interaction (type 4); one option must have focused=True."""
        return await self.send_command(name, options, _itype=4, **kwargs)

    def message_payload(
        self,
        content: str = "",
        *,
        author: Member | dict[str, Any] | None = None,
        channel_id: int | None = None,
        message_id: int | None = None,
        embeds: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A Discord message object authored by a (fake) user."""
        a = self._member_or_default(author)
        user = a.user_payload() if isinstance(a, Member) else (a.get("user") or a)
        cid = int(channel_id or self.channel_id)
        msg = {
            "id": str(message_id or self.snowflake()),
            "channel_id": str(cid),
            "guild_id": str(self.guild_id),
            "author": user,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": "@everyone" in content,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments or [],
            "embeds": embeds or [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if isinstance(a, Member):
            msg["member"] = a.payload(with_user=False, with_permissions=False)
        return msg

    async def send_context_menu(
        self,
        name: str,
        message: dict[str, Any] | None = None,
        *,
        content: str | None = None,
        member: Member | dict[str, Any] | None = None,
        author: Member | dict[str, Any] | None = None,
        locale: str | None = None,
        guild_locale: str | None = None,
        channel_id: int | None = None,
        timeout: float = 10.0,
    ) -> InteractionRecord:
        """Dispatch a message context-menu command (type 2, data.type 3) targeting ``message``
        (a Discord message dict) or a message built from ``content`` by ``author``."""
        if message is None:
            message = self.message_payload(content or "", author=author, channel_id=channel_id)
        else:  # complete a minimal dict ({"content": ...}) into a full message object
            base = self.message_payload(
                message.get("content", content or ""), author=author, channel_id=channel_id or message.get("channel_id")
            )
            base.update(copy.deepcopy(message))
            base["id"] = str(base["id"])
            base["channel_id"] = str(base["channel_id"])
            message = base
        cmd_id, cmd_guild, _ = self._find_command(name, 3)
        if cmd_id is None:
            if self.require_synced_commands:
                self._violation(f"message command {name!r} dispatched but it was never synced")
            cmd_id = self._command_ids.setdefault(("unsynced", name, 3), self.snowflake())
        data: dict[str, Any] = {
            "id": str(cmd_id),
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if cmd_guild is not None:
            data["guild_id"] = str(cmd_guild)
        payload = self._base_interaction(2, data, member=member, locale=locale, guild_locale=guild_locale, channel_id=channel_id)
        return await self._send_interaction(payload, f"message menu {name!r}", timeout)

    async def send_user_context_menu(
        self, name: str, target: Member, *, member: Member | dict[str, Any] | None = None, locale: str | None = None, timeout: float = 10.0
    ) -> InteractionRecord:
        """Dispatch a user context-menu command (type 2, data.type 2) targeting ``target``."""
        cmd_id, cmd_guild, _ = self._find_command(name, 2)
        if cmd_id is None:
            cmd_id = self._command_ids.setdefault(("unsynced", name, 2), self.snowflake())
        data: dict[str, Any] = {
            "id": str(cmd_id),
            "name": name,
            "type": 2,
            "target_id": str(target.id),
            "resolved": {"users": {str(target.id): target.user_payload()}, "members": {str(target.id): target.payload(with_user=False)}},
        }
        if cmd_guild is not None:
            data["guild_id"] = str(cmd_guild)
        payload = self._base_interaction(2, data, member=member, locale=locale, guild_locale=None, channel_id=None)
        return await self._send_interaction(payload, f"user menu {name!r}", timeout)

    def _message_from_record(self, message_record: dict[str, Any] | int) -> dict[str, Any]:
        if isinstance(message_record, int):
            mid = message_record
        elif "message_id" in message_record and message_record.get("message_id") is not None:
            mid = int(message_record["message_id"])
        else:
            mid = int(message_record["id"])
        msg = self.messages.get(mid)
        if msg is None:
            raise KeyError(f"message {mid} is not a message the bot sent (or it was deleted)")
        return msg

    @staticmethod
    def _walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for c in components or []:
            out.append(c)
            out.extend(FakeDiscord._walk_components(c.get("components") or []))
            if isinstance(c.get("accessory"), dict):
                out.extend(FakeDiscord._walk_components([c["accessory"]]))
        return out

    async def click_button(
        self,
        message_record: dict[str, Any] | int,
        custom_id: str,
        *,
        member: Member | dict[str, Any] | None = None,
        locale: str | None = None,
        values: list[str] | None = None,
        timeout: float = 10.0,
    ) -> InteractionRecord:
        """Dispatch a component interaction (type 3) for the component ``custom_id`` on a
        message the bot sent (a record from ``ix.messages`` / ``wait_response()`` /
        ``channel_messages``, a message dict, or a message id).  For select menus pass ``values``."""
        msg = self._message_from_record(message_record)
        comp = next((c for c in self._walk_components(msg.get("components") or []) if c.get("custom_id") == custom_id), None)
        if comp is None:
            ids = [c.get("custom_id") for c in self._walk_components(msg.get("components") or []) if c.get("custom_id")]
            raise KeyError(f"no component {custom_id!r} on message {msg['id']} (has {ids})")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot click it")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if comp.get("type") in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
            data["resolved"] = {}
        payload = self._base_interaction(
            3,
            data,
            member=member,
            locale=locale,
            guild_locale=None,
            channel_id=int(msg["channel_id"]) if int(msg["channel_id"]) in self.channels else None,
            message=copy.deepcopy(msg),
        )
        return await self._send_interaction(payload, f"component {custom_id!r}", timeout, original_message_id=int(msg["id"]))

    async def select_menu(
        self, message_record: dict[str, Any] | int, custom_id: str, values: list[str], **kwargs: Any
    ) -> InteractionRecord:
        return await self.click_button(message_record, custom_id, values=values, **kwargs)

    async def submit_modal(
        self, ix: InteractionRecord, values: dict[str, str], *, member: Member | dict[str, Any] | None = None, timeout: float = 10.0
    ) -> InteractionRecord:
        """Submit the modal that ``ix`` answered with (type-9 callback): dispatches a type-5
        interaction whose text inputs carry ``values`` {custom_id: text}."""
        modal = ix.modal
        if modal is None:
            raise ValueError(f"{ix.label} was not answered with a modal")

        def convert(comp: dict[str, Any]) -> dict[str, Any]:
            ctype = comp.get("type")
            if ctype == 1:
                return {"type": 1, "components": [convert(c) for c in comp.get("components") or []]}
            if ctype == 18:
                return {"type": 18, "component": convert(comp["component"])}
            out = {"type": ctype, "custom_id": comp.get("custom_id")}
            if ctype == 4:
                out["value"] = values.get(comp.get("custom_id"), comp.get("value") or "")
            elif ctype in (3, 5, 6, 7, 8):
                out["values"] = values.get(comp.get("custom_id"), [])  # type: ignore[assignment]
            return out

        data = {"custom_id": modal["custom_id"], "components": [convert(c) for c in modal.get("components") or []]}
        src_member = member
        if src_member is None:
            src_member = ix.payload.get("member")
        message = ix.payload.get("message")
        payload = self._base_interaction(
            5,
            data,
            member=src_member,
            locale=ix.payload.get("locale"),
            guild_locale=None,
            channel_id=int(ix.payload["channel_id"]),
            message=message,
        )
        return await self._send_interaction(
            payload, f"modal {modal['custom_id']!r}", timeout, original_message_id=int(message["id"]) if message else None
        )

    async def send_message(
        self, content: str, *, author: Member | dict[str, Any] | None = None, channel_id: int | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """A user posts ``content`` (MESSAGE_CREATE).  Without the MESSAGE_CONTENT intent the
        bot gets empty content unless it is mentioned, as on Discord."""
        await self._wait_connected(timeout)
        msg = self.message_payload(content, author=author, channel_id=channel_id)
        self.user_messages.append(msg)
        sent = copy.deepcopy(msg)
        mentioned = f"<@{self.bot_user_id}>" in content or f"<@!{self.bot_user_id}>" in content
        if mentioned:
            sent["mentions"] = [self.bot_user_payload()]
        if not ((self._intents or 0) & MESSAGE_CONTENT_INTENT) and not mentioned:
            sent.update(content="", embeds=[], attachments=[], components=[])
        await self.dispatch("MESSAGE_CREATE", sent)
        return msg

    # ------------------------------------------------------------------ HTTP plumbing
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in ("/gateway", "/gateway-resume") and request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        loop = asyncio.get_running_loop()
        rec: dict[str, Any] = {
            "method": request.method,
            "path": path,
            "route": path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "json": None,
            "payload_json": None,
            "files": [],
            "body": b"",
            "status": None,
            "response": None,
            "at": loop.time(),
            "time": time.time(),
        }
        self.requests.append(rec)
        try:
            await self._read_body(request, rec)
        except Exception as exc:  # malformed body
            resp = _error(400, 50109, f"The request body contains invalid JSON. ({exc})")
            return self._finish(rec, resp)
        resp = await self._dispatch_route(request, rec)
        return self._finish(rec, resp)

    def _finish(self, rec: dict[str, Any], resp: web.StreamResponse) -> web.StreamResponse:
        rec["status"] = resp.status
        if isinstance(resp, web.Response) and resp.body is not None and resp.content_type == "application/json":
            with contextlib.suppress(Exception):
                rec["response"] = json.loads(resp.body)  # type: ignore[arg-type]
        self._touch()
        return resp

    async def _read_body(self, request: web.Request, rec: dict[str, Any]) -> None:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part is None:
                    break
                data = await part.read(decode=False)  # type: ignore[union-attr]
                name = part.name  # type: ignore[union-attr]
                if name == "payload_json":
                    rec["payload_json"] = json.loads(data.decode())
                    rec["json"] = rec["payload_json"]
                else:
                    rec["files"].append(
                        {
                            "field": name,
                            "filename": part.filename,  # type: ignore[union-attr]
                            "content_type": part.headers.get("Content-Type", "application/octet-stream"),  # type: ignore[union-attr]
                            "data": bytes(data),
                            "size": len(data),
                        }
                    )
            return
        body = await request.read()
        rec["body"] = body
        if body:
            ctype = request.headers.get("Content-Type", "")
            if ctype.split(";")[0].strip() == "application/json" or body[:1] in (b"{", b"["):
                rec["json"] = json.loads(body.decode())

    async def _dispatch_route(self, request: web.Request, rec: dict[str, Any]) -> web.StreamResponse:
        path, method, route = rec["path"], rec["method"], rec["route"]
        if path.startswith("/attachments/") and method == "GET":
            return self._serve_attachment(path)
        if not path.startswith(API_PREFIX + "/"):
            self.unhandled.append(rec)
            return _error(404, 0, "404: Not Found")
        for inj in self._injections:
            if inj.remaining > 0 and inj.path_contains in path and (inj.method is None or inj.method == method):
                inj.remaining -= 1
                if inj.status == 429:
                    return _json_response(
                        429,
                        {"message": "You are being rate limited.", "retry_after": inj.retry_after, "global": inj.is_global, "code": 0},
                        {
                            "Via": "1.1 google",
                            "Retry-After": str(max(1, int(inj.retry_after + 0.999))),
                            "X-RateLimit-Scope": "global" if inj.is_global else "user",
                        },
                    )
                if inj.status >= 500:
                    return _json_response(inj.status, {"message": f"{inj.status}: Internal Server Error", "code": 0})
                return _error(inj.status, 0, f"{inj.status}: injected error")
        req = _Req(request, rec)
        for rmethod, regex, handler, needs_auth in self._routes:
            if rmethod != method:
                continue
            m = regex.fullmatch(route)
            if m is None:
                continue
            if needs_auth:
                auth = request.headers.get("Authorization", "")
                if not auth.startswith("Bot ") or not self._token_ok(auth[4:]):
                    self._violation(f"{method} {route} without a valid 'Authorization: Bot <token>' header")
                    return _error(401, 0, "401: Unauthorized")
            return await handler(req, **m.groupdict())
        self.unhandled.append(rec)
        _log.warning("fake discord: unhandled %s %s", method, route)
        return _error(404, 0, "404: Not Found")

    def _serve_attachment(self, path: str) -> web.Response:
        parts = path.split("/")
        try:
            att_id = int(parts[3])
            filename, ctype, data = self._attachments[att_id]
        except (IndexError, ValueError, KeyError):
            return web.Response(status=404, text="Not Found")
        return web.Response(status=200, body=data, headers={"Content-Type": ctype})

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any], bool]]:
        S = r"(?P<{}>\d+)"
        T = r"(?P<token>[^/]+)"
        table = [
            ("GET", "/gateway", self._r_gateway, False),
            ("GET", "/gateway/bot", self._r_gateway_bot, True),
            ("GET", "/users/@me", self._r_me, True),
            ("GET", f"/users/{S.format('user_id')}", self._r_user, True),
            ("POST", "/users/@me/channels", self._r_create_dm, True),
            ("GET", "/oauth2/applications/@me", self._r_app_info, True),
            ("GET", "/applications/@me", self._r_app_info, True),
            ("GET", f"/applications/{S.format('app')}/commands", self._r_get_commands, True),
            ("PUT", f"/applications/{S.format('app')}/commands", self._r_put_commands, True),
            ("POST", f"/applications/{S.format('app')}/commands", self._r_post_command, True),
            ("GET", f"/applications/{S.format('app')}/commands/{S.format('cmd')}", self._r_get_command, True),
            ("PATCH", f"/applications/{S.format('app')}/commands/{S.format('cmd')}", self._r_patch_command, True),
            ("DELETE", f"/applications/{S.format('app')}/commands/{S.format('cmd')}", self._r_delete_command, True),
            ("GET", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands/permissions", self._r_empty_list, True),
            ("GET", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands", self._r_get_commands, True),
            ("PUT", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands", self._r_put_commands, True),
            ("POST", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands", self._r_post_command, True),
            ("GET", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands/{S.format('cmd')}", self._r_get_command, True),
            ("PATCH", f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands/{S.format('cmd')}", self._r_patch_command, True),
            (
                "DELETE",
                f"/applications/{S.format('app')}/guilds/{S.format('gid')}/commands/{S.format('cmd')}",
                self._r_delete_command,
                True,
            ),
            ("GET", f"/applications/{S.format('app')}/emojis", self._r_app_emojis, True),
            ("GET", f"/applications/{S.format('app')}/entitlements", self._r_empty_list, True),
            ("GET", f"/channels/{S.format('cid')}", self._r_get_channel, True),
            ("GET", f"/channels/{S.format('cid')}/messages", self._r_history, True),
            ("POST", f"/channels/{S.format('cid')}/messages", self._r_post_message, True),
            ("GET", f"/channels/{S.format('cid')}/messages/{S.format('mid')}", self._r_get_message, True),
            ("PATCH", f"/channels/{S.format('cid')}/messages/{S.format('mid')}", self._r_edit_message, True),
            ("DELETE", f"/channels/{S.format('cid')}/messages/{S.format('mid')}", self._r_delete_message, True),
            ("POST", f"/channels/{S.format('cid')}/typing", self._r_no_content, True),
            ("PUT", f"/channels/{S.format('cid')}/messages/{S.format('mid')}/reactions/(?P<emoji>[^/]+)/@me", self._r_no_content, True),
            ("DELETE", f"/channels/{S.format('cid')}/messages/{S.format('mid')}/reactions/(?P<emoji>[^/]+)/@me", self._r_no_content, True),
            ("POST", f"/channels/{S.format('cid')}/messages/{S.format('mid')}/threads", self._r_create_thread, True),
            ("POST", f"/channels/{S.format('cid')}/threads", self._r_create_thread, True),
            ("GET", f"/guilds/{S.format('gid')}", self._r_guild, True),
            ("GET", f"/guilds/{S.format('gid')}/channels", self._r_guild_channels, True),
            ("GET", f"/guilds/{S.format('gid')}/roles", self._r_guild_roles, True),
            ("GET", f"/guilds/{S.format('gid')}/members", self._r_guild_members, True),
            ("GET", f"/guilds/{S.format('gid')}/members/{S.format('uid')}", self._r_guild_member, True),
            ("POST", f"/interactions/{S.format('iid')}/{T}/callback", self._r_callback, False),
            ("GET", f"/webhooks/{S.format('app')}/{T}/messages/(?P<mid>@original|\\d+)", self._r_wh_get, False),
            ("PATCH", f"/webhooks/{S.format('app')}/{T}/messages/(?P<mid>@original|\\d+)", self._r_wh_edit, False),
            ("DELETE", f"/webhooks/{S.format('app')}/{T}/messages/(?P<mid>@original|\\d+)", self._r_wh_delete, False),
            ("POST", f"/webhooks/{S.format('app')}/{T}", self._r_wh_followup, False),
        ]
        return [(m, re.compile(p), h, a) for m, p, h, a in table]

    # ------------------------------------------------------------------ simple routes
    async def _r_gateway(self, req: _Req) -> web.Response:
        return _json_response(200, {"url": self.gateway_url})

    async def _r_gateway_bot(self, req: _Req) -> web.Response:
        return _json_response(
            200,
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
            },
        )

    async def _r_me(self, req: _Req) -> web.Response:
        return _json_response(200, self.bot_user_payload())

    async def _r_user(self, req: _Req, user_id: str) -> web.Response:
        uid = int(user_id)
        if uid == self.bot_user_id:
            return _json_response(200, self.bot_user_payload())
        if uid in self.members:
            return _json_response(200, self.members[uid].user_payload())
        return _error(404, 10013, "Unknown User")

    async def _r_create_dm(self, req: _Req) -> web.Response:
        rid = int((req.json or {}).get("recipient_id", 0))
        m = self.members.get(rid)
        if m is None:
            return _error(404, 10013, "Unknown User")
        cid = rid + 7
        if cid not in self.channels:
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "name": None,
                "position": 0,
                "permission_overwrites": [],
                "recipients": [m.user_payload()],
                "last_message_id": None,
                "flags": 0,
                "_bot_can_send": True,
            }
        ch = self.channel_payload(cid)
        ch.pop("guild_id", None)
        return _json_response(200, ch)

    async def _r_app_info(self, req: _Req) -> web.Response:
        return _json_response(200, self.app_info_payload())

    async def _r_app_emojis(self, req: _Req, app: str) -> web.Response:
        return _json_response(200, {"items": []})

    async def _r_empty_list(self, req: _Req, **_: str) -> web.Response:
        return _json_response(200, [])

    async def _r_no_content(self, req: _Req, **_: str) -> web.Response:
        return _no_content()

    async def _r_guild(self, req: _Req, gid: str) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        data = self.guild_payload(with_members=False)
        data["approximate_member_count"] = len(self.members)
        return _json_response(200, data)

    async def _r_guild_channels(self, req: _Req, gid: str) -> web.Response:
        if int(gid) != self.guild_id:
            return _error(404, 10004, "Unknown Guild")
        return _json_response(200, [self.channel_payload(c) for c, ch in self.channels.items() if ch["type"] != 1])

    async def _r_guild_roles(self, req: _Req, gid: str) -> web.Response:
        return _json_response(200, list(self.roles.values()))

    async def _r_guild_members(self, req: _Req, gid: str) -> web.Response:
        return _json_response(200, [m.payload(with_permissions=False) for m in self.members.values()])

    async def _r_guild_member(self, req: _Req, gid: str, uid: str) -> web.Response:
        m = self.members.get(int(uid))
        if m is None or int(gid) != self.guild_id:
            return _error(404, 10007, "Unknown Member")
        return _json_response(200, m.payload(with_permissions=False))

    async def _r_get_channel(self, req: _Req, cid: str) -> web.Response:
        if int(cid) not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        return _json_response(200, self.channel_payload(int(cid)))

    async def _r_create_thread(self, req: _Req, cid: str, mid: str | None = None) -> web.Response:
        if int(cid) not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        body = req.json or {}
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            errs = V.Errors()
            errs.add(["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            self._violation(f"thread name invalid: {errs.problems}")
            return _json_response(400, errs.body())
        tid = int(mid) if mid else self.snowflake()
        ttype = 11 if mid else int(body.get("type") or 11)
        self.channels[tid] = {
            "id": str(tid),
            "type": ttype,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "parent_id": cid,
            "owner_id": str(self.bot_user_id),
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "rate_limit_per_user": 0,
            "flags": 0,
            "last_message_id": None,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
            "_bot_can_send": True,
        }
        return _json_response(201, self.channel_payload(tid))

    # ------------------------------------------------------------------ commands
    def _scope(self, gid: str | None) -> str | int:
        return "global" if gid is None else int(gid)

    def _register(self, scope: str | int, cmd: dict[str, Any]) -> dict[str, Any]:
        key = (scope, cmd.get("name"), cmd.get("type", 1))
        cid = self._command_ids.setdefault(key, self.snowflake())  # type: ignore[arg-type]
        out = copy.deepcopy(cmd)
        out.setdefault("type", 1)
        out.setdefault("description", "")
        out.setdefault("options", [])
        out.setdefault("default_member_permissions", None)
        out.setdefault("nsfw", False)
        if out["default_member_permissions"] is not None:
            out["default_member_permissions"] = str(out["default_member_permissions"])
        out.update(id=str(cid), application_id=str(self.application_id), version=str(self.snowflake()))
        if scope != "global":
            out["guild_id"] = str(scope)
        return out

    def _check_app(self, app: str) -> web.Response | None:
        if int(app) != self.application_id:
            self._violation(f"command route for unknown application {app}")
            return _error(404, 10002, "Unknown Application")
        return None

    async def _r_get_commands(self, req: _Req, app: str, gid: str | None = None) -> web.Response:
        bad = self._check_app(app)
        if bad:
            return bad
        return _json_response(200, self.registered_commands.get(self._scope(gid), []))

    async def _r_put_commands(self, req: _Req, app: str, gid: str | None = None) -> web.Response:
        bad = self._check_app(app)
        if bad:
            return bad
        if gid is not None and int(gid) != self.guild_id:
            return _error(403, 50001, "Missing Access")
        payload = req.json
        errs = V.validate_commands(payload)
        scope = self._scope(gid)
        if errs:
            self._violation(f"command sync ({scope}) rejected: {'; '.join(errs.problems)}")
            return _json_response(400, errs.body())
        self.synced_commands[scope] = copy.deepcopy(payload)
        self.registered_commands[scope] = [self._register(scope, c) for c in payload]
        return _json_response(200, self.registered_commands[scope])

    async def _r_post_command(self, req: _Req, app: str, gid: str | None = None) -> web.Response:
        bad = self._check_app(app)
        if bad:
            return bad
        cmd = req.json or {}
        errs = V.validate_command(cmd)
        scope = self._scope(gid)
        if errs:
            self._violation(f"command upsert ({scope}) rejected: {'; '.join(errs.problems)}")
            return _json_response(400, errs.body())
        lst = self.registered_commands.setdefault(scope, [])
        synced = self.synced_commands.setdefault(scope, [])
        reg = self._register(scope, cmd)
        lst[:] = [c for c in lst if c["id"] != reg["id"]] + [reg]
        synced[:] = [c for c in synced if (c.get("name"), c.get("type", 1)) != (cmd.get("name"), cmd.get("type", 1))] + [copy.deepcopy(cmd)]
        return _json_response(201, reg)

    def _find_registered(self, scope: str | int, cmd: str) -> dict[str, Any] | None:
        return next((c for c in self.registered_commands.get(scope, []) if c["id"] == cmd), None)

    async def _r_get_command(self, req: _Req, app: str, cmd: str, gid: str | None = None) -> web.Response:
        found = self._find_registered(self._scope(gid), cmd)
        return _json_response(200, found) if found else _error(404, 10063, "Unknown application command")

    async def _r_patch_command(self, req: _Req, app: str, cmd: str, gid: str | None = None) -> web.Response:
        scope = self._scope(gid)
        found = self._find_registered(scope, cmd)
        if not found:
            return _error(404, 10063, "Unknown application command")
        merged = {k: v for k, v in found.items() if k not in ("id", "application_id", "version", "guild_id")}
        merged.update(req.json or {})
        errs = V.validate_command(merged)
        if errs:
            self._violation(f"command edit rejected: {'; '.join(errs.problems)}")
            return _json_response(400, errs.body())
        found.update(req.json or {})
        return _json_response(200, found)

    async def _r_delete_command(self, req: _Req, app: str, cmd: str, gid: str | None = None) -> web.Response:
        scope = self._scope(gid)
        found = self._find_registered(scope, cmd)
        if not found:
            return _error(404, 10063, "Unknown application command")
        self.registered_commands[scope].remove(found)
        self.synced_commands[scope] = [
            c for c in self.synced_commands.get(scope, []) if (c.get("name"), c.get("type", 1)) != (found["name"], found["type"])
        ]
        return _no_content()

    # ------------------------------------------------------------------ messages
    def _files_check(self, req: _Req, where: str) -> web.Response | None:
        if len(req.files) > V.MAX_FILES:
            self._violation(f"{where}: {len(req.files)} files (> {V.MAX_FILES})")
            errs = V.Errors()
            errs.add(["files"], "BASE_TYPE_MAX_LENGTH", f"Must be {V.MAX_FILES} or fewer in length.")
            return _json_response(400, errs.body())
        for f in req.files:
            if f["size"] > self.attachment_size_limit:
                self._violation(f"{where}: file {f['filename']!r} is {f['size']} bytes (> {self.attachment_size_limit})")
                return _error(413, 40005, "Request entity too large")
        return None

    def _build_attachments(
        self, body: dict[str, Any], files: list[dict[str, Any]], channel_id: int, existing: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]] | None:
        """Turn payload 'attachments' + uploaded parts into stored attachment payloads.
        Returns None when the body does not touch attachments (edit keeps the old ones)."""
        by_field = {f["field"]: f for f in files}
        meta = body.get("attachments")
        if meta is None and not files:
            return None
        result: list[dict[str, Any]] = []
        used = set()
        existing_by_id = {a["id"]: a for a in existing or []}
        for entry in meta or []:
            ref = str(entry.get("id"))
            part = by_field.get(f"files[{ref}]")
            if part is not None:
                used.add(part["field"])
                result.append(
                    self._attachment_payload(
                        self.snowflake(),
                        entry.get("filename") or part["filename"] or "file",
                        part["data"],
                        part["content_type"],
                        channel_id,
                        entry.get("description"),
                    )
                )
            elif ref in existing_by_id:
                result.append(existing_by_id[ref])
        for part in files:
            if part["field"] not in used:
                result.append(
                    self._attachment_payload(self.snowflake(), part["filename"] or "file", part["data"], part["content_type"], channel_id)
                )
        return result

    def _new_message(
        self,
        body: dict[str, Any],
        files: list[dict[str, Any]],
        *,
        channel_id: int,
        msg_type: int,
        interaction: InteractionRecord | None = None,
        message_id: int | None = None,
        extra_flags: int = 0,
    ) -> dict[str, Any]:
        mid = message_id or self.snowflake()
        embeds = []
        for e in body.get("embeds") or []:
            e2 = dict(e)
            e2.setdefault("type", "rich")
            embeds.append(e2)
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": self.bot_user_payload(),
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._build_attachments(body, files, channel_id) or [],
            "embeds": embeds,
            "components": copy.deepcopy(body.get("components") or []),
            "pinned": False,
            "flags": int(body.get("flags") or 0) | extra_flags,
        }
        if int(channel_id) in self.channels and self.channels[int(channel_id)]["type"] != 1:
            msg["guild_id"] = str(self.guild_of_channel(int(channel_id)))
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        if interaction is not None:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
            user = (interaction.payload.get("member") or {}).get("user") or interaction.payload.get("user") or {}
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": user,
                "authorizing_integration_owners": interaction.payload.get("authorizing_integration_owners", {}),
            }
        self.messages[mid] = msg
        return msg

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]) -> None:
        for key in ("content", "components"):
            if key in body:
                msg[key] = copy.deepcopy(body[key]) if body[key] is not None else ("" if key == "content" else [])
        if "embeds" in body:
            msg["embeds"] = [dict(e, type=e.get("type", "rich")) for e in body["embeds"] or []]
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS can be toggled by an edit; keep EPHEMERAL, drop LOADING.
            msg["flags"] = (msg["flags"] & EPHEMERAL) | (int(body["flags"]) & ~EPHEMERAL & ~LOADING)
        atts = self._build_attachments(body, files, int(msg["channel_id"]), msg.get("attachments"))
        if atts is not None:
            msg["attachments"] = atts
        msg["flags"] &= ~LOADING
        msg["edited_timestamp"] = _now_iso()

    def _view(
        self, kind: str, body: dict[str, Any], msg: dict[str, Any] | None, ix: InteractionRecord | None, at: float, status: int = 200
    ) -> dict[str, Any]:
        """The normalized record stored in ix.messages / channel_messages."""
        rec = dict(body)
        files = []
        if msg is not None:
            for a in msg.get("attachments") or []:
                stored = self._attachments.get(int(a["id"]))
                files.append(dict(a, data=stored[2] if stored else None))
        rec.update(
            kind=kind,
            body=body,
            message_id=int(msg["id"]) if msg is not None else None,
            channel_id=int(msg["channel_id"]) if msg is not None else None,
            content=(msg or body).get("content") or "",
            embeds=copy.deepcopy((msg or body).get("embeds") or []),
            components=copy.deepcopy((msg or body).get("components") or []),
            flags=int((msg or body).get("flags") or 0),
            attachments=files,
            allowed_mentions=body.get("allowed_mentions"),
            at=at,
            time=time.time(),
            elapsed=(at - ix.dispatched_at) if ix is not None and ix.dispatched_at is not None else None,
            status=status,
        )
        return rec

    def _reject(self, ix: InteractionRecord | None, req: _Req, resp: web.Response, reason: str) -> web.Response:
        self._violation(reason)
        if ix is not None:
            err = None
            with contextlib.suppress(Exception):
                err = json.loads(resp.body)  # type: ignore[arg-type]
            ix.rejected.append(
                {
                    "method": req.method,
                    "route": req.route,
                    "body": req.json,
                    "status": resp.status,
                    "error": err or {},
                    "reason": reason,
                    "at": req.at,
                }
            )
            ix._notify()
        return resp

    def _validate_msg(self, body: Any, prefix: Sequence[str] = ()) -> V.Errors:
        return V.validate_message(body if isinstance(body, dict) else {}, prefix=prefix)

    async def _r_post_message(self, req: _Req, cid: str) -> web.Response:
        channel_id = int(cid)
        ch = self.channels.get(channel_id)
        if ch is None:
            self._violation(f"POST message to unknown channel {cid}")
            return _error(404, 10003, "Unknown Channel")
        if not ch.get("_bot_can_send", True):
            self._violation(f"POST message to channel {cid} where the bot lacks SEND_MESSAGES")
            return _error(403, 50013, "Missing Permissions")
        body = req.json if isinstance(req.json, dict) else {}
        bad = self._files_check(req, f"POST /channels/{cid}/messages")
        if bad:
            return bad
        errs = self._validate_msg(body)
        if errs:
            self._violation(f"POST /channels/{cid}/messages: {'; '.join(errs.problems)}")
            return _json_response(400, errs.body())
        if V.message_is_empty(body) and not req.files:
            self._violation(f"POST /channels/{cid}/messages: empty message")
            return _error(400, 50006, "Cannot send an empty message")
        msg_type = 19 if body.get("message_reference") else 0
        msg = self._new_message(body, req.files, channel_id=channel_id, msg_type=msg_type)
        self.channel_messages.append(self._view("channel_message", body, msg, None, req.at))
        ch["last_message_id"] = msg["id"]
        return _json_response(200, msg)

    async def _r_history(self, req: _Req, cid: str) -> web.Response:
        limit = int(req.query.get("limit", 50))
        msgs = [m for m in self.messages.values() if m["channel_id"] == cid]
        msgs += [m for m in self.user_messages if m["channel_id"] == cid]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        return _json_response(200, msgs[:limit])

    async def _r_get_message(self, req: _Req, cid: str, mid: str) -> web.Response:
        msg = self.messages.get(int(mid)) or next((m for m in self.user_messages if m["id"] == mid), None)
        if msg is None or msg["channel_id"] != cid:
            return _error(404, 10008, "Unknown Message")
        return _json_response(200, msg)

    async def _r_edit_message(self, req: _Req, cid: str, mid: str) -> web.Response:
        msg = self.messages.get(int(mid))
        if msg is None or msg["channel_id"] != cid:
            return _error(404, 10008, "Unknown Message")
        if msg.get("webhook_id"):
            self._violation(f"PATCH /channels/{cid}/messages/{mid}: interaction message edited via the channel route")
        body = req.json if isinstance(req.json, dict) else {}
        bad = self._files_check(req, f"PATCH /channels/{cid}/messages/{mid}")
        if bad:
            return bad
        errs = self._validate_msg(body)
        if errs:
            self._violation(f"PATCH /channels/{cid}/messages/{mid}: {'; '.join(errs.problems)}")
            return _json_response(400, errs.body())
        self._apply_edit(msg, body, req.files)
        self.channel_edits.append(self._view("channel_edit", body, msg, None, req.at))
        return _json_response(200, msg)

    async def _r_delete_message(self, req: _Req, cid: str, mid: str) -> web.Response:
        msg = self.messages.get(int(mid))
        if msg is None or msg["channel_id"] != cid:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(mid)]
        self.deleted_messages.append(int(mid))
        return _no_content()

    # ------------------------------------------------------------------ interaction callback
    @staticmethod
    def _response_msg_type(ix: InteractionRecord) -> int:
        if ix.type == 2:
            return 20 if (ix.payload.get("data") or {}).get("type", 1) == 1 else 23
        return 19

    def _ix_label(self, ix: InteractionRecord) -> str:
        return f"interaction {ix.id} ({ix.label})"

    async def _r_callback(self, req: _Req, iid: str, token: str) -> web.Response:
        ix = self._ix_by_id.get(int(iid))
        if ix is None or ix.token != token:
            return self._reject(ix, req, _error(404, 10062, "Unknown interaction"), f"[10062] callback for unknown interaction {iid}")
        sent_at = ix.dispatched_at if ix.dispatched_at is not None else req.at
        elapsed = req.at - sent_at
        if ix.acked:
            return self._reject(
                ix,
                req,
                _error(400, 40060, "Interaction has already been acknowledged."),
                f"[40060] {self._ix_label(ix)}: second callback (type {(req.json or {}).get('type')}) after type {ix.response_type}",
            )
        if ix.expired or elapsed > self.ack_deadline:
            why = "token expired (expire_token)" if ix.expired else f"> {self.ack_deadline:g}s ack deadline"
            return self._reject(
                ix, req, _error(404, 10062, "Unknown interaction"), f"[10062] {self._ix_label(ix)}: callback after {elapsed:.2f}s ({why})"
            )
        body = req.json if isinstance(req.json, dict) else {}
        cb_type = body.get("type")
        allowed = {2: {4, 5, 9, 12}, 3: {4, 5, 6, 7, 9, 12}, 4: {8}, 5: {4, 5, 6, 7, 12}}.get(ix.type, set())
        if ix.type == 5 and ix.payload.get("message") is None:
            allowed = allowed - {6, 7}
        if cb_type not in allowed:
            errs = V.Errors()
            errs.add(["type"], "INTERACTION_CALLBACK_TYPE_INVALID", f"Callback type {cb_type} is not valid for interaction type {ix.type}")
            extra = " (autocomplete cannot be deferred; answer with type 8)" if ix.type == 4 else ""
            return self._reject(
                ix,
                req,
                _json_response(400, errs.body()),
                f"[50035] {self._ix_label(ix)}: callback type {cb_type} invalid for interaction type {ix.type}{extra}",
            )
        data = body.get("data")
        if cb_type in (4, 7):
            errs = self._validate_msg(data or {}, prefix=("data",))
            if errs:
                return self._reject(ix, req, _json_response(400, errs.body()), f"[50035] {self._ix_label(ix)}: {'; '.join(errs.problems)}")
            bad = self._files_check(req, self._ix_label(ix))
            if bad:
                return self._reject(ix, req, bad, f"{self._ix_label(ix)}: file limits")
            if cb_type == 4 and V.message_is_empty(data or {}) and not req.files:
                return self._reject(
                    ix, req, _error(400, 50006, "Cannot send an empty message"), f"[50006] {self._ix_label(ix)}: empty message"
                )
        elif cb_type == 8:
            errs = V.validate_autocomplete(data)
            if errs:
                return self._reject(
                    ix, req, _json_response(400, errs.body()), f"[50035] {self._ix_label(ix)}: autocomplete: {'; '.join(errs.problems)}"
                )
        elif cb_type == 9:
            errs = V.validate_modal(data)
            if errs:
                return self._reject(
                    ix, req, _json_response(400, errs.body()), f"[50035] {self._ix_label(ix)}: modal: {'; '.join(errs.problems)}"
                )
        elif cb_type == 5 and data and not isinstance(data, dict):
            return self._reject(ix, req, _error(400, 50035, "Invalid Form Body"), "bad defer data")

        # Accepted.
        channel_id = int(ix.payload.get("channel_id") or self.channel_id)
        ix.callbacks.append(dict(body, at=req.at, latency=elapsed, files=req.files))
        resource: dict[str, Any] | None = None
        interaction_info: dict[str, Any] = {"id": str(ix.id), "type": ix.type, "activity_instance_id": None}
        msg: dict[str, Any] | None = None
        if cb_type == 4:
            msg = self._new_message(data or {}, req.files, channel_id=channel_id, msg_type=self._response_msg_type(ix), interaction=ix)
            ix.original_message_id = int(msg["id"])
            ix.messages.append(self._view("callback", data or {}, msg, ix, req.at))
        elif cb_type == 5:
            flags = int((data or {}).get("flags") or 0) & EPHEMERAL
            msg = self._new_message(
                {"content": ""},
                [],
                channel_id=channel_id,
                msg_type=self._response_msg_type(ix),
                interaction=ix,
                extra_flags=flags | LOADING,
            )
            ix.original_message_id = int(msg["id"])
        elif cb_type == 7:
            target = self.messages.get(ix.original_message_id or 0)
            if target is not None:
                self._apply_edit(target, data or {}, req.files)
                msg = target
            ix.messages.append(self._view("callback", data or {}, msg, ix, req.at))
        elif cb_type == 6:
            pass
        if msg is not None:
            interaction_info.update(
                response_message_id=msg["id"],
                response_message_loading=bool(msg["flags"] & LOADING),
                response_message_ephemeral=bool(msg["flags"] & EPHEMERAL),
            )
            if cb_type in (4, 5, 7):
                resource = {"type": cb_type, "message": msg}
        ix._notify()
        if req.query.get("with_response") in ("1", "true", "True"):
            out: dict[str, Any] = {"interaction": interaction_info}
            if resource is not None:
                out["resource"] = resource
            return _json_response(200, out)
        return _no_content()

    # ------------------------------------------------------------------ interaction webhooks
    def _ix_for_webhook(self, req: _Req, app: str, token: str, what: str) -> tuple[InteractionRecord | None, web.Response | None]:
        ix = self._ix_by_token.get(token)
        if int(app) != self.application_id or ix is None:
            return ix, self._reject(ix, req, _error(404, 10015, "Unknown Webhook"), f"[10015] {what}: unknown webhook/application")
        now = req.at
        sent_at = ix.dispatched_at if ix.dispatched_at is not None else now
        if ix.expired or now - sent_at > self.token_ttl:
            return ix, self._reject(
                ix,
                req,
                _error(401, 50027, "Invalid Webhook Token"),
                f"[50027] {self._ix_label(ix)}: {what} with an expired token "
                f"({now - sent_at:.2f}s after dispatch, ttl {self.token_ttl:g}s)",
            )
        if not ix.acked:
            return ix, self._reject(
                ix,
                req,
                _error(404, 10015, "Unknown Webhook"),
                f"[10015] {self._ix_label(ix)}: {what} before the interaction was acknowledged",
            )
        return ix, None

    def _ix_message(self, ix: InteractionRecord, mid: str) -> dict[str, Any] | None:
        if mid == "@original":
            target = ix.original_message_id
        else:
            target = int(mid)
            if target != ix.original_message_id and target not in ix.followup_ids:
                return None
        if target is None:
            return None
        return self.messages.get(target)

    async def _r_wh_get(self, req: _Req, app: str, token: str, mid: str) -> web.Response:
        ix, bad = self._ix_for_webhook(req, app, token, f"GET message {mid}")
        if bad:
            return bad
        assert ix is not None
        msg = self._ix_message(ix, mid)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        return _json_response(200, msg)

    async def _r_wh_edit(self, req: _Req, app: str, token: str, mid: str) -> web.Response:
        ix, bad = self._ix_for_webhook(req, app, token, f"PATCH message {mid}")
        if bad:
            return bad
        assert ix is not None
        msg = self._ix_message(ix, mid)
        if msg is None:
            return self._reject(
                ix,
                req,
                _error(404, 10008, "Unknown Message"),
                f"[10008] {self._ix_label(ix)}: PATCH {mid} but there is no such message (response type {ix.response_type})",
            )
        body = req.json if isinstance(req.json, dict) else {}
        errs = self._validate_msg(body)
        if errs:
            return self._reject(
                ix, req, _json_response(400, errs.body()), f"[50035] {self._ix_label(ix)}: edit {mid}: {'; '.join(errs.problems)}"
            )
        bad = self._files_check(req, f"{self._ix_label(ix)} edit")
        if bad:
            return self._reject(ix, req, bad, f"{self._ix_label(ix)}: file limits")
        trial = copy.deepcopy(msg)
        self._apply_edit(trial, body, req.files)
        if V.message_is_empty(trial):
            return self._reject(
                ix,
                req,
                _error(400, 50006, "Cannot send an empty message"),
                f"[50006] {self._ix_label(ix)}: edit {mid} leaves an empty message",
            )
        self._apply_edit(msg, body, req.files)
        kind = "edit_original" if (mid == "@original" or int(mid) == ix.original_message_id) else "edit_followup"
        ix.messages.append(self._view(kind, body, msg, ix, req.at))
        ix._notify()
        return _json_response(200, msg)

    async def _r_wh_delete(self, req: _Req, app: str, token: str, mid: str) -> web.Response:
        ix, bad = self._ix_for_webhook(req, app, token, f"DELETE message {mid}")
        if bad:
            return bad
        assert ix is not None
        msg = self._ix_message(ix, mid)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        del self.messages[int(msg["id"])]
        ix.deleted.append(int(msg["id"]))
        self.deleted_messages.append(int(msg["id"]))
        ix._notify()
        return _no_content()

    async def _r_wh_followup(self, req: _Req, app: str, token: str) -> web.Response:
        ix, bad = self._ix_for_webhook(req, app, token, "followup")
        if bad:
            return bad
        assert ix is not None
        body = req.json if isinstance(req.json, dict) else {}
        errs = self._validate_msg(body)
        if errs:
            return self._reject(
                ix, req, _json_response(400, errs.body()), f"[50035] {self._ix_label(ix)}: followup: {'; '.join(errs.problems)}"
            )
        bad = self._files_check(req, f"{self._ix_label(ix)} followup")
        if bad:
            return self._reject(ix, req, bad, f"{self._ix_label(ix)}: file limits")
        if V.message_is_empty(body) and not req.files:
            return self._reject(
                ix, req, _error(400, 50006, "Cannot send an empty message"), f"[50006] {self._ix_label(ix)}: empty followup"
            )
        original = self.messages.get(ix.original_message_id or 0)
        if original is not None and original["flags"] & LOADING:
            # The first followup after a defer replaces the "thinking..." message.
            self._apply_edit(original, dict(body, flags=original["flags"]), req.files)
            original["edited_timestamp"] = None
            msg = original
        else:
            channel_id = int(ix.payload.get("channel_id") or self.channel_id)
            msg = self._new_message(body, req.files, channel_id=channel_id, msg_type=19, interaction=ix)
            ix.followup_ids.append(int(msg["id"]))
        ix.messages.append(self._view("followup", body, msg, ix, req.at))
        ix._notify()
        if req.query.get("wait") in ("1", "true", "True"):
            return _json_response(200, msg)
        return _no_content()
