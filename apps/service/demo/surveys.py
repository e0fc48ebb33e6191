"""Demo satisfaction surveys (arts. 10, 12): the quarterly survey "客户满意度季度调查" sent each quarter since 2025 to
the A and B customers with tickets closed in the quarter (about 55 % answer), and the post-ticket survey for every
resolved ticket with a customer (about half answer). CSAT drifts upwards from about 4.0 to 4.4 and NPS from about
20 to 45; a few answers are detractors. Today's answers go through the answer service (a detractor opens a follow-up
ticket when the detractor hook is registered). Idempotent: nothing is added when survey campaigns exist."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.contenttypes.models import ContentType

from apps.core.workdays import TZ
from apps.service.choices import TicketStatus
from apps.service.demo.tickets import DemoContext, working_moment
from apps.service.models import Ticket
from apps.surveys import demo as surveys_demo
from apps.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from apps.surveys.models import Question, Questionnaire, SurveyCampaign, SurveyInvitation
from apps.surveys.services import history

START = dt.date(2025, 1, 1)
QUARTERLY_RATE = 0.55
POST_TICKET_RATE = 0.5
COMMENTS = [
    "工程师很专业，问题解决得很快。",
    "希望响应速度再快一些。",
    "整体满意，继续保持。",
    "电话有时打不通。",
    "培训资料很实用。",
    "价格可以再优惠一些。",
    "服务态度很好，点赞！",
    "希望能提供更多上门服务。",
]
ANALYSES = [
    "本季度满意度较上季度提升，主要得益于响应时效改善；价格与培训仍是主要改进方向，已立项跟进。",
    "产品稳定性评分偏低，已与研发确认两项缺陷的修复计划；售后服务评分保持高位。",
    "推荐意愿提升明显，贬损者集中在交付延期的项目，已纳入交付周报制度。",
]


def _progress(moment: dt.datetime, now: dt.datetime) -> float:
    """0 at the start of 2025, 1 today: satisfaction improves over time."""
    start = dt.datetime.combine(START, dt.time(0), TZ)
    return max(0.0, min(1.0, (moment - start) / (now - start)))


def _scores(
    ctx: DemoContext, questions: list[Question], progress: float, detractor: bool = False
) -> dict[int, dict[str, Any]]:
    """One customer's answers, as ``answers_clean`` gives them: {question id: {"number" | "choices" | "text": …}}."""
    rng = ctx.rng
    mean = 4.0 + 0.4 * progress
    promoters, detractors = 0.40 + 0.12 * progress, 0.22 - 0.05 * progress
    if detractor:
        mean, promoters, detractors = 2.2, 0.0, 1.0
    answers: dict[int, dict[str, Any]] = {}
    for q in questions:
        if q.kind == QuestionKind.RATING:
            answers[q.pk] = {"number": max(1, min(5, round(rng.gauss(mean, 0.7))))}
        elif q.kind == QuestionKind.NPS:
            draw = rng.random()
            number = (
                rng.choice((9, 10, 10))
                if draw < promoters
                else (rng.choice((2, 4, 5, 6, 6)) if draw < promoters + detractors else rng.choice((7, 8, 8)))
            )
            answers[q.pk] = {"number": number}
        elif q.kind == QuestionKind.SINGLE and q.options:
            answers[q.pk] = {"number": rng.randrange(len(q.options))}
        elif q.kind == QuestionKind.MULTIPLE and q.options and rng.random() < 0.8:
            answers[q.pk] = {"choices": sorted(rng.sample(range(len(q.options)), rng.randint(1, 2)))}
        elif q.kind == QuestionKind.TEXT and (detractor or rng.random() < 0.3):
            answers[q.pk] = {"text": rng.choice(COMMENTS[1:4:2] if detractor else COMMENTS)}
    return answers


class _Batch:
    """Invitations, responses and answers to write together through the surveys' bulk path."""

    def __init__(self) -> None:
        self.questions: dict[int, list[Question]] = {}  # by campaign id
        self.invitations: list[SurveyInvitation] = []
        self.answered: list[history.Answered] = []

    def save(self) -> tuple[int, int]:
        return history.answered_history_create(
            questions=self.questions, invitations=self.invitations, answered=self.answered
        )


