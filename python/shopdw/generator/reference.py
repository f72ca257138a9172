"""Reference data shared by the generator and the committed seeds.

The seeds in ``seeds/`` are written from these tables by ``shopdw seeds``; a test checks that
the committed CSVs still equal what this module produces, so the generator and the warehouse
can never disagree on a country's currency or a month's exchange rate.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

# code, name, region, currency, utc offset (minutes) used for client clocks, cities
COUNTRIES: list[tuple[str, str, str, str, int, tuple[str, ...]]] = [
    ("US", "United States", "North America", "USD", -300, ("New York", "Chicago", "Seattle")),
    ("CA", "Canada", "North America", "CAD", -300, ("Toronto", "Montreal", "Vancouver")),
    ("GB", "United Kingdom", "Europe", "GBP", 0, ("London", "Manchester", "Leeds")),
    ("IE", "Ireland", "Europe", "EUR", 0, ("Dublin", "Cork", "Galway")),
    ("DE", "Germany", "Europe", "EUR", 60, ("Berlin", "Hamburg", "Munich")),
    ("FR", "France", "Europe", "EUR", 60, ("Paris", "Lyon", "Marseille")),
    ("NL", "Netherlands", "Europe", "EUR", 60, ("Amsterdam", "Rotterdam", "Utrecht")),
    ("ES", "Spain", "Europe", "EUR", 60, ("Madrid", "Barcelona", "Valencia")),
    ("IT", "Italy", "Europe", "EUR", 60, ("Rome", "Milan", "Naples")),
    ("SE", "Sweden", "Europe", "SEK", 60, ("Stockholm", "Gothenburg", "Malmo")),
    ("PL", "Poland", "Europe", "PLN", 60, ("Warsaw", "Krakow", "Gdansk")),
    ("AU", "Australia", "Oceania", "AUD", 600, ("Sydney", "Melbourne", "Brisbane")),
]
COUNTRY_WEIGHTS = [0.30, 0.06, 0.14, 0.03, 0.12, 0.08, 0.05, 0.05, 0.05, 0.03, 0.04, 0.05]

# code, name, minor units, base rate to USD, seasonal amplitude
CURRENCIES: list[tuple[str, str, int, float, float]] = [
    ("USD", "US Dollar", 2, 1.0, 0.0),
    ("EUR", "Euro", 2, 1.09, 0.03),
    ("GBP", "Pound Sterling", 2, 1.27, 0.03),
    ("CAD", "Canadian Dollar", 2, 0.74, 0.02),
    ("SEK", "Swedish Krona", 2, 0.095, 0.04),
    ("PLN", "Polish Zloty", 2, 0.25, 0.04),
    ("AUD", "Australian Dollar", 2, 0.66, 0.03),
]
RATE_FIRST_YEAR = 2018
RATE_LAST_YEAR = 2032

# category code, display name, department
CATEGORIES: list[tuple[str, str, str]] = [
    ("electronics", "Electronics", "Technology"),
    ("computers", "Computers", "Technology"),
    ("home_kitchen", "Home & Kitchen", "Home"),
    ("garden", "Garden", "Home"),
    ("books", "Books", "Media"),
    ("toys_games", "Toys & Games", "Kids"),
    ("clothing", "Clothing", "Fashion"),
    ("shoes", "Shoes", "Fashion"),
    ("sports_outdoors", "Sports & Outdoors", "Leisure"),
    ("beauty", "Beauty", "Health"),
    ("grocery", "Grocery", "Food"),
]

BRANDS = [
    "Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne",
    "Tyrell", "Soylent", "Hooli", "Vandelay", "Pied Piper", "Wonka", "Cyberdyne", "Oscorp",
]

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas",
    "Karin", "Liam", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sam", "Tara",
    "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zoe",
]
LAST_NAMES = [
    "Smith", "Muller", "Dubois", "Rossi", "Garcia", "Jansen", "Nowak", "Andersson",
    "Brown", "Wilson", "Taylor", "Martin", "Schmidt", "Fischer", "Weber", "Moreau",
]
EMAIL_DOMAINS = ["example.com", "mail.example.org", "inbox.example.net", "post.example.io"]
TEST_ACCOUNT_DOMAIN = "qa.example-shop.internal"

SEGMENTS = ["standard", "silver", "gold"]
PAYMENT_METHODS = ["card", "paypal", "bank_transfer", "gift_card"]
PAYMENT_METHOD_WEIGHTS = [0.62, 0.25, 0.08, 0.05]
ORDER_STATUSES = ["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
EVENT_TYPES = [
    "page_view", "product_view", "add_to_cart", "remove_from_cart", "login", "checkout", "purchase",
]
BOT_USER_AGENTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
]

# Reason codes a row can be quarantined (or repaired) with; the seed documents them.
QUARANTINE_REASONS: list[tuple[str, str, str]] = [
    ("missing_key", "rejected", "A required key (the row's own id or a foreign key) is null or blank."),
    ("invalid_timestamp", "rejected", "A required timestamp cannot be parsed."),
    ("future_timestamp", "rejected", "The event time lies after the time the row was received or loaded."),
    ("out_of_range_timestamp", "rejected",
     "A timestamp lies outside the calendar of dim_dates (before dim_dates_start or from dim_dates_end on), "
     "e.g. an epoch-zero 1970-01-01: no fact may carry a date the calendar lacks."),
    ("invalid_text", "rejected",
     "A text value holds a control character (a NUL byte, a tab or line break), is longer than text_max_length, "
     "or is a JSON object or array where a scalar belongs."),
    ("invalid_quantity", "rejected", "Quantity is not a whole number from 1 to max_line_quantity (1,000)."),
    ("invalid_price", "rejected", "A price is missing, not numeric or negative."),
    ("invalid_amount", "rejected", "A money amount is missing, not numeric or negative."),
    ("invalid_value", "rejected", "A categorical value is outside its accepted set after trimming and casing."),
    ("conflicting_duplicate", "rejected",
     "Copies of one key and version (same lsn, order version, line, payment, event or product extract row) "
     "disagree on their content: every copy is quarantined, none is published, and the entity keeps its "
     "previous version."),
    ("internal_test_account", "rejected", "The row belongs to an internal QA/test account, not a real customer."),
    ("unknown_customer", "rejected", "The order references a customer that the customer feed never delivered, "
     "or a CDC update or delete names a customer the feed has not created by then."),
    ("unknown_product", "rejected", "The order item references a product that no extract ever delivered."),
    ("unknown_order", "rejected", "The row references an order that was never delivered."),
    ("parent_order_rejected", "rejected", "The row belongs to an order that was itself quarantined."),
    ("order_without_valid_items", "rejected", "Every item of the order was quarantined, so the order is incomplete."),
    ("invalid_email", "repaired", "The email is not a valid address; the row is staged with a null email."),
]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    region: str
    currency: str
    utc_offset_minutes: int
    cities: tuple[str, ...]


def countries() -> list[Country]:
    return [Country(*row) for row in COUNTRIES]


def months() -> list[tuple[int, int]]:
    return [(y, m) for y in range(RATE_FIRST_YEAR, RATE_LAST_YEAR + 1) for m in range(1, 13)]


def rate_to_usd(currency: str, year: int, month: int) -> float:
    """Monthly average rate: how many USD one unit of ``currency`` buys."""
    for code, _name, _minor, base, amplitude in CURRENCIES:
        if code == currency:
            index = (year - RATE_FIRST_YEAR) * 12 + (month - 1)
            phase = (sum(map(ord, code)) % 7) / 7 * 2 * math.pi
            return round(base * (1 + amplitude * math.sin(index / 6 * math.pi + phase)), 6)
    raise KeyError(f"unknown currency {currency!r}")


def seed_tables() -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """Every seed of the project, as header and rows."""
    return {
        "countries": (
            ["country_code", "country_name", "region", "currency_code", "utc_offset_minutes"],
            [(c.code, c.name, c.region, c.currency, c.utc_offset_minutes) for c in countries()],
        ),
        "currencies": (
            ["currency_code", "currency_name", "minor_units"],
            [(code, name, minor) for code, name, minor, _b, _a in CURRENCIES],
        ),
        "currency_exchange_rates": (
            ["currency_code", "rate_month", "rate_to_usd"],
            [
                (code, f"{y:04d}-{m:02d}-01", f"{rate_to_usd(code, y, m):.6f}")
                for code, *_ in CURRENCIES
                for y, m in months()
            ],
        ),
        "product_categories": (
            ["category_code", "category_name", "department"],
            list(CATEGORIES),
        ),
        "quarantine_reasons": (
            ["reason_code", "disposition", "description"],
            list(QUARANTINE_REASONS),
        ),
    }


def write_seeds(seeds_dir: Path) -> list[Path]:
    written = []
    for name, (header, rows) in seed_tables().items():
        path = seeds_dir / f"{name}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written
