"""Agreement files are read as YAML 1.2's core schema reads them, by libyaml where PyYAML has it,
in bounded memory: `80:20` is text, not the sexagesimal 4820 of YAML 1.1."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from tracker.errors import FileFormatError
from tracker.files.agreement import read_yaml


def read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path)


def test_split_80_20_is_not_read_as_a_sexagesimal_integer(tmp_path: Path) -> None:
    data = read(tmp_path, "split: 80:20\ncall_at: 10:30\nratio: 1:30:00.5\n")

    assert data == {"split": "80:20", "call_at": "10:30", "ratio": "1:30:00.5"}


def test_yes_no_on_off_are_text_as_in_yaml_1_2(tmp_path: Path) -> None:
    data = read(tmp_path, "a: yes\nb: no\nc: on\nd: off\ne: y\nf: NO\n")

    assert data == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": "y", "f": "NO"}


def test_core_schema_scalars_keep_their_types(tmp_path: Path) -> None:
    text = (
        "t: true\nf: False\nn: null\nt2: ~\ni: -42\no: 0o17\nh: 0x1F\nd: 017\nx: 2.75\n"
        "e: 1e3\ninf: -.inf\nq: '80:20'\nu: 1_000\ndate: 2025-01-21\nb: !!str 12\n"
    )

    data = read(tmp_path, text)

    assert data == {
        "t": True, "f": False, "n": None, "t2": None, "i": -42, "o": 15, "h": 31, "d": 17,
        "x": 2.75, "e": 1000.0, "inf": -math.inf, "q": "80:20", "u": "1_000",
        "date": "2025-01-21", "b": "12",
    }  # fmt: skip


def test_the_c_loader_reads_agreement_files_where_libyaml_exists() -> None:
    from tracker.files import yamlread

    assert yaml.__with_libyaml__ is True
    assert yamlread.LOADER is yaml.CSafeLoader


def test_a_list_as_a_key_is_refused_naming_its_line(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError) as raised:
        read(tmp_path, "agreement: acme\n? [a, b]\n: value\n")

    assert str(raised.value) == (
        f"{tmp_path / 'a.yaml'}: invalid YAML at line 2, column 3: "
        "a key is text or a number, not a list or mapping"
    )


def test_a_file_of_too_many_values_is_refused_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.files import yamlread

    monkeypatch.setattr(yamlread, "MAX_VALUES", 1000)

    with pytest.raises(FileFormatError) as raised:
        read(tmp_path, "value: [" + "0, " * 1000 + "0]\n")

    assert str(raised.value) == (
        f"{tmp_path / 'a.yaml'}: invalid YAML at line 1, column 3000: "
        "more than 1,000 values; split the file"
    )