def _invitation(
    ctx: DemoContext, campaign: SurveyCampaign, customer: Any, sent: dt.datetime, **extra: Any
) -> SurveyInvitation:
    return SurveyInvitation(
        campaign=campaign,
        customer=customer,
        contact=ctx.contacts.get(customer.pk),
        token=secrets.token_urlsafe(32),
        expires_at=sent + dt.timedelta(days=campaign.link_valid_days),
        sent_at=sent,
        customer_level=customer.level,
        owner=customer.service_owner,
        owner_unit=ctx.service,
        created_at=sent,
        updated_at=sent,
        **extra,
    )


def _answer_or_remind(
    ctx: DemoContext,
    batch: _Batch,
    inv: SurveyInvitation,
    questions: list[Question],
    rate: float,
    campaign: SurveyCampaign,
) -> None:
    rng = ctx.rng
    sent_at, expires_at = inv.sent_at, inv.expires_at
    assert sent_at is not None and expires_at is not None  # _invitation sets both
    answered_at = sent_at + dt.timedelta(hours=rng.randint(1, 24 * 6))
    if rng.random() < rate and answered_at < ctx.now - dt.timedelta(hours=1) and answered_at < expires_at:
        inv.answered_at = answered_at
        batch.questions[campaign.pk] = questions
        batch.answered.append((inv, _scores(ctx, questions, _progress(answered_at, ctx.now)), answered_at))
    elif sent_at + dt.timedelta(days=campaign.remind_after_days) < min(ctx.now, expires_at):
        inv.reminders_sent, inv.reminded_at = 1, sent_at + dt.timedelta(days=campaign.remind_after_days)


