from django.urls import path

from business import views

app_name = "business"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("home/account/", views.switch_account, name="switch_account"),
    path("home/accounts/", views.account_search, name="account_search"),
    path("area/<slug:key>/", views.area, name="area"),
    path("request-access/", views.request_access, name="request_access"),
    path("request-access/<int:pk>/cancel/", views.cancel_request, name="cancel_request"),
    path("register/", views.register, name="register"),
    path("register/business/", views.register_business, name="register_business"),
    path("register/questions/", views.register_questions, name="register_questions"),
    path("businesses/<int:pk>/", views.business_profile, name="business_profile"),
    path("businesses/<int:pk>/change/", views.request_change, name="request_change"),
    path("program-accounts/", views.program_accounts, name="program_accounts"),
    path(
        "program-accounts/<int:pk>/change/",
        views.request_account_change,
        name="request_account_change",
    ),
    path(
        "program-accounts/<int:pk>/", views.program_account_profile, name="program_account_profile"
    ),
]
