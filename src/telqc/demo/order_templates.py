"""The demo work orders' texts, shared by the orders made through the services and those made in bulk."""

from __future__ import annotations

from datetime import timedelta

# (type, category, title, description)
TEMPLATES = [
    ("complaint", "complaint.billing", "话费多扣", "本月账单多扣了{n}元流量费，套餐内明明还有流量，要求退还。"),
    ("complaint", "complaint.network", "家中信号差", "{place}4G/5G信号很差，打电话经常断线，已经持续一周。"),
    ("complaint", "complaint.attitude", "营业厅服务态度差", "营业员态度冷淡，办理业务排队{n}分钟无人理会。"),
    ("complaint", "complaint.handling", "套餐办理错误", "要求办理129元套餐却被办成了199元，要求更正并退差价。"),
    ("complaint", "complaint.billing", "资费不透明", "宣传时说免费的增值业务每月扣费{n}元，再不处理我就投诉到工信部。"),
    ("consultation", "consultation.plan", "5G套餐咨询", "想了解适合家庭使用的5G融合套餐。"),
    ("consultation", "consultation.billing", "账单查询", "查询上月账单明细。"),
    ("business", "business.plan_change", "套餐变更", "申请将套餐变更为5G畅享129元，次月生效。"),
    ("business", "business.install", "宽带新装", "新房需要安装千兆宽带，希望周末上门。"),
    ("repair", "repair.broadband", "宽带断网", "光猫LOS灯红色闪烁，无法上网。"),
    ("repair", "repair.iptv", "IPTV无信号", "电视机顶盒提示无信号。"),
    ("repair", "repair.broadband", "宽带网速慢", "晚上宽带网速很慢，看视频一直卡顿，测速不到签约速率一半。"),
]

# The standard fixes (demo/kb_seed.py SOLUTIONS) an agent records when resolving an order of each title; the first
# is the one that usually holds, so the knowledge panel's best-known fixes have resolved cases to learn from.
SOLUTIONS_BY_TITLE: dict[str, tuple[str, ...]] = {
    "话费多扣": ("REFUND_FEE", "EXPLAIN_TARIFF"),
    "家中信号差": ("NET_OPTIMIZE",),
    "营业厅服务态度差": ("APOLOGY_TRAINING",),
    "套餐办理错误": ("REFUND_FEE",),
    "资费不透明": ("EXPLAIN_TARIFF", "REFUND_FEE"),
    "5G套餐咨询": ("EXPLAIN_TARIFF",),
    "账单查询": ("EXPLAIN_TARIFF",),
    "套餐变更": ("PLAN_CHANGED",),
    "宽带新装": ("INSTALL_BOOKED",),
    "宽带断网": ("RESTART_ONT", "DISPATCH_FIBER"),
    "IPTV无信号": ("STB_RESET",),
    "宽带网速慢": ("ROUTER_REPLACE", "RESTART_ONT"),
}


def solution_for(title: str, draw: float) -> str:
    """The fix recorded for an order of ``title``: the usual one, another in about one case in four."""
    codes = SOLUTIONS_BY_TITLE[title]
    return codes[1] if len(codes) > 1 and draw < 0.25 else codes[0]
PLACES = ["小区地下车库", "家里卧室", "公司会议室", "学校宿舍"]


def stops(age: timedelta) -> tuple[float, float, float]:
    """The shares of orders of this age still new, still acknowledged only, and still being worked on.

    A floor works its queue: an order from today may still wait for its first answer or its fix, one from
    this week is rarely still open (a fault waiting for parts, a complaint waiting for another department:
    the few that run late), and an older one has been resolved (the service standard's resolution limits
    are hours to a few days). Without this, orders left new weeks ago showed the supervisor a queue nobody
    had touched for a month."""
    if age < timedelta(days=1):
        return 0.2, 0.35, 0.6
    if age < timedelta(days=7):
        return 0.0, 0.02, 0.12
    return 0.0, 0.0, 0.0
