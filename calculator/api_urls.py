"""/api/v1/: the open API, outside the language prefix (language from ?lang or
Accept-Language)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from calculator.api import views as api

app_name = "calculator_api"

urlpatterns = [
    path("", api.ApiRoot.as_view(), name="root"),
    path("tariff/", api.TariffSearchView.as_view(), name="tariff_search"),
    path("tariff/<str:number>/", api.TariffLineView.as_view(), name="tariff_line"),
    path("treatments/", api.TreatmentsView.as_view(), name="treatments"),
    path("exchange-rates/<str:currency>/", api.ExchangeRateView.as_view(), name="exchange_rate"),
    path("calculations/", api.CalculationView.as_view(), name="calculations"),
    path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
]
