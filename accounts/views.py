from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils import translation

from accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # The preferred language applies at each sign-in (SPEC PROF-3).
        translation.activate(form.get_user().preferred_language)
        return super().form_valid(form)

    def get_default_redirect_url(self):
        return reverse("portal:landing")


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]
