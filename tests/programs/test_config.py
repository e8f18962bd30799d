"""A cycle's configuration survives export and import; bad files are refused whole."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from kcity.programs import config
from kcity.programs.models import Criterion, Cycle, CycleStatus, Track


def strip(data):
    data = json.loads(json.dumps(data))
    return data


def test_round_trip_is_exact(demo):
    original = config.export_cycle(Cycle.objects.get(year=2024))
    Cycle.objects.get(year=2024).delete()
    config.import_cycle(original)
    assert config.export_cycle(Cycle.objects.get(year=2024)) == original


def test_next_years_call_starts_from_this_years(demo):
    data = config.export_cycle(Cycle.objects.get(year=2024))
    cycle = config.import_cycle(data, year=2029)  # the demo has an open 2028 call
    assert cycle.status == CycleStatus.DRAFT
    old = Track.objects.get(cycle__year=2024, code="DEMO")
    new = cycle.tracks.get(code="DEMO")
    assert new.deadline.year == 2029
    assert (new.deadline.month, new.deadline.day, new.deadline.hour) == (
        old.deadline.month, old.deadline.day, old.deadline.hour)
    assert new.criteria.count() == old.criteria.count()
    assert cycle.announced_on == dt.date(2029, 1, 30)
    assert cycle.title_en == "2029 K-City Network Global Cooperation Program"
    assert cycle.title_ko.startswith("2029년")


def test_existing_year_needs_replace(demo):
    data = config.export_cycle(Cycle.objects.get(year=2023))
    with pytest.raises(config.ConfigError, match="year: the cycle 2023 exists already"):
        config.import_cycle(data)
    data["title_en"] = "Changed"
    config.import_cycle(data, replace=True)
    assert Cycle.objects.get(year=2023).title_en == "Changed"


def test_problems_name_the_field_and_nothing_is_written(demo):
    data = config.export_cycle(Cycle.objects.get(year=2024))
    data["year"] = 2030
    data["tracks"][1]["grant_min"] = "two hundred million"
    data["tracks"][0]["deadline"] = "2024-03-18 18:00"  # no offset
    data["tracks"][1]["criteria"][0]["weight"] = -5
    data["tracks"][0]["stages"] = ["lottery"]
    data["tracks"][1]["code"] = data["tracks"][0]["code"]
    data["surprise"] = 1
    before = (Cycle.objects.count(), Track.objects.count(), Criterion.objects.count())
    with pytest.raises(config.ConfigError) as exc:
        config.import_cycle(data)
    text = str(exc.value)
    assert "tracks[1].grant_min: must be an integer >= 0" in text
    assert "tracks[0].deadline: must be a date and time with its offset" in text
    assert "tracks[1].criteria[0].weight: must be an integer >= 0" in text
    assert "tracks[0].stages:" in text
    assert "tracks[1].code: duplicate code" in text
    assert "surprise: unknown field" in text
    assert (Cycle.objects.count(), Track.objects.count(), Criterion.objects.count()) == before


def test_grant_range_must_be_ordered(demo):
    data = config.export_cycle(Cycle.objects.get(year=2024))
    data["tracks"][0]["grant_min"] = 900_000_000
    with pytest.raises(config.ConfigError, match=r"tracks\[0\].grant_max"):
        config.import_cycle(data, year=2031)


def test_not_json_is_a_clear_error(db):
    with pytest.raises(config.ConfigError, match="not valid JSON"):
        config.loads("{oops")
    with pytest.raises(config.ConfigError, match="must be an object"):
        config.loads("[1, 2]")


def test_export_and_import_commands(demo, tmp_path):
    out = tmp_path / "2025.json"
    call_command("export_cycle", "2025", "-o", str(out))
    assert json.loads(out.read_text())["year"] == 2025
    stdout = StringIO()
    call_command("import_cycle", str(out), "--year", "2029", stdout=stdout)
    assert "Imported cycle 2029 with 2 tracks" in stdout.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("import_cycle", str(out), "--year", "2029")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_cycle", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="There is no cycle 1999"):
        call_command("export_cycle", "1999")


def test_admin_export_action(client, demo):
    client.login(request=HttpRequest(), username="secretariat", password="kcity-demo")
    cycle = Cycle.objects.get(year=2021)
    response = client.post(
        "/en/admin/programs/cycle/",
        {"action": "export_configuration", "_selected_action": [cycle.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kcity-cycle-2021.json"'
    assert len(json.loads(response.content)["tracks"]) == 3


def test_admin_import_view(client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(request=HttpRequest(), username="secretariat", password="kcity-demo")
    url = "/en/admin/programs/cycle/import/"
    assert client.get(url).status_code == 200
    text = config.dumps(Cycle.objects.get(year=2024)).encode()
    response = client.post(url, {"file": SimpleUploadedFile("c.json", text), "year": "2029"})
    assert response.status_code == 302
    assert Cycle.objects.get(year=2029).status == CycleStatus.DRAFT
    bad = client.post(url, {"file": SimpleUploadedFile("c.json", b"{nope"), "year": "2030"})
    assert bad.status_code == 200 and "not valid JSON" in bad.content.decode()
    assert not Cycle.objects.filter(year=2030).exists()
    wrong = client.post(url, {"file": SimpleUploadedFile("c.bin", b"\xff\xfe\x00")})
    assert "not UTF-8" in wrong.content.decode()


def test_applicant_cannot_import(client, demo):
    client.login(request=HttpRequest(), username="gov-applicant", password="kcity-demo")
    response = client.get("/en/admin/programs/cycle/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_evaluation_settings_travel_with_the_cycle(demo):
    track = Track.objects.get(cycle__year=2024, code="DEMO")
    track.aggregation, track.min_score_threshold = "median", 65
    track.stage_weights = {"paper_review": 40, "presentation": 60}
    track.save()
    data = config.export_cycle(Cycle.objects.get(year=2024))
    exported = next(t for t in data["tracks"] if t["code"] == "DEMO")
    assert exported["aggregation"] == "median" and exported["min_score_threshold"] == 65
    assert exported["stage_weights"] == {"paper_review": 40, "presentation": 60}
    new = config.import_cycle(data, year=2029).tracks.get(code="DEMO")
    assert (new.aggregation, new.min_score_threshold) == ("median", 65)
    assert new.stage_weights == {"paper_review": 40, "presentation": 60}


def test_evaluation_settings_are_optional(demo):
    """Files written before the evaluation settings existed import with the defaults."""
    data = config.export_cycle(Cycle.objects.get(year=2024))
    for track in data["tracks"]:
        for key in ("aggregation", "stage_weights", "min_score_threshold"):
            track.pop(key)
    new = config.import_cycle(data, year=2029).tracks.get(code="DEMO")
    assert (new.aggregation, new.stage_weights, new.min_score_threshold) == (
        "trimmed_mean", {}, None)


def test_evaluation_settings_problems_name_the_field(demo):
    data = config.export_cycle(Cycle.objects.get(year=2024))
    plan, demo_track = data["tracks"][0], data["tracks"][1]
    plan["aggregation"] = "average"
    plan["stage_weights"] = {"lottery": 50, "document_review": 50}
    plan["min_score_threshold"] = 120
    demo_track["stage_weights"] = {"paper_review": "40", "presentation": 60}
    before = (Cycle.objects.count(), Track.objects.count(), Criterion.objects.count())
    with pytest.raises(config.ConfigError) as exc:
        config.import_cycle(data, year=2029)
    text = str(exc.value)
    assert "tracks[0].aggregation: Value 'average' is not a valid choice." in text
    assert "tracks[0].stage_weights.lottery: not a stage of this track" in text
    assert "tracks[0].min_score_threshold: must be from 0 to 100" in text
    assert "tracks[1].stage_weights.paper_review: must be an integer from 0 to 100" in text
    assert (Cycle.objects.count(), Track.objects.count(), Criterion.objects.count()) == before

    data = config.export_cycle(Cycle.objects.get(year=2024))
    data["tracks"][1]["stage_weights"] = {"paper_review": 40, "presentation": 50}
    with pytest.raises(config.ConfigError, match=r"tracks\[1\].stage_weights: must add up to 100"):
        config.import_cycle(data, year=2029)
    data["tracks"][1]["stage_weights"] = [40, 60]
    with pytest.raises(config.ConfigError, match=r"tracks\[1\].stage_weights: must be an object"):
        config.import_cycle(data, year=2029)
    assert not Cycle.objects.filter(year=2029).exists()
