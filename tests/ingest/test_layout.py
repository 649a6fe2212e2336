from __future__ import annotations

from pipeline.ingest.layout import lines_to_blocks

WRAPPED = [
    "1. Introduction",
    "",
    "This report is designed to provide policy makers and practitioners with an overview of the",
    "",
    "findings of the reviews that have taken place over the past few years into drug markets.",
    "",
    " ",
    "",
    "These are not intended to be definitive findings but like the reviews themselves are based",
    "",
    "on what the team has observed and been told by local practitioners and",
    "",
    "",
    " 6 ",
    "",
    "managers in the areas we visited over two years of reviews.",
    "",
    " ",
    "",
    "\u2022 enable rapid assessment of issues around gang activity",
    "",
    "\u2022 test the prevalence of issues identified through interviews",
]


def test_wrapped_lines_are_rejoined_into_paragraphs() -> None:
    blocks = lines_to_blocks([WRAPPED])
    paragraphs = [b.text for b in blocks if b.kind == "paragraph"]
    assert paragraphs[0].startswith("This report is designed")
    assert paragraphs[0].endswith("drug markets.")
    assert "overview of the findings" in paragraphs[0]


def test_page_number_inside_a_paragraph_is_dropped_and_the_sentence_rejoined() -> None:
    blocks = lines_to_blocks([WRAPPED])
    joined = " ".join(b.text for b in blocks)
    assert "practitioners and managers in the areas" in joined
    assert " 6 " not in joined


def test_numbered_heading_is_a_heading() -> None:
    blocks = lines_to_blocks([WRAPPED])
    assert blocks[0].kind == "heading"
    assert blocks[0].text == "1. Introduction"


def test_bullets_are_separate_blocks_with_a_bullet_prefix() -> None:
    bullets = [b for b in lines_to_blocks([WRAPPED]) if b.kind == "bullet"]
    assert [b.text for b in bullets] == [
        "enable rapid assessment of issues around gang activity",
        "test the prevalence of issues identified through interviews",
    ]
    assert all(b.prefix == "• " for b in bullets)


def test_running_headers_repeated_on_pages_are_removed() -> None:
    topics = ["debt", "knives", "schools", "housing"]
    pages = [
        [
            "Locality review \u2014 Wrexham \u2014 January 2017",
            "",
            f"Young people are groomed and practitioners told us most about {topic} this year.",
            "",
            str(n),
        ]
        for n, topic in enumerate(topics, start=1)
    ]
    text = " ".join(b.text for b in lines_to_blocks(pages))
    assert "Locality review" not in text
    assert text.count("Young people are groomed") == 4


def test_speaker_label_starts_a_new_paragraph() -> None:
    lines = ["Interviewer: What are you seeing in the town?", "YOT worker: Lines from London."]
    blocks = lines_to_blocks([lines])
    assert [b.text for b in blocks] == [
        "Interviewer: What are you seeing in the town?",
        "YOT worker: Lines from London.",
    ]
