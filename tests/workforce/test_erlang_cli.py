"""`telqc workforce erlang CASES.csv --out OUT.csv`: the file contract."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from telqc.cli import app as cli

HEADER = "case_id,calls_per_interval,interval_s,aht_s,service_level_target,answer_time_s,max_occupancy,shrinkage\n"


def test_writes_one_row_per_case_with_results(tmp_path):
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text(HEADER + "a,100,1800,300,0.8,20,0.85,0.3\nb,100,1800,180,0.8,20,1,0\nc,0,1800,180,0.8,20,1,0\n")
    res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert [r["case_id"] for r in rows] == ["a", "b", "c"]
    assert (rows[0]["agents"], rows[0]["agents_scheduled"]) == ("21", "30")
    assert (rows[1]["agents"], rows[1]["agents_scheduled"]) == ("14", "14")
    assert float(rows[1]["waiting_probability"]) == round(0.174132, 6)
    assert rows[2]["agents"] == "0"
    assert set(rows[0]) >= {"service_level", "asa_s", "occupancy", "waiting_probability", "shrinkage"}


def test_bad_cell_names_row_and_column_and_writes_nothing(tmp_path):
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text(HEADER + "a,100,1800,300,0.8,20,0.85,0.3\nb,100,1800,abc,0.8,20,1,0\n")
    res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
    assert res.exit_code == 2
    assert "row 2, column aht_s" in res.output
    assert not out.exists()


def test_out_of_range_value_names_row_and_column(tmp_path):
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text(HEADER + "a,100,1800,300,0.8,20,0.85,1.2\n")
    res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
    assert res.exit_code == 2 and "row 1, column shrinkage" in res.output and not out.exists()


def test_missing_column_is_named(tmp_path):
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text("case_id,calls_per_interval\na,1\n")
    res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
    assert res.exit_code == 2 and "column interval_s" in res.output and not out.exists()


def test_errors_are_chinese_first_then_english(tmp_path):
    """The reason is in Chinese by default (the project's messages, zh-CN first) with the English after it."""
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text(HEADER + "a,100,1800,300,0.8,20,0.85,0.3\nb,100,1800,0,0.8,20,1,0\n")
    res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
    assert res.exit_code == 2 and not out.exists()
    zh, en = res.output.strip().splitlines()
    assert zh == "第 2 行，列 aht_s：须大于 0；未写出文件"
    assert en == "(row 2, column aht_s: must be > 0; nothing written)"


def test_file_errors_in_chinese(tmp_path):
    src, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    for body, zh in ((HEADER + "a,100,1800,x5,0.8,20,0.85,0.3\n", "第 1 行，列 aht_s：不是数字：“x5”"),
                     ("case_id,calls_per_interval\na,1\n", "表头，列 interval_s：缺少该列"),
                     (HEADER + "a,1,1800,300,0.8,20,0.85,0.3\na,1,1800,300,0.8,20,0.85,0.3\n",
                      "第 2 行，列 case_id：case_id 重复：“a”"),
                     (HEADER + "a,100,1800,300,0.8,20,1.5,0.3\n", "第 1 行，列 max_occupancy：须大于 0 且不超过 1")):
        src.write_text(body)
        res = CliRunner().invoke(cli, ["workforce", "erlang", str(src), "--out", str(out)])
        assert res.exit_code == 2 and res.output.startswith(zh), res.output
        assert not out.exists()
