"""Embeds and messages for answers, context, citations, sources and errors, always within Discord's limits."""

from __future__ import annotations

import logging
from urllib.parse import quote as url_quote

import discord
from discord.utils import escape_markdown

from bot.i18n import STRINGS, t
from index import citations
from index.citations import RenderedCitation
from index.models import Answer, Citation, DocumentMeta, Passage, ScoredPassage
from index.service import PassageContext

log = logging.getLogger(__name__)

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000

SNIPPET_CHARS = 180
QUESTION_PREFIX = "❓ "
ELLIPSIS = "…"

COLOR_ANSWER = discord.Colour(0x2E7D32)
COLOR_NOT_COVERED = discord.Colour(0x757575)
COLOR_INFO = discord.Colour(0x1565C0)
COLOR_ERROR = discord.Colour(0xC62828)

NO_PINGS = discord.AllowedMentions.none()


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def _embed_size(embed: discord.Embed) -> int:
    size = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "") + len(embed.author.name or "")
    return size + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Truncate every part of the embed to Discord's limits, then shrink it under the 6000-character total."""
    if embed.title:
        embed.title = truncate(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = truncate(embed.description, DESCRIPTION_LIMIT)
    if embed.author.name:
        embed.set_author(name=truncate(embed.author.name, AUTHOR_LIMIT), url=embed.author.url, icon_url=embed.author.icon_url)
    if embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    fields = [(f.name, f.value, f.inline) for f in embed.fields][:FIELDS_LIMIT]
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(
            name=truncate(name or "\u200b", FIELD_NAME_LIMIT), value=truncate(value or "\u200b", FIELD_VALUE_LIMIT), inline=inline
        )
    # Over the total: drop trailing fields first (further passages), then shorten the description.
    while _embed_size(embed) > EMBED_TOTAL_LIMIT and len(embed.fields) > 1:
        embed.remove_field(len(embed.fields) - 1)
    excess = _embed_size(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess))
    excess = _embed_size(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.title:
        embed.title = truncate(embed.title, max(1, len(embed.title) - excess))
    return embed


def doi_link(meta: DocumentMeta) -> str:
    """A Markdown link to the DOI (parentheses percent-encoded so the link survives Discord's parser)."""
    if not meta.doi:
        return ""
    url = "https://doi.org/" + url_quote(meta.doi, safe="/")
    return f"[doi:{escape_markdown(meta.doi)}]({url})"


def doi_url(meta: DocumentMeta) -> str | None:
    return "https://doi.org/" + url_quote(meta.doi, safe="/") if meta.doi else None


def page_text(locale: discord.Locale | str | None, page: str) -> str:
    return t(locale, "answer.page", page=page) if page else ""


def citation_lines(citation: Citation, locale: discord.Locale | str | None) -> str:
    """Author, title, journal and issue, year, section, page and DOI link, for an embed field."""
    m = citation.meta
    head = escape_markdown(citations.byline(m))
    second = ", ".join(escape_markdown(b) for b in (citations.venue_text(m), citations.date_text(m)) if b)
    where = []
    if citation.section:
        where.append(f"§ {escape_markdown(citation.section)}")
    if citation.page:
        where.append(page_text(locale, citation.page))
    lines = [line for line in (head, second, " · ".join(where), doi_link(m)) if line]
    return "\n".join(lines)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    return escape_markdown(truncate(" ".join(text.split()), limit))


def _passage_field_name(locale: discord.Locale | str | None, label_key: str, sp: ScoredPassage) -> str:
    page = page_text(locale, sp.passage.page) or "?"
    if label_key == "not_covered.closest":
        return t(locale, label_key, page=page)
    return f"{t(locale, label_key)} · {page}"


def question_author(question: str) -> str:
    return truncate(QUESTION_PREFIX + " ".join(question.split()), AUTHOR_LIMIT)


def question_from_embed(embed: discord.Embed | None) -> str:
    """The question an answer embed was for (as shown in its author line)."""
    name = (embed.author.name if embed is not None else None) or ""
    return name[len(QUESTION_PREFIX) :] if name.startswith(QUESTION_PREFIX) else name


def answer_embed(answer: Answer, locale: discord.Locale | str | None) -> discord.Embed:
    """The verified quote (answering sentence in bold), its citation, up to two further passages, version and id."""
    quote = answer.quote
    assert quote is not None, "answer_embed needs an answered question"
    marked = quote.marked(escape=escape_markdown)
    if len(marked) > DESCRIPTION_LIMIT - 4:
        marked = escape_markdown(truncate(quote.text, DESCRIPTION_LIMIT // 2))  # never cut inside a bold marker
    meta = quote.citation.meta
    embed = discord.Embed(
        title=citations.title_text(meta.title) or None,
        url=doi_url(meta),
        description=">>> " + marked,
        colour=COLOR_ANSWER,
    )
    embed.set_author(name=question_author(answer.question))
    embed.add_field(name=t(locale, "answer.citation"), value=citation_lines(quote.citation, locale), inline=False)
    further = [sp for sp in answer.passages if sp.passage.id != quote.passage.id][:2]
    for sp in further:
        embed.add_field(
            name=_passage_field_name(locale, "answer.further", sp), value=f"`{sp.passage.id}` {snippet(sp.passage.text)}", inline=False
        )
    embed.set_footer(text=t(locale, "answer.footer", version=answer.index_version, passage_id=quote.passage.id))
    return fit_embed(embed)


def not_covered_embed(answer: Answer, locale: discord.Locale | str | None) -> discord.Embed:
    """A plain 'not covered', with the closest passages clearly labelled as not an answer."""
    if answer.missing and f"missing.{answer.missing}" in STRINGS:
        # The passages are about the subject; what they lack is the kind of answer asked for (a price, a version…).
        body = t(locale, "not_covered.missing", what=t(locale, f"missing.{answer.missing}"))
    else:
        body = t(locale, "not_covered.body")
    embed = discord.Embed(title=t(locale, "not_covered.title"), description=body, colour=COLOR_NOT_COVERED)
    embed.set_author(name=question_author(answer.question))
    for sp in answer.passages[:3]:
        embed.add_field(
            name=_passage_field_name(locale, "not_covered.closest", sp), value=f"`{sp.passage.id}` {snippet(sp.passage.text)}", inline=False
        )
    if answer.index_version:
        embed.set_footer(text=answer.index_version)
    return fit_embed(embed)


def context_embed(ctx: PassageContext, locale: discord.Locale | str | None) -> discord.Embed:
    """The whole paragraph around a passage, with the passage itself in bold."""
    paragraph = ctx.paragraph
    text = paragraph.text if not isinstance(paragraph, str) else paragraph
    number = paragraph.number if not isinstance(paragraph, str) else ctx.passage.paragraph
    passage_text = ctx.passage.text.strip()
    at = text.find(passage_text) if passage_text else -1
    if at >= 0 and len(text) <= DESCRIPTION_LIMIT - 200:
        body = escape_markdown(text[:at]) + "**" + escape_markdown(passage_text) + "**" + escape_markdown(text[at + len(passage_text) :])
    else:
        body = escape_markdown(text)
    bits = [t(locale, "context.title"), t(locale, "context.paragraph", number=number)]
    if ctx.citation.section:
        bits.append(f"§ {ctx.citation.section}")
    if ctx.citation.page:
        bits.append(page_text(locale, ctx.citation.page))
    embed = discord.Embed(title=" · ".join(bits), description=body, colour=COLOR_INFO)
    embed.set_footer(text=f"{ctx.citation.short()} · {ctx.passage.id}")
    return fit_embed(embed)


def code_block(text: str, lang: str = "", limit: int = FIELD_VALUE_LIMIT) -> str:
    """`text` in a fenced code block of at most `limit` characters (cut inside the fence, never through it)."""
    fence_open, fence_close = f"```{lang}\n", "\n```"
    body = truncate(text.replace("```", "`\u200b``"), max(1, limit - len(fence_open) - len(fence_close)))
    return fence_open + body + fence_close


QUOTE_CHARS = 1500  # the passage in the ready-to-paste block; the whole citation embed stays far below 6000


def citation_markdown(passage: Passage, reference: str) -> str:
    """A Markdown block quote of the passage followed by its reference."""
    text = truncate(passage.text, QUOTE_CHARS)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    quote = "\n".join("> " + line for line in lines)
    return f"{quote}\n\n{reference}"


def citation_embed(passage: Passage, citation: Citation, rendered: RenderedCitation, locale: discord.Locale | str | None) -> discord.Embed:
    """The reference in the document's default style, the quote with it, the other styles, BibTeX and RIS, each copyable."""
    default = citations.STYLES[rendered.default]
    description = (
        f"**{t(locale, 'cite.default', style=default.label)}**\n{code_block(rendered.reference)}\n"
        f"**{t(locale, 'cite.quote')}**\n{code_block(citation_markdown(passage, rendered.reference), 'md', DESCRIPTION_LIMIT // 2)}"
    )
    title = " · ".join(b for b in (t(locale, "cite.title"), citations.title_text(citation.meta.title)) if b)
    embed = discord.Embed(title=title, description=description, colour=COLOR_INFO)
    for key, reference in rendered.references.items():
        if key != rendered.default:
            embed.add_field(name=citations.STYLES[key].label, value=code_block(reference), inline=False)
    embed.add_field(name=t(locale, "cite.export", format="BibTeX"), value=code_block(rendered.bibtex, "bibtex"), inline=False)
    embed.add_field(name=t(locale, "cite.export", format="RIS"), value=code_block(rendered.ris), inline=False)
    embed.set_footer(text=f"{citation.short()} · {passage.id}")
    return fit_embed(embed)


def sources_embed(
    documents: list[DocumentMeta], passages: dict[str, int], version: str, locale: discord.Locale | str | None
) -> discord.Embed:
    """The documents in the index with their bibliographic metadata."""
    total = sum(passages.values())
    embed = discord.Embed(
        title=t(locale, "sources.title"),
        description=t(locale, "sources.summary", documents=len(documents), passages=total, version=version)
        if documents
        else t(locale, "sources.empty"),
        colour=COLOR_INFO,
    )
    shown = documents[: FIELDS_LIMIT - 1] if len(documents) > FIELDS_LIMIT else documents
    for meta in shown:
        span = citations.pages_text(meta)
        pages = t(locale, "sources.pages", pages=span) if span else ""
        lines = [
            escape_markdown(meta.author) + (f" ({escape_markdown(meta.affiliation)})" if meta.affiliation else ""),
            ", ".join(b for b in (escape_markdown(citations.venue_text(meta)), escape_markdown(citations.date_text(meta)), pages) if b),
            doi_link(meta),
            f"`{meta.doc_id}` · {t(locale, 'sources.passages', count=passages.get(meta.doc_id, 0))}",
        ]
        embed.add_field(name=citations.title_text(meta.title) or meta.doc_id, value="\n".join(line for line in lines if line), inline=False)
    if len(shown) < len(documents):
        embed.add_field(name="\u200b", value=t(locale, "sources.more", count=len(documents) - len(shown)), inline=False)
    return fit_embed(embed)


def error_embed(locale: discord.Locale | str | None, message: str, *, title: str | None = None) -> discord.Embed:
    """A short private error message."""
    return fit_embed(discord.Embed(title=title or t(locale, "error.title"), description=message, colour=COLOR_ERROR))


def shared_embed(original: discord.Embed, sharer: discord.abc.User, locale: discord.Locale | str | None) -> discord.Embed:
    """A copy of a private answer embed, marked with who shared it."""
    embed = discord.Embed.from_dict(original.to_dict())
    footer = embed.footer.text or ""
    shared = t(locale, "share.shared_by", name=sharer.display_name)
    embed.set_footer(text=f"{footer} · {shared}" if footer else shared)
    return fit_embed(embed)
