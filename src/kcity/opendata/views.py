from django.http import Http404
from django.shortcuts import render

from kcity.opendata import public
from kcity.opendata.selectors import home_figures


def home(request):
    return render(request, "opendata/home.html", home_figures())


# ---- the public portfolio (kcity.opendata.public) ------------------------------------------


def portfolio_list(request):
    return render(request, "opendata/portfolio_list.html", public.list_page(request.GET))


def portfolio_project(request, pk):
    context = public.project_page(pk)
    if context is None:
        raise Http404
    return render(request, "opendata/portfolio_project.html", context)


def portfolio_years(request):
    return render(request, "opendata/portfolio_years.html", public.years_page())


def portfolio_map(request):
    return render(request, "opendata/portfolio_map.html", public.map_page(request.GET))
