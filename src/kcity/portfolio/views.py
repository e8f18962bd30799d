from django.shortcuts import render

from kcity.portfolio.selectors import programme_totals


def home(request):
    return render(request, "portfolio/home.html", programme_totals())
