"""Messages in zh-CN (default) and English; the request's language picks one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from telqc.core.audit_messages import MESSAGES as AUDIT_MESSAGES
from telqc.domains import modules

LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "error.not_found": {"zh-CN": "{what}不存在或无权访问", "en": "{what} not found or not accessible"},
    "error.forbidden": {"zh-CN": "当前角色无权执行此操作，如需办理请联系班组长或系统管理员",
                        "en": "your role may not do this; ask your supervisor or an administrator"},
    "error.unauthenticated": {"zh-CN": "请先登录", "en": "please sign in"},
    "error.bad_credentials": {"zh-CN": "用户名或密码错误", "en": "wrong username or password"},
    "error.account_locked": {"zh-CN": "账号已锁定，请于 {until} 后重试",
                             "en": "account locked until {until}"},
    "error.internal": {"zh-CN": "服务器内部错误，请稍后再试（编号 {ref}）",
                       "en": "internal error, please retry later (ref {ref})"},
    "error.conflict": {"zh-CN": "{reason}", "en": "{reason}"},
    "error.bad_body": {"zh-CN": "请求体无法解析：须为 UTF-8 编码的 JSON，嵌套不超过解析器的深度，整数不超过 4300 位",
                       "en": "the request body cannot be parsed: it must be UTF-8 JSON, nested no deeper than the "
                             "parser allows, with integers of at most 4,300 digits"},
    "request.too_large": {"zh-CN": "请求体过大：上限 {cap} 字节", "en": "request body too large: at most {cap} bytes"},
    "error.unverified": {"zh-CN": "该接触尚未核实客户身份，不能办理账户变更业务",
                         "en": "the caller's identity is not verified on this contact; account changes refused"},
    "error.verify_locked": {"zh-CN": "身份核实失败次数过多，已锁定至 {until}",
                            "en": "too many failed verifications; locked until {until}"},
    "error.verify_failed": {"zh-CN": "身份核实未通过，还可尝试 {left} 次",
                            "en": "verification failed; {left} attempt(s) left"},
    "error.validation": {"zh-CN": "请求参数有误", "en": "invalid request"},
    "error.duplicate": {"zh-CN": "{what}已存在", "en": "{what} already exists"},
    "error.stale": {"zh-CN": "数据已被他人修改，请刷新后重试", "en": "changed by someone else; reload and retry"},
    "error.too_many_requests": {"zh-CN": "请求过于频繁，请 {minutes} 分钟后再试",
                                "en": "too many requests; retry in {minutes} minute(s)"},
    "error.too_many_logins": {"zh-CN": "该地址登录失败次数过多，请 {minutes} 分钟后再试",
                              "en": "too many failed sign-ins from this address; retry in {minutes} minute(s)"},
    "error.csrf": {"zh-CN": "请求缺少有效的安全令牌（CSRF），已拒绝，未做任何更改；请刷新页面后重试",
                   "en": "missing or invalid security token (CSRF): refused, nothing changed; reload the page "
                         "and retry"},
    # validation (pydantic error types)
    "v.missing": {"zh-CN": "必填字段缺失", "en": "field required"},
    "v.phone_search": {"zh-CN": "请输入完整的11位手机号码，或号码的后4–10位（尾号）",
                       "en": "enter the full 11-digit number or its last 4–10 digits"},
    "v.extra_forbidden": {"zh-CN": "不允许的未知字段", "en": "unknown field not allowed"},
    "v.string_too_short": {"zh-CN": "长度不能少于 {min_length}", "en": "must have at least {min_length} characters"},
    "v.string_too_long": {"zh-CN": "长度不能超过 {max_length}", "en": "must have at most {max_length} characters"},
    "v.string_pattern_mismatch": {"zh-CN": "格式不正确", "en": "has the wrong format"},
    "v.int_parsing": {"zh-CN": "必须是整数", "en": "must be an integer"},
    "v.int_type": {"zh-CN": "必须是整数", "en": "must be an integer"},
    "v.float_parsing": {"zh-CN": "必须是数字", "en": "must be a number"},
    "v.decimal_parsing": {"zh-CN": "必须是数字", "en": "must be a number"},
    "v.greater_than_equal": {"zh-CN": "不能小于 {ge}", "en": "must be at least {ge}"},
    "v.less_than_equal": {"zh-CN": "不能大于 {le}", "en": "must be at most {le}"},
    "v.greater_than": {"zh-CN": "必须大于 {gt}", "en": "must be greater than {gt}"},
    "v.enum": {"zh-CN": "取值必须是 {expected} 之一", "en": "must be one of {expected}"},
    "v.literal_error": {"zh-CN": "取值必须是 {expected} 之一", "en": "must be one of {expected}"},
    "v.date_from_datetime_parsing": {"zh-CN": "日期格式不正确（YYYY-MM-DD）", "en": "invalid date (YYYY-MM-DD)"},
    "v.date_parsing": {"zh-CN": "日期格式不正确（YYYY-MM-DD）", "en": "invalid date (YYYY-MM-DD)"},
    "v.datetime_parsing": {"zh-CN": "时间格式不正确（ISO 8601）", "en": "invalid datetime (ISO 8601)"},
    "v.json_invalid": {"zh-CN": "JSON 格式错误", "en": "invalid JSON"},
    "v.model_attributes_type": {"zh-CN": "必须是对象", "en": "must be an object"},
    "v.dict_type": {"zh-CN": "必须是对象", "en": "must be an object"},
    "v.list_type": {"zh-CN": "必须是列表", "en": "must be a list"},
    "v.string_type": {"zh-CN": "必须是字符串", "en": "must be a string"},
    "v.bool_parsing": {"zh-CN": "必须是布尔值", "en": "must be a boolean"},
    "v.value_error": {"zh-CN": "{error}", "en": "{error}"},
    "v.other": {"zh-CN": "取值无效：{msg}", "en": "invalid value: {msg}"},
    # domain words
    "w.customer": {"zh-CN": "客户", "en": "customer"},
    "w.contact": {"zh-CN": "接触记录", "en": "contact"},
    "w.user": {"zh-CN": "用户", "en": "user"},
    "w.plan": {"zh-CN": "套餐", "en": "plan"},
    "w.region": {"zh-CN": "地区", "en": "region"},
    "w.phone": {"zh-CN": "手机号码", "en": "phone number"},
    # user administration (core/users.py)
    "users.error.region": {"zh-CN": "地区代码不存在：{codes}", "en": "unknown region code(s): {codes}"},
    "users.error.team": {"zh-CN": "所选班组不存在", "en": "no such team"},
    "users.error.customer": {"zh-CN": "所选客户档案不存在", "en": "no such customer"},
    "users.error.customer_role": {"zh-CN": "只有关联了客户档案的账号才能设为客户角色",
                                  "en": "only an account linked to a customer may have the customer role"},
    "users.error.self_disable": {"zh-CN": "不能停用自己的账号", "en": "you cannot disable your own account"},
    "users.error.last_admin": {"zh-CN": "这是最后一个在用的系统管理员账号，不能停用或改为其他角色",
                               "en": "this is the last active administrator"},
}
MESSAGES.update(AUDIT_MESSAGES)


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for cand in (query, cookie):
        if cand in LANGUAGES:
            return cand
    if accept:
        for part in accept.split(","):
            tag = part.split(";")[0].strip().lower()
            if tag.startswith("en"):
                return "en"
            if tag.startswith("zh"):
                return "zh-CN"
    return DEFAULT


_loaded = False


def _load_domain_messages() -> None:
    """Domains keep their own wording in ``telqc/<domain>/messages.py`` (a MESSAGES dict)."""
    global _loaded
    _loaded = True
    for m in modules("messages"):
        MESSAGES.update(m.MESSAGES)


class _Filled(dict[str, Any]):
    """A parameter the caller did not pass renders empty: a reader never sees a raw ``{field}``."""

    def __missing__(self, key: str) -> str:
        return ""


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def is_key(value: str) -> bool:
    """True when `value` names a message (a code passed where a word is meant: "ostatus.closed")."""
    if not _loaded:
        _load_domain_messages()
    return value in MESSAGES and "." in value


def validation_message(err: Mapping[str, Any], lang: str) -> str:
    """One pydantic error in the reader's language through the ``v.<type>`` catalogue (``v.other`` keeps
    pydantic's own words for a type the catalogue lacks)."""
    kind = str(err.get("type", ""))
    params = dict(err.get("ctx") or {})
    if "error" in params:
        params["error"] = str(params["error"]).removeprefix("Value error, ")
    key = f"v.{kind}" if is_key(f"v.{kind}") else "v.other"
    return t(key, lang, msg=err.get("msg", ""), **params)


