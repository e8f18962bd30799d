"""Both catalogues are complete and compiled; pages and admin speak both languages."""

import polib
import pytest
from django.core.management import call_command

from kcity.site.management.commands.i18n import LANGS, catalogue, missing


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete(lang):
    po = polib.pofile(str(catalogue(lang)))
    assert len(po) > 100
    assert missing(po) == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_is_up_to_date(lang):
    po = polib.pofile(str(catalogue(lang)))
    mo = polib.mofile(str(catalogue(lang).with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo if e.msgid} == {
        e.msgid: e.msgstr for e in po if not e.obsolete
    }


def test_check_command_passes():
    call_command("i18n", "--check")


def test_korean_catalogue_is_korean():
    po = polib.pofile(str(catalogue("ko")))
    def text(e):  # plural entries keep their text in msgstr_plural
        return e.msgstr + "".join(e.msgstr_plural.values())

    hangul = [e for e in po if any("\uac00" <= ch <= "\ud7a3" for ch in text(e))]
    # Only names and codes may stay as they are (e.g. "K-City Network").
    assert len(hangul) >= len(po) - 3


def test_missing_finds_empty_and_fuzzy_entries():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="empty", msgstr=""))
    po.append(polib.POEntry(msgid="fuzzy", msgstr="x", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="done", msgstr="완료"))
    assert missing(po) == ["empty", "fuzzy"]
