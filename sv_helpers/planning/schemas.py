"""The five ledgers a planning gain run reads, as table schemas (model layer).

Every file is CSV or .xlsx and is read with :func:`sv_helpers.core.tables.load_table`,
so a problem is reported with its file, row and column.  Money is in pounds.
"""

from __future__ import annotations

from sv_helpers.core.tables import Column, TableSchema

#: The funds a CIL spending ledger row belongs to.
FUNDS: tuple[str, ...] = ("strategic", "neighbourhood", "administration")
#: What a CIL spending ledger row records.
ENTRIES: tuple[str, ...] = ("allocated", "spent")

CIL_RECEIPTS = TableSchema(
    "cil_receipts",
    (
        Column("receipt_id", "text", unique=True, description="A unique reference for the payment of CIL received."),
        Column("date_received", "date", description="The date the council received the payment."),
        Column(
            "parish",
            "text",
            allow_blank=True,
            description="The parish or town council area of the development; blank for an unparished area.",
        ),
        Column(
            "development",
            "text",
            required=False,
            allow_blank=True,
            description="The development (planning reference and address).",
        ),
        Column(
            "permission_date",
            "date",
            description=(
                "When planning permission first permitted the development "
                "(decides whether a neighbourhood plan was in effect)."
            ),
        ),
        Column("amount", "money", minimum=0, description="The CIL received, in pounds."),
    ),
    description="One row per payment of CIL received.",
)

PARISHES = TableSchema(
    "parishes",
    (
        Column(
            "parish", "text", unique=True, description="The parish or town council's name, as written in the receipts."
        ),
        Column(
            "council_tax_dwellings",
            "integer",
            minimum=0,
            description="The number of council tax dwellings in the parish (sets the cap of £100 per dwelling a year).",
        ),
        Column(
            "neighbourhood_plan_made",
            "date",
            required=False,
            allow_blank=True,
            description="The date a neighbourhood development plan came into effect for the parish; blank if none.",
        ),
    ),
    description="One row per parish or town council.",
)

CIL_SPEND = TableSchema(
    "cil_spend",
    (
        Column("entry_id", "text", unique=True, description="A unique reference for the ledger entry."),
        Column("date", "date", description="The date of the allocation decision or of the spending."),
        Column("project", "text", description="The item of infrastructure (or 'Administration')."),
        Column(
            "infrastructure_type", "text", description="The kind of infrastructure, e.g. Education, Health, Highways."
        ),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            description="The Sevenoaks ward (2013 names) where the infrastructure is; blank for district-wide.",
        ),
        Column(
            "fund",
            "category",
            allowed=FUNDS,
            description="strategic, neighbourhood (retained for an unparished area) or administration.",
        ),
        Column(
            "entry",
            "category",
            allowed=ENTRIES,
            description="allocated (a decision to fund) or spent (money paid out).",
        ),
        Column("amount", "money", minimum=0, description="The amount allocated or spent, in pounds."),
        Column(
            "repays_borrowing",
            "boolean",
            required=False,
            allow_blank=True,
            default=False,
            description="yes when the spending repays money borrowed for the infrastructure.",
        ),
    ),
    min_rows=0,
    description="One row per allocation or payment of CIL by the council.",
)

S106 = TableSchema(
    "s106",
    (
        Column(
            "agreement_id",
            "text",
            unique=True,
            description="A unique reference for the obligation (agreement and clause).",
        ),
        Column(
            "development", "text", required=False, allow_blank=True, description="The development the agreement is for."
        ),
        Column(
            "obligation", "text", description="The kind of obligation, e.g. Affordable housing, Education, Open space."
        ),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            description="The Sevenoaks ward (2013 names) of the development.",
        ),
        Column(
            "date_agreed",
            "date",
            required=False,
            allow_blank=True,
            description="The date the agreement was entered into.",
        ),
        Column(
            "amount_agreed",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            default=0.0,
            description="The money the agreement requires to be paid, in pounds.",
        ),
        Column(
            "amount_received",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            default=0.0,
            description="The money received so far, in pounds.",
        ),
        Column(
            "date_received", "date", required=False, allow_blank=True, description="The date the money was received."
        ),
        Column(
            "amount_allocated",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            default=0.0,
            description="The money allocated to a project so far (spent or not), in pounds.",
        ),
        Column(
            "amount_spent",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            default=0.0,
            description="The money spent so far, in pounds.",
        ),
        Column("date_spent", "date", required=False, allow_blank=True, description="The date of the spending."),
        Column(
            "amount_repaid",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            default=0.0,
            description="Money repaid to the developer, in pounds.",
        ),
        Column(
            "spend_by_date",
            "date",
            required=False,
            allow_blank=True,
            description="The date by which the money must be spent or repaid; blank if none.",
        ),
        Column("purpose", "text", required=False, allow_blank=True, description="What the money is for."),
        Column(
            "affordable_homes",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="Affordable homes the agreement requires (non-monetary).",
        ),
        Column(
            "school_places",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="School places the agreement provides (non-monetary).",
        ),
    ),
    min_rows=0,
    description="One row per section 106 obligation.",
)

CIL_BIDS = TableSchema(
    "cil_bids",
    (
        Column("bid_id", "text", unique=True, description="A unique reference for the bid."),
        Column("organisation", "text", description="The infrastructure provider bidding."),
        Column("project", "text", description="What the CIL would pay for."),
        Column(
            "infrastructure_type", "text", description="The kind of infrastructure, e.g. Education, Health, Highways."
        ),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            description="The Sevenoaks ward (2013 names) of the project; blank for district-wide.",
        ),
        Column("amount_requested", "money", minimum=1, description="The CIL asked for, in pounds."),
        Column("score", "number", minimum=0, maximum=100, description="The board's total score, 0 to 100."),
        Column(
            "minimum_award",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            description="The least that keeps the project viable (partial awards); blank means all or nothing.",
        ),
    ),
    min_rows=0,
    description="One row per bid for strategic CIL.",
)

#: The ledgers by setting name (``cil_receipts_path`` reads ``CIL_RECEIPTS``).
SCHEMAS: dict[str, TableSchema] = {
    "cil_receipts": CIL_RECEIPTS,
    "parishes": PARISHES,
    "cil_spend": CIL_SPEND,
    "s106": S106,
    "cil_bids": CIL_BIDS,
}
