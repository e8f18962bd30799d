"""The demo database: the real programme history and cycles, one account per role, and
made-up rounds in future cycles marked as demos.

The demo tells the truth: the real years (2021-2026 configurations, the 2020-2026 history)
carry only the real record. Everything made up lives in the demo cycles (`Cycle.is_demo`,
future years): the 2027 cycle from call to published results (kcity.selection.demo) and the
open 2028 call with its evaluation under way (kcity.applications.demo,
kcity.evaluation.demo), all made through the services a user goes through.

Loading is idempotent: running the demo again updates what is there and adds what is
missing, so a restarted demo keeps whatever people did in it. `DEMO_STEPS` lists the steps
in order; a later feature adds its own step at the end.
"""

from importlib import resources

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity.accounts.models import (
    GovLevel,
    Organisation,
    OrgKind,
    PartnerType,
    Role,
    SecretariatUnit,
    User,
)
from kcity.applications.demo import load_demo_proposals
from kcity.applications.models import Proposal
from kcity.evaluation.demo import load_demo_evaluation
from kcity.portfolio.history import read_history
from kcity.portfolio.models import SelectedProject
from kcity.programs import config
from kcity.programs.models import Cycle
from kcity.projects.delivery_demo import load_demo_delivery
from kcity.projects.demo import load_demo_projects
from kcity.projects.models import Deliverable, Project, ProjectState, Tender
from kcity.projects.procurement_demo import demo_projects, load_demo_procurement
from kcity.selection.demo import load_demo_results
from kcity.selection.models import SelectionRound

DEMO_PASSWORD = "kcity-demo"
DEMO_CYCLES = (2021, 2023, 2024, 2025, 2026)
SECRETARIAT_APPS = (
    "accounts", "programs", "portfolio", "applications", "evaluation", "selection", "projects",
)

DEMO_ORGANISATIONS = {
    "molit": {
        "kind": OrgKind.SECRETARIAT, "name": "MOLIT K-City Network Secretariat",
        "name_ko": "국토교통부 K-City Network 사무국", "country": "KR", "city": "Sejong",
        "secretariat_unit": SecretariatUnit.MOLIT,
    },
    "kind": {
        "kind": OrgKind.SECRETARIAT,
        "name": "KIND (Korea Overseas Infrastructure & Urban Development Corp.)",
        "name_ko": "한국해외인프라도시개발지원공사(KIND)", "country": "KR", "city": "Seoul",
        "secretariat_unit": SecretariatUnit.KIND,
    },
    "kaia": {
        "kind": OrgKind.SECRETARIAT,
        "name": "KAIA (Korea Agency for Infrastructure Technology Advancement)",
        "name_ko": "국토교통과학기술진흥원(KAIA)", "country": "KR", "city": "Anyang",
        "secretariat_unit": SecretariatUnit.KAIA,
    },
    "haiphong": {
        "kind": OrgKind.FOREIGN_GOVERNMENT, "name": "Hai Phong City People's Committee",
        "country": "VN", "city": "Haiphong", "gov_level": GovLevel.LOCAL,
    },
    "company": {
        "kind": OrgKind.KOREAN_COMPANY, "name": "Hanbit Smart Mobility Co., Ltd.",
        "name_ko": "한빛스마트모빌리티(주)", "country": "KR", "city": "Seoul",
        "business_registration_number": "220-81-62517",
    },
    "partner": {
        "kind": OrgKind.PARTNER, "name": "Universitas Indonesia", "country": "ID", "city": "Depok",
        "partner_type": PartnerType.UNIVERSITY,
    },
    "institute": {
        "kind": OrgKind.INSTITUTION, "name": "Korea Smart City Research Institute",
        "name_ko": "한국스마트시티연구원", "country": "KR", "city": "Sejong",
    },
    "consultant": {
        "kind": OrgKind.CONTRACTOR, "name": "Hana Urban Planning & Engineering",
        "name_ko": "하나도시계획엔지니어링", "country": "KR", "city": "Seoul",
        "business_registration_number": "214-86-12341",
    },
}

# username -> (organisation key, role, staff, first name, last name, preferred language)
DEMO_USERS = {
    "secretariat": ("molit", Role.SECRETARIAT, True, "Ji-won", "Kim", "ko"),
    "gov-applicant": ("haiphong", Role.APPLICANT, False, "Minh", "Nguyen", "en"),
    "company-applicant": ("company", Role.APPLICANT, False, "Seo-yeon", "Park", "ko"),
    "partner": ("partner", Role.APPLICANT, False, "Dewi", "Lestari", "en"),
    "evaluator": ("institute", Role.EVALUATOR, False, "Hyun-woo", "Lee", "ko"),
    "contractor": ("consultant", Role.CONTRACTOR, False, "Min-jun", "Choi", "ko"),
}


def history_file():
    return resources.files("kcity.portfolio") / "data" / "kcity_projects.csv"


def load_cycles(years=DEMO_CYCLES) -> list[Cycle]:
    cycles = []
    for year in years:
        text = (resources.files("kcity.programs") / "data" / "cycles" / f"{year}.json").read_text(
            encoding="utf-8"
        )
        if Cycle.objects.filter(year=year).exists():
            cycles.append(Cycle.objects.get(year=year))
            continue
        cycles.append(config.loads(text))
    return cycles


def _history_key(year, track_kind, programme, country, city, title) -> tuple:
    return (year, track_kind, programme, str(country), city, title)


