"""The reasons behind limit decisions: a stable code and one sentence in English and Chinese."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from tradecredit.kit.money import from_minor
from tradecredit.scoring.overlays import Reason


def money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency):,f} {currency}"


BINDING_TEXT: dict[str, tuple[str, str]] = {
    "grade": ("the grade is worse than the policy grants credit to", "评级差于政策允许授信的等级"),
    "capacity": ("the buyer's financial capacity", "买方的财务承受能力"),
    "no_financials": ("the limit for a buyer without financial statements", "无财务报表买方的限额"),
    "progressive": ("the progressive limit for a new buyer", "新买方的渐进限额"),
    "appetite": ("the risk appetite (maximum expected loss)", "风险偏好（最大预期损失）"),
    "need": (
        "the need (expected sales over terms and grace)",
        "需求（账期加宽限期内的预期销售额）",
    ),
}


def recommendation(recommended_minor: int, currency: str, binding: str) -> Reason:
    en, zh = BINDING_TEXT[binding]
    amount = money(recommended_minor, currency)
    return Reason(
        f"LIMIT_BOUND_BY_{binding.upper()}",
        f"Recommended limit {amount}, bound by {en}",
        f"建议限额 {amount}，受限于{zh}",
    )


def insolvent(status: str, grade: int) -> Reason:
    if status == "dissolved":
        return Reason("BUYER_DISSOLVED", "The buyer is dissolved", "买方已解散")
    return Reason(
        "BUYER_INSOLVENT",
        f"The buyer is insolvent (grade {grade}): no credit",
        f"买方已资不抵债（评级 {grade}）：不予授信",
    )


def nothing_recommended(binding: str) -> Reason:
    en, zh = BINDING_TEXT[binding]
    return Reason(
        "NO_LIMIT_RECOMMENDED", f"No limit can be recommended: {en}", f"无法建议限额：{zh}"
    )


def within_recommendation(requested_minor: int, currency: str) -> Reason:
    amount = money(requested_minor, currency)
    return Reason(
        "WITHIN_RECOMMENDATION",
        f"The requested {amount} is within the recommended limit",
        f"申请的 {amount} 在建议限额之内",
    )


def above_recommendation(requested_minor: int, recommended_minor: int, currency: str) -> Reason:
    asked, granted = money(requested_minor, currency), money(recommended_minor, currency)
    return Reason(
        "ABOVE_RECOMMENDATION",
        f"The requested {asked} is above the recommended {granted}",
        f"申请的 {asked} 高于建议的 {granted}",
    )


def new_buyer_without_data() -> Reason:
    return Reason(
        "NEW_BUYER_NO_DATA",
        "A new buyer without financial statements or payment history gets no more than the "
        "starting limit; the policy refuses more",
        "没有财务报表或付款记录的新买方最多只能获得起始限额；政策拒绝更高金额",
    )


def conditional(kind: str, grade: int) -> Reason:
    what_en = (
        "a guarantee for the part above the recommendation"
        if kind == "guarantee"
        else ("prepayment of a share of each order")
    )
    what_zh = "为超出建议限额的部分提供担保" if kind == "guarantee" else "每笔订单预付一定比例"
    return Reason(
        "CONDITIONAL_ON_SECURITY",
        f"Granted in full for grade {grade} on condition of {what_en}",
        f"评级 {grade}：在{what_zh}的条件下全额批准",
    )


def above_engine_authority(
    amount_minor: int, authority_minor: int, currency: str, grade: int
) -> Reason:
    amount, authority = money(amount_minor, currency), money(authority_minor, currency)
    return Reason(
        "ABOVE_ENGINE_AUTHORITY",
        f"{amount} is above the engine's authority for grade {grade} ({authority}): a person decides",
        f"{amount} 超出系统对评级 {grade} 的审批权限（{authority}）：需人工决定",
    )


def below_exposure(amount_minor: int, exposure_minor: int, currency: str) -> Reason:
    amount, exposure = money(amount_minor, currency), money(exposure_minor, currency)
    return Reason(
        "BELOW_EXPOSURE",
        f"The limit {amount} would be below the current exposure {exposure}",
        f"限额 {amount} 将低于当前敞口 {exposure}",
    )


def below_exposure_confirmed(amount_minor: int, exposure_minor: int, currency: str) -> Reason:
    amount, exposure = money(amount_minor, currency), money(exposure_minor, currency)
    return Reason(
        "BELOW_EXPOSURE_CONFIRMED",
        f"Set below the current exposure {exposure} on explicit confirmation ({amount})",
        f"经明确确认，限额 {amount} 低于当前敞口 {exposure}",
    )


def referred_to(role: str) -> Reason:
    return Reason("REFERRED_TO_ROLE", f"Referred to the role {role}", f"已转交角色 {role} 审批")


def no_authority_covers(amount_minor: int, currency: str) -> Reason:
    amount = money(amount_minor, currency)
    return Reason(
        "NO_AUTHORITY_COVERS",
        f"No user's approval authority covers {amount}: referred to admin, who must first be "
        "given enough authority",
        f"没有用户的审批权限覆盖 {amount}：已转交管理员，需先授予足够权限",
    )


def decided_by_person(outcome: str, who: str, role: str, authority: str, note: str) -> Reason:
    verb_en = "Refused" if outcome == "refused" else "Approved"
    verb_zh = "拒绝" if outcome == "refused" else "批准"
    return Reason(
        f"{verb_en.upper()}_BY_PERSON",
        f"{verb_en} by {who} ({role}, authority {authority}): {note}",
        f"由 {who}（{role}，权限 {authority}）{verb_zh}：{note}",
    )


def reasons_json(reasons: Sequence[Reason]) -> str:
    return json.dumps(
        [{"code": r.code, "text_en": r.text_en, "text_zh": r.text_zh} for r in reasons],
        ensure_ascii=False,
    )


def share_text(share: Decimal) -> str:
    return f"{share * 100:f}%"
