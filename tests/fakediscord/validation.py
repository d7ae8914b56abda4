"""Discord's payload rules, as the fake server enforces them.

Every ``validate_*`` function returns an :class:`Errors` object.  ``Errors.nested`` is the
``errors`` member of Discord's 400 / code 50035 body (``{"content": {"_errors": [...]}}``),
``Errors.problems`` is a flat list of human-readable strings (used for ``fake.violations``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

# Locales Discord accepts as keys of name_localizations / description_localizations
# (https://discord.com/developers/docs/reference#locales).
VALID_LOCALES = frozenset(
    {
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    }
)

# Message limits.
MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_V2_COMPONENTS = 40
MAX_FILES = 10
MAX_AUTOCOMPLETE_CHOICES = 25

IS_COMPONENTS_V2 = 1 << 15

MENTION_RE = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>")
USER_MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class Errors:
    """Collects Discord-style nested form errors plus a flat list of descriptions."""

    def __init__(self, prefix: Sequence[str] = ()) -> None:
        self.nested: dict[str, Any] = {}
        self.problems: list[str] = []
        self.prefix: tuple[str, ...] = tuple(str(p) for p in prefix)

    def add(self, path: Iterable[Any], code: str, message: str) -> None:
        full = self.prefix + tuple(str(p) for p in path)
        node = self.nested
        for key in full:
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.problems.append(f"{'.'.join(full) or '<root>'}: {message} ({code})")

    def too_long(self, path: Iterable[Any], value: Any, limit: int) -> None:
        path = list(path)
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length. (got {len(value)})")

    def too_many(self, path: Iterable[Any], value: Any, limit: int) -> None:
        path = list(path)
        if isinstance(value, list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length. (got {len(value)})")

    def __bool__(self) -> bool:
        return bool(self.problems)

    def body(self) -> dict[str, Any]:
        return {"code": 50035, "errors": self.nested, "message": "Invalid Form Body"}


# --------------------------------------------------------------------------- messages


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^(https?|attachment)://\S+$", value))


def embed_length(embed: dict[str, Any]) -> int:
    total = 0
    for key in ("title", "description"):
        if isinstance(embed.get(key), str):
            total += len(embed[key])
    for fld in embed.get("fields") or []:
        total += len(str(fld.get("name") or "")) + len(str(fld.get("value") or ""))
    footer = embed.get("footer") or {}
    total += len(str(footer.get("text") or ""))
    author = embed.get("author") or {}
    total += len(str(author.get("name") or ""))
    return total


def _validate_embeds(embeds: Any, errs: Errors) -> None:
    if embeds is None:
        return
    if not isinstance(embeds, list):
        errs.add(["embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    errs.too_many(["embeds"], embeds, MAX_EMBEDS)
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            errs.add(["embeds", i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        p = ["embeds", i]
        errs.too_long(p + ["title"], embed.get("title"), MAX_EMBED_TITLE)
        errs.too_long(p + ["description"], embed.get("description"), MAX_EMBED_DESCRIPTION)
        fields = embed.get("fields") or []
        errs.too_many(p + ["fields"], fields, MAX_EMBED_FIELDS)
        for j, fld in enumerate(fields):
            fp = p + ["fields", j]
            name, value = fld.get("name"), fld.get("value")
            if name is None or name == "":
                errs.add(fp + ["name"], "BASE_TYPE_REQUIRED", "This field is required")
            if value is None or value == "":
                errs.add(fp + ["value"], "BASE_TYPE_REQUIRED", "This field is required")
            errs.too_long(fp + ["name"], name, MAX_FIELD_NAME)
            errs.too_long(fp + ["value"], value, MAX_FIELD_VALUE)
        footer = embed.get("footer")
        if isinstance(footer, dict):
            errs.too_long(p + ["footer", "text"], footer.get("text"), MAX_FOOTER_TEXT)
            if footer.get("icon_url") is not None and not _is_url(footer.get("icon_url")):
                errs.add(p + ["footer", "icon_url"], "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        author = embed.get("author")
        if isinstance(author, dict):
            errs.too_long(p + ["author", "name"], author.get("name"), MAX_AUTHOR_NAME)
            for k in ("url", "icon_url"):
                if author.get(k) is not None and not _is_url(author.get(k)):
                    errs.add(p + ["author", k], "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        if embed.get("url") is not None and not _is_url(embed.get("url")):
            errs.add(p + ["url"], "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        for k in ("image", "thumbnail"):
            media = embed.get(k)
            if isinstance(media, dict) and not _is_url(media.get("url")):
                errs.add(p + [k, "url"], "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        color = embed.get("color")
        if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
            errs.add(p + ["color"], "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
        total += embed_length(embed)
    if total > MAX_EMBED_TOTAL:
        errs.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL} (got {total})")


def _validate_button(comp: dict[str, Any], path: list[Any], errs: Errors, seen: set) -> None:
    style = comp.get("style")
    label = comp.get("label")
    errs.too_long(path + ["label"], label, MAX_BUTTON_LABEL)
    if style == 5:  # link
        if not _is_url(comp.get("url")):
            errs.add(path + ["url"], "BASE_TYPE_REQUIRED", "Link buttons need a url")
        if comp.get("custom_id") is not None:
            errs.add(path + ["custom_id"], "COMPONENT_CUSTOM_ID_NOT_ALLOWED", "Link buttons cannot have a custom_id")
    elif style == 6:  # premium
        if not comp.get("sku_id"):
            errs.add(path + ["sku_id"], "BASE_TYPE_REQUIRED", "Premium buttons need a sku_id")
    else:
        _validate_custom_id(comp, path, errs, seen)
    if style != 6 and not label and not comp.get("emoji"):
        errs.add(path, "COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button needs a label or an emoji")


def _validate_custom_id(comp: dict[str, Any], path: list[Any], errs: Errors, seen: set) -> None:
    cid = comp.get("custom_id")
    if not isinstance(cid, str) or not cid:
        errs.add(path + ["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
        return
    errs.too_long(path + ["custom_id"], cid, MAX_CUSTOM_ID)
    if cid in seen:
        errs.add(path + ["custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", f"Component custom id {cid!r} cannot be duplicated")
    seen.add(cid)


def _validate_select(comp: dict[str, Any], path: list[Any], errs: Errors, seen: set) -> None:
    _validate_custom_id(comp, path, errs, seen)
    errs.too_long(path + ["placeholder"], comp.get("placeholder"), 150)
    options = comp.get("options")
    if comp.get("type") == 3:
        if not options:
            errs.add(path + ["options"], "BASE_TYPE_REQUIRED", "This field is required")
        else:
            errs.too_many(path + ["options"], options, MAX_SELECT_OPTIONS)
            for k, opt in enumerate(options):
                for key in ("label", "value", "description"):
                    errs.too_long(path + ["options", k, key], opt.get(key), 100)
    for key in ("min_values", "max_values"):
        v = comp.get(key)
        if v is not None and (not isinstance(v, int) or v < 0 or v > 25):
            errs.add(path + [key], "NUMBER_TYPE_MAX", f"{key} must be between 0 and 25")


def _validate_components(components: Any, flags: int, errs: Errors) -> None:
    if components is None:
        return
    if not isinstance(components, list):
        errs.add(["components"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    seen: set = set()
    v2 = bool(flags & IS_COMPONENTS_V2)
    if not v2:
        errs.too_many(["components"], components, MAX_ACTION_ROWS)
    count = 0

    def walk(comp: dict[str, Any], path: list[Any], top: bool) -> None:
        nonlocal count
        count += 1
        ctype = comp.get("type")
        if top and not v2 and ctype != 1:
            errs.add(path + ["type"], "UNION_TYPE_CHOICES", "Top level components must be action rows (type 1)")
        if ctype == 1:
            children = comp.get("components") or []
            if not children:
                errs.add(path + ["components"], "BASE_TYPE_REQUIRED", "Action rows need at least one component")
            buttons = [c for c in children if c.get("type") == 2]
            others = [c for c in children if c.get("type") != 2]
            if len(buttons) > MAX_BUTTONS_PER_ROW:
                errs.add(
                    path + ["components"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_BUTTONS_PER_ROW} or fewer in length. (got {len(buttons)})"
                )
            if others and (len(others) > 1 or buttons):
                errs.add(path + ["components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu must be alone in its action row")
            for k, child in enumerate(children):
                walk(child, path + ["components", k], False)
        elif ctype == 2:
            _validate_button(comp, path, errs, seen)
        elif ctype in (3, 5, 6, 7, 8):
            _validate_select(comp, path, errs, seen)
        elif ctype == 4:  # text input (modals only)
            _validate_custom_id(comp, path, errs, seen)
        else:
            # Components V2 containers/sections/text displays: walk children we know of.
            for key in ("components",):
                for k, child in enumerate(comp.get(key) or []):
                    walk(child, path + [key, k], False)
            acc = comp.get("accessory")
            if isinstance(acc, dict):
                walk(acc, path + ["accessory"], False)
            inner = comp.get("component")
            if isinstance(inner, dict):
                walk(inner, path + ["component"], False)

    for i, comp in enumerate(components):
        if isinstance(comp, dict):
            walk(comp, ["components", i], True)
    if v2 and count > MAX_V2_COMPONENTS:
        errs.add(["components"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_V2_COMPONENTS} or fewer components in total (got {count})")


def _validate_allowed_mentions(am: Any, errs: Errors) -> None:
    if am is None:
        return
    if not isinstance(am, dict):
        errs.add(["allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    parse = am.get("parse") or []
    for k, v in enumerate(parse):
        if v not in ("roles", "users", "everyone"):
            errs.add(
                ["allowed_mentions", "parse", k], "BASE_TYPE_CHOICES", f"Value must be one of ('roles', 'users', 'everyone'). (got {v!r})"
            )
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            errs.add(
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )
        errs.too_many(["allowed_mentions", kind], am.get(kind), 100)


def validate_message(body: dict[str, Any], *, prefix: Sequence[str] = (), partial: bool = False) -> Errors:
    """Check a message create/edit body (content, embeds, components, allowed_mentions)."""
    errs = Errors(prefix)
    if not isinstance(body, dict):
        errs.add([], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errs
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errs.add(["content"], "BASE_TYPE_STRING", "Must be a string")
    errs.too_long(["content"], content, MAX_CONTENT)
    flags = body.get("flags") or 0
    if not isinstance(flags, int):
        flags = 0
    _validate_embeds(body.get("embeds"), errs)
    _validate_components(body.get("components"), flags, errs)
    if flags & IS_COMPONENTS_V2:
        if body.get("content"):
            errs.add(
                ["content"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
        if body.get("embeds"):
            errs.add(
                ["embeds"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
    _validate_allowed_mentions(body.get("allowed_mentions"), errs)
    errs.too_many(["attachments"], body.get("attachments"), MAX_FILES)
    return errs


def message_is_empty(msg: dict[str, Any]) -> bool:
    return not (
        msg.get("content")
        or msg.get("embeds")
        or msg.get("components")
        or msg.get("attachments")
        or msg.get("sticker_ids")
        or msg.get("poll")
    )


def validate_autocomplete(data: Any, *, prefix: Sequence[str] = ("data",)) -> Errors:
    errs = Errors(prefix)
    if not isinstance(data, dict):
        errs.add([], "BASE_TYPE_REQUIRED", "This field is required")
        return errs
    choices = data.get("choices")
    if not isinstance(choices, list):
        errs.add(["choices"], "BASE_TYPE_REQUIRED", "This field is required")
        return errs
    errs.too_many(["choices"], choices, MAX_AUTOCOMPLETE_CHOICES)
    for i, ch in enumerate(choices):
        name = ch.get("name") if isinstance(ch, dict) else None
        if not isinstance(name, str) or not name:
            errs.add(["choices", i, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        else:
            errs.too_long(["choices", i, "name"], name, 100)
        value = ch.get("value") if isinstance(ch, dict) else None
        errs.too_long(["choices", i, "value"], value, 100)
        _validate_localizations(
            ch.get("name_localizations") if isinstance(ch, dict) else None, ["choices", i, "name_localizations"], errs, max_len=100
        )
    return errs


def validate_modal(data: Any, *, prefix: Sequence[str] = ("data",)) -> Errors:
    errs = Errors(prefix)
    if not isinstance(data, dict):
        errs.add([], "BASE_TYPE_REQUIRED", "This field is required")
        return errs
    errs.too_long(["title"], data.get("title"), 45)
    if not data.get("title"):
        errs.add(["title"], "BASE_TYPE_REQUIRED", "This field is required")
    cid = data.get("custom_id")
    if not cid:
        errs.add(["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
    errs.too_long(["custom_id"], cid, MAX_CUSTOM_ID)
    comps = data.get("components") or []
    if not comps:
        errs.add(["components"], "BASE_TYPE_REQUIRED", "This field is required")
    errs.too_many(["components"], comps, 5)
    return errs


# --------------------------------------------------------------------------- commands


def valid_command_name(name: Any, *, lowercase: bool = True) -> bool:
    """``^[-_\\p{L}\\p{N}]{1,32}$`` (with letters lower-case when they have a case)."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for ch in name:
        if ch in "-_":
            continue
        cat = unicodedata.category(ch)
        if cat[0] not in ("L", "N"):
            return False
    if lowercase and name != name.lower():
        return False
    return True


