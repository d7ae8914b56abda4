"""Markdown, read with a CommonMark parser (markdown-it-py) into the text a reader sees: headings, paragraphs, lists, tables, code."""

from __future__ import annotations

import builtins  # the renderer has a method named `list` (one per node type), which shadows the builtin in annotations
import functools
import logging
import re
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from index.blocks import Block, join_lines

log = logging.getLogger(__name__)

PROFILE = "markdown"

# MkDocs/Python-Markdown metadata: `key: value` lines opening the file, without YAML fences.
_META_LINE = re.compile(r"^([A-Za-z][\w-]*):[ \t]*(.*)$")
_META_KEYS = frozenset(
    {
        "title",
        "author",
        "authors",
        "date",
        "description",
        "summary",
        "tags",
        "keywords",
        "lang",
        "language",
        "category",
        "categories",
        "slug",
        "layout",
    }
)
# Metadata a document may give for itself; the sidecar .meta.json wins.
_META_FIELDS = {"title": "title", "author": "author", "authors": "author", "lang": "language", "language": "language"}
_TAGGED_TERM = re.compile(r"\{[A-Za-z][\w-]*:([^{}\n]+)\}")  # {term:API} -> API
_ATTRIBUTE_LIST = re.compile(r"\{:[^{}\n]*\}")  # kramdown {: .class} and {:toc}
_LIQUID_TAG = re.compile(r"\{%.*?%\}")
# MDN's macros: {{Glossary("MitM", "中間人")}} shows 中間人, {{HTTPHeader("Set-Cookie")}} shows Set-Cookie, and a macro
# alone in its paragraph ({{HTTPSidebar}}, {{EmbedLiveSample("x")}}, {{Compat}}) shows a sidebar or a widget, no text.
# No space after "{{": a template's {{ value }} is left alone.
_STRING = r"\"([^\"]*)\"|'([^']*)'"
# An argument may be bare: {{HTTPStatus(200)}} shows 200.
_MACRO = re.compile(rf"\{{\{{[A-Za-z][\w-]*(?:\(\s*(?:{_STRING}|([\w.-]+))?(?:\s*,\s*(?:{_STRING}))?[^()]*\))?\}}\}}")
_MACROS_ONLY = re.compile(rf"(?:\s*{_MACRO.pattern})+\s*")
# Hugo's shortcodes (Kubernetes' docs and their translations): {{< glossary_tooltip text="Pod" term_id="pod" >}} shows
# Pod (without text=, its term, hyphens as spaces), {{% heading "prerequisites" %}} its argument; {{< note >}},
# {{% capture body %}} and their closing tags only wrap text, and show none of their own.
_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([\w.-]+)([^{}]*?)\s*/?\s*[>%]\}\}")
_SHORTCODE_TEXT = re.compile(r"\btext\s*=\s*\"([^\"]*)\"")
_SHORTCODE_TERM = re.compile(r"\bterm_id\s*=\s*\"([^\"]*)\"")
_SHORTCODE_ARGUMENT = re.compile(r"^\s*\"([^\"]*)\"\s*$")


def _shortcode_text(match: re.Match[str]) -> str:
    name, params = match.group(1), match.group(2)
    if found := _SHORTCODE_TEXT.search(params):
        return found.group(1)
    if name == "glossary_tooltip" and (term := _SHORTCODE_TERM.search(params)):
        return term.group(1).replace("-", " ")
    if name == "heading" and (argument := _SHORTCODE_ARGUMENT.match(params)):
        return argument.group(1)
    return ""


# MDX's module lines (Docusaurus): a paragraph of `import X from '…';` and `export const …` lines is code, not text.
_MDX_MODULE_LINE = re.compile(
    r"^\s*(?:import\s+(?:[\w{}\s,*]+\s+from\s+)?['\"][^'\"]+['\"];?|export\s+(?:default|const|let|function|async)\b.*)\s*$"
)
# pymdownx's snippet includes, `--8<-- "docs/search/code/bfs/bfs-1.cpp"`: the site shows that file's text, which
# the document does not hold; the line itself is nothing a reader sees.
# mdBook's are alike: {{#include ../listings/…/output.txt}}, {{#rustdoc_include …}} (the Rust book and its translations).
_SNIPPET_INCLUDE = re.compile(
    r'^[ \t]*(?:-{1,}8<-{1,}[ \t]*(?:"[^"\n]*"|\S+)?|\{\{#(?:include|rustdoc_include|playground|playpen)\s[^}\n]*\}\})[ \t]*$\n?',
    re.MULTILINE,
)

# FastAPI's docs (and its translations, SQLModel's, Typer's) include a listing from another file with
# `{* ../../docs_src/body/tutorial001_py310.py hl[5:9] *}` on a line of its own: the site shows that file's code,
# which the page does not hold, so the line is nothing a reader sees, as a snippet include is.
_FILE_INCLUDE = re.compile(r"\{\*[ \t]+[^\s*{}][^\n]*?[ \t]\*\}")

# MkDocs Material's content tabs: `=== "Title"`, then the tab's Markdown indented by four spaces.
_CONTENT_TAB = re.compile(r'^(\s*)===\+?\s+"[^"\n]*"\s*$')


