from django.urls import path
app_name = "policy"

from django.views.generic import TemplateView

urlpatterns = [path("", TemplateView.as_view(template_name="policy/placeholder.html"), name="in_force")]
