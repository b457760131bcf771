from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/export/", views.transactions_csv, name="transactions_csv"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/csv/", views.statement_csv, name="statement_csv"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("payments/apply-credits/", views.apply_credits, name="apply_credits"),
    path("payments/apply-credits/<int:pk>/", views.apply_credits_done, name="apply_credits_done"),
    path("payments/pay/", views.pay, name="pay"),
    path("payments/other-ways/", views.pay_other, name="pay_other"),
    path("payments/card/<int:pk>/", views.card_payment, name="card_payment"),
    path("payments/card/<int:pk>/receipt.pdf", views.card_payment_pdf, name="card_payment_pdf"),
    path("payments/card/<int:pk>/return/", views.card_payment_return, name="card_payment_return"),
    path("payments/pad/", views.pad, name="pad"),
    path("payments/pad/new/", views.pad_create, name="pad_create"),
    path("payments/pad/change/", views.pad_change, name="pad_change"),
    path("payments/pad/cancel/", views.pad_cancel, name="pad_cancel"),
    path("payments/arrangements/", views.arrangements, name="arrangements"),
    path("payments/arrangements/propose/", views.arrangement_propose, name="arrangement_propose"),
    path("payments/collections/", views.collections, name="collections"),
    path("security/", views.security, name="security"),
    path("security/change/", views.security_change, name="security_change"),
]
