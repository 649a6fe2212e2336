"""What every page shares: the filters in words."""

from __future__ import annotations

from markdown_it import MarkdownIt

from pipeline.queries import Filters
from pipeline.viewer.context import describe


def test_the_filters_in_words_show_a_place_name_as_written() -> None:
    # describe() goes into captions bare (the Markdown check trusts it): it must escape.
    area = "[Croydon](http://example.invalid) $5 to $10"
    html = MarkdownIt("gfm-like").render(describe(Filters(area=area, region="London")))
    assert html.replace("\u2060", "") == f"<p>{area}, London</p>\n"  # joiners are invisible
