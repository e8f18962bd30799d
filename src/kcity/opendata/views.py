from django.shortcuts import render

from kcity.opendata.selectors import programme_totals


def home(request):
    return render(request, "opendata/home.html", programme_totals())
