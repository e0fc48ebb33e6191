"""Public-pool pages (公海): the pool, claim, assign, return, and 待进入公海."""

from django.urls import path

from apps.customers.views import pool

urlpatterns = [
    path("pool/", pool.PoolListView.as_view(), name="pool_list"),
    path("pool/due/", pool.pool_due_list_view, name="pool_due_list"),
    path("pool/<int:pk>/claim/", pool.customer_claim_view, name="customer_claim"),
    path("pool/<int:pk>/assign/", pool.customer_assign_view, name="customer_assign"),
    path("<int:pk>/return/", pool.CustomerReturnView.as_view(), name="customer_return"),
]
