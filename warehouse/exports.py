"""CSV and Excel exports of a DataFrame, safe to open in a spreadsheet.

Collected text is untrusted: a title like ``=HYPERLINK("http://evil", "x")``
becomes a live formula in Excel or LibreOffice (CSV injection, OWASP). Any
text cell starting with = + - @ tab or CR gets a leading apostrophe, which the
spreadsheet shows as plain text.
"""

from __future__ import annotations

import io

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value):
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def neutralize(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            # Excel refuses tz-aware datetimes; keep the wall-clock time of the zone shown.
            if getattr(series.dt, "tz", None) is not None:
                out[col] = series.dt.tz_localize(None)
            continue
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralize_cell).astype(object)
    out.columns = [neutralize_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    # utf-8-sig: Excel on Windows reads accents right only with the BOM.
    return neutralize(df).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, sheet_name: str = "mentions") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralize(df).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buf.getvalue()