def _content_tabs_opened(raw: str) -> str:
    """The text of MkDocs content tabs as ordinary Markdown: the `=== "Title"` lines dropped and each tab's body,
    indented under it, moved back to the tab's own indentation (else it would read as an indented code block); tabs
    nested in a tab (OI-wiki's "C++" › "递归实现") likewise, four spaces per open tab."""
    out: list[str] = []
    opened: list[int] = []  # the indentation of each open tab's marker, outermost first
    for line in raw.split("\n"):
        lead = len(line) - len(line.lstrip(" "))
        marker = _CONTENT_TAB.match(line)
        if marker:
            while opened and opened[-1] >= len(marker.group(1)):
                opened.pop()
            opened.append(len(marker.group(1)))
            continue
        if line.strip():
            while opened and lead < opened[-1] + 4:
                opened.pop()
        cut = 4 * len(opened)
        out.append(line[cut:] if opened and line.startswith(" " * cut) else line)
    return "\n".join(out)


def _hugo_shortcode(state: StateInline, silent: bool) -> bool:
    """A Hugo shortcode read as the text it shows (`_shortcode_text`), before the parser takes "<note>" in
    {{<note>}} (no spaces) for an HTML tag and leaves "{{}}"."""
    if not state.src.startswith(("{{<", "{{%"), state.pos):
        return False
    found = _SHORTCODE.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    if not silent:
        state.push("text", "", 0).content = _shortcode_text(found)
    state.pos = found.end()
    return True


# MDX's comments, {/* … */}: react.dev and its translations give every heading its id that way
# ("## 일반 변수로 충분하지 않은 경우 {/*when-a-regular-variable-isnt-enough*/}"); a reader sees nothing of them. An inline rule
# of the parser's own, so code spans and fenced listings keep theirs.
def _mdx_comment(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{/*", state.pos):
        return False
    end = state.src.find("*/}", state.pos + 3, state.posMax)
    if end < 0:
        return False
    state.pos = end + 3
    return True


# A container's name and title: ":::warning Title", Docusaurus's ":::tip[Title]", MyST's ":::{note} Title".
# pymdownx's blocks (MkDocs Material; FastAPI's docs in every language): `/// note | 참고` … `///`, `//// tab | Python
# 3.10+` … `////` around blocks nested in it, `/// details | Title`, `/// html | div`. The name, then a title after "|".
_BLOCKS_INFO = re.compile(r"\s*([A-Za-z][\w-]*)\s*(?:\|\s*(.*?))?\s*")
# The option lines right under a block's opening line, indented (`    type: warning`, `    attrs: {class: x}`).
_BLOCKS_OPTION = re.compile(r"[\w-]+:(?:\s.*)?")
# Blocks whose text after "|" is no title: an HTML tag name, a caption's number.
_UNTITLED_BLOCKS = frozenset({"html", "caption", "figure-caption", "table-caption", "definition"})
_CONTAINER_INFO = re.compile(r"\s*(\{[A-Za-z][\w:.-]*\}|[A-Za-z][\w-]*)(?:\[([^\]\n]*)\])?\s*(.*)")
# A MyST directive written as a fence: ```{note}, ```{prf:example} Title, ```{code-cell} python.
_MYST_DIRECTIVE = re.compile(r"\{([A-Za-z][\w:.-]*)\}\s*(.*)")
_DIRECTIVE_OPTION = re.compile(r"\s*:[\w-]+:(?:\s.*)?")  # ":label: le_ex_dim", ":class: dropdown"
# The option lines (":class: dropdown") right under a MyST colon fence's opening line: they configure it, no text.
_COLON_FENCE_OPTIONS = re.compile(r"^([ \t]*:{3,}[ \t]*\{[A-Za-z][\w:.-]*\}[^\n]*\n)(?:[ \t]*:[\w-]+:[^\n]*\n)+", re.MULTILINE)
# MyST's directives that hold Markdown a reader sees as text (admonitions, exercises, cards, figures' captions); any
# other `{name}` fence is code, as R Markdown's and Quarto's ```{r} and ```{python} chunks are.
_PROSE_DIRECTIVES = frozenset(
    "note warning tip hint important caution danger error attention seealso admonition exercise solution dropdown"
    " tab-item tab-set card grid-item-card grid margin sidebar topic figure list-table table epigraph pull-quote"
    " highlights glossary only div rubric versionadded versionchanged deprecated centered hlist eval-rst".split()
)
_MATH_DIRECTIVES = frozenset({"math", "prf:equation"})
# javascript.info and its translations (ko, zh, …) write their text boxes as fences, titled in an attribute:
# ```smart header="쿠키의 한계", ```warn, ```quote author="공자", ```compare, ```online / ```offline (shown only on the
# site or only in the e-book). A reader of the site sees their Markdown as text, not code.
_TEXT_BOX_FENCE = re.compile(r"(smart|warn|quote|compare|online|offline)(\s+\w+=.*)?")
_FENCE_ATTRIBUTE = re.compile(r"(\w+)=(?:\"([^\"]*)\"|'([^']*)')")
# Directives that show no text of their own: tables of contents, includes, images, and the labels that open and close
# an exercise or a solution written around ordinary Markdown.
_SILENT_DIRECTIVES = frozenset(
    "toctree tableofcontents contents index include bibliography raw image embed glue glue:any glue:figure iframe video"
    " solution-start solution-end exercise-start exercise-end".split()
)
# Directives whose argument is a path or a label, not a title a reader sees.
_UNTITLED_DIRECTIVES = frozenset({"figure", "solution", "only", "margin", "div"})
# A link to a place in the same page ("#summary", "#유효성freshness"): what a table of contents is made of.
_ANCHOR_HREF = re.compile(r"#[^\s]*")
_TOC_MARKER = re.compile(r"\[\[toc\]\]|\[toc\]", re.IGNORECASE)
# A heading's attribute list at its end: "安全 {#security}", "Setup {#setup .tabs}" (VitePress, MkDocs, Pandoc).
_HEADING_ATTRIBUTES = re.compile(r"\s*\{\s*[#.][^{}\n]*\}\s*$")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SCRIPT_TAG = re.compile(r"<(/?)(sup|sub)\s*>", re.IGNORECASE)
# Inline HTML that sets what follows apart: a table's cells and rows, a <details>' summary, list items, paragraphs (a
# table inside a Markdown table's cell: FastAPI's `<details><summary>…</summary><table>…<td>name</td><td>str</td>…`).
_SEPARATING_TAG = re.compile(r"</?(?:td|th|tr|table|thead|tbody|summary|details|li|ul|ol|p|div|dt|dd)\b[^<>]*>", re.IGNORECASE)
# What a reader sees of <sup>…</sup> and <sub>…</sub> (10<sup>-9</sup> is 10⁻⁹, not 10-9), where Unicode has every
# character; otherwise the text as written (1<sup>st</sup> stays 1st).
_RAISED = {
    "sup": str.maketrans("0123456789+-\u2212=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"),
    "sub": str.maketrans("0123456789+-\u2212=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎"),
}
_SPACES = re.compile(r"[ \t]{2,}")
_INVISIBLE = str.maketrans({"\u00a0": " ", "\u00ad": None, "\u200b": None, "\ufeff": None})


@dataclass
class MarkdownDocument:
    """A parsed Markdown file: its blocks in reading order and the metadata it declares about itself."""

    blocks: list[Block]
    metadata: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # alerts: GitHub's "> [!NOTE]" blocks; the container: VitePress's and Docusaurus's ":::warning Title … :::".
    md = MarkdownIt("commonmark", {"html": True, "alerts": True}).enable(["table", "strikethrough"])
    md = md.use(front_matter_plugin).use(admon_plugin).use(footnote_plugin).use(myst_role_plugin)
    # TeX between dollars is math, read as written: CommonMark would take "\{" and "\\" inside it for escapes. Pandoc's
    # rule tells it from money: no space inside the dollars, no digit right after the closing one ("$5 to $10").
    md = md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False)
    md.inline.ruler.before("emphasis", "mdx_comment", _mdx_comment)
    md.inline.ruler.before("emphasis", "hugo_shortcode", _hugo_shortcode)
    md.block.ruler.before("lheading", "mdx_open_tag", _mdx_open_tag)  # after html_block: CommonMark's HTML blocks first
    md = md.use(container_plugin, name="any", validate=lambda params, *_: bool(_CONTAINER_INFO.match(params)))
    return md.use(container_plugin, name="blocks", marker="/", validate=lambda params, *_: bool(_BLOCKS_INFO.fullmatch(params)))


