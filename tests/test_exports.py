"""Exports neutralise spreadsheet formulas in collected text (CSV injection)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from warehouse import exports


def frame():
    return pd.DataFrame({
        "title": ['=HYPERLINK("http://evil.example","clic")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Québec déçu"],
        "n": [1, 2, 3, 4, 5, 6, 7],
        "at": pd.to_datetime(["2024-05-06 10:00"] * 7).tz_localize("UTC").tz_convert("America/Toronto"),
    })


def test_csv_neutralises_and_keeps_accents():
    text = exports.to_csv_bytes(frame()).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1].startswith("'=HYPERLINK") or lines[1].startswith('"\'=HYPERLINK')
    for bad in ("'+1", "'-2", "'@SUM(A1)"):
        assert bad in text
    assert "Québec déçu" in text
    assert ",1," in lines[1]  # numbers stay numbers


def test_excel_has_no_formula_cells():
    wb = openpyxl.load_workbook(io.BytesIO(exports.to_excel_bytes(frame())))
    ws = wb.active
    values = [c.value for c in ws["A"]][1:]
    assert values[0].startswith("'=")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert values[-1] == "Québec déçu"
    assert ws["B2"].value == 1


def test_neutralize_leaves_safe_text_alone():
    assert exports.neutralize_cell("bonjour") == "bonjour"
    assert exports.neutralize_cell(-3) == -3
    assert exports.neutralize_cell("=1+1") == "'=1+1"
