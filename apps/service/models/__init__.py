from apps.service.models.feedback import Feedback, FeedbackRouting
from apps.service.models.relationship import DueContact, RelationshipContact
from apps.service.models.tickets import Ticket, TicketEvent

__all__ = ["DueContact", "Feedback", "FeedbackRouting", "RelationshipContact", "Ticket", "TicketEvent"]
