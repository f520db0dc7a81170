"""Every word the credit report prints, in English and Simplified Chinese, in one place.

Chinese terms follow the usage of Chinese credit reports and financial statements (资产负债率,
流动比率, 违约概率, 信用等级, 逾期天数 ...). Data the report quotes (company names, event
descriptions, the sector table's indicators) is printed as stored; only labels are translated.
"""

from __future__ import annotations

from typing import Literal

from babel import Locale

from tradecredit.kit.errors import InvalidInput

Lang = Literal["en", "zh"]
LANGUAGES: tuple[Lang, ...] = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Credit report", "企业信用报告"),
    "as_of": ("As of", "报告基准日"),
    "generated": ("generated", "生成于"),
    "by": ("by tradecredit", "由 tradecredit 生成"),
    "missing": ("–", "–"),
    # identity
    "identity": ("Identity", "企业基本信息"),
    "name": ("Name", "企业名称"),
    "registration_number": ("Registration number", "注册号"),
    "country": ("Country", "国家/地区"),
    "legal_form": ("Legal form", "法律形式"),
    "sector": ("Sector (NACE rev. 2)", "行业（NACE 第2版）"),
    "founded": ("Founded", "成立日期"),
    "age": ("Age", "成立年限"),
    "years": ("years", "年"),
    "group_parent": ("Group parent", "集团母公司"),
    "status": ("Status", "经营状态"),
    "company_id": ("Company id", "企业编号"),
    "status_active": ("active", "存续"),
    "status_insolvent": ("insolvent", "破产"),
    "status_dissolved": ("dissolved", "已注销"),
    # score
    "score": ("Grade and probability of default", "信用等级与违约概率"),
    "grade": ("Grade", "信用等级"),
    "grade_scale": ("1 = excellent … 10 = insolvent", "1 = 极佳 … 10 = 破产"),
    "pd": ("Probability of default (12 months)", "违约概率（12个月）"),
    "pd_band": ("PD band of the grade", "该等级的违约概率区间"),
    "insolvency_only": ("insolvency only", "仅限破产"),
    "reasons": ("Reasons", "评级理由"),
    "no_reasons": ("No factor raises the PD above the prior.", "无推高违约概率的因素。"),
    "model_version": ("Model", "模型版本"),
    "score_stored": ("stored score of", "已存储评分，评分日"),
    "score_computed": ("computed now, not stored, as of", "即时计算（未存储），评分日"),
    # credit limit
    "limit": ("Credit limit", "信用限额"),
    "recommended_limit": ("Recommended limit", "建议信用限额"),
    "binding_constraint": ("Binding constraint", "起决定作用的约束条件"),
    "policy_version": ("Credit policy version", "信用政策版本"),
    "policy_defaults": ("the documented defaults", "默认参数"),
    "constraint": ("Constraint", "约束条件"),
    "amount": ("Amount", "金额"),
    "note": ("Note", "说明"),
    "binds": ("binds", "起决定作用"),
    "constraint_grade": ("Grade cut-off", "信用等级上限"),
    "constraint_capacity": ("Financial capacity", "财务能力"),
    "constraint_no_financials": ("Limit without financial statements", "无财务报表限额"),
    "constraint_progressive": ("Progressive cap for a new buyer", "新买方渐进限额"),
    "constraint_appetite": ("Risk appetite", "风险偏好"),
    "constraint_need": ("Need", "需求"),
    "capacity_basis": ("smallest base: {basis}", "最小基数：{basis}"),
    "basis_equity": ("equity", "所有者权益"),
    "basis_working_capital": ("working capital", "营运资本"),
    "basis_revenue": ("revenue", "营业收入"),
    "why_grade": (
        "does not apply: grade {grade} is within the credit grades 1-{max}",
        "不适用：信用等级 {grade} 在可授信等级 1-{max} 之内",
    ),
    "why_capacity": (
        "not available: no financial statement with equity, working capital or revenue on or "
        "before the report date",
        "无法计算：报告基准日及之前没有包含所有者权益、营运资本或营业收入的财务报表",
    ),
    "why_no_financials": (
        "does not apply: financial capacity is available",
        "不适用：已有财务能力数据",
    ),
    "why_progressive": (
        "does not apply: established buyer ({months} months of history)",
        "不适用：非新买方（{months} 个月交易记录）",
    ),
    "why_appetite": ("does not apply: the PD is 0", "不适用：违约概率为 0"),
    "why_need": (
        "not available: no sales in the last 12 months and none posted",
        "无法计算：过去12个月无销售额且未提供预期销售额",
    ),
    "limit_reasons": ("Reasons", "限额理由"),
    "current_limit": ("Current limit", "当前限额"),
    "set_on": ("Set on", "设定日期"),
    "valid_until": ("Valid until", "有效期至"),
    "review_on": ("Review date", "复核日期"),
    "expired": ("expired", "已过期"),
    "no_current_limit": (
        "No credit limit set on this buyer on or before the report date.",
        "报告基准日及之前未对该买方设定信用限额。",
    ),
    "limit_note": (
        "Recommended by the limit engine under the credit policy, in the organisation's base "
        "currency: the smallest constraint that applies, rounded down to the policy's rounding "
        "unit.",
        "由限额引擎依据信用政策以本机构记账本位币计算：取适用约束条件中的最小值，"
        "并按政策的取整单位向下取整。",
    ),
    # financials
    "financials": ("Financial statements", "财务报表"),
    "period_end": ("Period end", "报告期末"),
    "currency": ("Currency", "币种"),
    "no_statements": (
        "No financial statement on or before the report date.",
        "报告基准日及之前没有财务报表。",
    ),
    "ratios": ("Financial ratios and trend", "财务比率及趋势"),
    "ratio": ("Ratio", "比率"),
    "trend": ("Trend vs prior year", "较上年变化"),
    "ratio_chart": ("Key ratios over the statements shown", "主要比率走势"),
    "trend_up": ("up", "上升"),
    "trend_down": ("down", "下降"),
    "trend_flat": ("flat", "持平"),
    "trend_better": ("better", "改善"),
    "trend_worse": ("worse", "恶化"),
    "trend_neutral": ("no better or worse by itself", "本身无好坏之分"),
    "trend_note": (
        "Flat: within ±2% of the prior year. Better or worse follows each ratio's economic "
        "direction (higher leverage raises the risk of default; higher liquidity, profitability "
        "and coverage lower it).",
        "持平：与上年相差不超过 ±2%。改善或恶化依据各比率的经济含义判断（资产负债率越高违约风险越高；"
        "流动性、盈利能力和偿债保障越高违约风险越低）。",
    ),
    # payment behaviour
    "behaviour": ("Payment behaviour", "付款行为"),
    "behaviour_source": (
        "From this organisation's own ledger: paid invoices, days beyond terms weighted by "
        "invoice amount.",
        "数据来自本机构自己的应收账款台账：按发票金额加权的已付发票逾期天数。",
    ),
    "dbt_average": ("Days beyond terms, average", "平均逾期天数"),
    "dbt_recent": ("Days beyond terms, last 6 months", "近6个月逾期天数"),
    "dbt_earlier": ("Days beyond terms, before", "6个月前逾期天数"),
    "dbt_trend": ("Trend (recent − earlier)", "逾期天数趋势（近期 − 早期）"),
    "overdue_30_share": ("Open amount overdue > 30 days", "逾期超过30天的未付金额占比"),
    "paid_invoices": ("Paid invoices", "已付发票数"),
    "paying_later": ("paying later than before", "付款较以前更迟"),
    "paying_earlier": ("paying earlier than before", "付款较以前更及时"),
    "paying_same": ("paying as before", "付款情况与以前持平"),
    "days_unit": ("days", "天"),
    "quarterly": ("By quarter", "按季度"),
    "quarter": ("Quarter", "季度"),
    "dbt_in_quarter": (
        "Days beyond terms of invoices paid in the quarter",
        "当季已付发票的逾期天数",
    ),
    "overdue_at_quarter_end": ("Overdue > 30 days at quarter end", "季末逾期超过30天占比"),
    "no_ledger": ("No invoice from this buyer in the ledger.", "台账中没有该买方的发票。"),
    # events
    "events": ("Events", "企业事件"),
    "event_kind": ("Kind", "类型"),
    "event_date": ("Date", "日期"),
    "event_source": ("Source", "来源"),
    "event_severity": ("Severity (1-5)", "严重程度（1-5）"),
    "event_description": ("Description", "描述"),
    "no_events": ("No event recorded.", "无记录事件。"),
    "kind_insolvency_filing": ("insolvency filing", "破产申请"),
    "kind_court_judgment": ("court judgment", "法院判决"),
    "kind_litigation": ("litigation", "诉讼"),
    "kind_payment_incident": ("payment incident", "付款违约事件"),
    "kind_ownership_change": ("ownership change", "股权变更"),
    "kind_management_change": ("management change", "管理层变更"),
    "kind_rating_change": ("rating change", "评级变动"),
    # country and sector risk
    "risk": ("Country and sector risk", "国家风险与行业风险"),
    "country_risk": ("Country risk", "国家风险"),
    "oecd_class": ("OECD country risk class (0-7)", "经合组织国家风险分类（0-7）"),
    "not_classified": ("not classified by the OECD", "经合组织未予分类"),
    "not_classified_note": (
        "The OECD does not classify high-income OECD and euro-area countries and some small "
        "states; the platform treats them as its lowest country risk level.",
        "经合组织不对高收入成员国、欧元区国家及部分小型国家进行分类；本平台将其视为最低国家风险等级。",
    ),
    "classification_date": ("Classification as of", "分类日期"),
    "platform_level": ("Platform country risk level (1-8)", "平台国家风险等级（1-8）"),
    "no_country_risk": (
        "No OECD classification imported for this country on or before the report date: "
        "country risk is not available.",
        "截至报告基准日未导入该国的经合组织分类：无法提供国家风险。",
    ),
    "source": ("Source", "来源"),
    "sector_risk": ("Sector risk", "行业风险"),
    "sector_level": ("Sector risk level (1-5)", "行业风险等级（1-5）"),
    "review": ("Limit review", "额度复核频率"),
    "review_monthly": ("monthly", "每月"),
    "review_quarterly": ("quarterly", "每季度"),
    "review_yearly": ("yearly", "每年"),
    "indicators": ("What to watch", "关注指标"),
    "indicators_note": ("(as stated in the sector table)", "（引自行业风险表原文）"),
    "rationale": ("Why", "理由"),
    "no_sector_risk": ("No sector risk entry for this code.", "该行业代码没有行业风险条目。"),
    # peers
    "peers": ("Peer comparison", "同业比较"),
    "peers_note": (
        "Percentiles over the latest statements of this organisation's portfolio on or before "
        "the report date; the company itself is not its own peer.",
        "百分位基于本机构组合中截至报告基准日的最新财务报表计算；企业本身不计入同业。",
    ),
    "peers_by_section": ("Within NACE section", "同一NACE门类内"),
    "peers_by_country": ("Within country", "同一国家内"),
    "value": ("Value", "数值"),
    "peer_median": ("Peer median", "同业中位数"),
    "peer_count": ("Peers", "同业数量"),
    "percentile": ("Position", "相对位置"),
    "better_than": ("better than {p} of peers", "优于 {p} 的同业"),
    "too_few_peers": ("fewer than {n} peers: no percentile", "同业少于 {n} 家：不计算百分位"),
    "no_value": ("no figure for the company", "企业无此数据"),
}

