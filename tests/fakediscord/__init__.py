"""A fake Discord that the real, unpatched discord.py 2.7 client logs into.

An aiohttp app on 127.0.0.1 (random free port) serves the REST API under ``/api/v10``, the
gateway websocket on ``/gateway`` (and ``/gateway-resume``, the ``resume_gateway_url``), and the
bytes of attachments it hands out on ``/attachments/...``.  It records everything the bot sends
and enforces Discord's rules, answering like Discord (status + JSON error code) *and* appending a
string to ``fake.violations``.

Pointing discord.py at it (the bot does this from DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL)::

    discord.http.Route.BASE = fake.api_base                      # http://127.0.0.1:PORT/api/v10
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)  # ws://.../gateway

``fake.patch_discord()`` does exactly that (undone by ``fake.stop()``), and ``fake.run_bot(bot)``
patches, starts the bot, waits for READY and closes the bot afterwards.

Public API
==========
``FakeDiscord(guild_id=1100000000000000001, application_id=1100000000000000002,
bot_user_id=None (= application_id), *, bot_name="Verbatim", guild_name=..., token=None
(None: accept any bot token; else require it), token_ttl=900.0, ack_deadline=3.0,
heartbeat_interval_ms=41250, compress=True (zlib-stream frames when the client asks),
app_permissions=..., attachment_size_limit=10 MiB, guild_locale="en-US",
require_synced_commands=False)``

Lifecycle / wiring
    ``await fake.start()`` / ``await fake.stop()`` (also ``async with FakeDiscord() as fake``);
    ``fake.port``, ``fake.api_base``, ``fake.gateway_url``, ``fake.resume_gateway_url``,
    ``fake.http_base``; ``fake.patch_discord() -> undo``, ``fake.unpatch_discord()``;
    ``async with fake.run_bot(bot, token="fake-bot-token", timeout=10, wait_ready=True): ...``;
    ``await fake.wait_for_identify(timeout=10) -> IDENTIFY d`` (READY + GUILD_CREATE were sent);
    ``await fake.wait_for_sync(scope=None|"global"|guild_id, timeout=10) -> payload list``.

Guild model
    ``fake.guild_id``, ``fake.channel_id`` (text channel "general"), ``fake.mod_log_channel_id``
    (text channel "mod-log"), ``fake.moderator_role_id``, ``fake.roles``, ``fake.channels``,
    ``fake.members``, ``fake.default_member`` (used when ``member=None``), ``fake.bot_member``;
    ``fake.add_channel(name, type=0, channel_id=None, bot_can_send=True) -> id``;
    ``fake.add_role(name, permissions=0, role_id=None) -> id``;
    ``fake.member(user_id=None, name="alice", permissions=None, roles=(), *, moderator=False,
    nick=None, bot=False, locale="en-US") -> Member`` (registered in the guild; ``permissions`` is
    the resolved permission int as int or str, default an ordinary member without MANAGE_GUILD;
    ``moderator=True`` gives MANAGE_GUILD (1<<5) and the Moderator role);
    ``fake.moderator(user_id=None, name="mod") -> Member``.
    ``Member`` fields: ``id, name, permissions (str), roles, nick, global_name, bot, joined_at,
    locale``; ``.mention``, ``.is_moderator``, ``.payload()``, ``.user_payload()``.

Dispatching interactions (each returns an ``InteractionRecord``; waits up to ``timeout`` for a
live gateway session first)
    ``await fake.send_command(name, options=None, *, member=None, locale=None,
    guild_locale=None, channel_id=None, attachments=None, command_guild_id=None, dm=False,
    timeout=10)`` -- type 2 chat input.  Subcommands: ``options=[{"type": 1, "name": "reindex",
    "options": []}]`` (groups: type 2 wrapping type 1).  ``attachments=[("a.md", b"...",
    "text/markdown")]`` fills, in order, the type-11 options without "value" (else the synced
    schema's attachment options, else options named "file", "file2"...); a dict
    ``{option_name: (filename, bytes, content_type)}`` names them.  The files go into
    ``data.resolved.attachments`` with a URL the fake serves, so ``await attachment.read()``
    works.  ``data.id``/``data.guild_id`` come from the synced commands (guild scope wins).
    ``await fake.send_subcommand("kb", "reindex", options=[...], **kw)`` (or ``"kb", "group",
    "sub"``) builds the nesting for you.
    ``await fake.send_autocomplete(name, options, **kw)`` -- type 4; one option has
    ``"focused": True`` (inside the subcommand if any).
    ``await fake.send_context_menu(name, message=None, *, content=None, member=None,
    author=None, locale=None, ...)`` -- message command (data.type 3, ``target_id``,
    ``resolved.messages``); ``fake.message_payload(content, author=..., channel_id=...)``
    builds such a message.  ``await fake.send_user_context_menu(name, target_member, ...)``.
    ``await fake.click_button(message_record, custom_id, *, member=None, values=None)`` -- type 3
    on a message the bot sent: ``message_record`` is an entry of ``ix.messages`` /
    ``await ix.wait_response()`` / ``fake.channel_messages``, a message dict or a message id; the
    component must exist on the stored (current) message and not be disabled.
    ``await fake.select_menu(message_record, custom_id, values, ...)``.
    ``await fake.submit_modal(ix, {text_input_custom_id: "value"})`` -- type 5 for the modal
    ``ix`` was answered with.
    ``await fake.send_message(content, author=None, channel_id=None)`` -- a user message
    (MESSAGE_CREATE; content blanked without the MESSAGE_CONTENT intent unless the bot is
    mentioned).  ``await fake.dispatch(event, data)`` sends any gateway event.

``InteractionRecord`` (alias ``Interaction``)
    ``id, token, type, label, payload`` (the INTERACTION_CREATE d), ``dispatched_at`` (loop time);
    ``await ix.wait_ack(timeout=3.0)`` -> first accepted callback body ``{"type", "data"?, ...}``;
    ``await ix.wait_response(timeout=30.0)`` -> the first visible message record: type-4/7 callback
    data, or after a defer (5/6) the first PATCH @original or followup (for 8/9: the callback
    data); ``await ix.wait_messages(n, timeout)``; ``await ix.wait_rejected(timeout)``;
    ``ix.ack_latency`` (s from dispatch to callback), ``ix.acked``, ``ix.response_type``,
    ``ix.callbacks`` (accepted callback bodies + ``at``, ``latency``), ``ix.rejected`` (refused
    requests: status, error body, reason), ``ix.messages`` (accepted message records in order),
    ``ix.choices`` (autocomplete), ``ix.modal``, ``ix.original_message`` (current stored state),
    ``ix.followup_ids``, ``ix.deleted``.
    A message record is a dict: the body's own keys plus ``kind`` ("callback", "edit_original",
    "edit_followup", "followup"; "channel_message"/"channel_edit" for channel routes),
    ``message_id``, ``channel_id``, ``content``, ``embeds``, ``components``, ``flags`` (of the
    message after the request, i.e. edits are merged), ``attachments`` (stored attachments with
    ``filename``, ``content_type``, ``size``, ``url`` and ``data`` bytes), ``allowed_mentions``
    (exactly as sent; ``None`` = missing), ``body`` (raw JSON / payload_json), ``at`` (loop
    time), ``time`` (wall clock), ``elapsed`` (s since dispatch), ``status``.

Records
    ``fake.requests`` -- every HTTP request: ``method, path, route`` (path without /api/v10),
    ``query, headers`` (unredacted), ``json`` (JSON body or multipart payload_json),
    ``payload_json``, ``files`` ([{field, filename, content_type, data, size}]), ``body`` (raw),
    ``status``, ``response`` (JSON answer), ``at``, ``time``.  ``fake.requests_to(substr, method)``.
    ``fake.unhandled`` -- requests that matched no route (answered 404 JSON).
    ``fake.synced_commands`` -- ``"global"`` -> last accepted PUT payload list, ``guild_id`` -> same;
    ``fake.registered_commands`` -- the same with ids as returned to the bot.
    ``fake.channel_messages`` -- message records of POST /channels/{id}/messages;
    ``fake.channel_edits``; ``fake.messages`` (id -> current Discord message object);
    ``fake.deleted_messages``; ``fake.interactions``; ``fake.user_messages``.
    ``fake.pinging_messages()`` -- records (interaction messages, channel posts, edits) whose
    content/embeds contain @everyone/@here/<@id>/<@&id> while allowed_mentions is missing or
    allows it (parse everyone/users/roles, listed ids, or replied_user true); each gets
    ``ping_reasons``.
    ``fake.violations`` -- strings, one per broken rule (tests assert it is empty).
    ``fake.unanswered_interactions()`` -- interactions never acknowledged within the deadline
    (no request at all is not a "violation" by itself: check this too).
    Gateway: ``fake.identify_payloads``, ``fake.resume_payloads``, ``fake.gateway_connections``
    (path, query, compressed), ``fake.gateway_received``, ``fake.gateway_sent``,
    ``fake.identify_count``, ``fake.resume_count``, ``fake.intents``, ``fake.heartbeats``.

Fault injection
    ``fake.inject_rest_errors(status=429, count=1, path_contains="", *, method=None,
    retry_after=0.05, is_global=False)`` -- the next ``count`` matching API requests fail (429 with
    ``Via`` header and ``{"message", "retry_after", "global"}``; 5xx with a JSON body).
    discord.py retries 429s after ``retry_after`` and 500/502/504 after 1 s, 3 s, ...
    ``fake.expire_token(ix)`` -- later webhook calls for ``ix`` get 401 code 50027.
    ``await fake.drop_gateway(*, mode="abort"|"close", code=4000, invalidate=False, wait=False,
    timeout=10)`` -- the client must RESUME (op 6; answered with missed events + RESUMED) or, with
    ``invalidate=True``, gets op 9 and re-IDENTIFYs; ``await fake.wait_for_resume(count=1)``;
    ``await fake.request_reconnect()`` sends op 7.

Rules enforced (violation + Discord's answer)
    * callback later than ``ack_deadline`` (3 s) after dispatch -> 404 code 10062; second callback
      -> 400 code 40060; callback type not valid for the interaction type (e.g. 5 or 4 on
      autocomplete, 8 on a command, 7 on a command) -> 400 code 50035;
    * PATCH/POST/GET/DELETE on the interaction webhook before any callback -> 404 code 10015;
      after ``token_ttl`` (15 min) or ``expire_token`` -> 401 code 50027;
    * message limits (content 2000; 10 embeds; title 256, description 4096, 25 fields, field name
      256 / value 1024 and non-empty, footer 2048, author 256, 6000 over all embeds; embed URLs;
      5 action rows, 5 buttons per row, custom_id 100 and unique, button label 80, select options
      25; Components-V2 rules; allowed_mentions shape; 10 files; attachment_size_limit) -> 400
      code 50035 with Discord's nested ``errors`` (413 / 40005 for oversized files); empty message
      -> 400 code 50006;
    * autocomplete: <= 25 choices, names 1..100, values <= 100, type 8 only;
    * command sync (PUT/POST/PATCH): chat-input names ``^[-_\\p{L}\\p{N}]{1,32}$`` lower case,
      description 1..100, <= 25 options (recursive), option rules (required first, no mixing
      subcommands and arguments, choices <= 25, no autocomplete with choices), localization keys
      must be valid Discord locales, context menus without description, <= 100/15/15 commands,
      4000 characters per command -> 400 code 50035;
    * REST calls without ``Authorization: Bot <token>``; posting to an unknown channel (404 10003)
      or one where the bot may not send (403 50013).
"""

from .server import (
    ADMINISTRATOR,
    DEFAULT_APPLICATION_ID,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_GUILD_ID,
    DEFAULT_MEMBER_PERMISSIONS,
    EPHEMERAL,
    MANAGE_GUILD,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    Interaction,
    InteractionRecord,
    Member,
)
from .validation import VALID_LOCALES, ping_reasons, validate_commands, validate_message

__all__ = [
    "FakeDiscord",
    "Member",
    "Interaction",
    "InteractionRecord",
    "ADMINISTRATOR",
    "MANAGE_GUILD",
    "EPHEMERAL",
    "DEFAULT_GUILD_ID",
    "DEFAULT_APPLICATION_ID",
    "DEFAULT_MEMBER_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "MODERATOR_PERMISSIONS",
    "VALID_LOCALES",
    "ping_reasons",
    "validate_commands",
    "validate_message",
]