def _quarters(today: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(start, end, sending day) of every quarter since 2025 whose sending day has come."""
    rows: list[tuple[dt.date, dt.date, dt.date]] = []
    year, month = START.year, 1
    while True:
        start = dt.date(year, month, 1)
        end = (dt.date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)) - dt.timedelta(days=1)
        sending = dt.date(year, month + 1, 10)
        if sending > today:
            return rows
        rows.append((start, end, sending))
        year, month = (year + 1, 1) if month == 10 else (year, month + 3)


def _quarterly(ctx: DemoContext, batch: _Batch, questionnaire: Questionnaire) -> int:
    """One campaign per quarter to the A/B customers with tickets closed in the quarter."""
    questions = list(questionnaire.questions.order_by("order", "pk"))
    closed = list(
        Ticket.objects.filter(closed_at__isnull=False, customer__isnull=False).values_list("customer_id", "closed_at")
    )
    by_pk = {c.pk: c for c in ctx.customers}
    manager = ctx.users["cs_mgr"]
    campaigns = 0
    for number, (start, end, sending) in enumerate(_quarters(ctx.today)):
        sent = working_moment(ctx.rng, sending, late=0)
        first, last = (dt.datetime.combine(d, dt.time(0), TZ) for d in (start, end + dt.timedelta(days=1)))
        recipients = sorted(
            {
                cid
                for cid, at in closed
                if at is not None and first <= at < last and cid in by_pk and by_pk[cid].level in ("A", "B")
            }
        )
        still_open = sent + dt.timedelta(days=21) > ctx.now
        label = f"{start.year} 年第 {(start.month - 1) // 3 + 1} 季度"
        campaign = history.campaign_record(
            created_at=sent - dt.timedelta(days=3),
            name=f"{label}客户满意度调查",
            questionnaire=questionnaire,
            kind=SurveyKind.CAMPAIGN,
            status=SurveyStatus.SENT if still_open else SurveyStatus.CLOSED,
            segment={
                "levels": ["A", "B"],
                "tickets_closed_from": start.isoformat(),
                "tickets_closed_to": end.isoformat(),
            },
            link_valid_days=21,
            remind_after_days=5,
            sent_at=sent,
            closed_at=None if still_open else sent + dt.timedelta(days=21),
            period_start=start,
            period_end=end,
            analysis="" if still_open else ANALYSES[number % len(ANALYSES)],
            owner=manager,
            owner_unit=ctx.service,
            created_by=manager,
        )
        campaigns += 1
        for cid in recipients:
            inv = _invitation(ctx, campaign, by_pk[cid], sent)
            batch.invitations.append(inv)
            _answer_or_remind(ctx, batch, inv, questions, QUARTERLY_RATE, campaign)
    return campaigns


def _post_ticket(ctx: DemoContext, batch: _Batch, questionnaire: Questionnaire) -> SurveyCampaign:
    """The standing post-ticket campaign and a link for every resolved ticket with a customer."""
    from apps.surveys.services.invitations import POST_TICKET_CAMPAIGN_NAME

    manager = ctx.users["cs_mgr"]
    first = dt.datetime.combine(START, dt.time(9), TZ)
    campaign = SurveyCampaign.objects.filter(questionnaire=questionnaire, kind=SurveyKind.POST_TICKET).first()
    if campaign is None:
        campaign = history.campaign_record(
            created_at=first,
            name=(str(POST_TICKET_CAMPAIGN_NAME) % {"questionnaire": questionnaire.title})[:100],
            questionnaire=questionnaire,
            kind=SurveyKind.POST_TICKET,
            status=SurveyStatus.SENT,
            sent_at=first,
            owner=manager,
            owner_unit=ctx.service,
            created_by=manager,
        )
    else:
        history.campaign_backdate(campaign, first)
    questions = list(questionnaire.questions.order_by("order", "pk"))
    ticket_type = ContentType.objects.get_for_model(Ticket)
    done = set(SurveyInvitation.objects.filter(source_type=ticket_type).values_list("source_id", flat=True))
    by_pk = {c.pk: c for c in ctx.customers}
    tickets = (
        Ticket.objects.filter(status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED), customer__isnull=False)
        .values_list("pk", "customer_id", "resolved_at", "ticket_type", "assignee_id")
        .order_by("resolved_at")
    )
    for pk, customer_id, resolved_at, type_, assignee_id in tickets:
        customer = by_pk.get(customer_id)
        if customer is None or pk in done:
            continue
        assert resolved_at is not None  # a resolved or closed ticket
        inv = _invitation(
            ctx,
            campaign,
            customer,
            resolved_at + dt.timedelta(minutes=1),
            ticket_type=type_,
            department=ctx.service,
            source_type=ticket_type,
            source_id=pk,
        )
        owner_id = assignee_id or customer.service_owner_id
        assert owner_id is not None  # a resolved ticket has an assignee
        inv.owner_id = owner_id
        batch.invitations.append(inv)
        _answer_or_remind(ctx, batch, inv, questions, POST_TICKET_RATE, campaign)
    return campaign


def _today_through_services(ctx: DemoContext, questionnaire: Questionnaire) -> int:
    """Two open post-ticket links answered today through the answer service: one satisfied, one detractor."""
    from apps.surveys.services.answers import response_submit

    open_links = list(
        SurveyInvitation.objects.filter(
            campaign__questionnaire=questionnaire, answered_at__isnull=True, expires_at__gt=ctx.now
        ).order_by("-sent_at")[:2]
    )
    questions = list(questionnaire.questions.order_by("order", "pk"))
    answered = 0
    for i, inv in enumerate(open_links):
        answers = _scores(ctx, questions, 1.0, detractor=i == 1)
        raw: dict[int, Any] = {}
        for qid, values in answers.items():
            if "choices" in values:
                raw[qid] = [str(c) for c in values["choices"]]
            elif "text" in values:
                raw[qid] = values["text"]
            else:
                raw[qid] = str(values["number"])
        response_submit(token=inv.token, raw=raw, ip_address="127.0.0.1")
        answered += 1
    return answered


def load(stdout: Any, ctx: DemoContext) -> None:
    if SurveyCampaign.objects.filter(kind=SurveyKind.CAMPAIGN).exists():
        stdout.write("  surveys: campaigns already there")
        return
    quarterly = Questionnaire.objects.filter(title=surveys_demo.QUARTERLY_TITLE).first()
    if quarterly is None:
        surveys_demo.load(stdout)
        quarterly = Questionnaire.objects.get(title=surveys_demo.QUARTERLY_TITLE)
    post_ticket = Questionnaire.objects.filter(for_resolved_tickets=True, is_active=True).first()
    batch = _Batch()
    campaigns = _quarterly(ctx, batch, quarterly)
    if post_ticket is not None:
        _post_ticket(ctx, batch, post_ticket)
    invitations, responses = batch.save()
    today = _today_through_services(ctx, post_ticket) if post_ticket is not None else 0
    stdout.write(f"  surveys: {campaigns} quarterly campaigns, {invitations} links, {responses + today} answers")
