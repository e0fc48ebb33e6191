"""Pages of relationship maintenance: due contacts and contact records (回访)."""

from django.urls import path

from apps.service.views import relationship

urlpatterns = [
    path("contacts/due/", relationship.DueContactListView.as_view(), name="due_contact_list"),
    path("contacts/due/<int:pk>/", relationship.due_contact_detail_view, name="due_contact_detail"),
    path("contacts/due/<int:pk>/skip/", relationship.due_contact_skip_view, name="due_contact_skip"),
    path("contacts/", relationship.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", relationship.contact_create_view, name="contact_create"),
    path("contacts/<int:pk>/", relationship.contact_detail_view, name="contact_detail"),
]