def _validate_localizations(
    locs: Any, path: list[Any], errs: Errors, *, max_len: int, name_rule: bool = False, lowercase: bool = True
) -> None:
    if locs is None:
        return
    if not isinstance(locs, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for loc, value in locs.items():
        if loc not in VALID_LOCALES:
            errs.add(path + [loc], "LOCALE_INVALID", f"Invalid locale {loc!r}")
            continue
        if name_rule:
            if not valid_command_name(value, lowercase=lowercase):
                errs.add(path + [loc], "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid ({value!r})")
        elif not isinstance(value, str) or not 1 <= len(value) <= max_len:
            errs.add(path + [loc], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {max_len} in length. (got {value!r})")


def _text_size(obj: dict[str, Any]) -> int:
    """Approximate Discord's 4000-character limit per command (name + description + options)."""

    def longest(key: str) -> int:
        vals = [obj.get(key) or ""] + list((obj.get(f"{key}_localizations") or {}).values())
        return max(len(str(v)) for v in vals)

    size = longest("name") + longest("description")
    for ch in obj.get("choices") or []:
        size += max([len(str(ch.get("name") or ""))] + [len(str(v)) for v in (ch.get("name_localizations") or {}).values()])
        size += len(str(ch.get("value") or ""))
    for opt in obj.get("options") or []:
        size += _text_size(opt)
    return size


def _validate_option(opt: dict[str, Any], path: list[Any], errs: Errors, depth: int) -> None:
    otype = opt.get("type")
    if not isinstance(otype, int) or not 1 <= otype <= 11:
        errs.add(path + ["type"], "BASE_TYPE_CHOICES", f"Invalid option type {otype!r}")
        return
    if not valid_command_name(opt.get("name")):
        errs.add(path + ["name"], "APPLICATION_COMMAND_INVALID_NAME", f"Option name is invalid ({opt.get('name')!r})")
    desc = opt.get("description")
    if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
        errs.add(path + ["description"], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and 100 in length. (got {desc!r})")
    _validate_localizations(opt.get("name_localizations"), path + ["name_localizations"], errs, max_len=32, name_rule=True)
    _validate_localizations(opt.get("description_localizations"), path + ["description_localizations"], errs, max_len=100)
    choices = opt.get("choices")
    if choices:
        errs.too_many(path + ["choices"], choices, 25)
        if opt.get("autocomplete"):
            errs.add(
                path + ["autocomplete"],
                "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
                "Autocomplete cannot be enabled on options with choices",
            )
        for k, ch in enumerate(choices):
            name = ch.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                errs.add(path + ["choices", k, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if otype == 3:
                errs.too_long(path + ["choices", k, "value"], ch.get("value"), 100)
            _validate_localizations(ch.get("name_localizations"), path + ["choices", k, "name_localizations"], errs, max_len=100)
    for key in ("min_length", "max_length"):
        v = opt.get(key)
        if v is not None and (not isinstance(v, int) or not 0 <= v <= 6000):
            errs.add(path + [key], "NUMBER_TYPE_MAX", f"{key} must be between 0 and 6000")
    children = opt.get("options") or []
    if otype in (1, 2):
        _validate_option_list(children, path + ["options"], errs, depth + 1, parent_type=otype)
    elif children:
        errs.add(path + ["options"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Only subcommands and groups can have options")


def _validate_option_list(options: Any, path: list[Any], errs: Errors, depth: int, parent_type: int) -> None:
    if not isinstance(options, list):
        errs.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    errs.too_many(path, options, 25)
    names = set()
    seen_optional = False
    kinds = set()
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        otype = opt.get("type")
        kinds.add("sub" if otype in (1, 2) else "arg")
        if parent_type == 2 and otype != 1:
            errs.add(path + [i, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommand groups may only contain subcommands")
        if parent_type == 1 and otype in (1, 2):
            errs.add(path + [i, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot contain subcommands")
        if otype not in (1, 2):
            if opt.get("required"):
                if seen_optional:
                    errs.add(
                        path + [i, "required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
        if opt.get("name") in names:
            errs.add(path + [i, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", f"Duplicate option name {opt.get('name')!r}")
        names.add(opt.get("name"))
        _validate_option(opt, path + [i], errs, depth)
    if len(kinds) > 1:
        errs.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot be mixed with other options")


def validate_commands(payload: Any) -> Errors:
    """Validate a bulk-overwrite (PUT) payload: a list of application commands."""
    errs = Errors()
    if not isinstance(payload, list):
        errs.add([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return errs
    seen: set = set()
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    for i, cmd in enumerate(payload):
        if not isinstance(cmd, dict):
            errs.add([i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        validate_command(cmd, errs, path=[i])
        ctype = cmd.get("type", 1)
        counts[ctype] = counts.get(ctype, 0) + 1
        key = (cmd.get("name"), ctype)
        if key in seen:
            errs.add([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({cmd.get('name')!r})")
        seen.add(key)
    if counts.get(1, 0) > 100:
        errs.add([], "BASE_TYPE_MAX_LENGTH", "At most 100 chat input commands")
    if counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
        errs.add([], "BASE_TYPE_MAX_LENGTH", "At most 15 user and 15 message context menu commands")
    return errs


def validate_command(cmd: dict[str, Any], errs: Errors | None = None, *, path: Sequence[Any] = ()) -> Errors:
    errs = errs if errs is not None else Errors()
    path = list(path)
    ctype = cmd.get("type", 1)
    name = cmd.get("name")
    if ctype == 1:
        if not valid_command_name(name):
            errs.add(path + ["name"], "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid ({name!r})")
        desc = cmd.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
            errs.add(path + ["description"], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and 100 in length. (got {desc!r})")
        _validate_localizations(cmd.get("name_localizations"), path + ["name_localizations"], errs, max_len=32, name_rule=True)
        _validate_localizations(cmd.get("description_localizations"), path + ["description_localizations"], errs, max_len=100)
        _validate_option_list(cmd.get("options") or [], path + ["options"], errs, 0, parent_type=0)
    elif ctype in (2, 3):
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            errs.add(path + ["name"], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and 32 in length. (got {name!r})")
        if cmd.get("description"):
            errs.add(
                path + ["description"], "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have a description"
            )
        if cmd.get("options"):
            errs.add(path + ["options"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Context menu commands cannot have options")
        _validate_localizations(cmd.get("name_localizations"), path + ["name_localizations"], errs, max_len=32)
    elif ctype != 4:
        errs.add(path + ["type"], "BASE_TYPE_CHOICES", f"Invalid command type {ctype!r}")
    perms = cmd.get("default_member_permissions")
    # Discord documents a string; discord.py sends an int, which Discord accepts too.
    if perms is not None and not (
        (isinstance(perms, str) and perms.isdigit()) or (isinstance(perms, int) and not isinstance(perms, bool) and perms >= 0)
    ):
        errs.add(path + ["default_member_permissions"], "BASE_TYPE_STRING", "Must be a string of a permission integer")
    if ctype == 1 and _text_size(cmd) > 4000:
        errs.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")
    return errs


# --------------------------------------------------------------------------- mentions


def ping_reasons(record: dict[str, Any]) -> list[str]:
    """Why a recorded outgoing message could ping someone (empty list: it cannot).

    Looks at the text of content and embeds for @everyone/@here/<@id>/<@!id>/<@&id> and at the
    message's ``allowed_mentions`` (``None`` = missing = Discord's default of parsing everything).
    """
    texts: list[str] = []
    if isinstance(record.get("content"), str):
        texts.append(record["content"])
    for embed in record.get("embeds") or []:
        if not isinstance(embed, dict):
            continue
        for key in ("title", "description"):
            if isinstance(embed.get(key), str):
                texts.append(embed[key])
        for fld in embed.get("fields") or []:
            texts.append(str(fld.get("name") or ""))
            texts.append(str(fld.get("value") or ""))
        texts.append(str((embed.get("footer") or {}).get("text") or ""))
        texts.append(str((embed.get("author") or {}).get("name") or ""))
    text = "\n".join(texts)
    found = MENTION_RE.findall(text)
    if not found:
        return []
    am = record.get("allowed_mentions")
    if am is None:
        return [f"allowed_mentions missing while text contains {sorted(set(found))}"]
    reasons: list[str] = []
    parse = am.get("parse") or []
    users = {str(u) for u in am.get("users") or []}
    roles = {str(r) for r in am.get("roles") or []}
    if ("@everyone" in text or "@here" in text) and "everyone" in parse:
        reasons.append("parse includes 'everyone' and text contains @everyone/@here")
    for uid in USER_MENTION_RE.findall(text):
        if "users" in parse or uid in users:
            reasons.append(f"user mention <@{uid}> is allowed")
    for rid in ROLE_MENTION_RE.findall(text):
        if "roles" in parse or rid in roles:
            reasons.append(f"role mention <@&{rid}> is allowed")
    if am.get("replied_user"):
        reasons.append("replied_user is true")
    return reasons
