"""TMF621 wording."""

MESSAGES = {
    "w.subscription": {"zh-CN": "事件订阅", "en": "event subscription"},
    "w.ticket": {"zh-CN": "故障单", "en": "trouble ticket"},
    "tmf.bad_query": {"zh-CN": "订阅条件不支持：{keys}", "en": "unsupported subscription query: {keys}"},
    "tmf.bad_callback": {"zh-CN": "回调地址必须是 http(s) URL", "en": "callback must be an http(s) URL"},
    "tmf.bad_filter": {"zh-CN": "不支持的过滤条件：{keys}", "en": "unsupported filter: {keys}"},
    "tmf.bad_value": {"zh-CN": "{field} 的取值无效：{value}", "en": "invalid value for {field}: {value}"},
    "tmf.read_only": {"zh-CN": "字段不可修改：{keys}", "en": "read-only attribute(s): {keys}"},
}

# The hub's wording lives beside it (hub_messages.py); merged here, where the catalogue looks for it.
from telqc.api.tmf621.hub_messages import MESSAGES as _HUB_MESSAGES  # noqa: E402

MESSAGES.update(_HUB_MESSAGES)
