"""Pages of relationship maintenance: due contacts and contact records (回访)."""

from django.urls import path

from apps.service.views import relationship

urlpatterns = [
    path("contacts/due/", relationship.DueContactListView.as_view(), name="due_contact_list"),
    path("contacts/due/<int:pk>/", relationship.DueContactDetailView.as_view(), name="due_contact_detail"),
    path("contacts/due/<int:pk>/skip/", relationship.DueContactSkipView.as_view(), name="due_contact_skip"),
    path("contacts/", relationship.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", relationship.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", relationship.ContactDetailView.as_view(), name="contact_detail"),
]
