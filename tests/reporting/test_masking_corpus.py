"""R-RP-4: the masking corpus — every identifying string masked, every ordinary word kept."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from complaintctl.model.detectors import normalise
from complaintctl.reporting.masking import CachedNames, JiebaTagger, Masker
from tests.masking_corpus import CORPUS, Shape


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> CachedNames:
    return CachedNames(None, JiebaTagger(tmp_path_factory.mktemp("jieba")))


def test_the_corpus_has_forty_shapes_and_both_languages() -> None:
    assert len(CORPUS) >= 40 and len({s.name for s in CORPUS}) == len(CORPUS)
    assert any(re.search(r"[\u4e00-\u9fff]", s.text) for s in CORPUS)
    assert sum(s.text.isascii() for s in CORPUS) >= 5


@pytest.mark.parametrize("shape", CORPUS, ids=[s.name for s in CORPUS])
def test_masked_and_kept(shape: Shape, tagger: CachedNames) -> None:
    masked = Masker(shape.listed, tagger, keep=[shape.office] if shape.office else ())(shape.text)
    for secret in shape.gone:
        assert secret not in masked and secret not in normalise(masked), (secret, masked)
    for word in shape.kept:
        assert word in masked, (word, masked)
    if shape.gone:
        assert masked != shape.text


def test_one_style_that_reads(tagger: CachedNames) -> None:
    """A name keeps its surname, anything else reads as its kind; the same in one bulletin."""
    mask = Masker([("欧阳娜娜", "person")], tagger)
    assert mask("王小明和欧阳娜娜，王先生；娜娜说") == "王某和欧阳某，王某；欧阳某说"
    assert mask("电话135.2468.1357或13524681357，住B座1502") == "电话【电话】或【电话】，住【地址】"
    assert Masker(language="en")("Mr. John Smith, 135.2468.1357, Room 1502, lisi@163.com") == \
        "Mr. [name], [phone], [address], [e-mail]"
    assert Masker()("深南大道1001号 5号楼12层") == "【地址】"  # an address's parts as one
    assert "*" not in mask("保安张三与邻居李四发生争执")  # nothing Markdown reads as bold


def test_without_the_tagger_shapes_still_mask() -> None:
    """The register and notices mask without loading jieba: shapes and literals only."""
    masked = Masker(["赵大海"])("赵大海（13566667777）说大海已经搬走，B座1502空置")
    assert masked == "赵某（【电话】）说赵某已经搬走，【地址】空置"


def test_the_tagger_is_loaded_once_and_its_cache_names_no_one(tmp_path: Path) -> None:
    calls: list[str] = []
    tagger = JiebaTagger(tmp_path / "jieba")

    def counting(text: str) -> list[tuple[int, int, str]]:
        calls.append(text)
        return tagger(text)

    cache = CachedNames(tmp_path / "names.json", counting)
    text = "保安张三与邻居李四发生争执"
    first = Masker(names=cache)(text)
    assert "张三" not in first and "李四" not in first and Masker(names=cache)(text) == first
    cache.save()
    stored = (tmp_path / "names.json").read_text(encoding="utf-8")
    assert "张三" not in stored and "李四" not in stored  # offsets only
    again = CachedNames(tmp_path / "names.json", counting)
    assert Masker(names=again)(text) == first and calls == [text]


def test_jiebas_dictionary_cache_is_kept_beside_ours(tmp_path: Path) -> None:
    """jieba keeps one dictionary per process: a fresh one shows where its cache goes."""
    code = ("import sys, pathlib; from complaintctl.reporting.masking import JiebaTagger; "
            "print(JiebaTagger(pathlib.Path(sys.argv[1]))('业主李建华来电'))")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "cache")], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "(2, 5, 'nr')" in proc.stdout
    assert (tmp_path / "cache" / "jieba.cache").is_file() and not any((tmp_path / "tmp").iterdir())


def test_a_broken_cache_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    path.write_text('{"version": 2, "tags": {"x": [[1]]}}', encoding="utf-8")
    assert CachedNames(path, lambda text: []).cache == {}


def test_long_runs_are_masked_in_linear_time() -> None:
    """A hostile text (a 20,000-character run) must not hang a bulletin: every pattern starts only
    where its run starts (the e-mail pattern scanned each run from every position before)."""
    import time

    start = time.monotonic()
    for text in ("a" * 20_000 + "@", "1" * 20_000, "12-" * 7_000, "３" * 20_000):
        Masker()(text)
    assert time.monotonic() - start < 10  # quadratic took minutes
