from django.urls import include, path

from accounts import second_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("after-sign-in/", views.after_sign_in, name="after_sign_in"),
    path("welcome/", views.welcome, name="welcome"),
    path("continue/", views.next_step, name="next_step"),
    path("terms/", views.TermsView.as_view(), name="terms"),
    path("profile/", views.profile, name="profile"),
    path("security-questions/", views.security_questions, name="security_questions"),
    path("first-setup/", views.first_setup, name="first_setup"),
    path("register/", views.register, name="register"),
    path("register/<slug:step>/", views.register, name="register_step"),
    path("forgot-password/", views.forgot_password, name="forgot_password"),
    path("forgot-password/answers/", views.forgot_password_answers, name="forgot_password_answers"),
    path("forgot-password/new/", views.forgot_password_new, name="forgot_password_new"),
    path("forgot-username/", views.forgot_username, name="forgot_username"),
    path("password/", views.change_password, name="change_password"),
    path("recovery-questions/", views.change_recovery_questions, name="change_recovery_questions"),
    path("revoke/", views.revoke, name="revoke"),
    path("confirm/", second_factor_views.confirm_identity, name="confirm_identity"),
    path(
        "second-factor/replace/",
        second_factor_views.replace_second_factor,
        name="replace_second_factor",
    ),
]

# allauth provides the second factor only (mfa_* names). The names its code reverses
# point at our own pages: no e-mail based password reset, no open sign-up.
allauth_urlpatterns = [
    # Ours first: the code steps with SEC-1's limits, no removal of the second factor.
    path("2fa/authenticate/", second_factor_views.authenticate, name="mfa_authenticate"),
    path("2fa/reauthenticate/", second_factor_views.reauthenticate, name="mfa_reauthenticate"),
    path("2fa/totp/deactivate/", second_factor_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("2fa/", include("allauth.mfa.urls")),
    path("sign-in/", views.SignInView.as_view(), name="account_login"),
    path("sign-out/", views.SignOutView.as_view(), name="account_logout"),
    path("register/", views.register, name="account_signup"),
    path("forgot-password/", views.forgot_password, name="account_reset_password"),
    path("password/", views.change_password, name="account_change_password"),
    path("inactive/", views.forgot_username, name="account_inactive"),
    # SEC-4: re-authentication asks for both factors at once.
    path(
        "reauthenticate/",
        second_factor_views.confirm_identity,
        name="account_reauthenticate",
    ),
]
