"""Demo knowledge base: common telecom answers and the standard solutions agents record."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.knowledge import learning, solutions
from telqc.knowledge import schemas as s
from telqc.knowledge import service as kb
from telqc.knowledge.models import KbArticle

# title, category, audience, questions, body
ARTICLES: list[tuple[str, str, Literal["internal", "public"], list[str], str]] = [
    ("光猫LOS灯红色闪烁怎么办", "宽带故障", "public", ["光猫亮红灯", "宽带断网光猫红灯闪"],
     "LOS红灯闪烁表示光信号中断。请检查光纤是否被弯折或松动，重新插拔光纤接头；重启光猫后仍未恢复，请报修，装维工程师将在承诺时限内上门。"),
    ("宽带能连上但网速很慢", "宽带故障", "public", ["宽带网速慢", "网页打开很慢"],
     "建议先用网线直连电脑测速，排除无线干扰；路由器放置在开阔位置并避开微波炉；千兆宽带请使用千兆路由器和六类网线。测速低于签约速率的80%请报修。"),
    ("无线路由器忘记WiFi密码", "宽带故障", "public", ["WiFi密码忘了", "无线猫密码"],
     "光猫背面贴有默认WiFi名称和密码；如已修改，可登录192.168.1.1管理页面查看，或长按复位键10秒恢复出厂设置后使用默认密码。"),
    ("机顶盒无信号或提示网络连接失败", "IPTV故障", "public", ["电视没信号", "机顶盒连不上"],
     "请确认机顶盒与光猫IPTV口的网线连接，电视信号源选择HDMI；重启光猫和机顶盒；仍提示错误代码请记录代码后报修。"),
    ("携号转网办理条件", "业务办理", "public", ["携号转网怎么办", "转网需要什么条件"],
     "号码已实名登记、在网满120天、无欠费、无在网合约限制即可申请。发送短信CXXZ#姓名#证件号码到10086查询资格，获取授权码后到新运营商营业厅办理。"),
    ("如何办理停机保号", "业务办理", "public", ["停机保号", "暂时不用号码"],
     "停机保号期间每月收取5元保号费，最长可办理12个月，可在APP、营业厅办理，需机主本人实名核验。"),
    ("副卡办理与共享流量", "套餐咨询", "public", ["加副卡", "副卡共享流量"],
     "5G套餐可加办最多2张副卡，副卡共享主卡套餐内流量和通话，每张副卡月功能费10元，融合套餐以套餐说明为准。"),
    ("流量包订购与生效时间", "流量咨询", "public", ["流量不够用", "加流量包"],
     "可在APP订购日包、月包和加油包。月包立即生效、当月有效；订购成功以短信为准。国际漫游流量需单独订购漫游包。"),
    ("话费账单查询与异常扣费", "资费争议", "public", ["话费多扣", "账单有问题"],
     "可在APP账单页查看每月详单。对不明扣费，先核对增值业务订购记录；确认为误扣的，按规定退还并可申请赔付。"),
    ("国际漫游开通", "业务办理", "public", ["出国用手机", "开通漫游"],
     "出行前在APP开通国际及港澳台漫游功能，按目的地订购流量包更省钱；预付费用户需账户余额不低于50元。"),
    ("欠费停机后如何恢复", "业务办理", "public", ["欠费停机", "交费后复机"],
     "缴清欠费后系统一般在30分钟内自动复机；超过2小时未恢复，请重启手机，仍未恢复请联系客服处理。"),
    ("5G信号弱或无法使用5G", "网络信号", "public", ["没有5G信号", "5G网速慢"],
     "使用5G需同时满足5G套餐、5G手机和5G网络覆盖。请在手机设置中开启5G开关；室内信号弱可申请室内覆盖评估。"),
    ("实名认证与补卡", "业务办理", "public", ["手机卡丢了", "补办SIM卡"],
     "补卡需机主本人携带有效身份证件到营业厅办理，或在APP通过人脸识别在线补卡并邮寄。补卡后原卡失效。"),
    ("投诉处理时限与回访说明", "服务规范", "internal", ["投诉多久处理", "回访要求"],
     "一般投诉24小时内联系客户，5个工作日内办结；涉及工信部、12300的越级投诉按危机流程当日升级。办结后48小时内完成回访，不满意的重新处理。"),
    ("首问负责制话术要点", "服务规范", "internal", ["首问负责", "不能推诿"],
     "首位接待的客服代表对客户诉求全程负责，不得说“这不归我管”。需转派时说明原因、已做的处理和预计回复时间，并跟进到办结。"),
    ("身份核实规范", "服务规范", "internal", ["核实身份", "验证机主"],
     "办理变更、过户、补卡、查询详单等业务前，必须核实机主身份：手机号加证件后四位或服务密码。严禁在通话中完整复述证件号码。"),
]

SOLUTIONS = [
    ("RESTART_ONT", "指导重启光猫", "您好，已指导您重启光猫并检查光纤连接，如仍有问题请随时联系我们。", "宽带故障"),
    ("DISPATCH_FIBER", "派单检修光纤", "您好，已为您派单装维工程师上门检修光纤，工程师将在24小时内与您联系预约。", "宽带故障"),
    ("ROUTER_REPLACE", "更换路由器", "您好，经检测为路由器故障，已为您安排免费更换路由器。", "宽带故障"),
    ("NET_OPTIMIZE", "基站参数优化", "您好，网络部门已优化您所在区域的基站参数，信号已恢复正常，感谢您的反馈。", "网络信号"),
    ("REFUND_FEE", "误扣费用退还", "您好，经核查为误扣费用，已为您办理退费，将在3个工作日内返还至您的账户。", "资费争议"),
    ("EXPLAIN_TARIFF", "资费解释", "您好，已为您详细说明套餐资费构成及扣费明细，如有疑问可随时在APP查看详单。", "资费争议"),
    ("STB_RESET", "机顶盒重置", "您好，已远程重置您的机顶盒，电视信号已恢复。", "IPTV故障"),
    ("INSTALL_BOOKED", "预约装机上门", "您好，已为您预约宽带装机，装维工程师将按约定时间上门安装调试。", "业务办理"),
    ("PLAN_CHANGED", "套餐变更办理", "您好，已为您办理套餐变更，新套餐次月1日生效，可在APP查看生效进度。", "业务办理"),
    ("APOLOGY_TRAINING", "致歉并加强培训", "您好，对服务不周向您诚挚道歉，我们已对相关人员进行培训整改。", "服务态度"),
]


def load_kb(ctx: Ctx) -> None:
    """Idempotent: published demo articles written by one demo user and approved by another."""
    if ctx.session.scalar(select(KbArticle.id).limit(1)) is not None:
        return
    author = ctx.session.scalar(select(User).where(User.username == "agent"))
    reviewer = ctx.session.scalar(select(User).where(User.username == "supervisor"))
    if author is None or reviewer is None:
        return
    for code, title, answer, category in SOLUTIONS:
        ctx.principal = principal_of(reviewer)
        solutions.define_solution(ctx, s.SolutionIn(code=code, title=title, answer=answer, category=category))
    for title, category, audience, questions, body in ARTICLES:
        ctx.principal = principal_of(author)
        art = kb.create(ctx, s.ArticleIn(title=title, category=category, audience=audience,
                                         questions=questions, body=body))
        kb.act(ctx, art.id, "submit")
        ctx.principal = principal_of(reviewer)
        kb.act(ctx, art.id, "approve", "演示数据")
    ctx.principal = None


def train_kb(ctx: Ctx) -> dict[str, Any]:
    """Train the learned search component once on what the demo holds (articles, agents' verdicts), as
    ``telqc kb train`` and the nightly job do, so the demo's first search already fuses it in."""
    return learning.retrain(ctx)
