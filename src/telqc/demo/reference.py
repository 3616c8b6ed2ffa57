"""Reference data every installation starts with: regions, plans, teams; plus the demo logins."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from telqc.core.auth import create_user
from telqc.core.context import Ctx
from telqc.core.models import Region, Team, User
from telqc.core.rbac import Role
from telqc.customers.models import Customer, Plan

# province: (code, name, name_en, [(city code, name, name_en, [(district code, name, name_en, area)])])
REGIONS = [
    ("440000", "广东省", "Guangdong", [
        ("440100", "广州市", "Guangzhou", [("440106", "天河区", "Tianhe", "urban"), ("440104", "越秀区", "Yuexiu", "urban"),
                                         ("440117", "从化区", "Conghua", "rural")]),
        ("440300", "深圳市", "Shenzhen", [("440305", "南山区", "Nanshan", "urban"), ("440304", "福田区", "Futian", "urban")]),
        ("441400", "梅州市", "Meizhou", [("441402", "梅江区", "Meijiang", "urban"), ("441422", "大埔县", "Dabu", "rural"),
                                        ("441426", "平远县", "Pingyuan", "rural")]),
    ]),
    ("330000", "浙江省", "Zhejiang", [
        ("330100", "杭州市", "Hangzhou", [("330106", "西湖区", "Xihu", "urban"), ("330110", "余杭区", "Yuhang", "urban"),
                                         ("330127", "淳安县", "Chun'an", "rural")]),
        ("330300", "温州市", "Wenzhou", [("330302", "鹿城区", "Lucheng", "urban"), ("330328", "文成县", "Wencheng", "rural")]),
    ]),
    ("510000", "四川省", "Sichuan", [
        ("510100", "成都市", "Chengdu", [("510107", "武侯区", "Wuhou", "urban"), ("510104", "锦江区", "Jinjiang", "urban"),
                                        ("510131", "蒲江县", "Pujiang", "rural")]),
        ("510700", "绵阳市", "Mianyang", [("510703", "涪城区", "Fucheng", "urban"), ("510727", "平武县", "Pingwu", "rural")]),
    ]),
    ("410000", "河南省", "Henan", [
        ("410100", "郑州市", "Zhengzhou", [("410105", "金水区", "Jinshui", "urban"), ("410185", "登封市", "Dengfeng", "rural")]),
        ("411300", "南阳市", "Nanyang", [("411302", "宛城区", "Wancheng", "urban"), ("411323", "西峡县", "Xixia", "rural")]),
    ]),
]

PLANS = [
    ("5G59", "5G畅享套餐59元", "5G Enjoy 59", "mobile", "59.00"),
    ("5G79", "5G畅享套餐79元", "5G Enjoy 79", "mobile", "79.00"),
    ("5G129", "5G畅享套餐129元", "5G Enjoy 129", "mobile", "129.00"),
    ("5G199", "5G尊享套餐199元", "5G Premium 199", "mobile", "199.00"),
    ("BB100", "百兆宽带", "100M broadband", "broadband", "50.00"),
    ("BB1000", "千兆宽带", "Gigabit broadband", "broadband", "119.00"),
    ("FUS169", "全家享融合套餐169元", "Family bundle 169", "fusion", "169.00"),
    ("FUS229", "全家享融合套餐229元", "Family bundle 229", "fusion", "229.00"),
    ("IPTV20", "IPTV高清电视", "IPTV HD", "iptv", "20.00"),
]

DEMO_PASSWORD = "telqc-demo"

# username, display name, role, province scope (None: national), team suffix
DEMO_USERS = [
    ("admin", "系统管理员", Role.admin, None),
    ("agent", "王晓燕", Role.agent, "440000"),
    ("agent_zj", "陈思远", Role.agent, "330000"),
    ("agent_sc", "李雪梅", Role.agent, "510000"),
    ("agent_ha", "张国栋", Role.agent, "410000"),
    ("supervisor", "刘建华", Role.supervisor, "440000"),
    ("supervisor_zj", "吴海燕", Role.supervisor, "330000"),
    ("supervisor_sc", "杨建军", Role.supervisor, "510000"),
    ("supervisor_ha", "郭晓红", Role.supervisor, "410000"),
    ("inspector", "赵敏", Role.inspector, None),
    ("trainer", "孙丽娟", Role.trainer, None),
    ("manager", "孙国强", Role.manager, None),
    ("engineer", "李师傅", Role.engineer, "440000"),
    ("netops", "周网维", Role.netops, None),
]


def load_reference(ctx: Ctx) -> None:
    """Idempotent: safe to run on every start."""
    s = ctx.session
    if s.get(Region, REGIONS[0][0]) is None:
        for pcode, pname, pen, cities in REGIONS:
            s.add(Region(code=pcode, name=pname, name_en=pen, level="province", parent_code=None))
            for ccode, cname, cen, districts in cities:
                s.add(Region(code=ccode, name=cname, name_en=cen, level="city", parent_code=pcode))
                for dcode, dname, den, area in districts:
                    s.add(Region(code=dcode, name=dname, name_en=den, level="district", parent_code=ccode,
                                 area_type=area))
        s.flush()
    for code, name, name_en, kind, fee in PLANS:
        if s.get(Plan, code) is None:
            s.add(Plan(code=code, name=name, name_en=name_en, kind=kind, monthly_fee=Decimal(fee)))
    for pcode, pname, _, _ in REGIONS:
        for suffix in ("热线一组", "热线二组"):
            if s.scalar(select(Team.id).where(Team.name == pname[:2] + suffix)) is None:
                s.add(Team(name=pname[:2] + suffix, province_code=pcode))
    s.flush()


def load_demo_users(ctx: Ctx) -> None:
    s = ctx.session
    for username, display, role, province in DEMO_USERS:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        team_id = None
        if province and role in (Role.agent, Role.supervisor):
            team_id = s.scalar(select(Team.id).where(Team.province_code == province).order_by(Team.id))
        create_user(ctx, username=username, password=DEMO_PASSWORD, role=role, display_name=display,
                    team_id=team_id, region_scope=[province] if province else None)


def districts() -> list[tuple[str, str, str, str, str, str, str]]:
    """(province code, province, city code, city, district code, district, urban/rural) rows."""
    return [(p, pn, c, cn, d, dn, area) for p, pn, _, cities in REGIONS
            for c, cn, _, ds in cities for d, dn, _, area in ds]


def link_demo_customer(ctx: Ctx) -> None:
    """A customer login for the self-service pages, bound to the first demo customer."""
    if ctx.session.scalar(select(User.id).where(User.username == "customer")) is not None:
        return
    first = ctx.session.execute(select(Customer.id, Customer.name).order_by(Customer.id).limit(1)).first()
    if first is not None:  # the header greets the customer by the name on their own profile
        create_user(ctx, username="customer", password=DEMO_PASSWORD, role=Role.customer,
                    display_name=first.name, customer_id=first.id)
