"""Pages of the customer archive itself (the public pool and Excel import/export have their own url modules)."""

from django.urls import path

from apps.customers.views import archive as views

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("transfer/", views.customer_transfer_view, name="customer_transfer"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path("<int:pk>/lock/", views.CustomerLockView.as_view(), name="customer_lock"),
    path("<int:pk>/service-owner/", views.CustomerServiceOwnerView.as_view(), name="customer_service_owner"),
    path("service-owners/", views.ServiceOwnerListView.as_view(), name="service_owner_list"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact_update"),
    path("<int:pk>/needs/new/", views.NeedCreateView.as_view(), name="need_create"),
    path("needs/<int:pk>/status/", views.NeedStatusView.as_view(), name="need_status"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create_view, name="followup_create"),
]