def parse_markdown(raw: str) -> MarkdownDocument:
    """The rendered text of a Markdown document as blocks, plus its front matter (never part of the text)."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    toml, raw = _toml_front_matter(raw)
    metadata, body = _leading_metadata(raw)
    metadata.update({k: v for k, v in toml.items() if k not in metadata})
    body = _content_tabs_opened(body) if "===" in body else body
    body = _COLON_FENCE_OPTIONS.sub(r"\1", body) if ":::" in body else body
    renderer = _Renderer()
    renderer.render(SyntaxTreeNode(_parser().parse(body)))
    renderer.place_labels()
    metadata.update({k: v for k, v in renderer.front_matter.items() if k not in metadata})
    return MarkdownDocument(renderer.blocks, metadata)


def _toml_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """Zola's and Hugo's TOML front matter between `+++` lines at the very top, taken out of the text."""
    if not raw.startswith("+++\n"):
        return {}, raw
    end = raw.find("\n+++", 3)
    if end < 0 or raw[end + 4 : end + 5] not in ("", "\n"):
        return {}, raw
    try:
        data = tomllib.loads(raw[4:end])
    except tomllib.TOMLDecodeError as exc:
        log.warning("TOML front matter is not valid (%s); it is left out of the text and ignored", exc)
        data = {}
    return _document_fields(data), raw[end + 4 :].lstrip("\n")


def _leading_metadata(raw: str) -> tuple[dict[str, str], str]:
    """MkDocs-style `author: …` lines at the very top (up to the first blank line), taken out of the text."""
    lines = raw.split("\n")
    found: dict[str, str] = {}
    key = ""
    count = 0
    for line in lines:
        if not line.strip():
            break
        match = _META_LINE.match(line)
        if match and match.group(1).lower() in _META_KEYS:
            key = match.group(1).lower()
            found[key] = match.group(2).strip()
        elif key and line[:1] in (" ", "\t"):
            found[key] = f"{found[key]} {line.strip()}".strip()
        else:
            return {}, raw
        count += 1
    if not found:
        return {}, raw
    return _document_fields(found), "\n".join(lines[count:])


def _document_fields(data: dict[str, Any]) -> dict[str, str]:
    """The metadata fields Verbatim keeps (title, author, language), as text."""
    out: dict[str, str] = {}
    for key, value in data.items():
        name = _META_FIELDS.get(str(key).lower())
        if name is None or value is None or name in out:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = str(value).strip()
        if text:
            out[name] = text
    return out


def _front_matter(content: str) -> dict[str, str]:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        log.warning("front matter is not valid YAML (%s); it is left out of the text and ignored", exc)
        return {}
    return _document_fields(data) if isinstance(data, dict) else {}


def _visible(text: str) -> str:
    """Text as shown: no-break spaces as spaces, invisible characters dropped, tag syntax reduced to its text."""
    text = _TAGGED_TERM.sub(lambda m: m.group(1).strip(), text.translate(_INVISIBLE))
    text = _MACRO.sub(lambda m: next((g for g in (m.group(4), m.group(5), m.group(1), m.group(2), m.group(3)) if g), ""), text)
    return _LIQUID_TAG.sub("", _ATTRIBUTE_LIST.sub("", text))


def _is_contents_list(node: SyntaxTreeNode) -> bool:
    """A list of three or more items (nested ones counted), each nothing but a link to a place in the page: a table of
    contents written by hand or by a tool (KEPs' "<!-- toc -->", doctoc, markdown-toc). Navigation, no text: its lines
    repeat the headings, which name the sections already."""
    links = sum(1 for child in node.walk() if child.type == "link")
    return links >= 3 and all(_is_contents_list_item(item) for item in node.children)


def _is_contents_list_item(item: SyntaxTreeNode) -> bool:
    return bool(item.children) and all(
        (child.type == "paragraph" and _is_anchor_link(child))
        or (child.type in ("bullet_list", "ordered_list") and all(_is_contents_list_item(i) for i in child.children))
        for child in item.children
    )


def _is_anchor_link(paragraph: SyntaxTreeNode) -> bool:
    """A paragraph that is one link to a place in the page and nothing else."""
    inline = paragraph.children[0] if paragraph.children else None
    parts = [c for c in (inline.children if inline else []) if not (c.type == "text" and not (c.content or "").strip())]
    return len(parts) == 1 and parts[0].type == "link" and bool(_ANCHOR_HREF.fullmatch(str(parts[0].attrs.get("href", ""))))


def _heading_level(tag: str) -> int | None:
    """2 for "h2"."""
    return int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit() else None


class _Renderer:
    """Walks the syntax tree and emits headings, prose (lists and tables one line per item or row) and code."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.front_matter: dict[str, str] = {}
        self._list_start = -1

    def render(self, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.block(child)

    def emit(self, kind: str, text: str, level: int | None = None) -> None:
        text = text.strip("\n") if kind == "code" else text.strip()
        if text.strip():
            self.blocks.append(Block(kind, text, None, None, level=level))

    def block(self, node: SyntaxTreeNode) -> None:
        kind = node.type
        if kind == "front_matter":
            self.front_matter.update(_front_matter(node.content))
        elif kind == "heading":
            heading = inline_text(node.children[0], footnote_marks=False) if node.children else ""
            # A heading is one line of a citation: a <br> inside it ("…Template in LaTex<br>台灣國立成功大學…") is a space.
            self.emit("heading", " ".join(_HEADING_ATTRIBUTES.sub("", heading).split("\n")), _heading_level(node.tag))
        elif kind == "paragraph":
            content = node.children[0].content if node.children else ""
            if _MACROS_ONLY.fullmatch(content or "") or all(_MDX_MODULE_LINE.match(ln) for ln in (content or "").split("\n")):
                return
            if _TOC_MARKER.fullmatch(content.strip()) or _is_jsx_tags(content):
                return
            if "{*" in content and all(_FILE_INCLUDE.fullmatch(line.strip()) for line in content.split("\n")):
                return
            self.emit("body", inline_text(node.children[0]) if node.children else "")
        elif kind in ("bullet_list", "ordered_list"):
            self.list(node)
        elif kind == "fence" and (directive := _MYST_DIRECTIVE.fullmatch(node.info.strip())):
            self.directive(directive.group(1).lower(), directive.group(2).strip(), node.content)
        elif kind == "fence" and (box := _TEXT_BOX_FENCE.fullmatch(node.info.strip())):
            self.text_box(box.group(1), box.group(2) or "", node.content)
        elif kind in ("fence", "code_block"):
            self.emit("code", _SNIPPET_INCLUDE.sub("", node.content).rstrip())
        elif kind == "math_block":
            self.emit("body", f"{node.markup}{node.content}{node.markup}")
        elif kind == "table":
            self.emit("table", "\n".join(_table_rows(node)))
        elif kind == "html_block":
            self.html(node.content)
        elif kind == "mdx_open_tag":  # markup only (`_mdx_open_tag`)
            return
        elif kind == "admonition":
            self.admonition(node)
        elif kind == "alert":  # its title ("Note", "Warning") is GitHub's, in English, not the document's
            for child in node.children:
                if child.type != "alert_title":
                    self.block(child)
        elif kind == "container_any":
            self.container(node)
        elif kind == "container_blocks":
            self.pymdownx_block(node)
        elif kind == "footnote_block":
            self.footnotes(node)
        elif kind == "hr":
            return
        else:  # blockquote and other containers: their blocks, in order
            self.render(node)

    def place_labels(self) -> None:
        """A tab's label leads the paragraph the tab opens with; over a code listing, or nothing, it says nothing."""
        placed: list[Block] = []
        for index, block in enumerate(self.blocks):
            following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
            if block.kind != "label":
                placed.append(block)
            elif following is not None and following.kind == "body":
                following.text = f"{block.text}\n{following.text}"
        self.blocks = placed

    def list(self, node: SyntaxTreeNode) -> None:
        if _is_contents_list(node):
            return
        self._list_start = len(self.blocks)
        lines: list[str] = []
        self.list_into(node, lines)
        self.flush_lines(lines)

    def list_into(self, node: SyntaxTreeNode, lines: builtins.list[str], depth: int = 0) -> None:
        """One line per short item (nested lists included, indented as a reader sees them: two spaces a level); long
        items of a loose list become paragraphs of their own."""
        # A loose list reads as lines only when every item is short; otherwise each item is a paragraph of its own.
        as_lines = _is_tight(node) or all(_reads_as_line(item) for item in node.children)
        for marker, item in _items(node):
            marker = "  " * depth + marker if marker or depth else marker
            if not as_lines:
                self.flush_lines(lines)
                first = len(self.blocks)
                self.render(item)
                if marker and first < len(self.blocks) and self.blocks[first].kind == "body":
                    self.blocks[first].text = marker + self.blocks[first].text
                continue
            for index, child in enumerate(item.children):
                if child.type == "paragraph":
                    lines.append((marker if index == 0 else "") + (inline_text(child.children[0]) if child.children else ""))
                elif child.type in ("bullet_list", "ordered_list"):
                    self.list_into(child, lines, depth + 1)
                else:
                    self.flush_lines(lines)
                    self.block(child)

    def flush_lines(self, lines: builtins.list[str]) -> None:
        """Emit collected list lines as one paragraph; a list introduced by "…:" joins its introduction."""
        if not lines:
            return
        previous = self.blocks[-1] if self.blocks else None
        if (
            len(self.blocks) == self._list_start
            and previous is not None
            and previous.kind == "body"
            and previous.text.endswith((":", "："))
        ):
            previous.text = previous.text + "\n" + "\n".join(lines)
        else:
            self.emit("body", "\n".join(lines))
        lines.clear()

    def html(self, source: str) -> None:
        parser = _HtmlText(source)
        parser.feed(source)
        parser.close()
        prose: list[str] = []
        for kind, text in parser.segments():
            if kind == "body":
                rendered = markdown_inline(text)
                if rendered.strip():
                    prose.append(rendered.strip())
                continue
            self.emit("body", "\n".join(prose))
            prose = []
            if kind in _HtmlText.HEADING_TAGS:
                self.emit("heading", markdown_inline(text), _heading_level(kind))
            else:
                self.emit(kind, text)
        self.emit("body", "\n".join(prose))

    def admonition(self, node: SyntaxTreeNode) -> None:
        title = ""
        first = len(self.blocks)
        for child in node.children:
            if child.type == "admonition_title":
                title = inline_text(child.children[0]) if child.children else ""
            else:
                self.block(child)
        if not title.strip() or first == len(self.blocks):  # a title over nothing (a listing from another file) labels nothing
            return
        if self.blocks[first].kind == "body":
            self.blocks[first].text = f"{title.strip()}\n{self.blocks[first].text}"
        else:
            self.blocks.insert(first, Block("body", title.strip(), None, None))

    def container(self, node: SyntaxTreeNode) -> None:
        """A ":::type Title" container (":::tip[Title]", ":::{note} Title"): its blocks, with the title (when the
        document gives one) as their first line, as an admonition's; a MyST container's option lines are not text."""
        info = _CONTAINER_INFO.match(node.info)
        name, bracketed, rest = info.groups() if info else ("", None, "")
        title = (bracketed if bracketed is not None else rest).strip()
        first = len(self.blocks)
        self.render(node)
        if name.strip("{}").lower() in _UNTITLED_DIRECTIVES and name.startswith("{"):
            title = ""
        self._titled(first, title)

    def pymdownx_block(self, node: SyntaxTreeNode) -> None:
        """A pymdownx block (`/// tip | 팁` … `///`): its blocks, the title after "|" as their first line, as an
        admonition's; a tab's title is its label (`place_labels`); the indented option lines under the opening line
        configure the block and are no text. With no title, the theme's English default ("Tip") is not the document's."""
        info = _BLOCKS_INFO.fullmatch(node.info)
        name, title = (info.group(1).lower(), (info.group(2) or "").strip()) if info else ("", "")
        first = len(self.blocks)
        opened = node.map[0] if node.map else -2
        for index, child in enumerate(node.children):
            starts = child.map[0] if child.map else -1
            lines = child.content.strip("\n").split("\n")
            if (
                index == 0
                and child.type == "code_block"
                and starts == opened + 1
                and all(_BLOCKS_OPTION.fullmatch(ln.strip()) for ln in lines)
            ):
                continue
            self.block(child)
        if name == "tab":
            if title:
                self.blocks.insert(first, Block("label", title, None, None))
        elif name not in _UNTITLED_BLOCKS:
            self._titled(first, title)

    def directive(self, name: str, argument: str, content: str) -> None:
        """A MyST directive written as a fence: code and math as such, a note, an example or an exercise as the
        Markdown it holds (its title first), without the option lines (":label: …") that configure it."""
        lines = content.split("\n")
        if lines and lines[0].strip() == "---":  # options as a YAML block
            end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
            lines = lines[end + 1 :]
        while lines and _DIRECTIVE_OPTION.fullmatch(lines[0]):
            lines = lines[1:]
        body = "\n".join(lines).strip("\n")
        if name in _SILENT_DIRECTIVES:
            return
        if name in _MATH_DIRECTIVES:
            self.emit("body", f"$${body.strip()}$$")
        elif name in _PROSE_DIRECTIVES or name.startswith("prf:"):
            first = len(self.blocks)
            self.render(SyntaxTreeNode(_parser().parse(body)))
            self._titled(first, "" if name in _UNTITLED_DIRECTIVES else argument)
        else:
            self.emit("code", body.rstrip())

    def text_box(self, name: str, attributes: str, content: str) -> None:
        """A javascript.info text box written as a fence (`_TEXT_BOX_FENCE`): its Markdown, under its header; an
        "offline" box holds what only the e-book shows, in place of the "online" one beside it."""
        if name == "offline":
            return
        first = len(self.blocks)
        self.render(SyntaxTreeNode(_parser().parse(content)))
        header = {key: double or single for key, double, single in _FENCE_ATTRIBUTE.findall(attributes)}.get("header", "")
        title = SyntaxTreeNode(_parser().parse(header)).children if header.strip() else []
        self._titled(first, inline_text(title[0].children[0]) if title and title[0].children else "")

    def _titled(self, first: int, title: str) -> None:
        """The blocks from `first` on, under a title: the first line of their first paragraph."""
        if not title:
            return
        if first < len(self.blocks) and self.blocks[first].kind == "body":
            self.blocks[first].text = f"{title}\n{self.blocks[first].text}"
        else:
            self.blocks.insert(first, Block("body", title, None, None))

    def footnotes(self, node: SyntaxTreeNode) -> None:
        for note in node.children:
            first = len(self.blocks)
            self.render(note)
            for block in self.blocks[first:]:
                if block.kind == "body":
                    block.kind = "footnote"
            if first < len(self.blocks):
                self.blocks[first].text = f"[{note.meta.get('id', 0) + 1}] {self.blocks[first].text}"


def _is_tight(node: SyntaxTreeNode) -> bool:
    return all(child.hidden for item in node.children for child in item.children if child.type == "paragraph")


def _reads_as_line(item: SyntaxTreeNode, limit: int = 150) -> bool:
    """A list item short enough to read as one line: only paragraphs and lists, little text."""
    if any(child.type not in ("paragraph", "bullet_list", "ordered_list") for child in item.children):
        return False
    length = 0
    for child in item.children:
        if child.type == "paragraph":
            length += len(inline_text(child.children[0])) if child.children else 0
        elif not all(_reads_as_line(sub, limit) for sub in child.children):
            return False
    return length <= limit


def _items(node: SyntaxTreeNode) -> list[tuple[str, SyntaxTreeNode]]:
    """Each list item with the number a reader sees before it ("3. "), or "" for bullets."""
    if node.type != "ordered_list":
        return [("", item) for item in node.children]
    start = int(node.attrs.get("start", 1) or 1)
    return [(f"{start + n}. ", item) for n, item in enumerate(node.children)]


def _table_rows(node: SyntaxTreeNode) -> list[str]:
    rows: list[str] = []
    for section in node.children:
        for row in section.children:
            cells = [inline_text(cell.children[0]).strip() if cell.children else "" for cell in row.children]
            rows.append(" | ".join(cells))
    return rows


# Strong emphasis CommonMark leaves unpaired beside Chinese or Korean text: "**測試你的工作！**用原本…" (a closing "**"
# after punctuation and before a letter cannot close) and "**저장소를 포크**하고" show bold in GitHub's and most renderers,
# and the asterisks stayed in the text. A pair on one line touching a CJK character or Hangul syllable outside is bold.
_CJK_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef\u3000-\u303f"
_CJK_STRONG = re.compile(rf"(?:(?<=[{_CJK_CHAR}])|(?<!\S))\*\*(?=[^\s*])([^*\n]*?[^\s*])\*\*(?=[{_CJK_CHAR}])")


def inline_text(node: SyntaxTreeNode, *, footnote_marks: bool = True) -> str:
    """What a reader sees of an inline run: link and emphasis text, code as written, images dropped, soft breaks joined by script."""
    lines = [""]
    _collect_inline(node, lines, footnote_marks)
    text = lines[0]
    for line in lines[1:]:
        text = join_lines(text.rstrip(" "), line.lstrip(" "))
    text = _CJK_STRONG.sub(r"\1", text) if "**" in text else text
    return _SPACES.sub(" ", text)  # a browser shows a run of spaces as one


def markdown_inline(source: str) -> str:
    """Render a piece of Markdown inline source (text found inside HTML) to what a reader sees."""
    source = "\n".join(line.strip() for line in source.strip().splitlines())
    tokens = _parser().parseInline(source)
    return inline_text(SyntaxTreeNode(tokens).children[0]) if tokens else ""


def _collect_inline(node: SyntaxTreeNode, lines: list[str], footnote_marks: bool = True) -> None:
    opened: dict[str, tuple[int, int]] = {}  # an open <sup> or <sub>: the line and the place its text starts
    for child in node.children:
        kind = child.type
        if kind in ("text", "text_special"):
            lines[-1] += _visible(child.content)
        elif kind == "softbreak":
            lines.append("")
        elif kind == "hardbreak":
            lines[-1] += "\n"
        elif kind == "myst_role":
            lines[-1] += _role_text(child.meta.get("name", ""), child.content)
        elif kind == "code_inline":
            lines[-1] += child.content
        elif kind in ("math_inline", "math_inline_double"):
            lines[-1] += f"{child.markup}{child.content}{child.markup}"
        elif kind == "html_inline" and (badge := _COMPONENT_TEXT.fullmatch(child.content.strip())):
            lines[-1] += badge.group(1)
        elif kind == "html_inline":
            tag = child.content.strip()
            script = _SCRIPT_TAG.fullmatch(tag)
            if _LINE_BREAK_TAG.fullmatch(tag):
                lines[-1] += "\n"
            elif _SEPARATING_TAG.fullmatch(tag):
                lines[-1] += " "  # runs of spaces are one (`inline_text`)
            elif script and not script.group(1):
                opened[script.group(2).lower()] = (len(lines), len(lines[-1]))
            elif script and opened.get(script.group(2).lower(), (0, 0))[0] == len(lines):
                start = opened.pop(script.group(2).lower())[1]
                raised = lines[-1][start:].translate(_RAISED[script.group(2).lower()])
                if raised and all(ord(c) > 127 for c in raised):
                    lines[-1] = lines[-1][:start] + raised
        elif kind == "footnote_ref":
            if footnote_marks:  # a section name carries no note marks
                lines[-1] += f"[{child.meta.get('id', 0) + 1}]"
        elif kind in ("image", "footnote_anchor"):
            continue
        else:  # link, em, strong, s and the like: their text
            _collect_inline(child, lines, footnote_marks)


# A self-closing component that shows a text attribute: VitePress's <Badge text="NRV" type="warning" />.
_COMPONENT_TEXT = re.compile(r"<[A-Z][\w.]*\s[^<>]*?\btext=\"([^\"]*)\"[^<>]*/>")
_ROLE_TARGET = re.compile(r"(.*?)\s*<([^<>]*)>\s*", re.DOTALL)


def _role_text(name: str, content: str) -> str:
    """What a reader sees of a MyST role: the text of "text <target>", a reference to an equation as "(label)", and
    the label or the code as written otherwise."""
    target = _ROLE_TARGET.fullmatch(content)
    if target and target.group(1).strip():
        return target.group(1).strip()
    return f"({content})" if name == "eq" else content


def _is_jsx_tags(content: str) -> bool:
    """Whether a paragraph is nothing but JSX component tags (`<Messenger msgs={[…]} />`, `<Tabs values={…}>`) written
    over several lines, which CommonMark cannot take for HTML: their attributes configure a widget, they are no text."""
    text = content.strip()
    if not re.match(r"</?[A-Z][\w.]*", text):
        return False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _QUOTES:
            i = _string_end(text, i)
            if i < 0:
                return False
            continue
        if ch == "{":
            i = _braces_end(text, i)
            if i < 0:
                return False
            continue
        elif ch == "}":  # a brace closing none
            return False
        elif ch == ">":
            rest = text[i + 1 :].lstrip()
            if not rest:
                return True
            if not re.match(r"</?[A-Z][\w.]*", rest):
                return False
            text, i = rest, 0
            continue
        i += 1
    return False


_QUOTES = "\"'`"


def _string_end(text: str, start: int) -> int:
    """Where a JS string that opens at `start` (a quote or backtick) ends, after its closing quote; -1 if it does not."""
    close = text.find(text[start], start + 1)
    return close + 1 if close >= 0 else -1


def _braces_end(text: str, start: int) -> int:
    """Where a JSX expression that opens at `start` ("{") ends, after its closing brace ("{{ gap: 8 }}", "{() => a > b}";
    braces and quotes inside strings do not count), or -1 when it does not close."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in _QUOTES:
            i = _string_end(text, i)
            if i < 0:
                return -1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


# The start of a lower-case JSX/HTML tag: an HTML element in JSX (<a, <img, <custom-element), not a component.
_LOWER_TAG_START = re.compile(r"<[a-z][A-Za-z0-9.:-]*(?=\s|$)")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_:@$][A-Za-z0-9_:.@$-]*")  # href, aria-label, xlink:href, Vue's :href and @click
_BARE_VALUE = re.compile(r"[^\s\"'=<>`{}]+")


def _open_tag_end(text: str) -> int:
    """Where the open tag that starts `text` ends, after its ">" or "/>", read as JSX reads one: attributes bare, with a
    quoted, bare or braced value (`style={{ display: 'flex' }}`, `onClick={() => a > b}`), or spread (`{...props}`);
    -1 when `text` does not start with such a tag."""
    found = _LOWER_TAG_START.match(text)
    if found is None:
        return -1
    i = found.end()
    while True:
        spaced = i
        while i < len(text) and text[i].isspace():
            i += 1
        if text.startswith("/>", i):
            return i + 2
        if text.startswith(">", i):
            return i + 1
        if i == spaced or i == len(text):  # attributes are set apart by spaces, and the tag must end
            return -1
        if text[i] == "{":
            i = _braces_end(text, i)
        elif name := _ATTRIBUTE_NAME.match(text, i):
            i = name.end()
            value = i
            while value < len(text) and text[value] in " \t\n":
                value += 1
            if text.startswith("=", value):
                value += 1
                while value < len(text) and text[value] in " \t\n":
                    value += 1
                if text[value : value + 1] in ('"', "'"):
                    i = _string_end(text, value)
                elif text.startswith("{", value):
                    i = _braces_end(text, value)
                elif bare := _BARE_VALUE.match(text, value):
                    i = bare.end()
                else:
                    return -1
        else:
            return -1
        if i < 0:
            return -1


def _mdx_open_tag(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A lower-case tag whose open tag spans lines of its own (nodejs.org's MDX: `<a` / `href="…"` /
    `style={{ display: 'inline-flex' }}` / `>`, a self-closing `<img … />`). CommonMark takes an HTML block only from
    an open tag complete on its first line (type 7), so these lines were a paragraph of attributes and an empty block
    quote (the lone ">"). The tag's lines, when nothing but the tag, are a block of markup that shows no text; what
    follows it (a link's text, "</a>") is read as Markdown as before. Like type 7, it does not interrupt a paragraph."""
    if state.is_code_block(start_line):
        return False
    if not _LOWER_TAG_START.match(state.src, state.bMarks[start_line] + state.tShift[start_line], state.eMarks[start_line]):
        return False
    lines: list[str] = []
    line = start_line
    while line < end_line and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        lines.append(state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]])
        line += 1
    text = "\n".join(lines)
    end = _open_tag_end(text)
    if end < 0:
        return False
    last = text.count("\n", 0, end)
    if last == 0 or text[end:].split("\n", 1)[0].strip():  # complete on its first line, or text after it: as before
        return False
    if silent:
        return True
    state.line = start_line + last + 1
    token = state.push("mdx_open_tag", "", 0)
    token.map = [start_line, state.line]
    token.content = state.getLines(start_line, state.line, state.blkIndent, True)
    return True


