from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# The region of every country, after the UN's M49 grouping (Asia split into its sub-regions,
# since most of the programme's partners are there): the public map, statistics and exports
# all group by this one table.
REGIONS = {
    "east_asia": _("East Asia"),
    "southeast_asia": _("Southeast Asia"),
    "south_asia": _("South Asia"),
    "central_asia": _("Central Asia"),
    "west_asia": _("West Asia and the Middle East"),
    "europe": _("Europe"),
    "africa": _("Africa"),
    "latin_america": _("Latin America and the Caribbean"),
    "north_america": _("North America"),
    "oceania": _("Oceania"),
}

_MEMBERS = {
    "east_asia": "CN HK MO JP KP KR MN TW",
    "southeast_asia": "BN KH ID LA MY MM PH SG TH TL VN",
    "south_asia": "AF BD BT IN IR LK MV NP PK",
    "central_asia": "KZ KG TJ TM UZ",
    "west_asia": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    "europe": (
        "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT "
        "JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK"
    ),
    "africa": (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS "
        "LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG "
        "YT ZA ZM ZW IO TF"
    ),
    "latin_america": (
        "AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY "
        "HN HT JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    "north_america": "BM CA GL PM US UM",
    "oceania": (
        "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS"
    ),
}

REGION_OF = {code: region for region, codes in _MEMBERS.items() for code in codes.split()}


def region_of(country_code: str) -> str:
    """The region code of an ISO 3166-1 alpha-2 country code ("" for an unknown code)."""
    return REGION_OF.get(str(country_code or "").upper(), "")


class Programme(models.TextChoices):
    CITY_DEVELOPMENT = "city_development", _("Smart city development planning")
    SOLUTION = "solution", _("Smart solution planning")
    PLANNING = "planning", _("Planning")
    DEMONSTRATION = "demonstration", _("Overseas demonstration")


class SelectedProject(models.Model):
    """A project the programme selected, as the public record has it: the one portfolio.

    The shipped history (2020 onwards, `history.py`) and the projects the platform opens when a
    round is published are rows of this one model. A platform project also has its paperwork
    (`kcity.projects.models.Project`, reached as `paperwork`: award, contract, framework,
    deliverables, payments, follow-on); a past project is a row without it.
    """

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    track_kind = models.CharField(
        _("track kind"),
        max_length=16,
        choices=[("planning", _("Planning")), ("demonstration", _("Overseas demonstration"))],
    )
    programme = models.CharField(_("programme"), max_length=32, choices=Programme.choices)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    korean_partner = models.CharField(_("Korean partner"), max_length=300, blank=True)
    source = models.TextField(_("sources"), blank=True)

    class Meta:
        verbose_name = _("selected project")
        verbose_name_plural = _("selected projects")
        ordering = ["year", "track_kind", "country", "city"]

    def __str__(self) -> str:
        return f"{self.year} {self.city} ({self.country.code})"

    @property
    def region(self) -> str:
        return region_of(self.country.code)

    def get_region_display(self) -> str:
        return str(REGIONS.get(self.region, ""))
