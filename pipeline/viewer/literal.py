"""Document text placed inside the viewer's Markdown, made to show exactly as written.

Streamlit renders titles, captions, labels, alerts and `st.markdown` as GitHub Markdown plus
maths (`$…$`), directives (`:red[…]`, `:help[…]`), icons and emoji shortcodes. Text from the
documents (quotes, titles, areas, theme labels built from their words) must never become a
heading, a link, an image fetched from elsewhere, a formula or a colour. Long passages go through
`st.text`, which parses nothing; shorter values that sit inside our own Markdown (a provenance
line, a label in bold) go through `md`.
"""

from __future__ import annotations

import re

import pandas as pd

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones some construct
# Streamlit parses can start with (comma, semicolon, quotes, ? and % start none, and stay bare
# so the Markdown source stays readable).
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@/=^])")
# Streamlit rewrites parsed text as well: `:streamlit:` becomes an image, `:material_x:` an
# icon, `:smile:` an emoji, ` -> ` an arrow, and GitHub's autolinking turns `http://…`, `www.…`
# and `name@host.org` into links. A backslash cannot stop these (it is gone by then), so an
# invisible word joiner goes where each pattern would need two characters side by side.
_JOINER = "\u2060"
_AFTER = re.compile(
    r"(?<=:)(?=[\w+-]+:)"  # shortcodes: `:name:`
    r"|(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)"  # web addresses
    r"|(?<=@)(?=[\w-])",  # e-mail addresses
    re.IGNORECASE,
)
_ARROW = re.compile(r"(?:^|(?<=\s))(<->|->|<-|--|>=|<=|~=)(?=\s|$)")


def shown(value: object) -> str:
    """A value as display text; empty for a missing one (None, NaN, pd.NA, NaT)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value)


def md(value: object) -> str:
    """Text that Streamlit's Markdown shows literally, on one line (whitespace runs collapse)."""
    text = " ".join(shown(value).split())
    text = _ARROW.sub(lambda m: m.group(1)[0] + _JOINER + m.group(1)[1:], text)
    text = _AFTER.sub(_JOINER, text)
    return _MARKUP.sub(r"\\\1", text)


def code(value: object) -> str:
    """Text as an inline code span (a path, a run id), fenced so no backtick inside ends it."""
    text = " ".join(shown(value).split()).replace(":material/", ":material" + _JOINER + "/")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"
