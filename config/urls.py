from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

from apps.org import views as org_views

# drf-spectacular's Swagger page starts Swagger UI from an inline script and a small <style> block (its own template,
# no user data): the Content-Security-Policy allows inline scripts and styles on this page alone.
api_docs = csp_update({"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/language/", org_views.set_language_view, name="set_language"),
    path("org/", include("apps.org.urls")),
    path("policy/", include("apps.policy.urls")),
    path("customers/", include("apps.customers.urls")),
    path("improvements/", include("apps.improvements.urls")),
    path("marketing/", include("apps.marketing.urls")),
    path("sales/", include("apps.sales.urls")),
    path("service/surveys/", include("apps.surveys.urls")),
    path("service/", include("apps.service.urls")),
    path("performance/", include("apps.performance.urls")),
    path("reports/", include("apps.reports.urls")),
    path("s/", include("apps.surveys.urls.answer")),
    path("support/", include("apps.service.urls.public")),
    path("api/v1/", include("config.api")),
    # The API's description is for signed-in users (and token clients), not for anonymous visitors.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("api/docs/", login_required(api_docs), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
