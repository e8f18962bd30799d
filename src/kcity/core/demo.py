"""The demo database: the real programme history and cycles, and one account per role.

Loading is idempotent: running the demo again updates what is there and adds what is
missing, so a restarted demo keeps whatever people did in it.
"""

from importlib import resources

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from kcity.accounts.models import (
    GovLevel,
    Organisation,
    OrgKind,
    PartnerType,
    Role,
    SecretariatUnit,
    User,
)
from kcity.portfolio.history import read_history
from kcity.portfolio.models import SelectedProject
from kcity.programs import config
from kcity.programs.models import Cycle

DEMO_PASSWORD = "kcity-demo"
DEMO_CYCLES = (2021, 2023, 2024, 2025, 2026)
SECRETARIAT_APPS = (
    "accounts", "programs", "portfolio", "applications", "evaluation", "selection", "projects",
)

DEMO_ORGANISATIONS = {
    "molit": dict(
        kind=OrgKind.SECRETARIAT, name="MOLIT K-City Network Secretariat",
        name_ko="국토교통부 K-City Network 사무국", country="KR", city="Sejong",
        secretariat_unit=SecretariatUnit.MOLIT,
    ),
    "kind": dict(
        kind=OrgKind.SECRETARIAT,
        name="KIND (Korea Overseas Infrastructure & Urban Development Corp.)",
        name_ko="한국해외인프라도시개발지원공사(KIND)", country="KR", city="Seoul",
        secretariat_unit=SecretariatUnit.KIND,
    ),
    "kaia": dict(
        kind=OrgKind.SECRETARIAT,
        name="KAIA (Korea Agency for Infrastructure Technology Advancement)",
        name_ko="국토교통과학기술진흥원(KAIA)", country="KR", city="Anyang",
        secretariat_unit=SecretariatUnit.KAIA,
    ),
    "haiphong": dict(
        kind=OrgKind.FOREIGN_GOVERNMENT, name="Hai Phong City People's Committee",
        country="VN", city="Haiphong", gov_level=GovLevel.LOCAL,
    ),
    "company": dict(
        kind=OrgKind.KOREAN_COMPANY, name="Hanbit Smart Mobility Co., Ltd.",
        name_ko="한빛스마트모빌리티(주)", country="KR", city="Seoul",
        business_registration_number="220-81-62517",
    ),
    "partner": dict(
        kind=OrgKind.PARTNER, name="Universitas Indonesia", country="ID", city="Depok",
        partner_type=PartnerType.UNIVERSITY,
    ),
    "institute": dict(
        kind=OrgKind.INSTITUTION, name="Korea Smart City Research Institute",
        name_ko="한국스마트시티연구원", country="KR", city="Sejong",
    ),
    "consultant": dict(
        kind=OrgKind.CONTRACTOR, name="Hana Urban Planning & Engineering",
        name_ko="하나도시계획엔지니어링", country="KR", city="Seoul",
        business_registration_number="214-86-12341",
    ),
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
    go, new ones come."""
    rows = read_history(path or history_file())
    existing = {
        _history_key(p.year, p.track_kind, p.programme, p.country, p.city, p.title): p
        for p in SelectedProject.objects.all()
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


def secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Secretariat")
    perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
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
            defaults=dict(
                organisation=orgs[org_key], role=role, is_staff=staff, first_name=first,
                last_name=last, email=f"{username}@demo.kcitynetwork.kr",
                preferred_language=lang, is_active=True,
            ),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if staff:
            user.groups.add(group)
        users[username] = user
    return users


@transaction.atomic
def load_demo() -> dict:
    load_cycles()
    projects = load_history()
    users = load_accounts()
    from kcity.applications.demo import load_demo_proposals

    load_demo_proposals()
    from kcity.evaluation.demo import load_demo_evaluation

    # The evaluation adds eligible proposals to the call, so it reports the final count.
    evaluation = load_demo_evaluation()
    from kcity.selection.demo import load_demo_selection

    load_demo_selection()
    return {
        "cycles": Cycle.objects.count(), "projects": projects, "users": list(users),
        "proposals": evaluation["proposals"], "panels": evaluation["panels"],
    }
