"""The TMF621 hub's wording (merged into the catalogue by ``messages.py``): every refusal names the reason."""

_ALLOW = "（如确需使用，请管理员将其加入 TELQC_HUB_ALLOWED_HOSTS）"
_ALLOW_EN = " (an administrator may allow-list it in TELQC_HUB_ALLOWED_HOSTS)"

MESSAGES = {
    "w.delivery": {"zh-CN": "事件投递", "en": "event delivery"},
    "tmf.hub.callback_invalid": {"zh-CN": "回调地址必须是带主机名的 http(s) URL",
                                 "en": "callback must be an http(s) URL with a host"},
    "tmf.hub.callback_https": {"zh-CN": "生产环境的回调地址必须使用 https",
                               "en": "callback must use https in production"},
    "tmf.hub.callback_credentials": {"zh-CN": "回调地址不能包含用户名或密码（请用签名头校验来源）",
                                     "en": "callback must not contain a user name or password (verify the "
                                           "signature header instead)"},
    "tmf.hub.callback_unresolvable": {"zh-CN": "回调地址的主机 {host} 无法解析",
                                      "en": "callback host {host} does not resolve"},
    "tmf.hub.callback_metadata": {"zh-CN": "回调地址 {host} 指向云主机元数据服务 {address}，不允许" + _ALLOW,
                                  "en": "callback {host} points at the cloud metadata service {address}" + _ALLOW_EN},
    "tmf.hub.callback_loopback": {"zh-CN": "回调地址 {host} 指向本机回环地址 {address}，不允许" + _ALLOW,
                                  "en": "callback {host} points at the loopback address {address}" + _ALLOW_EN},
    "tmf.hub.callback_private": {"zh-CN": "回调地址 {host} 指向内网地址 {address}，不允许" + _ALLOW,
                                 "en": "callback {host} points at the private address {address}" + _ALLOW_EN},
    "tmf.hub.callback_link_local": {"zh-CN": "回调地址 {host} 指向链路本地地址 {address}，不允许" + _ALLOW,
                                    "en": "callback {host} points at the link-local address {address}" + _ALLOW_EN},
    "tmf.hub.callback_unspecified": {"zh-CN": "回调地址 {host} 指向未指定地址 {address}，不允许",
                                     "en": "callback {host} points at the unspecified address {address}"},
    "tmf.hub.callback_multicast": {"zh-CN": "回调地址 {host} 指向组播地址 {address}，不允许",
                                   "en": "callback {host} points at the multicast address {address}"},
    "tmf.hub.callback_reserved": {"zh-CN": "回调地址 {host} 指向保留或非公网地址 {address}，不允许" + _ALLOW,
                                  "en": "callback {host} points at the reserved or non-public address {address}"
                                        + _ALLOW_EN},
    "tmf.hub.too_many": {"zh-CN": "每个用户最多 {limit} 个事件订阅，请先删除不再使用的订阅",
                         "en": "at most {limit} event subscriptions per user: delete one you no longer use first"},
    "tmf.hub.not_dead": {"zh-CN": "该投递不在死信列表中（状态：{status}），无需重放",
                         "en": "this delivery is not a dead letter (status: {status}); nothing to replay"},
    "ui.hub_dead_letters": {"zh-CN": "事件投递死信", "en": "Event dead letters"},
    "ui.hub_dead_letters_help": {
        "zh-CN": "共 {n} 条：多次重试仍未送达的 TMF621 事件。修复接收方后，可通过 POST "
                 "/tmf-api/troubleTicket/v4/hub/deadLetters/＜编号＞/replay 重新投递（记入审计日志）。",
        "en": "{n} in all: TMF621 events that failed every retry. Once the receiver is fixed, replay one with POST "
              "/tmf-api/troubleTicket/v4/hub/deadLetters/<id>/replay (audited)."},
    "ui.hub_last_attempt": {"zh-CN": "最后尝试", "en": "Last attempt"},
    "ui.hub_subscription": {"zh-CN": "订阅", "en": "Subscription"},
    "ui.hub_callback": {"zh-CN": "回调地址", "en": "Callback"},
    "ui.hub_event": {"zh-CN": "事件", "en": "Event"},
    "ui.hub_attempts": {"zh-CN": "尝试次数", "en": "Attempts"},
    "ui.hub_error": {"zh-CN": "最后错误", "en": "Last error"},
    "ui.hub_no_dead_letters": {"zh-CN": "没有死信", "en": "No dead letters"},
}
