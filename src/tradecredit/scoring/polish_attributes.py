"""How the ratio library lines up with the 64 ratios of the UCI "Polish companies bankruptcy" data.

Source of the descriptions: the dataset's attribute information (UCI id 365, S. Tomczak 2016,
doi:10.24432/C5F600, CC BY 4.0; Zieba, Tomczak & Tomczak 2016, Expert Systems with Applications
58:93-101). "Gross profit" there is profit before tax; "short-term liabilities" are current liabilities.

This is documentation as data: the model never reads these names. A column called Attr7 is an unknown
column to the model (no monotone constraint), exactly as any other file's columns would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

POLISH_ATTRIBUTES: Mapping[str, str] = {
    "Attr1": "net profit / total assets",
    "Attr2": "total liabilities / total assets",
    "Attr3": "working capital / total assets",
    "Attr4": "current assets / short-term liabilities",
    "Attr5": "[(cash + short-term securities + receivables - short-term liabilities) / "
    "(operating expenses - depreciation)] * 365",
    "Attr6": "retained earnings / total assets",
    "Attr7": "EBIT / total assets",
    "Attr8": "book value of equity / total liabilities",
    "Attr9": "sales / total assets",
    "Attr10": "equity / total assets",
    "Attr11": "(gross profit + extraordinary items + financial expenses) / total assets",
    "Attr12": "gross profit / short-term liabilities",
    "Attr13": "(gross profit + depreciation) / sales",
    "Attr14": "(gross profit + interest) / total assets",
    "Attr15": "(total liabilities * 365) / (gross profit + depreciation)",
    "Attr16": "(gross profit + depreciation) / total liabilities",
    "Attr17": "total assets / total liabilities",
    "Attr18": "gross profit / total assets",
    "Attr19": "gross profit / sales",
    "Attr20": "(inventory * 365) / sales",
    "Attr21": "sales (n) / sales (n-1)",
    "Attr22": "profit on operating activities / total assets",
    "Attr23": "net profit / sales",
    "Attr24": "gross profit (in 3 years) / total assets",
    "Attr25": "(equity - share capital) / total assets",
    "Attr26": "(net profit + depreciation) / total liabilities",
    "Attr27": "profit on operating activities / financial expenses",
    "Attr28": "working capital / fixed assets",
    "Attr29": "logarithm of total assets",
    "Attr30": "(total liabilities - cash) / sales",
    "Attr31": "(gross profit + interest) / sales",
    "Attr32": "(current liabilities * 365) / cost of products sold",
    "Attr33": "operating expenses / short-term liabilities",
    "Attr34": "operating expenses / total liabilities",
    "Attr35": "profit on sales / total assets",
    "Attr36": "total sales / total assets",
    "Attr37": "(current assets - inventories) / long-term liabilities",
    "Attr38": "constant capital / total assets",
    "Attr39": "profit on sales / sales",
    "Attr40": "(current assets - inventory - receivables) / short-term liabilities",
    "Attr41": "total liabilities / ((profit on operating activities + depreciation) * (12/365))",
    "Attr42": "profit on operating activities / sales",
    "Attr43": "rotation receivables + inventory turnover in days",
    "Attr44": "(receivables * 365) / sales",
    "Attr45": "net profit / inventory",
    "Attr46": "(current assets - inventory) / short-term liabilities",
    "Attr47": "(inventory * 365) / cost of products sold",
    "Attr48": "EBITDA (profit on operating activities - depreciation) / total assets",
    "Attr49": "EBITDA (profit on operating activities - depreciation) / sales",
    "Attr50": "current assets / total liabilities",
    "Attr51": "short-term liabilities / total assets",
    "Attr52": "(short-term liabilities * 365) / cost of products sold",
    "Attr53": "equity / fixed assets",
    "Attr54": "constant capital / fixed assets",
    "Attr55": "working capital",
    "Attr56": "(sales - cost of products sold) / sales",
    "Attr57": "(current assets - inventory - short-term liabilities) / "
    "(sales - gross profit - depreciation)",
    "Attr58": "total costs / total sales",
    "Attr59": "long-term liabilities / equity",
    "Attr60": "sales / inventory",
    "Attr61": "sales / receivables",
    "Attr62": "(short-term liabilities * 365) / sales",
    "Attr63": "sales / short-term liabilities",
    "Attr64": "sales / fixed assets",
}


@dataclass(frozen=True)
class AttrCorrespondence:
    """A Polish-data column and the library ratio that measures the same thing.

    fidelity "exact": the same formula on the same lines; "approximate": the same idea on the nearest
    line the standard statement has (for example EBIT for "profit on operating activities").
    """

    attr: str
    ratio: str
    fidelity: str
    note: str = ""


ATTR_CORRESPONDENCES: tuple[AttrCorrespondence, ...] = (
    AttrCorrespondence("Attr1", "net_income_to_assets", "exact"),
    AttrCorrespondence("Attr2", "liabilities_to_assets", "exact"),
    AttrCorrespondence("Attr3", "working_capital_to_assets", "exact"),
    AttrCorrespondence("Attr4", "current_ratio", "exact"),
    AttrCorrespondence("Attr6", "retained_earnings_to_assets", "exact"),
    AttrCorrespondence("Attr7", "ebit_to_assets", "exact"),
    AttrCorrespondence("Attr8", "equity_to_liabilities", "exact"),
    AttrCorrespondence("Attr9", "asset_turnover", "exact"),
    AttrCorrespondence("Attr10", "equity_to_assets", "exact"),
    AttrCorrespondence("Attr20", "inventory_days", "exact"),
    AttrCorrespondence(
        "Attr22", "ebit_to_assets", "approximate", "EBIT stands for operating profit"
    ),
    AttrCorrespondence("Attr23", "net_margin", "exact"),
    AttrCorrespondence(
        "Attr26",
        "cash_flow_to_liabilities",
        "approximate",
        "operating cash flow stands for net profit + depreciation",
    ),
    AttrCorrespondence(
        "Attr27",
        "interest_coverage",
        "approximate",
        "EBIT / interest expense for operating profit / financial expenses",
    ),
    AttrCorrespondence("Attr29", "log_total_assets", "exact", "base-10 logarithm"),
    AttrCorrespondence(
        "Attr36", "asset_turnover", "approximate", "total sales include other operating income"
    ),
    AttrCorrespondence(
        "Attr40",
        "cash_ratio",
        "approximate",
        "cash only; the Attr also counts short-term securities and other current assets",
    ),
    AttrCorrespondence("Attr42", "ebit_margin", "approximate", "EBIT stands for operating profit"),
    AttrCorrespondence("Attr44", "receivables_days", "exact"),
    AttrCorrespondence("Attr46", "quick_ratio", "exact"),
    AttrCorrespondence("Attr51", "current_liabilities_to_assets", "exact"),
)

ATTR_TO_RATIO: Mapping[str, str] = {item.attr: item.ratio for item in ATTR_CORRESPONDENCES}
"""Attr column -> library ratio name, for the Attrs the statement lines can compute."""