RATIO_LABELS: dict[str, tuple[str, str]] = {
    "current_ratio": ("Current ratio", "流动比率"),
    "quick_ratio": ("Quick ratio", "速动比率"),
    "cash_ratio": ("Cash ratio", "现金比率"),
    "working_capital_to_assets": ("Working capital / total assets", "营运资本占总资产比率"),
    "liabilities_to_assets": ("Liabilities / assets (leverage)", "资产负债率"),
    "current_liabilities_to_assets": ("Current liabilities / assets", "流动负债占总资产比率"),
    "equity_to_assets": ("Equity / assets", "股东权益比率"),
    "equity_to_liabilities": ("Equity / liabilities", "股东权益对负债比率"),
    "net_income_to_assets": ("Return on assets", "总资产收益率"),
    "ebit_to_assets": ("EBIT / assets", "息税前利润占总资产比率"),
    "ebit_margin": ("EBIT margin", "息税前利润率"),
    "net_margin": ("Net margin", "销售净利率"),
    "retained_earnings_to_assets": ("Retained earnings / assets", "留存收益占总资产比率"),
    "asset_turnover": ("Asset turnover", "总资产周转率"),
    "receivables_days": ("Receivables days", "应收账款周转天数"),
    "inventory_days": ("Inventory days", "存货周转天数"),
    "interest_coverage": ("Interest coverage", "利息保障倍数"),
    "cash_flow_to_liabilities": ("Operating cash flow / liabilities", "经营现金流量负债比率"),
    "altman_z_prime": ("Altman Z′ (private firms)", "阿尔特曼 Z′ 值（非上市企业）"),
}

