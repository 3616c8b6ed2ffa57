"""TMF621 wording."""

MESSAGES = {
    "w.subscription": {"zh-CN": "事件订阅", "en": "event subscription"},
    "w.ticket": {"zh-CN": "故障单", "en": "trouble ticket"},
    "tmf.bad_query": {"zh-CN": "订阅条件不支持：{keys}", "en": "unsupported subscription query: {keys}"},
    "tmf.bad_callback": {"zh-CN": "回调地址必须是 http(s) URL", "en": "callback must be an http(s) URL"},
    "tmf.bad_filter": {"zh-CN": "不支持的过滤条件：{keys}（支持：{allowed}）",
                       "en": "unsupported filter: {keys} (supported: {allowed})"},
    "tmf.bad_value": {"zh-CN": "{field} 的取值无效：{value}", "en": "invalid value for {field}: {value}"},
    "tmf.bad_choice": {"zh-CN": "{field} 的取值无效：{value}（可选：{allowed}）",
                       "en": "invalid value for {field}: {value} (one of: {allowed})"},
    "tmf.bad_date": {"zh-CN": "{field} 的取值无效：{value}（须为 ISO 8601 时间，1900 至 2100 年）",
                     "en": "invalid value for {field}: {value} (an ISO 8601 date-time, years 1900 to 2100)"},
    "tmf.bad_party": {"zh-CN": "relatedParty 中的客户 id 无效：{value}（须为客户编号）",
                      "en": "invalid customer id in relatedParty: {value} (a customer number)"},
    "tmf.no_region": {"zh-CN": "未指明客户（relatedParty 角色 customer）时，工单归入调用账号所在地区的未识别来电；"
                               "当前账号覆盖多个地区，请指明客户",
                      "en": "without a customer in relatedParty the ticket goes to the caller's region's unidentified "
                            "caller, but this account covers several regions: name the customer"},
    "tmf.read_only": {"zh-CN": "字段不可修改：{keys}", "en": "read-only attribute(s): {keys}"},
    "tmf.unsupported": {"zh-CN": "暂不支持的属性：{keys}（不会被保存，请去掉后重试）",
                        "en": "attribute(s) not supported: {keys} (they would not be kept; remove them)"},
    "tmf.unknown_attribute": {"zh-CN": "未知属性：{keys}", "en": "unknown attribute(s): {keys}"},
    "tmf.patch_media": {"zh-CN": "不支持 {media}：请用 JSON Merge Patch"
                                 "（application/merge-patch+json 或 application/json）",
                        "en": "{media} is not supported: send a JSON Merge Patch (application/merge-patch+json or "
                              "application/json)"},
    "tmf.reason.400": {"zh-CN": "请求有误", "en": "Bad request"},
    "tmf.reason.401": {"zh-CN": "未认证", "en": "Unauthenticated"},
    "tmf.reason.403": {"zh-CN": "无权访问", "en": "Forbidden"},
    "tmf.reason.404": {"zh-CN": "资源不存在", "en": "Not found"},
    "tmf.reason.405": {"zh-CN": "不支持该方法", "en": "Method not allowed"},
    "tmf.reason.409": {"zh-CN": "状态冲突", "en": "Conflict"},
    "tmf.reason.412": {"zh-CN": "版本已变更", "en": "Precondition failed"},
    "tmf.reason.413": {"zh-CN": "请求体过大", "en": "Payload too large"},
    "tmf.reason.415": {"zh-CN": "不支持的内容类型", "en": "Unsupported media type"},
    "tmf.reason.422": {"zh-CN": "无法处理的请求", "en": "Unprocessable request"},
    "tmf.reason.423": {"zh-CN": "已锁定", "en": "Locked"},
    "tmf.reason.429": {"zh-CN": "请求过于频繁", "en": "Too many requests"},
    "tmf.reason.500": {"zh-CN": "服务器内部错误", "en": "Internal error"},
    "tmf.reason.other": {"zh-CN": "请求失败", "en": "Request failed"},
}

# The hub's wording lives beside it (hub_messages.py); merged here, where the catalogue looks for it.
from telqc.api.tmf621.hub_messages import MESSAGES as _HUB_MESSAGES  # noqa: E402

MESSAGES.update(_HUB_MESSAGES)
