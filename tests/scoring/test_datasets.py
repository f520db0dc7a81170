from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.io import arff as scipy_arff

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.arff import read_arff
from tradecredit.scoring.datasets import (
    fingerprint,
    labelled_table,
    load_labelled,
    numeric_features,
    read_table,
)

ARFF = """% a comment line
@relation 'tiny-bankruptcy'

@attribute Attr1 numeric
@attribute 'net margin' REAL
@attribute Attr3\tinteger
@attribute class {0,1}

@data
0.20055,0.1,3,0
% a comment between rows
-0.5,?,?,1
?,0.25, 7 ,0
1e-3,-2.5E2,0,'1'
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_arff_reads_numeric_missing_and_nominal_class(tmp_path: Path) -> None:
    frame = read_arff(write(tmp_path, "tiny.arff", ARFF))
    assert frame.columns == ["Attr1", "net margin", "Attr3", "class"]
    assert frame.schema["Attr1"] == pl.Float64
    assert frame.schema["class"] == pl.String
    assert frame["Attr1"].to_list() == [0.20055, -0.5, None, 0.001]
    assert frame["net margin"].to_list() == [0.1, None, 0.25, -250.0]
    assert frame["Attr3"].to_list() == [3.0, None, 7.0, 0.0]
    assert frame["class"].to_list() == ["0", "1", "0", "1"]


def assert_same_as_scipy(path: Path) -> None:
    ours = read_arff(path)
    data, meta = scipy_arff.loadarff(path)
    assert ours.columns == meta.names()
    for name in meta.names()[:-1]:
        expected = data[name].astype(float)
        actual = ours[name].fill_null(np.nan).to_numpy()
        np.testing.assert_array_equal(actual, expected)
    assert ours["class"].to_list() == [value.decode() for value in data["class"]]


def test_arff_reader_agrees_with_scipy(tmp_path: Path) -> None:
    # scipy refuses a quoted nominal value ('1'), which ARFF allows and our reader reads.
    assert_same_as_scipy(write(tmp_path, "tiny.arff", ARFF.replace("'1'", "1")))


def test_arff_reader_agrees_with_scipy_on_the_polish_data(shared_data: Path) -> None:
    path = shared_data / "polish_bankruptcy" / "1year.arff"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    assert_same_as_scipy(path)
    table = load_labelled(path, label="class")
    assert (table.rows, table.positives, len(table.feature_names)) == (7027, 271, 64)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "@attribute a numeric\n@attribute c {0,1}\n@data\n1,2,0\n",
            r"bad\.arff:4: 3 values for 2",
        ),
        (
            "@attribute a numeric\n@attribute c {0,1}\n@data\nx,0\n",
            r"bad\.arff:4: .*'x': not a number",
        ),
        (
            "@attribute a numeric\n@attribute c {0,1}\n@data\n1,2\n",
            r"bad\.arff:4: .*'2': not one of",
        ),
        ("@attribute a string\n@data\nabc\n", r"bad\.arff:1: .*only numeric and nominal"),
        ("@attribute a date\n@data\n2020-01-01\n", r"bad\.arff:1: .*only numeric and nominal"),
        ("@attribute a numeric\n@data\n{0 1}\n", r"bad\.arff:3: sparse"),
        ("@attribute a numeric\n@attribute a numeric\n@data\n", r"bad\.arff:2: .*declared twice"),
        ("@attribute a numeric\n", r"not an ARFF file"),
    ],
)
def test_arff_errors_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_arff(write(tmp_path, "bad.arff", body))


def test_csv_parquet_and_arff_give_the_same_table_and_fingerprint(tmp_path: Path) -> None:
    arff_path = write(tmp_path, "tiny.arff", ARFF)
    csv_path = write(
        tmp_path,
        "tiny.csv",
        "Attr1,net margin,Attr3,class\n0.20055,0.1,3,0\n-0.5,?,NA,1\n,0.25,7,0\n1e-3,-2.5E2,0,1\n",
    )
    parquet_path = tmp_path / "tiny.parquet"
    read_table(csv_path).write_parquet(parquet_path)
    tables = [load_labelled(path, label="class") for path in (arff_path, csv_path, parquet_path)]
    prints = [fingerprint(table) for table in tables]
    assert prints[0] == prints[1] == prints[2]
    assert prints[0]["rows"] == 4
    assert prints[0]["columns"] == 3
    assert prints[0]["positives"] == 2
    assert prints[0]["positive_rate"] == 0.5
    for table in tables:
        assert table.feature_names == ["Attr1", "net margin", "Attr3"]
        assert table.target.tolist() == [0, 1, 0, 1]


def test_the_fingerprint_changes_with_any_value(tmp_path: Path) -> None:
    frame = pl.DataFrame({"x": [1.0, None, 3.0], "y": [0, 1, 0]})
    base = fingerprint(labelled_table(frame, label="y", source="t"))["sha256"]
    changed = frame.with_columns(pl.Series("x", [1.0, 0.0, 3.0]))
    renamed = frame.rename({"x": "z"})
    assert fingerprint(labelled_table(changed, label="y", source="t"))["sha256"] != base
    assert fingerprint(labelled_table(renamed, label="y", source="t"))["sha256"] != base


def test_csv_nan_reads_as_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "nan.csv", "a,flag\nNaN,0\n2.5,1\n")
    table = load_labelled(path, label="flag")
    assert table.features["a"].to_list() == [None, 2.5]


def test_id_column_is_kept_out_of_the_features() -> None:
    frame = pl.DataFrame({"company": ["a", "b"], "x": [1.0, 2.0], "default": [True, False]})
    table = labelled_table(frame, label="default", source="t", id_column="company")
    assert table.feature_names == ["x"]
    assert table.ids is not None
    assert table.ids.to_list() == ["a", "b"]
    assert table.target.tolist() == [1, 0]


def test_text_labels_true_false_are_accepted() -> None:
    frame = pl.DataFrame({"x": [1.0, 2.0, 3.0], "flag": [" TRUE", "false", "1"]})
    assert labelled_table(frame, label="flag", source="t").target.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"x": [1.0, 2.0], "y": [0, 2]}), r"t: row 2, column 'y', value 2: .*0 or 1"),
        (pl.DataFrame({"x": [1.0, 2.0], "y": ["0", "yes"]}), r"row 2, column 'y', value 'yes'"),
        (
            pl.DataFrame({"x": [1.0, 2.0], "y": [0, None]}),
            r"row 2, column 'y': the default flag is missing",
        ),
        (
            pl.DataFrame({"x": ["1.5", "abc"], "y": [0, 1]}),
            r"row 2, column 'x', value 'abc': .*numbers",
        ),
        (pl.DataFrame({"x": [1.0, float("inf")], "y": [0, 1]}), r"row 2, column 'x', value inf"),
        (pl.DataFrame({"y": [0, 1]}), r"no feature columns"),
        (pl.DataFrame({"x": [1.0], "z": [0]}), r"no label column 'y'"),
    ],
)
def test_labelled_table_errors_name_row_column_and_value(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        labelled_table(frame, label="y", source="t")


def test_numeric_features_for_scoring_check_columns() -> None:
    frame = pl.DataFrame({"a": ["1", "2"], "b": [3, 4]})
    assert numeric_features(frame, ["b", "a"], source="s").columns == ["b", "a"]
    with pytest.raises(InvalidInput, match=r"lacks 1 feature column.*'c'"):
        numeric_features(frame, ["a", "c"], source="s")


def test_unknown_file_type_and_absent_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown file type"):
        read_table(write(tmp_path, "data.xlsx", "x"))
    with pytest.raises(InvalidInput, match="no such file"):
        read_table(tmp_path / "absent.csv")
