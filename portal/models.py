"""Every model in one import, so Alembic and the app see the whole schema."""

from notifications.models import AlertDelivery, DeliveryAddressState
from portal.accounts.models import CompanyProfile, Role, User
from portal.admin.models import SiteSetting
from portal.buyers.models import Buyer, GovernmentLevel
from portal.db import Base
from portal.opportunities.models import (
    ChangeKind,
    ObjectType,
    Opportunity,
    OpportunityAward,
    OpportunityChange,
    OpportunityClassification,
    OpportunityStatus,
)
from portal.plans.models import AnnualPlan, PlanLine, PlanUpload, UploadStatus
from portal.reference.models import Department, ProcedureType, Sector, SizeClass, UITValue
from portal.statistics.models import StatisticsSnapshot, UnsubscribeEvent, lead_time_months
from portal.subscriptions.models import (
    Frequency,
    SavedOpportunity,
    Subscription,
    SubscriptionObjectType,
)
from scrapers.models import RawPayload, RunStatus, ScrapeItemFailure, ScrapeRun, Source, SourceKind

__all__ = [
    "AlertDelivery",
    "AnnualPlan",
    "Base",
    "Buyer",
    "ChangeKind",
    "CompanyProfile",
    "DeliveryAddressState",
    "Department",
    "Frequency",
    "GovernmentLevel",
    "ObjectType",
    "Opportunity",
    "OpportunityAward",
    "OpportunityChange",
    "OpportunityClassification",
    "OpportunityStatus",
    "PlanLine",
    "PlanUpload",
    "ProcedureType",
    "RawPayload",
    "Role",
    "RunStatus",
    "SavedOpportunity",
    "ScrapeItemFailure",
    "ScrapeRun",
    "Sector",
    "SiteSetting",
    "SizeClass",
    "Source",
    "SourceKind",
    "StatisticsSnapshot",
    "Subscription",
    "SubscriptionObjectType",
    "UITValue",
    "UnsubscribeEvent",
    "UploadStatus",
    "User",
    "lead_time_months",
]
