"""The inbox watcher's rule: files that arrive together make one batch, once they settle."""

from __future__ import annotations

import threading
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.ingest.arrivals import (
    Arrivals,
    Batch,
    FileState,
    inbox_files,
    is_arrival,
    watch_inbox,
)


def state(size: int, modified: int = 1) -> FileState:
    return FileState(size=size, modified_ns=modified)


def test_files_that_arrive_one_after_another_make_one_batch_once_quiet() -> None:
    rule = Arrivals(quiet_s=10)
    assert rule.observe({"a.docx": state(5)}, now=0) is None
    assert rule.observe({"a.docx": state(5), "b.txt": state(9)}, now=4) is None
    assert rule.observe({"a.docx": state(5), "b.txt": state(9)}, now=13) is None  # 9 s quiet
    batch = rule.observe({"a.docx": state(5), "b.txt": state(9)}, now=14)
    assert batch == Batch(files=("a.docx", "b.txt"), waited_s=14)
    assert rule.observe({"a.docx": state(5), "b.txt": state(9)}, now=60) is None


def test_a_file_still_being_written_holds_the_batch_back() -> None:
    rule = Arrivals(quiet_s=10)
    for step, size in enumerate(range(100, 1000, 100)):  # growing every 5 s until 40 s
        assert rule.observe({"big.docx": state(size, step)}, now=step * 5) is None
    assert rule.observe({"big.docx": state(900, 8)}, now=49) is None
    assert rule.observe({"big.docx": state(900, 8)}, now=50) is not None


def test_a_steady_trickle_is_announced_after_the_longest_wait() -> None:
    rule = Arrivals(quiet_s=10, longest_wait_s=30)
    files: dict[str, FileState] = {}
    batches = []
    for second in range(0, 40, 5):
        files[f"{second}.txt"] = state(1)
        batches.append(rule.observe(dict(files), now=second))
    announced = [batch for batch in batches if batch is not None]
    assert len(announced) == 1
    assert announced[0].waited_s == 30
    assert len(announced[0].files) == 7


def test_files_already_there_at_start_are_not_news() -> None:
    rule = Arrivals(quiet_s=1)
    rule.baseline({"old.txt": state(3)})
    assert rule.observe({"old.txt": state(3)}, now=0) is None
    assert rule.observe({"old.txt": state(3)}, now=5) is None


def test_a_file_edited_after_its_batch_is_news_again() -> None:
    rule = Arrivals(quiet_s=1)
    rule.observe({"a.txt": state(3)}, now=0)
    assert rule.observe({"a.txt": state(3)}, now=2) is not None
    rule.observe({"a.txt": state(4, 2)}, now=3)
    assert rule.observe({"a.txt": state(4, 2)}, now=5) == Batch(files=("a.txt",), waited_s=2)


def test_a_file_removed_before_it_settles_is_not_announced() -> None:
    rule = Arrivals(quiet_s=5)
    rule.observe({"a.txt": state(3), "b.txt": state(1)}, now=0)
    rule.observe({"b.txt": state(1)}, now=2)
    assert rule.observe({"b.txt": state(1)}, now=8) == Batch(files=("b.txt",), waited_s=8)


inboxes = st.dictionaries(
    st.sampled_from(["a.txt", "b.docx", "c.pdf", "manifest.csv", "d.md"]),
    st.builds(FileState, st.integers(0, 3), st.integers(0, 3)),
)


@settings(max_examples=200, deadline=None)
@given(looks=st.lists(st.tuples(inboxes, st.floats(0.5, 20)), max_size=25))
@example(
    looks=[
        ({"a.txt": FileState(0, 0)}, 1.0),
        ({"a.txt": FileState(0, 0)}, 5.0),
        ({}, 1.0),
        ({"a.txt": FileState(0, 0)}, 1.0),
        ({"a.txt": FileState(0, 0)}, 5.0),
    ]
)
def test_every_change_is_announced_once_it_settles_and_never_twice(
    looks: list[tuple[dict[str, FileState], float]],
) -> None:
    rule = Arrivals(quiet_s=5, longest_wait_s=60)
    now = 0.0
    announced: dict[str, FileState] = {}
    last: dict[str, FileState] = {}
    for files, step in looks:
        now += step
        last = files
        batch = rule.observe(files, now)
        # A file taken out of the inbox is forgotten, so putting it back is news again.
        announced = {name: s for name, s in announced.items() if name in files}
        if batch:
            news = {name: files[name] for name in batch.files}
            assert all(announced.get(name) != seen for name, seen in news.items())
            announced |= news
    # Left alone long enough, whatever changed is announced, and then nothing more is.
    final = rule.observe(last, now + 61)
    if final is not None:
        announced |= {name: last[name] for name in final.files}
    assert {name: announced.get(name) for name in last} == last
    assert rule.observe(last, now + 200) is None


def test_only_documents_and_metadata_count_as_arrivals() -> None:
    kept = ["review.docx", "notes.TXT", "manifest.csv", "report.pdf", "x.meta.yaml", "a.md"]
    left = [".~lock.review.docx#", "~$review.docx", "copy.docx.part", "photo.jpg", ".hidden.txt"]
    assert [name for name in kept + left if is_arrival(Path(name))] == kept


def test_the_watcher_announces_files_dropped_into_a_real_folder(tmp_path: Path) -> None:
    (tmp_path / "already.txt").write_text("there before", encoding="utf-8")
    batches: list[Batch] = []
    stop = threading.Event()
    announced = threading.Event()

    def announce(batch: Batch) -> None:
        batches.append(batch)
        announced.set()

    ready = threading.Event()
    watcher = threading.Thread(
        target=watch_inbox,
        args=(tmp_path, announce, stop),
        kwargs={"rule": Arrivals(quiet_s=1.0), "poll_s": 0.1, "ready": ready},
    )
    watcher.start()
    # Files written before the watcher's first look would be taken as already there.
    assert ready.wait(30)
    try:
        (tmp_path / "sub").mkdir()
        (tmp_path / "one.txt").write_text("first review", encoding="utf-8")
        (tmp_path / "sub" / "two.md").write_text("second review", encoding="utf-8")
        assert announced.wait(10)
    finally:
        stop.set()
        watcher.join(5)
    assert [batch.files for batch in batches] == [("one.txt", "sub/two.md")]
    assert set(inbox_files(tmp_path)) == {"already.txt", "one.txt", "sub/two.md"}
