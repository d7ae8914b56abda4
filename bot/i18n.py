"""UI strings in English, Traditional and Simplified Chinese and Korean, and the translator for command names."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands

log = logging.getLogger(__name__)

Lang = str  # one of LANGS
LANGS = ("en", "zh-TW", "zh-CN", "ko")
DEFAULT_LANG = "en"

# UI strings by key. Placeholders use str.format; every language must have every key (tests check this).
STRINGS: dict[str, dict[Lang, str]] = {
    "answer.citation": {"en": "Citation", "zh-TW": "出處", "zh-CN": "出处", "ko": "출처"},
    "answer.further": {"en": "Further passage", "zh-TW": "其他段落", "zh-CN": "其他段落", "ko": "관련 단락"},
    "answer.page": {"en": "p. {page}", "zh-TW": "頁{page}", "zh-CN": "页{page}", "ko": "{page}쪽"},
    "answer.footer": {
        "en": "Index {version} · passage {passage_id}",
        "zh-TW": "索引版本 {version} · 段落 {passage_id}",
        "zh-CN": "索引版本 {version} · 段落 {passage_id}",
        "ko": "색인 버전 {version} · 단락 {passage_id}",
    },
    "button.context": {"en": "Context", "zh-TW": "上下文", "zh-CN": "上下文", "ko": "문맥"},
    "button.cite": {"en": "Cite", "zh-TW": "引用", "zh-CN": "引用", "ko": "인용"},
    "button.share": {"en": "Share", "zh-TW": "分享", "zh-CN": "分享", "ko": "공유"},
    "not_covered.title": {
        "en": "Not covered by the documents",
        "zh-TW": "文件中沒有答案",
        "zh-CN": "文档中没有答案",
        "ko": "문서에 답이 없습니다",
    },
    "not_covered.body": {
        "en": "The documents do not answer this question, so there is no quote to give. The question has been recorded for the moderators.",
        "zh-TW": "文件並未回答這個問題，因此無法提供引文。這個問題已記錄下來，供管理員參考。",
        "zh-CN": "文档并未回答这个问题，因此无法提供引文。这个问题已记录下来，供管理员参考。",
        "ko": "문서에서 이 질문에 대한 답을 찾을 수 없어 인용할 내용이 없습니다. 이 질문은 관리자를 위해 기록되었습니다.",
    },
    "not_covered.missing": {
        "en": "The documents speak of this, but none of the passages found gives the {what} asked for, so there is no quote to give. The question has been recorded for the moderators.",
        "zh-TW": "文件談到這個主題，但找到的段落都沒有給出所問的{what}，因此無法提供引文。這個問題已記錄下來，供管理員參考。",
        "zh-CN": "文档谈到这个主题，但找到的段落都没有给出所问的{what}，因此无法提供引文。这个问题已记录下来，供管理员参考。",
        "ko": "문서에서 이 주제를 다루지만 찾은 단락 중 질문한 {what}을(를) 알려 주는 곳이 없어 인용할 내용이 없습니다. 이 질문은 관리자를 위해 기록되었습니다.",
    },
    "missing.quantity": {"en": "number", "zh-TW": "數字", "zh-CN": "数字", "ko": "수치"},
    "missing.date": {"en": "date", "zh-TW": "日期", "zh-CN": "日期", "ko": "날짜"},
    "missing.duration": {"en": "length of time", "zh-TW": "時間長度", "zh-CN": "时间长度", "ko": "기간"},
    "missing.price": {"en": "amount of money", "zh-TW": "金額", "zh-CN": "金额", "ko": "금액"},
    "missing.ratio": {"en": "factor", "zh-TW": "倍數", "zh-CN": "倍数", "ko": "배수"},
    "missing.percentage": {"en": "percentage", "zh-TW": "百分比", "zh-CN": "百分比", "ko": "비율"},
    "missing.version": {"en": "version", "zh-TW": "版本", "zh-CN": "版本", "ko": "버전"},
    "missing.author": {"en": "author", "zh-TW": "作者", "zh-CN": "作者", "ko": "저자"},
    "not_covered.closest": {
        "en": "Closest passage (not an answer) · {page}",
        "zh-TW": "最接近的段落（並非答案）· {page}",
        "zh-CN": "最接近的段落（并非答案）· {page}",
        "ko": "가장 가까운 단락 (답이 아님) · {page}",
    },
    "context.title": {"en": "Context", "zh-TW": "上下文", "zh-CN": "上下文", "ko": "문맥"},
    "context.paragraph": {
        "en": "Paragraph {number}",
        "zh-TW": "第 {number} 段",
        "zh-CN": "第 {number} 段",
        "ko": "{number}번째 문단",
    },
    "cite.title": {"en": "Citation", "zh-TW": "引用格式", "zh-CN": "引用格式", "ko": "인용 형식"},
    "cite.default": {"en": "{style} (default)", "zh-TW": "{style}（預設）", "zh-CN": "{style}（默认）", "ko": "{style} (기본)"},
    "cite.quote": {"en": "Quote with reference", "zh-TW": "引文與出處", "zh-CN": "引文与出处", "ko": "인용문과 출처"},
    "cite.export": {
        "en": "{format} (for reference managers)",
        "zh-TW": "{format}（匯入書目管理軟體）",
        "zh-CN": "{format}（导入文献管理软件）",
        "ko": "{format} (참고문헌 관리 프로그램용)",
    },
    "share.header": {
        "en": "{user} shared an answer from Verbatim.",
        "zh-TW": "{user} 分享了 Verbatim 的回答。",
        "zh-CN": "{user} 分享了 Verbatim 的回答。",
        "ko": "{user} 님이 Verbatim의 답변을 공유했습니다.",
    },
    "share.already_public": {
        "en": "This answer is already visible in the channel.",
        "zh-TW": "這則回答已經在頻道中公開。",
        "zh-CN": "这条回答已经在频道中公开。",
        "ko": "이 답변은 이미 채널에 공개되어 있습니다.",
    },
    "share.shared_by": {"en": "Shared by {name}", "zh-TW": "由 {name} 分享", "zh-CN": "由 {name} 分享", "ko": "{name} 님이 공유함"},
    "feedback.up": {
        "en": "Thanks! Your 👍 has been recorded.",
        "zh-TW": "謝謝！已記錄你的 👍。",
        "zh-CN": "谢谢！已记录你的 👍。",
        "ko": "감사합니다! 👍 의견이 기록되었습니다.",
    },
    "feedback.down": {
        "en": "Thanks! Your 👎 has been recorded; it helps us improve the answers.",
        "zh-TW": "謝謝！已記錄你的 👎，這能幫助我們改進回答。",
        "zh-CN": "谢谢！已记录你的 👎，这能帮助我们改进回答。",
        "ko": "감사합니다! 👎 의견이 기록되었으며 답변 개선에 도움이 됩니다.",
    },
    "cooldown.title": {"en": "Slow down a little", "zh-TW": "請稍候", "zh-CN": "请稍候", "ko": "잠시만 기다려 주세요"},
    "cooldown.body": {
        "en": "You have asked {rate} questions in {per} seconds. Try again {when} (in {seconds} s).",
        "zh-TW": "你在 {per} 秒內已經問了 {rate} 個問題。請在 {when}（{seconds} 秒後）再試。",
        "zh-CN": "你在 {per} 秒内已经问了 {rate} 个问题。请在 {when}（{seconds} 秒后）再试。",
        "ko": "{per}초 동안 {rate}개의 질문을 하셨습니다. {when} ({seconds}초 후) 다시 시도해 주세요.",
    },
    "error.title": {"en": "Sorry", "zh-TW": "抱歉", "zh-CN": "抱歉", "ko": "죄송합니다"},
    "error.generic": {
        "en": "Something went wrong on our side. The problem has been logged; please try again later.",
        "zh-TW": "我們這邊出了點問題，已記錄下來，請稍後再試。",
        "zh-CN": "我们这边出了点问题，已记录下来，请稍后再试。",
        "ko": "처리 중 문제가 발생했습니다. 기록해 두었으니 잠시 후 다시 시도해 주세요.",
    },
    "error.check": {
        "en": "You cannot use this command here.",
        "zh-TW": "你無法在這裡使用這個指令。",
        "zh-CN": "你无法在这里使用这个命令。",
        "ko": "여기에서는 이 명령을 사용할 수 없습니다.",
    },
    "error.missing_permissions": {
        "en": "You need the {permissions} permission to do that.",
        "zh-TW": "你需要「{permissions}」權限才能這麼做。",
        "zh-CN": "你需要“{permissions}”权限才能这么做。",
        "ko": "이 작업에는 {permissions} 권한이 필요합니다.",
    },
    "error.moderators_only": {
        "en": "Only moderators can do that: members with the Manage Server permission or the moderator role.",
        "zh-TW": "只有管理員可以這麼做：擁有「管理伺服器」權限或管理員身分組的成員。",
        "zh-CN": "只有管理员可以这么做：拥有“管理服务器”权限或管理员身份组的成员。",
        "ko": "관리자만 할 수 있습니다: 서버 관리 권한이 있거나 관리자 역할을 가진 멤버입니다.",
    },
    "error.passage_not_found": {
        "en": "There is no passage with the id `{passage_id}` in the current index.",
        "zh-TW": "目前的索引中沒有編號為 `{passage_id}` 的段落。",
        "zh-CN": "当前的索引中没有编号为 `{passage_id}` 的段落。",
        "ko": "현재 색인에 `{passage_id}` 단락이 없습니다.",
    },
    "error.empty_message": {
        "en": "That message has no text to ask about.",
        "zh-TW": "那則訊息沒有可以提問的文字。",
        "zh-CN": "那条消息没有可以提问的文字。",
        "ko": "그 메시지에는 질문할 텍스트가 없습니다.",
    },
    "error.question_rejected": {
        "en": "That question cannot be searched.",
        "zh-TW": "這個問題無法搜尋。",
        "zh-CN": "这个问题无法搜索。",
        "ko": "이 질문은 검색할 수 없습니다.",
    },
    "error.index_unavailable": {
        "en": "The index is not available right now. Please try again later.",
        "zh-TW": "索引目前無法使用，請稍後再試。",
        "zh-CN": "索引目前无法使用，请稍后再试。",
        "ko": "지금은 색인을 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    },
    "error.busy": {
        "en": "The index is being rebuilt. Please try again in a moment.",
        "zh-TW": "索引正在重建，請稍後再試。",
        "zh-CN": "索引正在重建，请稍后再试。",
        "ko": "색인을 다시 만드는 중입니다. 잠시 후 다시 시도해 주세요.",
    },
    "sources.title": {"en": "Sources", "zh-TW": "資料來源", "zh-CN": "资料来源", "ko": "출처 문서"},
    "sources.summary": {
        "en": "{documents} document(s), {passages} passages · index {version}",
        "zh-TW": "共 {documents} 份文件、{passages} 個段落 · 索引版本 {version}",
        "zh-CN": "共 {documents} 份文档、{passages} 个段落 · 索引版本 {version}",
        "ko": "문서 {documents}개, 단락 {passages}개 · 색인 버전 {version}",
    },
    "sources.passages": {"en": "{count} passages", "zh-TW": "{count} 個段落", "zh-CN": "{count} 个段落", "ko": "단락 {count}개"},
    "sources.pages": {"en": "pp. {pages}", "zh-TW": "頁{pages}", "zh-CN": "页{pages}", "ko": "{pages}쪽"},
    "sources.more": {
        "en": "…and {count} more.",
        "zh-TW": "……以及另外 {count} 份。",
        "zh-CN": "……以及另外 {count} 份。",
        "ko": "…외 {count}개.",
    },
    "sources.empty": {
        "en": "The index has no documents.",
        "zh-TW": "索引中沒有文件。",
        "zh-CN": "索引中没有文档。",
        "ko": "색인에 문서가 없습니다.",
    },
    "help.title": {"en": "How to use Verbatim", "zh-TW": "Verbatim 使用說明", "zh-CN": "Verbatim 使用说明", "ko": "Verbatim 사용법"},
    "help.intro": {
        "en": "Verbatim answers questions about its documents by quoting them word for word, with the page and a full citation. "
        "If the documents do not cover a question, it says so instead of guessing.",
        "zh-TW": "Verbatim 以逐字引用文件的方式回答問題，並附上頁碼與完整出處。文件若沒有涵蓋某個問題，它會直接說明，而不會猜測。",
        "zh-CN": "Verbatim 以逐字引用文档的方式回答问题，并附上页码与完整出处。文档若没有涵盖某个问题，它会直接说明，而不会猜测。",
        "ko": "Verbatim은 문서를 그대로 인용하여 질문에 답하고, 쪽수와 전체 출처를 함께 보여 줍니다. 문서에 없는 질문이면 추측하지 않고 그렇다고 알려 줍니다.",
    },
    "help.buttons": {
        "en": "**Context** shows the whole paragraph, **Cite** gives a ready-to-paste citation, **Share** posts a private answer "
        "to the channel, and 👍/👎 tell us whether the answer helped. Answers are private unless you set `public`.",
        "zh-TW": "**上下文**顯示整個段落，**引用**提供可直接貼上的引用格式，**分享**將私人回答發布到頻道，👍/👎 讓我們知道回答是否有幫助。除非設定 `public`，回答只有你看得到。",
        "zh-CN": "**上下文**显示整个段落，**引用**提供可直接粘贴的引用格式，**分享**将私人回答发布到频道，👍/👎 让我们知道回答是否有帮助。除非设置 `public`，回答只有你看得到。",
        "ko": "**문맥**은 문단 전체를, **인용**은 바로 붙여 넣을 수 있는 인용문을 보여 주고, **공유**는 비공개 답변을 채널에 게시하며, 👍/👎로 답변이 도움이 되었는지 알려 주세요. `public`을 설정하지 않으면 답변은 본인에게만 보입니다.",
    },
    "help.buttons_title": {"en": "Buttons", "zh-TW": "按鈕", "zh-CN": "按钮", "ko": "버튼"},
    "help.commands_title": {"en": "Commands", "zh-TW": "指令", "zh-CN": "命令", "ko": "명령어"},
    "help.context_menu": {
        "en": "Right-click a message → Apps → **{name}** to ask its text as a question.",
        "zh-TW": "在訊息上按右鍵 → 應用程式 → **{name}**，即可把訊息內容當作問題。",
        "zh-CN": "在消息上右键 → 应用 → **{name}**，即可把消息内容当作问题。",
        "ko": "메시지를 우클릭 → 앱 → **{name}** 을 선택하면 그 메시지를 질문으로 사용합니다.",
    },
    "help.limits": {
        "en": "You can ask {rate} questions every {per} seconds.",
        "zh-TW": "每 {per} 秒最多可以問 {rate} 個問題。",
        "zh-CN": "每 {per} 秒最多可以问 {rate} 个问题。",
        "ko": "{per}초마다 최대 {rate}개의 질문을 할 수 있습니다.",
    },
}

# Command names, option names and descriptions, keyed by the English source string (what locale_str carries).
COMMAND_TRANSLATIONS: dict[str, dict[Lang, str]] = {
    "ask": {"zh-TW": "提問", "zh-CN": "提问", "ko": "질문하기"},
    "Ask a question and get a verbatim quote with its citation": {
        "zh-TW": "提出問題，取得逐字引文與出處",
        "zh-CN": "提出问题，获得逐字引文与出处",
        "ko": "질문하면 원문 인용과 출처를 알려 줍니다",
    },
    "question": {"zh-TW": "問題", "zh-CN": "问题", "ko": "질문"},
    "Your question about the documents": {"zh-TW": "關於文件的問題", "zh-CN": "关于文档的问题", "ko": "문서에 대한 질문"},
    "public": {"zh-TW": "公開", "zh-CN": "公开", "ko": "공개"},
    "Post the answer in the channel instead of privately": {
        "zh-TW": "將回答公開發布在頻道，而不是只有你看得到",
        "zh-CN": "将回答公开发布在频道，而不是只有你看得到",
        "ko": "답변을 본인에게만 보이지 않고 채널에 게시합니다",
    },
    "cite": {"zh-TW": "引用", "zh-CN": "引用", "ko": "인용"},
    "Get a ready-to-paste citation for a passage id": {
        "zh-TW": "取得某個段落編號的引用格式",
        "zh-CN": "获取某个段落编号的引用格式",
        "ko": "단락 ID의 인용문을 가져옵니다",
    },
    "passage": {"zh-TW": "段落", "zh-CN": "段落", "ko": "단락"},
    "The passage id shown in an answer's footer, e.g. p-a91f91d1ac02": {
        "zh-TW": "回答頁尾顯示的段落編號，例如 p-a91f91d1ac02",
        "zh-CN": "回答页脚显示的段落编号，例如 p-a91f91d1ac02",
        "ko": "답변 하단에 표시된 단락 ID (예: p-a91f91d1ac02)",
    },
    "sources": {"zh-TW": "資料來源", "zh-CN": "资料来源", "ko": "출처"},
    "List the documents Verbatim quotes from": {
        "zh-TW": "列出 Verbatim 引用的文件",
        "zh-CN": "列出 Verbatim 引用的文档",
        "ko": "Verbatim이 인용하는 문서 목록",
    },
    "help": {"zh-TW": "說明", "zh-CN": "帮助", "ko": "도움말"},
    "How to use Verbatim": {"zh-TW": "Verbatim 使用說明", "zh-CN": "Verbatim 使用说明", "ko": "Verbatim 사용법"},
    "Ask Verbatim": {"zh-TW": "詢問 Verbatim", "zh-CN": "询问 Verbatim", "ko": "Verbatim에게 묻기"},
}


def lang_for(locale: discord.Locale | str | None) -> Lang:
    """The UI language for a Discord locale: zh-TW, zh-CN, ko, or English for everything else."""
    value = locale.value if isinstance(locale, discord.Locale) else (locale or "")
    if value in ("zh-TW", "zh-HK"):
        return "zh-TW"
    if value.startswith("zh"):
        return "zh-CN"
    if value.startswith("ko"):
        return "ko"
    return DEFAULT_LANG


def t(locale: discord.Locale | str | None, key: str, **values: object) -> str:
    """The UI string `key` in the user's language, formatted with `values`."""
    table = STRINGS.get(key)
    if table is None:
        log.error("missing UI string %r", key)
        return key
    text = table.get(lang_for(locale)) or table[DEFAULT_LANG]
    return text.format(**values) if values else text


def add_strings(strings: Mapping[str, Mapping[Lang, str]] = {}, commands: Mapping[str, Mapping[Lang, str]] = {}) -> None:
    """Let another cog (e.g. moderation) register its own UI strings and command translations."""
    for key, table in strings.items():
        STRINGS[key] = dict(table)
    for key, table in commands.items():
        COMMAND_TRANSLATIONS[key] = dict(table)


def translate_command_text(message: str, locale: discord.Locale | str | None) -> str | None:
    """A command name/description in the given locale, or None to keep the English source."""
    lang = lang_for(locale)
    if lang == DEFAULT_LANG:
        return None
    return COMMAND_TRANSLATIONS.get(message, {}).get(lang)


class VerbatimTranslator(app_commands.Translator):
    """Localises command names, option names and descriptions from COMMAND_TRANSLATIONS."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale not in (discord.Locale.taiwan_chinese, discord.Locale.chinese, discord.Locale.korean):
            return None
        return translate_command_text(string.message, locale)