LINE_LABELS: dict[str, tuple[str, str]] = {
    "revenue": ("Revenue", "营业收入"),
    "ebit": ("EBIT", "息税前利润"),
    "net_income": ("Net income", "净利润"),
    "interest_expense": ("Interest expense", "利息费用"),
    "total_assets": ("Total assets", "资产总额"),
    "current_assets": ("Current assets", "流动资产"),
    "cash": ("Cash", "货币资金"),
    "inventory": ("Inventory", "存货"),
    "receivables": ("Trade receivables", "应收账款"),
    "current_liabilities": ("Current liabilities", "流动负债"),
    "total_liabilities": ("Total liabilities", "负债总额"),
    "equity": ("Equity", "所有者权益"),
    "retained_earnings": ("Retained earnings", "留存收益"),
    "operating_cash_flow": ("Operating cash flow", "经营活动现金流量净额"),
}

SECTION_NAMES_ZH: dict[str, str] = {
    "A": "农业、林业和渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、燃气、蒸汽和空调供应业",
    "E": "供水；污水处理、废物管理和补救活动",
    "F": "建筑业",
    "G": "批发和零售业；汽车和摩托车修理",
    "H": "运输和仓储业",
    "I": "住宿和餐饮业",
    "J": "信息和通信业",
    "K": "金融和保险业",
    "L": "房地产业",
    "M": "专业、科学和技术活动",
    "N": "行政和辅助服务活动",
    "O": "公共管理和国防；强制性社会保障",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "艺术、娱乐和文娱活动",
    "S": "其他服务活动",
    "T": "家庭作为雇主的活动；家庭自用的无差别商品和服务生产活动",
    "U": "国际组织和机构的活动",
}