def field_label(loc: Sequence[object], lang: str) -> str:
    """The form field an error is about, as the form labels it (``fld.<name>``), else its name."""
    names = [str(p) for p in loc if not isinstance(p, int) and p not in ("body", "query", "path", "form")]
    if not names:
        return ""
    key = f"fld.{names[-1]}"
    return t(key, lang) if is_key(key) else ".".join(names)


def t(key: str, lang: str = DEFAULT, **params: Any) -> str:
    if not _loaded:
        _load_domain_messages()
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT]
    try:
        return text.format_map(_Filled(params))
    except (IndexError, ValueError, TypeError, AttributeError):  # a format spec the value does not take
        return _PLACEHOLDER.sub("", text)

MESSAGES.update({
    "ui.app": {"zh-CN": "TelQC 客户服务与质量管理平台", "en": "TelQC customer service & quality"},
    "ui.login": {"zh-CN": "登录", "en": "Sign in"},
    "ui.logout": {"zh-CN": "退出", "en": "Sign out"},
    "ui.username": {"zh-CN": "用户名", "en": "Username"},
    "ui.password": {"zh-CN": "密码", "en": "Password"},
    "ui.home": {"zh-CN": "工作台", "en": "Home"},
    "ui.customers": {"zh-CN": "客户查询", "en": "Customers"},
    "ui.audit": {"zh-CN": "审计日志", "en": "Audit log"},
    "ui.users": {"zh-CN": "用户管理", "en": "Users"},
    "ui.my_account": {"zh-CN": "我的账户", "en": "My account"},
    "ui.search_phone": {"zh-CN": "输入手机号码或尾号（后4–10位）查询客户",
                        "en": "Search by phone number or its last 4–10 digits"},
    "ui.search": {"zh-CN": "查询", "en": "Search"},
    "ui.no_results": {"zh-CN": "未找到客户", "en": "No customer found"},
    "ui.name": {"zh-CN": "姓名", "en": "Name"},
    "ui.phone": {"zh-CN": "手机号码", "en": "Phone"},
    "ui.id_number": {"zh-CN": "证件号码", "en": "ID number"},
    "ui.address": {"zh-CN": "地址", "en": "Address"},
    "ui.region": {"zh-CN": "地区", "en": "Region"},
    "ui.tier": {"zh-CN": "客户等级", "en": "Tier"},
    "ui.tags": {"zh-CN": "标签", "en": "Tags"},
    "ui.lifecycle": {"zh-CN": "生命周期", "en": "Lifecycle"},
    "ui.tenure": {"zh-CN": "在网时长", "en": "Tenure"},
    "ui.months": {"zh-CN": "{n} 个月", "en": "{n} months"},
    "ui.plans": {"zh-CN": "订购套餐", "en": "Plans"},
    "ui.monthly_fee": {"zh-CN": "月费", "en": "Monthly fee"},
    "ui.recent_contacts": {"zh-CN": "近期接触", "en": "Recent contacts"},
    "ui.orders": {"zh-CN": "工单", "en": "Work orders"},
    "ui.surveys": {"zh-CN": "满意度调查", "en": "Surveys"},
    "ui.none_yet": {"zh-CN": "暂无记录", "en": "Nothing yet"},
    "ui.masked_note": {"zh-CN": "个人信息已脱敏显示", "en": "Personal data is masked"},
    "ui.unmasked_note": {"zh-CN": "个人信息明文显示，本次查看已记入审计日志",
                         "en": "Personal data shown in clear; this view is audited"},
    "ui.channel": {"zh-CN": "渠道", "en": "Channel"},
    "ui.time": {"zh-CN": "时间", "en": "Time"},
    "ui.category": {"zh-CN": "类别", "en": "Category"},
    "ui.summary": {"zh-CN": "摘要", "en": "Summary"},
    "ui.verified": {"zh-CN": "已核身", "en": "Verified"},
    "ui.welcome": {"zh-CN": "您好，{name}", "en": "Hello, {name}"},
    "ui.role": {"zh-CN": "角色", "en": "Role"},
    "ui.error": {"zh-CN": "出错了", "en": "Something went wrong"},
    "ui.back": {"zh-CN": "返回", "en": "Back"},
    "ui.action": {"zh-CN": "操作", "en": "Action"},
    "ui.view": {"zh-CN": "查看", "en": "View"},
    "ui.audit_ok": {"zh-CN": "审计链校验通过，共 {n} 条", "en": "Audit chain intact, {n} rows"},
    "ui.audit_bad": {"zh-CN": "审计链校验失败：{reason}", "en": "Audit chain broken: {reason}"},
    "role.customer": {"zh-CN": "客户", "en": "Customer"},
    "role.agent": {"zh-CN": "客服代表", "en": "Agent"},
    "role.engineer": {"zh-CN": "装维工程师", "en": "Field engineer"},
    "role.inspector": {"zh-CN": "质检员", "en": "Quality inspector"},
    "role.supervisor": {"zh-CN": "班组长", "en": "Supervisor"},
    "role.manager": {"zh-CN": "服务质量经理", "en": "Quality manager"},
    "role.netops": {"zh-CN": "网络运维", "en": "Network operations"},
    "role.trainer": {"zh-CN": "培训师", "en": "Trainer"},
    "role.admin": {"zh-CN": "系统管理员", "en": "Administrator"},
    "tier.vip": {"zh-CN": "VIP", "en": "VIP"},
    "tier.gold": {"zh-CN": "金卡", "en": "Gold"},
    "tier.silver": {"zh-CN": "银卡", "en": "Silver"},
    "tier.regular": {"zh-CN": "普通", "en": "Regular"},
    "lifecycle.new": {"zh-CN": "新入网", "en": "New"},
    "lifecycle.in_contract": {"zh-CN": "合约期内", "en": "In contract"},
    "lifecycle.contract_expiring": {"zh-CN": "合约将到期", "en": "Contract expiring"},
    "lifecycle.churn_risk": {"zh-CN": "流失风险", "en": "Churn risk"},
    "lifecycle.growing": {"zh-CN": "成长期", "en": "Growing"},
    "lifecycle.mature": {"zh-CN": "成熟期", "en": "Mature"},
    "lifecycle.lapsed": {"zh-CN": "沉默期", "en": "Lapsed"},
    "area.urban": {"zh-CN": "城市", "en": "Urban"},
    "area.rural": {"zh-CN": "农村", "en": "Rural"},
    "channel.hotline": {"zh-CN": "热线", "en": "Hotline"},
    "channel.app": {"zh-CN": "APP", "en": "App"},
    "channel.web": {"zh-CN": "网厅", "en": "Web"},
    "channel.wechat": {"zh-CN": "微信", "en": "WeChat"},
    "channel.store": {"zh-CN": "营业厅", "en": "Store"},
    "channel.social": {"zh-CN": "社交媒体", "en": "Social media"},
})