class _HtmlText(HTMLParser):
    """The text of an HTML block, split where the browser would start a new block, cells of a row kept on one line."""

    _BLOCK_TAGS = frozenset(
        "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form header hr li main nav ol p"
        " section summary table tbody thead tfoot tr ul center caption".split()
    )
    HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
    _SKIPPED_TAGS = frozenset("script style template svg math noscript".split())
    _INLINE_TAGS = frozenset(
        "a abbr b bdi bdo big button cite code data del dfn em font i img input ins kbd label mark nobr q rp rt ruby s samp"
        " select small span strike strong sub sup textarea time tt u var wbr".split()
    )

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._lines = source.split("\n")
        self._segments: list[tuple[str, str]] = []
        self._kind = "body"
        self._parts: list[str] = []
        self._skipping = 0

    def _break(self, kind: str = "body") -> None:
        text = "".join(self._parts)
        if text.strip():
            self._segments.append((self._kind, text if self._kind == "code" else text.strip()))
        self._parts = []
        self._kind = kind

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED_TAGS:
            self._skipping += 1
        elif tag in self.HEADING_TAGS:
            self._break(tag)  # the segment's kind: "h2" is a heading of level 2
        elif tag == "pre":
            self._break("code")
        elif tag in self._BLOCK_TAGS:
            self._break(self._kind if self._kind == "code" else "body")
        elif tag in ("td", "th") and "".join(self._parts).strip():
            self._parts.append(" | ")
        elif self._component_on_its_line(tag):
            self._break(self._kind if self._kind == "code" else "body")
        elif tag == "tabitem":  # Docusaurus shows a tab's label (its value when it has none) above what it holds
            fields = dict(attrs)
            label = fields.get("label") or fields.get("value")
            if label:
                self._break("label")
                self._parts.append(label.translate(_INVISIBLE))
                self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "tabitem" and self._segments and self._segments[-1][0] == "label" and not "".join(self._parts).strip():
            self._segments.pop()  # a tab that holds nothing: its label labels nothing
        if tag in self._SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.HEADING_TAGS or tag == "pre" or tag in self._BLOCK_TAGS or self._component_on_its_line(tag, ending=True):
            self._break()

    def _component_on_its_line(self, tag: str, *, ending: bool = False) -> bool:
        """Whether a tag that is no HTML inline tag (an MDX component: `<Fragment slot="main">`, `<Card>`) opens its line,
        or closes it: such a component lays out blocks, as a diagram's labels are, whose texts must not run together."""
        if tag in self._INLINE_TAGS or tag in self._BLOCK_TAGS or tag in self.HEADING_TAGS or tag == "tabitem":
            return False
        number, offset = self.getpos()
        line = self._lines[number - 1] if 0 < number <= len(self._lines) else ""
        if ending:
            rest = line[offset:]
            return not rest[rest.find(">") + 1 :].strip() if ">" in rest else False
        return not line[:offset].strip()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data.translate(_INVISIBLE))

    def segments(self) -> list[tuple[str, str]]:
        self._break()
        return self._segments
