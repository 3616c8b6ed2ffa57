"""Roles, permissions and the one table that joins them.

Routes name a permission; nothing else decides who may call them. Data scope
(which regions' customers a user may read) is applied by repositories from the
principal, so the same route serves a provincial agent and a national manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    customer = "customer"
    agent = "agent"
    engineer = "engineer"
    inspector = "inspector"
    supervisor = "supervisor"
    manager = "manager"
    netops = "netops"
    trainer = "trainer"
    admin = "admin"


class Perm(StrEnum):
    self_read = "self:read"                  # a customer's own profile and orders
    self_file = "self:file"                  # a customer files a fault, a complaint or a plan change
    customers_read = "customers:read"
    customers_write = "customers:write"      # create / edit profiles (back office)
    customers_pii = "customers:pii"          # see unmasked phone, ID number, address
    customers_verify = "customers:verify"    # run identity verification on a contact
    customers_account = "customers:account"  # account changes for a verified caller
    contacts_read = "contacts:read"
    contacts_write = "contacts:write"
    users_read = "users:read"
    users_admin = "users:admin"
    audit_read = "audit:read"
    # work orders
    orders_read = "orders:read"              # orders in the user's regions
    orders_write = "orders:write"            # create, note, transition orders one handles
    orders_assign = "orders:assign"          # assign / reassign to others
    orders_escalate = "orders:escalate"
    orders_admin = "orders:admin"            # categories, SLA policies, calendars
    repair_work = "repair:work"              # field engineer updates on dispatched repairs
    network_work = "network:work"            # network problems handed off from complaints
    incidents_read = "incidents:read"        # network incidents in the user's regions, the agents' banner
    incidents_manage = "incidents:manage"    # declare, confirm, restore, broadcast, link, planned works, review
    # quality inspection
    inspection_mine = "inspection:mine"      # an agent's own results, and appeals on them
    inspection_score = "inspection:score"    # inspectors: samples, scoring, appeal rulings, calibration
    inspection_view = "inspection:view"      # the QA workbench: queues and open appeals (supervisors watch it)
    inspection_admin = "inspection:admin"    # scorecards, rules, sampling plans
    inspection_sample = "inspection:sample"  # run a saved sampling plan now (QA leads and inspectors)
    interactions_import = "interactions:import"
    alerts_live = "alerts:live"              # supervisors' live QA alerts
    # customer voice and KPIs
    surveys_manage = "surveys:manage"        # callbacks (回访), survey invitations
    metrics_read = "metrics:read"
    reports_read = "reports:read"
    # knowledge base
    kb_read = "kb:read"
    kb_write = "kb:write"                    # drafts
    kb_publish = "kb:publish"                # review, publish, retire
    # integrations
    hub_admin = "hub:admin"                  # TMF621 hub: every subscription, dead letters, replay

    evaluation_manage = "evaluation:manage"  # run evaluations, read every result in scope, decide objections
    evaluation_mine = "evaluation:mine"      # an agent's own evaluation, and objections to it
    evaluation_schemes = "evaluation:schemes"  # the quality manager's schemes per role and period (versioned)
    # rate teamwork (团队协作): a teammate (agents, engineers), one's own team (a team lead), the people of one's
    # regions (a manager); evaluation:mine is an agent's own view and no manager holds it
    evaluation_rate = "evaluation:rate"

    improvement_read = "improvement:read"    # improvement plans (PDCA) in the user's regions
    improvement_manage = "improvement:manage"  # open plans, analyse causes, add and close actions, measure
    improvement_suggest = "improvement:suggest"  # propose an improvement (合理化建议) and follow one's own

    workforce_read = "workforce:read"        # forecasts, requirement, rosters, the intraday gap and what-if
    workforce_manage = "workforce:manage"    # run forecasts, set queue rules, shift templates, staff, rosters

    training_mine = "training:mine"          # an agent's own courses and exams: take them, see their results
    training_manage = "training:manage"      # courses, question banks, exams, assignments, simulated calls, results

    insight_read = "insight:read"            # the insight board: tiers, churn risk, campaigns' uplift, conversion
    insight_manage = "insight:manage"        # run a retention campaign, measure its uplift
    insight_tasks = "insight:tasks"          # an agent's own retention tasks: record their outcomes


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.customer: frozenset({Perm.self_read, Perm.self_file}),
    Role.agent: frozenset({
        Perm.customers_read, Perm.customers_verify, Perm.customers_account,
        Perm.contacts_read, Perm.contacts_write, Perm.orders_read, Perm.orders_write, Perm.orders_escalate,
        Perm.inspection_mine, Perm.kb_read, Perm.kb_write, Perm.evaluation_mine, Perm.incidents_read,
        Perm.training_mine, Perm.insight_tasks, Perm.improvement_suggest, Perm.evaluation_rate,
    }),
    Role.engineer: frozenset({Perm.repair_work, Perm.kb_read, Perm.evaluation_mine, Perm.improvement_suggest,
                              Perm.evaluation_rate}),
    Role.inspector: frozenset({
        Perm.customers_read, Perm.contacts_read, Perm.orders_read, Perm.inspection_score, Perm.inspection_view,
        Perm.inspection_sample, Perm.interactions_import, Perm.metrics_read, Perm.kb_read, Perm.improvement_suggest,
    }),
    Role.supervisor: frozenset({
        Perm.customers_read, Perm.customers_pii, Perm.customers_verify, Perm.customers_account,
        Perm.contacts_read, Perm.contacts_write, Perm.users_read, Perm.orders_read, Perm.orders_write,
        Perm.orders_assign, Perm.orders_escalate, Perm.alerts_live, Perm.surveys_manage, Perm.metrics_read,
        Perm.reports_read, Perm.kb_read, Perm.kb_write, Perm.kb_publish, Perm.improvement_read,
        Perm.improvement_manage, Perm.evaluation_manage, Perm.incidents_read, Perm.incidents_manage,
        Perm.inspection_view, Perm.workforce_read, Perm.training_manage, Perm.insight_read,
        Perm.evaluation_mine, Perm.improvement_suggest, Perm.evaluation_rate,
    }),
    Role.manager: frozenset({
        Perm.customers_read, Perm.contacts_read, Perm.users_read, Perm.audit_read, Perm.orders_read,
        Perm.orders_assign, Perm.orders_escalate, Perm.orders_admin, Perm.inspection_admin, Perm.inspection_view,
        Perm.inspection_sample, Perm.alerts_live,
        Perm.surveys_manage, Perm.metrics_read, Perm.reports_read, Perm.kb_read, Perm.kb_publish,
        Perm.improvement_read, Perm.improvement_manage, Perm.evaluation_manage, Perm.incidents_read,
        Perm.workforce_read, Perm.workforce_manage, Perm.training_manage, Perm.insight_read, Perm.insight_manage,
        Perm.evaluation_schemes, Perm.improvement_suggest, Perm.evaluation_rate,
    }),
    Role.netops: frozenset({Perm.network_work, Perm.metrics_read, Perm.kb_read, Perm.incidents_read,
                            Perm.incidents_manage}),
    Role.trainer: frozenset({Perm.training_manage, Perm.kb_read, Perm.improvement_suggest}),
    # not a customer's own pages (self:file too: its form links to 我的工单, which self:read guards); no teamwork
    # rating either: the administrator sees nobody's work with others
    Role.admin: frozenset(Perm) - {Perm.self_read, Perm.self_file, Perm.inspection_mine, Perm.repair_work,
                                      Perm.evaluation_mine, Perm.training_mine, Perm.insight_tasks,
                                      Perm.evaluation_rate},
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: identity, role and data scope, resolved once per request."""

    user_id: int
    username: str
    display_name: str
    role: Role
    region_scope: tuple[str, ...] | None  # province codes; None means every region
    team_id: int | None = None
    customer_id: int | None = None

    @property
    def permissions(self) -> frozenset[Perm]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def sees_region(self, province_code: str) -> bool:
        return self.region_scope is None or province_code in self.region_scope