GRADE_LABELS_ZH: dict[str, str] = {
    "excellent": "极佳",
    "very good": "很好",
    "good": "良好",
    "satisfactory": "满意",
    "adequate": "尚可",
    "weak": "偏弱",
    "poor": "较差",
    "very poor": "很差",
    "highest risk short of insolvency": "破产前的最高风险",
    "insolvent": "破产",
}


def check_lang(lang: str) -> Lang:
    if lang == "en":
        return "en"
    if lang == "zh":
        return "zh"
    raise InvalidInput(f"unknown report language {lang!r}: choose 'en' or 'zh'")


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "en" else pair[1]


def text(key: str, lang: Lang) -> str:
    return _pick(TEXT[key], lang)


def ratio_label(name: str, lang: Lang) -> str:
    return _pick(RATIO_LABELS[name], lang)


def line_label(name: str, lang: Lang) -> str:
    return _pick(LINE_LABELS[name], lang)


def event_kind(kind: str, lang: Lang) -> str:
    """A known event kind in words; an unknown one as stored."""
    pair = TEXT.get(f"kind_{kind}")
    return kind.replace("_", " ") if pair is None else _pick(pair, lang)


def status(value: str, lang: Lang) -> str:
    pair = TEXT.get(f"status_{value}")
    return value if pair is None else _pick(pair, lang)


def section_name(section: str, english: str, lang: Lang) -> str:
    return english if lang == "en" else SECTION_NAMES_ZH.get(section, english)


def grade_label(label: str, lang: Lang) -> str:
    return label if lang == "en" else GRADE_LABELS_ZH.get(label, label)


def country_name(code: str, lang: Lang) -> str:
    """The country's name in the report language (Babel's CLDR names), else the code."""
    name = Locale.parse(lang).territories.get(code)
    return str(name) if name else code
