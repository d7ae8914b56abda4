"""The answer buttons: Context, Cite, Share and 👍/👎, clicked on the message the fake recorded."""

from __future__ import annotations

from index.service import Verbatim
from tests.bot.helpers import QUESTIONS, ask_options, button_id, is_ephemeral, text_of
from tests.fakediscord import FakeDiscord


async def _answer(fake: FakeDiscord, language: str = "zh-Hant", *, public: bool | None = None, member=None) -> dict:
    locale, question = QUESTIONS[language]
    ix = await fake.send_command("ask", ask_options(question, public=public), locale=locale, member=member)
    return await ix.wait_response()


async def test_context_shows_the_whole_paragraph_privately(fake: FakeDiscord, bot, article_service: Verbatim) -> None:
    answer = await _answer(fake)
    custom_id = button_id(answer, "verbatim:context:")
    passage_id = custom_id.rsplit(":", 1)[1]
    ix = await fake.click_button(answer, custom_id, locale="zh-TW")
    message = await ix.wait_response()
    assert ix.response_type == 4 and is_ephemeral(message)
    ctx = article_service.context(passage_id)
    assert ctx is not None
    embed = message["embeds"][0]
    assert embed["title"].startswith("上下文")
    assert ctx.passage.text.strip()[:30] in embed["description"] and "**" in embed["description"]
    assert ctx.paragraph.text[-15:] in embed["description"]  # the whole paragraph, not just the passage
    assert passage_id in embed["footer"]["text"]


async def test_cite_gives_every_style_bibtex_and_ris(fake: FakeDiscord, bot, article_service: Verbatim) -> None:
    answer = await _answer(fake, "en")
    custom_id = button_id(answer, "verbatim:cite:")
    passage = article_service.find_passage(custom_id.rsplit(":", 1)[1])
    assert passage is not None
    citation = article_service.citation(passage)
    ix = await fake.click_button(answer, custom_id, locale="en-US")
    message = await ix.wait_response()
    assert is_ephemeral(message)
    [embed] = message["embeds"]
    description = embed["description"]
    # The article is in Chinese: GB/T 7714 is its default style, shown first and in the ready-to-paste quote block.
    assert description.startswith(
        "**GB/T 7714—2015 (default)**\n```\n河凡植, 2019. 朝鮮半島無核化以及終戰宣言對話與觀察[J/OL]. 戰略安全研析(153):"
    )
    assert "DOI:10.30382/SSA.201812_(153).0009." in description
    first_line = passage.text.strip().splitlines()[0].strip()
    assert f"```md\n> {first_line}" in description  # a Markdown block quote of the passage, then the reference
    assert description.count(citation.chinese()) == 2
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert list(fields) == ["APA 7", "Chicago (author-date)", "BibTeX (for reference managers)", "RIS (for reference managers)"]
    assert fields["APA 7"] == f"```\n{citation.styles()['apa']}\n```" and "河凡植. (2019)." in fields["APA 7"]
    assert "no. 153 (January)" in fields["Chicago (author-date)"]
    assert fields["BibTeX (for reference managers)"].startswith("```bibtex\n@article{korean-peninsula-denuclearization-2019,")
    assert "doi = {10.30382/SSA.201812_(153).0009}" in fields["BibTeX (for reference managers)"]
    ris_lines = fields["RIS (for reference managers)"].strip("`\n").splitlines()
    assert ris_lines[0] == "TY  - JOUR" and "AU  - 河凡植" in ris_lines and ris_lines[-1].startswith("ER  -")
    assert passage.id in embed["footer"]["text"] and sum(len(v) for v in fields.values()) + len(description) < 6000
    for value in [description, *fields.values()]:
        assert value.count("```") % 2 == 0  # every code block closed


async def test_share_posts_a_private_answer_to_the_channel(fake: FakeDiscord, bot) -> None:
    asker = fake.member(name="asker", locale="en-US")
    answer = await _answer(fake, "en", member=asker)
    assert is_ephemeral(answer)
    ix = await fake.click_button(answer, button_id(answer, "verbatim:share:"), member=asker, locale="en-US")
    shared = await ix.wait_response()
    assert ix.response_type == 4 and not is_ephemeral(shared)  # visible to the channel
    assert asker.mention in shared["content"] and "shared an answer" in shared["content"]
    assert shared["embeds"][0]["description"] == answer["embeds"][0]["description"]
    assert "Shared by asker" in shared["embeds"][0]["footer"]["text"]
    assert shared["allowed_mentions"] == {"parse": []} and fake.pinging_messages() == []
    # Sharing an answer that is already public only says so, privately.
    again = await fake.click_button(shared, button_id(shared, "verbatim:share:"), locale="en-US")
    note = await again.wait_response()
    assert is_ephemeral(note) and "already visible" in note["content"]


async def test_votes_are_stored_with_the_question(fake: FakeDiscord, bot, records) -> None:
    locale, question = QUESTIONS["ko"]
    answer = await _answer(fake, "ko")
    up = button_id(answer, "verbatim:vote:up:")
    passage_id = up.rsplit(":", 1)[1]
    ix = await fake.click_button(answer, up, locale=locale)
    thanks = await ix.wait_response()
    assert is_ephemeral(thanks) and "👍" in thanks["content"] and "감사합니다" in thanks["content"]
    [vote] = records.feedback()
    assert (vote.question, vote.passage_id, vote.vote, vote.user_id, vote.guild_id) == (
        question,
        passage_id,
        "up",
        fake.default_member.id,
        fake.guild_id,
    )
    assert vote.message_id == answer["message_id"] and vote.created_at
    # Changing one's mind replaces the vote; another user's vote is separate.
    await (await fake.click_button(answer, button_id(answer, "verbatim:vote:down:"), locale=locale)).wait_response()
    other = fake.member(name="bob")
    await (await fake.click_button(answer, button_id(answer, "verbatim:vote:down:"), member=other, locale="en-US")).wait_response()
    votes = records.feedback()
    assert sorted((v.user_id, v.vote) for v in votes) == sorted([(fake.default_member.id, "down"), (other.id, "down")])


async def test_buttons_keep_working_after_a_restart(fake: FakeDiscord, launch, records) -> None:
    first = await launch()
    answer = await _answer(fake)
    await first.close()
    await launch()
    ix = await fake.click_button(answer, button_id(answer, "verbatim:cite:"), locale="zh-TW")
    assert "河凡植" in text_of(await ix.wait_response())
