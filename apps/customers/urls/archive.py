"""Pages of the customer archive itself (the public pool and Excel import/export have their own url modules)."""

from django.urls import path

from apps.core.routes import record_routes
from apps.customers.views import archive as views

urlpatterns = [
    *record_routes("", views, "Customer", actions="lock"),
    path("transfer/", views.customer_transfer_view, name="customer_transfer"),
    path("<int:pk>/service-owner/", views.CustomerServiceOwnerView.as_view(), name="customer_service_owner"),
    path("service-owners/", views.ServiceOwnerListView.as_view(), name="service_owner_list"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    *record_routes("contacts/", views, "Contact", "update"),
    path("<int:pk>/needs/new/", views.NeedCreateView.as_view(), name="need_create"),
    *record_routes("needs/", views, "Need", "", actions="status"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create_view, name="followup_create"),
]