def load_history(path=None) -> int:
    """The portfolio as the history file has it. A project already there keeps its row (so a
    proposal citing it as an earlier study keeps the citation); rows the file no longer has
    go, new ones come. The platform's own projects (rows with paperwork) are not history."""
    rows = read_history(path or history_file())
    existing = {
        _history_key(p.year, p.track_kind, p.programme, p.country, p.city, p.title): p
        for p in SelectedProject.objects.filter(paperwork__isnull=True)
    }
    new, changed = [], []
    for r in rows:
        project = existing.pop(
            _history_key(r.year, r.track_kind, r.programme, r.country, r.city, r.title), None)
        if project is None:
            new.append(SelectedProject(
                year=r.year, track_kind=r.track_kind, programme=r.programme, city=r.city,
                country=r.country, title=r.title, korean_partner=r.korean_partner,
                source=r.source,
            ))
        elif (project.korean_partner, project.source) != (r.korean_partner, r.source):
            project.korean_partner, project.source = r.korean_partner, r.source
            changed.append(project)
    SelectedProject.objects.filter(pk__in=[p.pk for p in existing.values()]).delete()
    SelectedProject.objects.bulk_update(changed, ["korean_partner", "source"])
    SelectedProject.objects.bulk_create(new)
    return len(rows)


# Append-only records: the secretariat group may view them, never add, change or delete
# them (the audit trail, core.AuditEntry, has only a view permission to begin with).
APPEND_ONLY_MODELS = (
    "proposalevent", "submission", "evaluationevent", "selectionevent", "cycleevent",
    "projectevent", "tenderevent", "deliverableevent",
)


def secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Secretariat")
    perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS).exclude(
        content_type__model__in=APPEND_ONLY_MODELS,
        codename__regex=r"^(add|change|delete)_",
    ) | Permission.objects.filter(content_type__app_label="core", codename="view_auditentry")
    group.permissions.set(perms)
    return group


def load_accounts() -> dict[str, User]:
    orgs = {}
    for key, fields in DEMO_ORGANISATIONS.items():
        org, _ = Organisation.objects.update_or_create(
            name=fields["name"], defaults={**fields, "verified_at": timezone.now()}
        )
        orgs[key] = org
    group = secretariat_group()
    users = {}
    for username, (org_key, role, staff, first, last, lang) in DEMO_USERS.items():
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "organisation": orgs[org_key], "role": role, "is_staff": staff, "first_name": first,
                "last_name": last, "email": f"{username}@demo.kcitynetwork.kr",
                "preferred_language": lang, "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if staff:
            user.groups.add(group)
        users[username] = user
    return users


class OldDemoData(Exception):
    """The database holds made-up rows in real years, left by an earlier demo."""


def check_real_years_clean() -> dict:
    """Earlier demos put made-up rounds into real years (2025, 2026) and used 2027 for the
    open call; such a database cannot be brought in line row by row (receipts are kept for
    good), so the demo says so rather than mix the two."""
    real = Proposal.objects.filter(cycle__is_demo=False)
    if real.exists() or SelectionRound.objects.filter(cycle__is_demo=False).exists():
        years = sorted(set(real.values_list("cycle__year", flat=True)))
        raise OldDemoData(
            _("This database has made-up proposals in real years (%(years)s), left by an "
              "earlier demo. Remove the demo database (in KCITY_DATA_DIR, var/ by default) "
              "and run the demo again.") % {"years": ", ".join(map(str, years))})
    return {}


def load_real_cycles() -> dict:
    return {"cycles": len(load_cycles())}


def load_real_history() -> dict:
    return {"history": load_history()}


def load_demo_accounts() -> dict:
    return {"users": list(load_accounts())}


def load_open_call() -> dict:
    load_demo_proposals()
    # The evaluation adds eligible proposals to the call, so it reports the final count.
    return load_demo_evaluation()


# Each step returns a dict merged into load_demo's summary; they run in this order.
def load_demo_project_work() -> dict:
    """The second half on the demo projects, through the services: the contractor of a project
    still waiting for its agreement procured in full (tender, bids, committee, award,
    contract), another project's bid notice open, and on the project in progress a work plan
    with a returned and an accepted, paid deliverable. Done once: no procurement once the demo
    has a tender, no work plan on a project that has deliverables."""
    demo = Project.objects.filter(proposal__track__cycle__is_demo=True)
    if not Tender.objects.filter(project__in=demo).exists():
        waiting = [p for p in demo_projects() if p.state == ProjectState.AGREEMENT_PENDING
                   and p.contractor_id is None]
        load_demo_procurement(waiting[:2])
    running = (demo_projects().filter(state=ProjectState.IN_PROGRESS, contractor__isnull=False)
               .first())
    if running is not None and not running.deliverables.exists():
        load_demo_delivery(Project.objects.get(pk=running.pk))
    return {"tenders": Tender.objects.filter(project__in=demo).count(),
            "deliverables": Deliverable.objects.filter(project__in=demo).count()}


DEMO_STEPS = (
    check_real_years_clean,
    load_real_cycles,
    load_real_history,
    load_demo_accounts,
    load_open_call,       # the demo 2028 call: proposals in every state, panels at work
    load_demo_results,    # the demo 2027 cycle: call to published results
    load_demo_projects,   # its projects: waiting for signatures, in progress, completed
    load_demo_project_work,  # a contractor procured, a notice open, deliverables and a payment
)


@transaction.atomic
def load_demo() -> dict:
    summary: dict = {}
    for step in DEMO_STEPS:
        summary.update(step())
    summary["cycles"] = Cycle.objects.count()
    summary["demo_cycles"] = sorted(Cycle.objects.filter(is_demo=True)
                                    .values_list("year", flat=True))
    return summary
